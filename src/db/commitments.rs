//! Commitments, their lists (action areas, types, countries, regions,
//! partners, target groups, indicators), references and reviews.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    reference_counters, reviews,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = commitments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRow {
    pub id: String,
    pub reference: String,
    pub organization_id: String,
    pub coalition_slug: String,
    pub status: String,
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
    pub commitment_type: String,
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
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReviewRow {
    pub id: String,
    pub commitment_id: String,
    pub reviewer_id: String,
    pub decision: String,
    pub comment: String,
    pub from_status: String,
    pub to_status: String,
    pub created_at: NaiveDateTime,
}

/// The lists of one commitment, as rows.
#[derive(Debug, Clone, Default)]
pub struct CommitmentLists {
    pub action_areas: Vec<CommitmentActionAreaRow>,
    pub types: Vec<CommitmentTypeRow>,
    pub countries: Vec<CommitmentCountryRow>,
    pub regions: Vec<CommitmentRegionRow>,
    pub partners: Vec<CommitmentPartnerRow>,
    pub target_groups: Vec<CommitmentTargetGroupRow>,
    pub indicators: Vec<CommitmentIndicatorRow>,
}

pub fn insert_commitment(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    lists: &CommitmentLists,
) -> QueryResult<()> {
    diesel::insert_into(commitments::table)
        .values(row)
        .execute(conn)?;
    insert_lists(conn, lists)
}

fn insert_lists(conn: &mut DbConnection, lists: &CommitmentLists) -> QueryResult<()> {
    if !lists.action_areas.is_empty() {
        crate::insert_rows!(conn, commitment_action_areas::table, &lists.action_areas)?;
    }
    if !lists.types.is_empty() {
        crate::insert_rows!(conn, commitment_types::table, &lists.types)?;
    }
    if !lists.countries.is_empty() {
        crate::insert_rows!(conn, commitment_countries::table, &lists.countries)?;
    }
    if !lists.regions.is_empty() {
        crate::insert_rows!(conn, commitment_regions::table, &lists.regions)?;
    }
    if !lists.partners.is_empty() {
        crate::insert_rows!(conn, commitment_partners::table, &lists.partners)?;
    }
    if !lists.target_groups.is_empty() {
        crate::insert_rows!(conn, commitment_target_groups::table, &lists.target_groups)?;
    }
    if !lists.indicators.is_empty() {
        crate::insert_rows!(conn, commitment_indicators::table, &lists.indicators)?;
    }
    Ok(())
}

/// Replaces every list of commitment `id` with `lists`.
pub fn replace_lists(
    conn: &mut DbConnection,
    id: &str,
    lists: &CommitmentLists,
) -> QueryResult<()> {
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
    insert_lists(conn, lists)
}

