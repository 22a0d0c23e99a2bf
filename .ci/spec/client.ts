// A typed client's view of the API, compiled with `tsc --strict` against
// the types openapi-typescript generates from openapi/openapi.json: it
// fails to compile when the spec leaves out what clients need.
import type { components, paths } from "./api";

type Summary = components["schemas"]["SummaryAnswer"];

/** Counts are numbers a client can read by name. */
export function approved(summary: Summary): number {
  return summary.commitments.by_status.approved ?? 0;
}

export function notReported(summary: Summary): number {
  return summary.implementation.not_reported + summary.implementation.in_progress;
}

/** Registration carries the first maker's password. */
type Registration =
  paths["/api/v1/organizations"]["post"]["requestBody"]["content"]["application/json"];
export const registration: Registration = {
  organization: { name: "Digital Sisters", constituency: "civil_society", country: "KH" },
  account: { email: "sokha@example.org", password: "Correct horse 42", display_name: "Sokha" },
};

type NewUser = paths["/api/v1/users"]["post"]["requestBody"]["content"]["application/json"];
export const lead: NewUser = {
  email: "lead@example.org",
  password: "Correct horse 42",
  display_name: "Lead",
  role: "coalition_lead",
  coalitions: ["technology-innovation"],
};

/** A commitment's lists and money, as answered. */
type Commitment = components["schemas"]["Commitment"];
export function firstPartner(c: Commitment): string | undefined {
  return c.partners[0];
}
export function pledgedUsd(c: Commitment): string | null | undefined {
  return c.pledge?.amount_usd;
}

/** A breakdown says whether rows were left out. */
type Breakdown = components["schemas"]["BreakdownAnswer"];
export function rowsShown(b: Breakdown): number {
  return b.truncated ? b.rows.length : b.rows.reduce((n) => n + 1, 0);
}

/** Exactly `U`: neither `never` (a map typed as `Record<string, never>`) nor wider. */
type Is<T, U> = [T] extends [U] ? ([U] extends [T] ? true : false) : false;
export const countsAreNumbers: [
  Is<Summary["implementation"]["not_reported"], number>,
  Is<NonNullable<Summary["commitments"]["by_status"]["approved"]>, number>,
] = [true, true];
