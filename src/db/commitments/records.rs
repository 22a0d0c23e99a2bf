//! Whole commitments assembled from their rows: a fixed number of queries
//! whatever the number of commitments.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::*;
use crate::db::organizations::{self, OrganizationRow};
use crate::db::progress;
use crate::db::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
};
use crate::db::{DbConnection, corrupt};
use crate::domain::commitment_content::{Content, Indicator, Pledge};
use crate::domain::country::{CountryCode, CurrencyCode};
use crate::domain::money::Amount;
use crate::domain::progress::{Cycle, ReportingHealth, reporting_health, reports_on};

/// A whole commitment: its row, its organization, its content and, once
/// approved, its reporting health on the day it was read.
#[derive(Debug, Clone)]
pub struct CommitmentRecord {
    pub row: CommitmentRow,
    pub organization: OrganizationRow,
    pub content: Content,
    pub reporting_health: Option<ReportingHealth>,
}

pub fn find_commitment(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CommitmentRow>> {
    crate::concrete!(conn, |conn| commitments::table
        .find(id)
        .select(CommitmentRow::as_select())
        .first(conn)
        .optional())
}

/// The rows of these commitments, in no particular order.
pub fn find_commitments(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<CommitmentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    commitments::table
        .filter(commitments::id.eq_any(ids))
        .select(CommitmentRow::as_select())
        .load(conn)
}

/// The lists of these commitments: one query per list, whatever their number.
/// On PostgreSQL, one statement for all of them (`one_trip`).
pub(super) fn lists_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<CommitmentLists> {
    if let DbConnection::Postgresql(pg) = conn {
        return super::one_trip::read_lists(pg, ids);
    }
    Ok(CommitmentLists {
        action_areas: crate::with_ids!(conn =>
            commitment_action_areas::table,
            commitment_action_areas::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_action_areas::commitment_id,
                    commitment_action_areas::number
                ))
                .select(CommitmentActionAreaRow::as_select())
                .load(conn)?
        ),
        types: crate::with_ids!(conn =>
            commitment_types::table,
            commitment_types::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_types::commitment_id,
                    commitment_types::commitment_type
                ))
                .select(CommitmentTypeRow::as_select())
                .load(conn)?
        ),
        countries: crate::with_ids!(conn =>
            commitment_countries::table,
            commitment_countries::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_countries::commitment_id,
                    commitment_countries::country
                ))
                .select(CommitmentCountryRow::as_select())
                .load(conn)?
        ),
        regions: crate::with_ids!(conn =>
            commitment_regions::table,
            commitment_regions::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_regions::commitment_id,
                    commitment_regions::region
                ))
                .select(CommitmentRegionRow::as_select())
                .load(conn)?
        ),
        partners: crate::with_ids!(conn =>
            commitment_partners::table,
            commitment_partners::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_partners::commitment_id,
                    commitment_partners::position
                ))
                .select(CommitmentPartnerRow::as_select())
                .load(conn)?
        ),
        target_groups: crate::with_ids!(conn =>
            commitment_target_groups::table,
            commitment_target_groups::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_target_groups::commitment_id,
                    commitment_target_groups::position
                ))
                .select(CommitmentTargetGroupRow::as_select())
                .load(conn)?
        ),
        indicators: crate::with_ids!(conn =>
            commitment_indicators::table,
            commitment_indicators::commitment_id,
            ids,
            |q| q
                .order((
                    commitment_indicators::commitment_id,
                    commitment_indicators::position
                ))
                .select(CommitmentIndicatorRow::as_select())
                .load(conn)?
        ),
    })
}

/// Rows of one kind grouped by the commitment they belong to, keeping order.
pub(super) fn by_commitment<R, T>(
    rows: Vec<R>,
    id: impl Fn(&R) -> &str,
    value: impl Fn(R) -> T,
) -> HashMap<String, Vec<T>> {
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        let key = id(&row).to_owned();
        grouped.entry(key).or_default().push(value(row));
    }
    grouped
}