pub fn find_commitment(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CommitmentRow>> {
    commitments::table
        .find(id)
        .select(CommitmentRow::as_select())
        .first(conn)
        .optional()
}

/// The lists of these commitments: one query per list, whatever their number.
pub fn lists_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<CommitmentLists> {
    Ok(CommitmentLists {
        action_areas: commitment_action_areas::table
            .filter(commitment_action_areas::commitment_id.eq_any(ids))
            .order((
                commitment_action_areas::commitment_id,
                commitment_action_areas::number,
            ))
            .select(CommitmentActionAreaRow::as_select())
            .load(conn)?,
        types: commitment_types::table
            .filter(commitment_types::commitment_id.eq_any(ids))
            .order((
                commitment_types::commitment_id,
                commitment_types::commitment_type,
            ))
            .select(CommitmentTypeRow::as_select())
            .load(conn)?,
        countries: commitment_countries::table
            .filter(commitment_countries::commitment_id.eq_any(ids))
            .order((
                commitment_countries::commitment_id,
                commitment_countries::country,
            ))
            .select(CommitmentCountryRow::as_select())
            .load(conn)?,
        regions: commitment_regions::table
            .filter(commitment_regions::commitment_id.eq_any(ids))
            .order((
                commitment_regions::commitment_id,
                commitment_regions::region,
            ))
            .select(CommitmentRegionRow::as_select())
            .load(conn)?,
        partners: commitment_partners::table
            .filter(commitment_partners::commitment_id.eq_any(ids))
            .order((
                commitment_partners::commitment_id,
                commitment_partners::position,
            ))
            .select(CommitmentPartnerRow::as_select())
            .load(conn)?,
        target_groups: commitment_target_groups::table
            .filter(commitment_target_groups::commitment_id.eq_any(ids))
            .order((
                commitment_target_groups::commitment_id,
                commitment_target_groups::position,
            ))
            .select(CommitmentTargetGroupRow::as_select())
            .load(conn)?,
        indicators: commitment_indicators::table
            .filter(commitment_indicators::commitment_id.eq_any(ids))
            .order((
                commitment_indicators::commitment_id,
                commitment_indicators::position,
            ))
            .select(CommitmentIndicatorRow::as_select())
            .load(conn)?,
    })
}

/// What `GET /commitments` filters on; every field narrows the list.
#[derive(Debug, Default, Clone)]
pub struct CommitmentFilter {
    pub coalition: Option<String>,
    pub action_area: Option<i32>,
    pub status: Option<String>,
    pub commitment_type: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub constituency: Option<String>,
    pub organization: Option<String>,
    /// Lower-case text looked for in the title and description.
    pub text: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
}

/// Which rows the caller may see (see `domain::policy::Visibility`).
#[derive(Debug, Clone)]
pub enum Seen {
    All,
    NotDrafts,
    PublicAnd {
        organization_id: Option<String>,
        coalitions: Vec<String>,
    },
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A page of commitments, newest first, after the `before` id.
pub fn list_commitments(
    conn: &mut DbConnection,
    filter: &CommitmentFilter,
    seen: &Seen,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<CommitmentRow>> {
    use super::schema::organizations;
    const PUBLIC: [&str; 3] = ["approved", "completion_claimed", "completed"];
    let mut query = commitments::table
        .select(CommitmentRow::as_select())
        .into_boxed();
    query = match seen {
        Seen::All => query,
        Seen::NotDrafts => query.filter(commitments::status.ne("draft")),
        Seen::PublicAnd {
            organization_id,
            coalitions,
        } => {
            let own = organization_id.clone().unwrap_or_default();
            query.filter(
                commitments::status
                    .eq_any(PUBLIC)
                    .or(commitments::organization_id.eq(own))
                    .or(commitments::coalition_slug
                        .eq_any(coalitions.clone())
                        .and(commitments::status.ne("draft"))),
            )
        }
    };
    if let Some(coalition) = &filter.coalition {
        query = query.filter(commitments::coalition_slug.eq(coalition.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(commitments::status.eq(status.clone()));
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
    if let Some(kind) = &filter.commitment_type {
        query = query.filter(
            commitments::id.eq_any(
                commitment_types::table
                    .filter(commitment_types::commitment_type.eq(kind.clone()))
                    .select(commitment_types::commitment_id),
            ),
        );
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            commitments::id.eq_any(
                commitment_countries::table
                    .filter(commitment_countries::country.eq(country.clone()))
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
    if let Some(constituency) = &filter.constituency {
        query = query.filter(
            commitments::organization_id.eq_any(
                organizations::table
                    .filter(organizations::constituency.eq(constituency.clone()))
                    .select(organizations::id),
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
        query = query.filter(
            lower(commitments::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(commitments::description).like(pattern).escape('\\')),
        );
    }
    if let Some(before) = before {
        query = query.filter(commitments::id.lt(before.to_owned()));
    }
    query.order(commitments::id.desc()).limit(limit).load(conn)
}

/// What a write changes in the commitment's own row.
#[derive(Debug, Default, AsChangeset)]
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
}

/// Applies `changes` if the commitment is still at `version`; `false` when it moved on.
pub fn update_commitment(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &CommitmentChanges,
) -> QueryResult<bool> {
    let updated = diesel::update(
        commitments::table
            .filter(commitments::id.eq(id))
            .filter(commitments::version.eq(version)),
    )
    .set(changes)
    .execute(conn)?;
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
    let bumped = diesel::update(key)
        .set(reference_counters::last_number.eq(reference_counters::last_number + 1))
        .execute(conn)?;
    if bumped == 0 {
        diesel::insert_into(reference_counters::table)
            .values(&ReferenceCounterRow {
                coalition_slug: coalition.to_owned(),
                year,
                last_number: 1,
            })
            .execute(conn)?;
        return Ok(1);
    }
    key.select(reference_counters::last_number).first(conn)
}

pub fn insert_review(conn: &mut DbConnection, row: &ReviewRow) -> QueryResult<()> {
    diesel::insert_into(reviews::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn reviews_of(conn: &mut DbConnection, commitment_id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(reviews::commitment_id.eq(commitment_id))
        .order((reviews::created_at, reviews::id))
        .select(ReviewRow::as_select())
        .load(conn)
}
