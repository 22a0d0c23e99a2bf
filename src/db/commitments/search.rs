//! Which commitments a filter and a visibility select: lists, counts, and
//! the lower-cased text `q` searches.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

use super::*;
use crate::db::DbConnection;
use crate::db::figures::key;
use crate::db::schema::{
    commitment_action_areas, commitment_countries, commitment_regions, commitment_types,
    commitments, organizations as organization_table,
};
use crate::domain::commitment::{CommitmentStatus, CommitmentType};
use crate::domain::commitment_content::search_text;
use crate::domain::country::CountryCode;
use crate::domain::figures::CommitmentKey;
use crate::domain::organization::Constituency;
use crate::domain::policy::Visibility;
use crate::domain::progress::{REPORTING, ReportingHealth};

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

pub(super) fn statuses(list: &[CommitmentStatus]) -> Vec<&'static str> {
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

/// The index's keys of the submitted commitments matching `filter`, or of
/// those among `ids` when given. Each id is turned into its key as the row
/// arrives: at a million a search can match hundreds of thousands, and a
/// list of their ids as text would be about 70 bytes each at once.
pub fn submitted_keys(
    conn: &mut DbConnection,
    filter: &CommitmentFilter,
    among: Option<&[String]>,
) -> QueryResult<Vec<CommitmentKey>> {
    let mut query = filtered(filter, &Visibility::AllSubmitted).select(commitments::id);
    if let Some(ids) = among {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        query = query.filter(commitments::id.eq_any(ids.to_vec()));
    }
    query
        .load_iter::<String, DefaultLoadingMode>(conn)?
        .map(|id| id.map(|id| key(&id)))
        .collect()
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

pub(super) type Backend = <DbConnection as Connection>::Backend;

/// The commitments `visibility` sees that match `filter`.
pub(super) fn filtered(
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