/// A commitment as stored, with the years it reported on: all of it but
/// its reporting health, which depends on the day and the cycles.
#[derive(Debug, Clone)]
pub struct CommitmentParts {
    pub row: CommitmentRow,
    pub organization: OrganizationRow,
    pub content: Content,
    /// Years reported on, for a commitment that reports; else empty.
    pub reported: Vec<i32>,
}

impl CommitmentParts {
    /// The whole commitment as of `today`, given the reporting cycles.
    pub fn record(&self, cycles: &[Cycle], today: NaiveDate) -> CommitmentRecord {
        CommitmentRecord {
            reporting_health: self.health(cycles, today),
            row: self.row.clone(),
            organization: self.organization.clone(),
            content: self.content.clone(),
        }
    }

    /// Its reporting health as of `today`.
    pub fn health(&self, cycles: &[Cycle], today: NaiveDate) -> Option<ReportingHealth> {
        reporting_health(
            self.row.status,
            self.row.start_year..=self.row.end_year,
            cycles,
            &self.reported,
            today,
        )
    }
}

/// A commitment as of a day, shared rather than copied: what readers get
/// from the read cache, made a whole record only when needed.
#[derive(Debug, Clone)]
pub struct CommitmentView {
    pub parts: std::sync::Arc<CommitmentParts>,
    pub reporting_health: Option<ReportingHealth>,
}

impl CommitmentView {
    pub fn new(parts: std::sync::Arc<CommitmentParts>, cycles: &[Cycle], today: NaiveDate) -> Self {
        Self {
            reporting_health: parts.health(cycles, today),
            parts,
        }
    }

    pub fn record(&self) -> CommitmentRecord {
        CommitmentRecord {
            row: self.parts.row.clone(),
            organization: self.parts.organization.clone(),
            content: self.parts.content.clone(),
            reporting_health: self.reporting_health,
        }
    }
}

/// Whole commitments for these rows, in their order, as of `today`: a fixed
/// number of queries (one per list, one for organizations, two for the
/// reporting health) whatever their number.
pub fn load_records(
    conn: &mut DbConnection,
    rows: Vec<CommitmentRow>,
    today: NaiveDate,
) -> QueryResult<Vec<CommitmentRecord>> {
    let parts = load_parts(conn, rows)?;
    let cycles = cycles_if(conn, parts.iter().any(|p| reports_on(p.row.status)))?;
    Ok(parts.iter().map(|p| p.record(&cycles, today)).collect())
}

/// The reporting cycles when a commitment that reports is answered; none otherwise.
pub(super) fn cycles_if(conn: &mut DbConnection, needed: bool) -> QueryResult<Vec<Cycle>> {
    if !needed {
        return Ok(Vec::new());
    }
    Ok(progress::list_cycles(conn)?
        .iter()
        .map(|c| c.cycle())
        .collect())
}

