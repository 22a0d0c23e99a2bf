//! Different organizations acting at the same moment, through two
//! instances on one database: every use case succeeds for each of them
//! (no deadlock, no lost write), round after round, and the figures equal
//! a recount afterwards. This is what happens at a submission or a
//! reporting deadline.

use gef_commitments::app::stats as figures;
use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Accepted, TestApp, commitment_body, completed_report, spawn_app, spawn_app_on,
};

const ORGANIZATIONS: usize = 8;
const ROUNDS: usize = 3;

/// The instance the `i`th organization's requests go through.
fn through(apps: &[TestApp; 2], i: usize) -> &TestApp {
    &apps[i % 2]
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// Sends one request per organization at once; asserts that each answered
/// `status`, and returns their bodies in order.
async fn each_at_once(
    what: &str,
    status: u16,
    requests: impl Iterator<Item = reqwest::RequestBuilder>,
) -> Vec<Value> {
    let handles: Vec<_> = requests.map(|r| actix_web::rt::spawn(r.send())).collect();
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(handle.await.unwrap().unwrap());
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(statuses, vec![status; statuses.len()], "{what} at once");
    let mut bodies = Vec::new();
    for answer in answers {
        bodies.push(answer.json().await.unwrap_or(Value::Null));
    }
    bodies
}

fn if_match(body: &Value) -> String {
    format!("\"{}\"", body["version"])
}

#[actix_web::test]
async fn different_organizations_acting_at_once_all_succeed() {
    let first = spawn_app().await;
    let second = spawn_app_on(first.database.clone(), None).await;
    let apps = [first, second];
    let lead = apps[0]
        .signed_in(
            "lead@deadline.example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    apps[0].clock.set("2026-02-01");
    apps[1].clock.set("2026-02-01");
    apps[0].open_cycle_today(2025).await;
    for round in 0..ROUNDS {
        // Organizations register at once, and express interest at once.
        let registrations = (0..ORGANIZATIONS).map(|i| {
            through(&apps, i)
                .request(Method::POST, "/api/v1/organizations", None)
                .json(&json!({
                    "organization": {"name": format!("Deadline {round}-{i}"),
                                     "constituency": "civil_society", "country": "KH"},
                    "account": {"email": format!("maker{round}-{i}@deadline.example.org"),
                                "password": crate::helpers::PASSWORD,
                                "display_name": "Focal point"}
                }))
        });
        let registered = each_at_once("registrations", 201, registrations).await;
        let mut orgs: Vec<Accepted> = Vec::new();
        for (i, body) in registered.iter().enumerate() {
            let email = body["account"]["email"].as_str().unwrap();
            let token = through(&apps, i)
                .sign_in(email, crate::helpers::PASSWORD)
                .await;
            orgs.push(Accepted {
                organization: body["organization"]["id"].as_str().unwrap().to_owned(),
                maker: crate::helpers::Caller {
                    id: body["account"]["id"].as_str().unwrap().to_owned(),
                    token,
                },
                lead: lead.clone(),
            });
        }
        let interest = orgs.iter().enumerate().map(|(i, org)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    "/api/v1/expressions-of-interest",
                    Some(&org.maker),
                )
                .json(&json!({"coalition": "technology-innovation", "motivation": "Deadline."}))
        });
        let expressions = each_at_once("expressions of interest", 201, interest).await;
        // The lead accepts them all at once.
        let decisions = expressions.iter().enumerate().map(|(i, eoi)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!(
                        "/api/v1/expressions-of-interest/{}/decision",
                        eoi["id"].as_str().unwrap()
                    ),
                    Some(&lead),
                )
                .json(&json!({"decision": "accept"}))
        });
        each_at_once("decisions", 200, decisions).await;
        // Each creates two commitments at once: one to take to completion,
        // one to withdraw after approval.
        let mut commitments = Vec::new();
        for kept in ["delivered", "withdrawn"] {
            let creations = orgs.iter().enumerate().map(|(i, org)| {
                through(&apps, i)
                    .request(Method::POST, "/api/v1/commitments", Some(&org.maker))
                    .json(&commitment_body(&format!("Deadline {round}-{i} {kept}")))
            });
            commitments.push(each_at_once("creations", 201, creations).await);
        }
        for set in &mut commitments {
            let submissions = set.iter().enumerate().map(|(i, c)| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!("/api/v1/commitments/{}/submit", c["id"].as_str().unwrap()),
                        Some(&orgs[i].maker),
                    )
                    .header("If-Match", if_match(c))
            });
            *set = each_at_once("first submissions", 200, submissions).await;
            let approvals = set.iter().enumerate().map(|(i, c)| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!("/api/v1/commitments/{}/reviews", c["id"].as_str().unwrap()),
                        Some(&lead),
                    )
                    .header("If-Match", if_match(c))
                    .json(&json!({"decision": "approve", "comment": "Fine"}))
            });
            *set = each_at_once("approvals", 200, approvals).await;
        }
        // First progress reports at once, then their validation at once.
        let reports = commitments[0].iter().enumerate().map(|(i, c)| {
            let mut report = completed_report();
            report["status"] = json!("in_progress");
            report["percent_complete"] = json!(10 + i);
            through(&apps, i)
                .request(
                    Method::PUT,
                    &format!(
                        "/api/v1/commitments/{}/progress/2025",
                        c["id"].as_str().unwrap()
                    ),
                    Some(&orgs[i].maker),
                )
                .json(&report)
        });
        let filed = each_at_once("first progress reports", 201, reports).await;
        let validations = commitments[0]
            .iter()
            .zip(&filed)
            .enumerate()
            .map(|(i, (c, r))| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!(
                            "/api/v1/commitments/{}/progress/2025/validation",
                            c["id"].as_str().unwrap()
                        ),
                        Some(&lead),
                    )
                    .header("If-Match", if_match(r))
                    .json(&json!({"decision": "validate"}))
            });
        let validated = each_at_once("validations", 200, validations).await;
        // Completion claimed at once (a replaced report), then verified at once.
        let claims = commitments[0]
            .iter()
            .zip(&validated)
            .enumerate()
            .map(|(i, (c, r))| {
                through(&apps, i)
                    .request(
                        Method::PUT,
                        &format!(
                            "/api/v1/commitments/{}/progress/2025",
                            c["id"].as_str().unwrap()
                        ),
                        Some(&orgs[i].maker),
                    )
                    .header("If-Match", format!("\"{}\"", r["version"]))
                    .json(&completed_report())
            });
        each_at_once("completion claims", 200, claims).await;
        let mut claimed = Vec::new();
        for (i, c) in commitments[0].iter().enumerate() {
            let path = format!("/api/v1/commitments/{}", c["id"].as_str().unwrap());
            let now = json_of(
                through(&apps, i)
                    .request(Method::GET, &path, Some(&orgs[i].maker))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(now["status"], "completion_claimed");
            claimed.push(now);
        }
        let verifications = claimed.iter().enumerate().map(|(i, c)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!("/api/v1/commitments/{}/reviews", c["id"].as_str().unwrap()),
                    Some(&lead),
                )
                .header("If-Match", if_match(c))
                .json(&json!({"decision": "verify_completion"}))
        });
        each_at_once("verifications", 200, verifications).await;
        // Withdrawals of public commitments at once.
        let withdrawals = commitments[1].iter().enumerate().map(|(i, c)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!("/api/v1/commitments/{}/withdraw", c["id"].as_str().unwrap()),
                    Some(&orgs[i].maker),
                )
                .header("If-Match", if_match(c))
                .json(&json!({"reason": "Merged into another"}))
        });
        each_at_once("withdrawals", 200, withdrawals).await;
        // Profiles edited at once (a constituency moves the figures).
        let mut profiles = Vec::new();
        for (i, org) in orgs.iter().enumerate() {
            profiles.push(
                json_of(
                    through(&apps, i)
                        .get(&format!("/api/v1/organizations/{}", org.organization))
                        .await,
                )
                .await,
            );
        }
        let edits = orgs.iter().zip(&profiles).enumerate().map(|(i, (org, p))| {
            through(&apps, i)
                .request(
                    Method::PATCH,
                    &format!("/api/v1/organizations/{}", org.organization),
                    Some(&org.maker),
                )
                .header("If-Match", if_match(p))
                .json(&json!({"constituency": "youth_led"}))
        });
        each_at_once("profile edits", 200, edits).await;
    }
    // Each instance's figures, once it followed the others' writes, equal
    // the facts read afresh: no change was skipped however they committed.
    for app in &apps {
        assert!(
            figures::verify(&app.db).await.unwrap(),
            "the figures equal the facts read afresh"
        );
    }
    // Everything each instance answered is stored, and counted once.
    let expected = (ROUNDS * ORGANIZATIONS) as i64;
    let summary = json_of(apps[1].get("/api/v1/stats/summary").await).await;
    assert_eq!(summary["commitments"]["total"], expected, "{summary}");
    assert_eq!(summary["commitments"]["by_status"]["completed"], expected);
    assert_eq!(summary["makers"], expected);
    assert_eq!(apps[0].count("commitments").await, 2 * expected);
    assert_eq!(apps[0].count("progress_reports").await, expected);
    // The public feed lists every public move once, in order.
    let feed = json_of(apps[0].get("/api/v1/events?limit=200").await).await;
    let ids: Vec<i64> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}
