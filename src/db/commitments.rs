//! Commitments, their lists (action areas, types, countries, regions,
//! partners, target groups, indicators), references and reviews; and the
//! assembly of whole commitments from those rows.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::cached::{Cached, Rows, Statement, Value};
use super::organizations::{self, OrganizationRow};
use super::progress;
use super::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    organizations as organization_table, reference_counters, reviews,
};
use super::{DbConnection, corrupt};
use crate::domain::commitment::{CommitmentStatus, CommitmentType, Move};
use crate::domain::commitment_content::{Content, Indicator, Pledge, search_text};
use crate::domain::country::{CountryCode, CurrencyCode};
use crate::domain::money::Amount;
use crate::domain::organization::Constituency;
use crate::domain::policy::{CommitmentScope, Visibility};
use crate::domain::progress::{Cycle, REPORTING, ReportingHealth, reporting_health, reports_on};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = commitments)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRow {
    pub id: String,
    pub reference: String,
    pub organization_id: String,
    pub coalition_slug: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: CommitmentStatus,
    pub title: String,
    pub description: String,
    pub pledge_amount_minor: Option<i64>,
    pub pledge_currency: Option<String>,
    pub pledge_usd_minor: Option<i64>,
    pub start_year: i32,
    pub end_year: i32,
    pub version: i32,
    pub created_by: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CommitmentRow {
    /// What visibility looks at.
    pub fn scope(&self) -> CommitmentScope<'_> {
        CommitmentScope {
            organization_id: &self.organization_id,
            coalition: &self.coalition_slug,
            status: self.status,
            submitted: self.submitted_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_action_areas)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentActionAreaRow {
    pub commitment_id: String,
    pub coalition_slug: String,
    pub number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_types)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentTypeRow {
    pub commitment_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub commitment_type: CommitmentType,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_countries)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentCountryRow {
    pub commitment_id: String,
    pub country: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_regions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRegionRow {
    pub commitment_id: String,
    pub region: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_partners)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentPartnerRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_target_groups)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentTargetGroupRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_indicators)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentIndicatorRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reference_counters)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReferenceCounterRow {
    pub coalition_slug: String,
    pub year: i32,
    pub last_number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReviewRow {
    pub id: String,
    pub commitment_id: String,
    pub reviewer_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub decision: Move,
    pub comment: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub from_status: CommitmentStatus,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub to_status: CommitmentStatus,
    pub created_at: NaiveDateTime,
}

/// A whole commitment: its row, its organization, its content and, once
/// approved, its reporting health on the day it was read.
#[derive(Debug, Clone)]
pub struct CommitmentRecord {
    pub row: CommitmentRow,
    pub organization: OrganizationRow,
    pub content: Content,
    pub reporting_health: Option<ReportingHealth>,
}

/// The lists of commitments, as rows.
#[derive(Debug, Clone, Default)]
struct CommitmentLists {
    action_areas: Vec<CommitmentActionAreaRow>,
    types: Vec<CommitmentTypeRow>,
    countries: Vec<CommitmentCountryRow>,
    regions: Vec<CommitmentRegionRow>,
    partners: Vec<CommitmentPartnerRow>,
    target_groups: Vec<CommitmentTargetGroupRow>,
    indicators: Vec<CommitmentIndicatorRow>,
}

impl CommitmentLists {
    /// The rows a content becomes.
    fn of(id: &str, coalition: &str, content: &Content) -> Self {
        let position = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
        let named = |names: &[String]| -> Vec<(i32, String)> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (position(i), n.clone()))
                .collect()
        };
        Self {
            action_areas: content
                .action_areas
                .iter()
                .map(|n| CommitmentActionAreaRow {
                    commitment_id: id.into(),
                    coalition_slug: coalition.into(),
                    number: *n,
                })
                .collect(),
            types: content
                .types
                .iter()
                .map(|t| CommitmentTypeRow {
                    commitment_id: id.into(),
                    commitment_type: *t,
                })
                .collect(),
            countries: content
                .countries
                .iter()
                .map(|c| CommitmentCountryRow {
                    commitment_id: id.into(),
                    country: c.as_str().into(),
                })
                .collect(),
            regions: content
                .regions
                .iter()
                .map(|r| CommitmentRegionRow {
                    commitment_id: id.into(),
                    region: r.clone(),
                })
                .collect(),
            partners: named(&content.partners)
                .into_iter()
                .map(|(position, name)| CommitmentPartnerRow {
                    commitment_id: id.into(),
                    position,
                    name,
                })
                .collect(),
            target_groups: named(&content.target_groups)
                .into_iter()
                .map(|(position, name)| CommitmentTargetGroupRow {
                    commitment_id: id.into(),
                    position,
                    name,
                })
                .collect(),
            indicators: content
                .indicators
                .iter()
                .enumerate()
                .map(|(i, x)| CommitmentIndicatorRow {
                    commitment_id: id.into(),
                    position: position(i),
                    name: x.name.clone(),
                    unit: x.unit.clone(),
                    baseline: x.baseline,
                    target: x.target,
                })
                .collect(),
        }
    }
}