/// The parts of the commitments of these rows, in their order: one query
/// per list, one for organizations, one for the years reported on.
pub fn load_parts(
    conn: &mut DbConnection,
    rows: Vec<CommitmentRow>,
) -> QueryResult<Vec<CommitmentParts>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut organization_ids: Vec<String> =
        rows.iter().map(|r| r.organization_id.clone()).collect();
    organization_ids.sort();
    organization_ids.dedup();
    let lists = lists_of(conn, &ids)?;
    let reporting: Vec<String> = rows
        .iter()
        .filter(|r| reports_on(r.status))
        .map(|r| r.id.clone())
        .collect();
    let mut reported = if reporting.is_empty() {
        HashMap::new()
    } else {
        progress::reported_years(conn, &reporting)?
    };
    let organizations: HashMap<String, OrganizationRow> =
        organizations::find_organizations(conn, &organization_ids)?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
    let mut areas = by_commitment(lists.action_areas, |r| &r.commitment_id, |r| r.number);
    let mut types = by_commitment(lists.types, |r| &r.commitment_id, |r| r.commitment_type);
    let mut countries = by_commitment(lists.countries, |r| &r.commitment_id, |r| r.country);
    let mut regions = by_commitment(lists.regions, |r| &r.commitment_id, |r| r.region);
    let mut partners = by_commitment(lists.partners, |r| &r.commitment_id, |r| r.name);
    let mut groups = by_commitment(lists.target_groups, |r| &r.commitment_id, |r| r.name);
    let mut indicators = by_commitment(
        lists.indicators,
        |r| &r.commitment_id,
        |r| Indicator {
            name: r.name,
            unit: r.unit,
            baseline: r.baseline,
            target: r.target,
        },
    );
    rows.into_iter()
        .map(|row| {
            let id = &row.id;
            let organization = organizations
                .get(&row.organization_id)
                .cloned()
                .ok_or_else(|| corrupt("commitment organization", &row.organization_id))?;
            let content = Content {
                action_areas: areas.remove(id).unwrap_or_default(),
                title: row.title.clone(),
                description: row.description.clone(),
                types: types.remove(id).unwrap_or_default(),
                pledge: stored_pledge(&row)?,
                countries: countries
                    .remove(id)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| CountryCode::parse(c).map_err(|_| corrupt("country", c)))
                    .collect::<QueryResult<_>>()?,
                regions: regions.remove(id).unwrap_or_default(),
                start_year: row.start_year,
                end_year: row.end_year,
                partners: partners.remove(id).unwrap_or_default(),
                target_groups: groups.remove(id).unwrap_or_default(),
                indicators: indicators.remove(id).unwrap_or_default(),
            };
            Ok(CommitmentParts {
                reported: reported.remove(id).unwrap_or_default(),
                row,
                organization,
                content,
            })
        })
        .collect()
}

/// The whole commitment just inserted from `row` and `content`, without
/// reading it back: its lists in the order a read gives them.
pub fn inserted_record(
    row: CommitmentRow,
    organization: OrganizationRow,
    content: &Content,
    today: NaiveDate,
) -> CommitmentRecord {
    let mut content = content.clone();
    content.action_areas.sort_unstable();
    content.types.sort_unstable_by_key(|t| t.as_str());
    content
        .countries
        .sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    content.regions.sort_unstable();
    let parts = CommitmentParts {
        row,
        organization,
        content,
        reported: Vec::new(),
    };
    // No cycle is needed: a new commitment is a draft, which does not report.
    parts.record(&[], today)
}

/// The whole commitment once a move wrote `row` over the one whose `parts`
/// were read: only what the move changes is read again (the years reported
/// on, when it starts reporting; the cycles, when it reports).
pub fn moved_record(
    conn: &mut DbConnection,
    parts: CommitmentParts,
    row: CommitmentRow,
    today: NaiveDate,
) -> QueryResult<CommitmentRecord> {
    let reported = match (reports_on(parts.row.status), reports_on(row.status)) {
        (_, false) => Vec::new(),
        (true, true) => parts.reported,
        (false, true) => progress::reported_years(conn, std::slice::from_ref(&row.id))?
            .remove(&row.id)
            .unwrap_or_default(),
    };
    let cycles = cycles_if(conn, reports_on(row.status))?;
    let parts = CommitmentParts {
        row,
        reported,
        ..parts
    };
    Ok(parts.record(&cycles, today))
}

/// The whole commitment of one row.
pub fn load_record(
    conn: &mut DbConnection,
    row: CommitmentRow,
    today: NaiveDate,
) -> QueryResult<CommitmentRecord> {
    load_records(conn, vec![row], today)?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

pub(super) fn stored_pledge(row: &CommitmentRow) -> QueryResult<Option<Pledge>> {
    match (
        row.pledge_amount_minor,
        &row.pledge_currency,
        row.pledge_usd_minor,
    ) {
        (Some(amount), Some(currency), Some(usd)) => Ok(Some(Pledge {
            amount: Amount::from_minor(amount),
            currency: CurrencyCode::parse(currency).map_err(|_| corrupt("currency", currency))?,
            amount_usd: Amount::from_minor(usd),
        })),
        _ => Ok(None),
    }
}