/// The stored form of a pledge: amount, currency, USD equivalent.
type PledgeColumns = (Option<i64>, Option<String>, Option<i64>);

pub fn pledge_columns(pledge: Option<&Pledge>) -> PledgeColumns {
    (
        pledge.map(|p| p.amount.minor()),
        pledge.map(|p| p.currency.as_str().to_owned()),
        pledge.map(|p| p.amount_usd.minor()),
    )
}

/// Inserts a commitment with its content's lists and search text.
pub fn insert_commitment(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    content: &Content,
) -> QueryResult<()> {
    let search_text = search_text(&row.title, &row.description);
    match conn {
        DbConnection::Sqlite(sqlite) => {
            Cached::<InsertCommitment>::new(row.values(&search_text)).execute(sqlite)?
        }
        DbConnection::Postgresql(pg) => diesel::insert_into(commitments::table)
            .values((row.clone(), commitments::search_text.eq(&search_text)))
            .execute(pg)?,
    };
    insert_lists(
        conn,
        &CommitmentLists::of(&row.id, &row.coalition_slug, content),
    )
}

fn insert_lists(conn: &mut DbConnection, lists: &CommitmentLists) -> QueryResult<()> {
    if let DbConnection::Sqlite(sqlite) = conn {
        return lists.insert_kept(sqlite);
    }
    if !lists.action_areas.is_empty() {
        crate::insert_each!(conn, commitment_action_areas::table, &lists.action_areas)?;
    }
    if !lists.types.is_empty() {
        crate::insert_each!(conn, commitment_types::table, lists.types.clone())?;
    }
    if !lists.countries.is_empty() {
        crate::insert_each!(conn, commitment_countries::table, &lists.countries)?;
    }
    if !lists.regions.is_empty() {
        crate::insert_each!(conn, commitment_regions::table, &lists.regions)?;
    }
    if !lists.partners.is_empty() {
        crate::insert_each!(conn, commitment_partners::table, &lists.partners)?;
    }
    if !lists.target_groups.is_empty() {
        crate::insert_each!(conn, commitment_target_groups::table, &lists.target_groups)?;
    }
    if !lists.indicators.is_empty() {
        crate::insert_each!(conn, commitment_indicators::table, &lists.indicators)?;
    }
    Ok(())
}

crate::kept_statements! {
    /// A commitment's row (SQLite, kept prepared).
    pub(super) InsertCommitment = "INSERT INTO commitments (id, reference, organization_id, \
        coalition_slug, status, title, description, pledge_amount_minor, pledge_currency, \
        pledge_usd_minor, start_year, end_year, version, created_by, submitted_at, approved_at, \
        created_at, updated_at, search_text) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    pub(super) InsertActionArea = "INSERT INTO commitment_action_areas \
        (commitment_id, coalition_slug, number) VALUES (?, ?, ?)";
    pub(super) InsertType = "INSERT INTO commitment_types (commitment_id, commitment_type) \
        VALUES (?, ?)";
    pub(super) InsertCountry = "INSERT INTO commitment_countries (commitment_id, country) \
        VALUES (?, ?)";
    pub(super) InsertRegion = "INSERT INTO commitment_regions (commitment_id, region) \
        VALUES (?, ?)";
    pub(super) InsertPartner = "INSERT INTO commitment_partners (commitment_id, position, name) \
        VALUES (?, ?, ?)";
    pub(super) InsertTargetGroup = "INSERT INTO commitment_target_groups \
        (commitment_id, position, name) VALUES (?, ?, ?)";
    pub(super) InsertIndicator = "INSERT INTO commitment_indicators \
        (commitment_id, position, name, unit, baseline, target) VALUES (?, ?, ?, ?, ?, ?)";
}

impl CommitmentRow {
    /// Its values and `search_text`, in `InsertCommitment`'s order.
    fn values<'a>(&'a self, search_text: &'a str) -> [Value<'a>; 19] {
        [
            (&self.id).into(),
            (&self.reference).into(),
            (&self.organization_id).into(),
            (&self.coalition_slug).into(),
            self.status.as_str().into(),
            (&self.title).into(),
            (&self.description).into(),
            self.pledge_amount_minor.into(),
            self.pledge_currency.as_ref().into(),
            self.pledge_usd_minor.into(),
            self.start_year.into(),
            self.end_year.into(),
            self.version.into(),
            (&self.created_by).into(),
            self.submitted_at.into(),
            self.approved_at.into(),
            self.created_at.into(),
            self.updated_at.into(),
            search_text.into(),
        ]
    }
}

impl CommitmentLists {
    /// Inserts every row with statements SQLite keeps prepared.
    fn insert_kept(&self, conn: &mut SqliteConnection) -> QueryResult<()> {
        for r in &self.action_areas {
            let values = [
                (&r.commitment_id).into(),
                (&r.coalition_slug).into(),
                r.number.into(),
            ];
            Cached::<InsertActionArea>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.types {
            let values = [(&r.commitment_id).into(), r.commitment_type.as_str().into()];
            Cached::<InsertType>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.countries {
            Cached::<InsertCountry>::new([&r.commitment_id, &r.country]).execute(conn)?;
        }
        for r in &self.regions {
            Cached::<InsertRegion>::new([&r.commitment_id, &r.region]).execute(conn)?;
        }
        for r in &self.partners {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
            ];
            Cached::<InsertPartner>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.target_groups {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
            ];
            Cached::<InsertTargetGroup>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.indicators {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
                (&r.unit).into(),
                r.baseline.into(),
                r.target.into(),
            ];
            Cached::<InsertIndicator>::new::<Value>(values).execute(conn)?;
        }
        Ok(())
    }
}

/// Replaces the content of commitment `row` (its text, pledge, years and
/// every list), if it is still at `row.version`; `false` when it moved on.
pub fn replace_content(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    content: &Content,
    changes: &CommitmentChanges,
) -> QueryResult<bool> {
    let (amount, currency, usd) = pledge_columns(content.pledge.as_ref());
    let changes = CommitmentChanges {
        title: Some(content.title.clone()),
        description: Some(content.description.clone()),
        pledge_amount_minor: Some(amount),
        pledge_currency: Some(currency),
        pledge_usd_minor: Some(usd),
        start_year: Some(content.start_year),
        end_year: Some(content.end_year),
        search_text: Some(Some(search_text(&content.title, &content.description))),
        ..changes.clone()
    };
    if !update_commitment(conn, &row.id, row.version, &changes)? {
        return Ok(false);
    }
    let id = row.id.as_str();
    diesel::delete(
        commitment_action_areas::table.filter(commitment_action_areas::commitment_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(commitment_types::table.filter(commitment_types::commitment_id.eq(id)))
        .execute(conn)?;
    diesel::delete(commitment_countries::table.filter(commitment_countries::commitment_id.eq(id)))
        .execute(conn)?;
    diesel::delete(commitment_regions::table.filter(commitment_regions::commitment_id.eq(id)))
        .execute(conn)?;
    diesel::delete(commitment_partners::table.filter(commitment_partners::commitment_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        commitment_target_groups::table.filter(commitment_target_groups::commitment_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        commitment_indicators::table.filter(commitment_indicators::commitment_id.eq(id)),
    )
    .execute(conn)?;
    insert_lists(conn, &CommitmentLists::of(id, &row.coalition_slug, content))?;
    Ok(true)
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
fn lists_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<CommitmentLists> {
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
fn by_commitment<R, T>(
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
fn cycles_if(conn: &mut DbConnection, needed: bool) -> QueryResult<Vec<Cycle>> {
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

fn stored_pledge(row: &CommitmentRow) -> QueryResult<Option<Pledge>> {
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

/// What `GET /commitments` filters on; every field narrows the list.
#[derive(Debug, Default, Clone)]
pub struct CommitmentFilter {
    pub coalition: Option<String>,
    pub action_area: Option<i32>,
    pub status: Option<CommitmentStatus>,
    pub commitment_type: Option<CommitmentType>,
    pub country: Option<CountryCode>,
    pub region: Option<String>,
    pub constituency: Option<Constituency>,
    pub organization: Option<String>,
    /// A query as `search_text` is written (lower-cased).
    pub text: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    /// Reporting health on `today`.
    pub reporting_health: Option<(ReportingHealth, NaiveDate)>,
}

impl CommitmentFilter {
    /// Whether nothing but (at most) a coalition is asked for.
    pub fn names_at_most_a_coalition(&self) -> bool {
        let Self {
            coalition: _,
            action_area,
            status,
            commitment_type,
            country,
            region,
            constituency,
            organization,
            text,
            updated_since,
            reporting_health,
        } = self;
        action_area.is_none()
            && status.is_none()
            && commitment_type.is_none()
            && country.is_none()
            && region.is_none()
            && constituency.is_none()
            && organization.is_none()
            && text.is_none()
            && updated_since.is_none()
            && reporting_health.is_none()
    }
}

fn statuses(list: &[CommitmentStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

/// A page of commitments that `visibility` sees, newest first, after the `before` id.
pub fn list_commitments(
    conn: &mut DbConnection,
    filter: &CommitmentFilter,
    visibility: &Visibility,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<CommitmentRow>> {
    let mut query = filtered(filter, visibility).select(CommitmentRow::as_select());
    if let Some(before) = before {
        query = query.filter(commitments::id.lt(before.to_owned()));
    }
    query.order(commitments::id.desc()).limit(limit).load(conn)
}

/// The ids of a page of commitments `visibility` sees, newest first, after
/// the `before` id: what an index alone can answer.
pub fn list_commitment_ids(
    conn: &mut DbConnection,
    filter: &CommitmentFilter,
    visibility: &Visibility,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut query = filtered(filter, visibility).select(commitments::id);
    if let Some(before) = before {
        query = query.filter(commitments::id.lt(before.to_owned()));
    }
    query.order(commitments::id.desc()).limit(limit).load(conn)
}

/// How many commitments `visibility` sees that match `filter`.
pub fn count_commitments(
    conn: &mut DbConnection,
    filter: &CommitmentFilter,
    visibility: &Visibility,
) -> QueryResult<i64> {
    filtered(filter, visibility).count().get_result(conn)
}

/// How many commitments are in each status, drafts included.
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    commitments::table
        .group_by(commitments::status)
        .select((commitments::status, diesel::dsl::count_star()))
        .load(conn)
}

/// How many commitments the database holds, drafts included.
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    commitments::table.count().get_result(conn)
}

type Backend = <DbConnection as Connection>::Backend;

/// The commitments `visibility` sees that match `filter`.
fn filtered(
    filter: &CommitmentFilter,
    visibility: &Visibility,
) -> commitments::BoxedQuery<'static, Backend> {
    let mut query = commitments::table.into_boxed();
    // The SQL of `Visibility::sees`.
    query = match visibility {
        Visibility::Everything => query,
        Visibility::AllSubmitted => query.filter(commitments::submitted_at.is_not_null()),
        Visibility::PublicAnd {
            organization_id,
            coalitions,
        } => query.filter(
            commitments::status
                .eq_any(statuses(&CommitmentStatus::PUBLIC))
                .or(commitments::organization_id.eq(organization_id.clone().unwrap_or_default()))
                .or(commitments::coalition_slug
                    .eq_any(coalitions.clone())
                    .and(commitments::submitted_at.is_not_null())),
        ),
    };
    if let Some(coalition) = &filter.coalition {
        query = query.filter(commitments::coalition_slug.eq(coalition.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(commitments::status.eq(status.as_str()));
    }
    if let Some(organization) = &filter.organization {
        query = query.filter(commitments::organization_id.eq(organization.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(commitments::updated_at.ge(since));
    }
    if let Some(number) = filter.action_area {
        let in_area =
            commitment_action_areas::table.filter(commitment_action_areas::number.eq(number));
        query = match &filter.coalition {
            Some(coalition) => query.filter(
                commitments::id.eq_any(
                    in_area
                        .filter(commitment_action_areas::coalition_slug.eq(coalition.clone()))
                        .select(commitment_action_areas::commitment_id),
                ),
            ),
            None => query.filter(
                commitments::id.eq_any(in_area.select(commitment_action_areas::commitment_id)),
            ),
        };
    }
    if let Some(kind) = filter.commitment_type {
        query = query.filter(
            commitments::id.eq_any(
                commitment_types::table
                    .filter(commitment_types::commitment_type.eq(kind.as_str()))
                    .select(commitment_types::commitment_id),
            ),
        );
    }
    if let Some(country) = filter.country {
        query = query.filter(
            commitments::id.eq_any(
                commitment_countries::table
                    .filter(commitment_countries::country.eq(country.as_str()))
                    .select(commitment_countries::commitment_id),
            ),
        );
    }
    if let Some(region) = &filter.region {
        query = query.filter(
            commitments::id.eq_any(
                commitment_regions::table
                    .filter(commitment_regions::region.eq(region.clone()))
                    .select(commitment_regions::commitment_id),
            ),
        );
    }
    if let Some(constituency) = filter.constituency {
        query = query.filter(
            commitments::organization_id.eq_any(
                organization_table::table
                    .filter(organization_table::constituency.eq(constituency.as_str()))
                    .select(organization_table::id),
            ),
        );
    }
    if let Some(text) = &filter.text {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(commitments::search_text.like(pattern).escape('\\'));
    }
    if let Some((health, today)) = filter.reporting_health {
        // The SQL of `domain::progress::reporting_health`.
        let reporting = commitments::status.eq_any(statuses(&REPORTING));
        // The cycles of its years, closed by `today`, after the latest year it reported on.
        let missed = diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT COUNT(*) FROM reporting_cycles c \
               WHERE c.year BETWEEN commitments.start_year AND commitments.end_year \
                 AND c.closes_on < ",
        )
        .bind::<diesel::sql_types::Date, _>(today)
        .sql(
            " AND c.year > COALESCE((SELECT MAX(p.year) FROM progress_reports p \
                                     WHERE p.commitment_id = commitments.id), 0))",
        );
        query = match health {
            ReportingHealth::Green => query.filter(
                commitments::status
                    .eq(CommitmentStatus::Completed.as_str())
                    .or(reporting.and(missed.eq(0))),
            ),
            ReportingHealth::Amber => query.filter(reporting.and(missed.eq(1))),
            ReportingHealth::Red => query.filter(reporting.and(missed.ge(2))),
        };
    }
    query
}

/// What a write changes in the commitment's own row.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = commitments)]
pub struct CommitmentChanges {
    pub status: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub pledge_amount_minor: Option<Option<i64>>,
    pub pledge_currency: Option<Option<String>>,
    pub pledge_usd_minor: Option<Option<i64>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub approved_at: Option<Option<NaiveDateTime>>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
    pub search_text: Option<Option<String>>,
}

/// Applies `changes` if the commitment is still at `version`; `false` when it moved on.
pub fn update_commitment(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &CommitmentChanges,
) -> QueryResult<bool> {
    let updated = crate::concrete!(conn, |conn| diesel::update(
        commitments::table
            .filter(commitments::id.eq(id))
            .filter(commitments::version.eq(version)),
    )
    .set(changes)
    .execute(conn))?;
    Ok(updated == 1)
}

/// Fills `search_text` for commitments written before it existed, a batch
/// at a time; returns how many it filled.
pub fn backfill_search_text(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut filled = 0;
    loop {
        let batch: Vec<(String, String, String)> = commitments::table
            .filter(commitments::search_text.is_null())
            .select((
                commitments::id,
                commitments::title,
                commitments::description,
            ))
            .limit(500)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(filled);
        }
        conn.transaction(|conn| {
            for (id, title, description) in &batch {
                diesel::update(commitments::table.find(id))
                    .set(commitments::search_text.eq(search_text(title, description)))
                    .execute(conn)?;
            }
            QueryResult::Ok(())
        })?;
        filled += batch.len();
    }
}

/// A coalition's reference counter for a year, one up (SQLite, kept prepared).
struct BumpCounter;

impl Statement for BumpCounter {
    const SQL: &'static str = "UPDATE reference_counters SET last_number = last_number + 1 \
        WHERE coalition_slug = ? AND year = ? RETURNING last_number";
}

impl Rows for BumpCounter {
    type SqlType = diesel::sql_types::Integer;
}

/// A commitment's state, stamps and version after a move (SQLite, kept prepared).
struct MoveCommitment;

impl Statement for MoveCommitment {
    const SQL: &'static str = "UPDATE commitments SET status = ?, submitted_at = ?, \
        approved_at = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?";
}

/// Writes `moved` (a row at `version` that a move changed: its state, stamps,
/// version and time) if the commitment is still at `version`; `false` when
/// it moved on.
pub fn move_commitment(
    conn: &mut DbConnection,
    moved: &CommitmentRow,
    version: i32,
) -> QueryResult<bool> {
    let updated = match conn {
        DbConnection::Sqlite(sqlite) => Cached::<MoveCommitment>::new([
            Value::from(moved.status.as_str()),
            moved.submitted_at.into(),
            moved.approved_at.into(),
            moved.version.into(),
            moved.updated_at.into(),
            (&moved.id).into(),
            version.into(),
        ])
        .execute(sqlite)?,
        DbConnection::Postgresql(pg) => diesel::update(
            commitments::table
                .filter(commitments::id.eq(&moved.id))
                .filter(commitments::version.eq(version)),
        )
        .set((
            commitments::status.eq(moved.status.as_str()),
            commitments::submitted_at.eq(moved.submitted_at),
            commitments::approved_at.eq(moved.approved_at),
            commitments::version.eq(moved.version),
            commitments::updated_at.eq(moved.updated_at),
        ))
        .execute(pg)?,
    };
    Ok(updated == 1)
}

/// The next number of `coalition`'s references in `year`, counted inside the
/// caller's transaction (the row lock serialises concurrent creators).
pub fn next_reference_number(
    conn: &mut DbConnection,
    coalition: &str,
    year: i32,
) -> QueryResult<i32> {
    let key = reference_counters::table
        .filter(reference_counters::coalition_slug.eq(coalition))
        .filter(reference_counters::year.eq(year));
    let bumped: Option<i32> = match conn {
        DbConnection::Sqlite(sqlite) => {
            Cached::<BumpCounter>::new([Value::from(coalition), year.into()])
                .get_result(sqlite)
                .optional()?
        }
        DbConnection::Postgresql(pg) => diesel::update(key)
            .set(reference_counters::last_number.eq(reference_counters::last_number + 1))
            .returning(reference_counters::last_number)
            .get_result(pg)
            .optional()?,
    };
    if let Some(number) = bumped {
        return Ok(number);
    }
    diesel::insert_into(reference_counters::table)
        .values(&ReferenceCounterRow {
            coalition_slug: coalition.to_owned(),
            year,
            last_number: 1,
        })
        .execute(conn)?;
    Ok(1)
}

pub fn insert_review(conn: &mut DbConnection, row: &ReviewRow) -> QueryResult<()> {
    crate::concrete!(conn, |conn| diesel::insert_into(reviews::table)
        .values(row.clone())
        .execute(conn))
    .map(|_| ())
}

pub fn reviews_of(conn: &mut DbConnection, commitment_id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(reviews::commitment_id.eq(commitment_id))
        .order((reviews::created_at, reviews::id))
        .select(ReviewRow::as_select())
        .load(conn)
}
