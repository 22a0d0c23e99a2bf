//! The facts of commitments the figures are made of (`domain::stats`),
//! read from their rows.

use std::collections::HashMap;

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    commitment_action_areas, commitment_countries, commitment_regions, commitment_types,
    commitments, organizations, progress_reports,
};
use crate::domain::commitment::{CommitmentStatus, CommitmentType};
use crate::domain::organization::Constituency;
use crate::domain::progress::ImplementationStatus;
use crate::domain::stats::{Facts, LatestReport};

/// Which commitments' facts to read.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// These ones (what changed): `id IN (…)`.
    Ids(&'a [String]),
    /// Every one whose id is after the first and up to the second, in id
    /// order (reading them all at start-up, a batch at a time): a range of
    /// each table's key, walked in order, with nothing to bind but its two
    /// ends. At a million commitments on SQLite, start-up took 25–31 s
    /// with batches of 2,000 ids bound into `IN` lists, 21 s this way.
    Range(&'a str, &'a str),
}

/// `with_ids!` for a `Which`: runs `then` on `query` filtered by `column`.
macro_rules! with_which {
    ($conn:ident => $query:expr, $column:expr, $which:expr, |$q:ident| $then:expr) => {
        match $which {
            Which::Ids(ids) => crate::with_ids!($conn => $query, $column, ids, |$q| $then),
            Which::Range(after, last) => crate::concrete!($conn, |$conn| {
                let $q = $query.filter($column.gt(after)).filter($column.le(last));
                $then
            }),
        }
    };
}

/// The facts of these commitments, by id: a fixed number of queries.
pub fn facts_of(conn: &mut DbConnection, which: Which) -> QueryResult<HashMap<String, Facts>> {
    type Head = (
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
        i32,
        i32,
        Option<i64>,
        String,
    );
    let heads: Vec<Head> = with_which!(conn =>
        commitments::table.inner_join(organizations::table),
        commitments::id,
        which,
        |q| q
            .select((
                commitments::id,
                commitments::organization_id,
                commitments::coalition_slug,
                commitments::status,
                commitments::submitted_at,
                commitments::start_year,
                commitments::end_year,
                commitments::pledge_usd_minor,
                organizations::constituency,
            ))
            .load(conn)?
    );
    let pairs = |rows: Vec<(String, String)>| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (id, value) in rows {
            map.entry(id).or_default().push(value);
        }
        map
    };
    let mut types = pairs(with_which!(conn =>
        commitment_types::table,
        commitment_types::commitment_id,
        which,
        |q| q
            .order((
                commitment_types::commitment_id,
                commitment_types::commitment_type,
            ))
            .select((
                commitment_types::commitment_id,
                commitment_types::commitment_type,
            ))
            .load(conn)?
    ));
    let mut countries = pairs(with_which!(conn =>
        commitment_countries::table,
        commitment_countries::commitment_id,
        which,
        |q| q
            .order((
                commitment_countries::commitment_id,
                commitment_countries::country,
            ))
            .select((
                commitment_countries::commitment_id,
                commitment_countries::country,
            ))
            .load(conn)?
    ));
    let mut regions = pairs(with_which!(conn =>
        commitment_regions::table,
        commitment_regions::commitment_id,
        which,
        |q| q
            .order((
                commitment_regions::commitment_id,
                commitment_regions::region,
            ))
            .select((
                commitment_regions::commitment_id,
                commitment_regions::region,
            ))
            .load(conn)?
    ));
    let mut areas: HashMap<String, Vec<i32>> = HashMap::new();
    let area_rows: Vec<(String, i32)> = with_which!(conn =>
        commitment_action_areas::table,
        commitment_action_areas::commitment_id,
        which,
        |q| q
            .order((
                commitment_action_areas::commitment_id,
                commitment_action_areas::number,
            ))
            .select((
                commitment_action_areas::commitment_id,
                commitment_action_areas::number,
            ))
            .load(conn)?
    );
    for (id, n) in area_rows {
        areas.entry(id).or_default().push(n);
    }
    let mut latest = latest_reports(conn, which)?;
    heads
        .into_iter()
        .map(
            |(
                id,
                organization_id,
                coalition,
                status,
                submitted_at,
                start,
                end,
                pledged,
                constituency,
            )| {
                let facts = Facts {
                    organization_id,
                    coalition,
                    constituency: Constituency::parse(&constituency)
                        .ok_or_else(|| super::corrupt("constituency", &constituency))?,
                    status: CommitmentStatus::parse(&status)
                        .ok_or_else(|| super::corrupt("commitment status", &status))?,
                    submitted: submitted_at.is_some(),
                    start_year: start,
                    end_year: end,
                    types: types
                        .remove(&id)
                        .unwrap_or_default()
                        .iter()
                        .map(|t| CommitmentType::parse(t).ok_or_else(|| super::corrupt("type", t)))
                        .collect::<QueryResult<_>>()?,
                    action_areas: areas.remove(&id).unwrap_or_default(),
                    countries: countries.remove(&id).unwrap_or_default(),
                    regions: regions.remove(&id).unwrap_or_default(),
                    pledged_usd_minor: pledged.unwrap_or(0),
                    latest_report: latest.remove(&id),
                };
                Ok((id, facts))
            },
        )
        .collect()
}

/// The latest progress report of each of these commitments that has one.
fn latest_reports(
    conn: &mut DbConnection,
    which: Which,
) -> QueryResult<HashMap<String, LatestReport>> {
    let mut latest: HashMap<String, LatestReport> = HashMap::new();
    let reports: Vec<(String, i32, String, i32, Option<i64>)> = with_which!(conn =>
        progress_reports::table,
        progress_reports::commitment_id,
        which,
        |q| q
            .select((
                progress_reports::commitment_id,
                progress_reports::year,
                progress_reports::status,
                progress_reports::percent_complete,
                progress_reports::disbursed_usd_minor,
            ))
            .load(conn)?
    );
    for (id, year, status, percent, disbursed) in reports {
        let report = LatestReport {
            year,
            status: ImplementationStatus::parse(&status)
                .ok_or_else(|| super::corrupt("implementation status", &status))?,
            percent_complete: percent,
            disbursed_usd_minor: disbursed.unwrap_or(0),
        };
        if latest.get(&id).is_none_or(|l| l.year < year) {
            latest.insert(id, report);
        }
    }
    Ok(latest)
}

/// The ids of up to `limit` submitted commitments after `after` (and up
/// to `up_to`, when given), in id order.
pub fn submitted_after(
    conn: &mut DbConnection,
    after: &str,
    up_to: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut query = commitments::table
        .filter(commitments::submitted_at.is_not_null())
        .filter(commitments::id.gt(after))
        .into_boxed();
    if let Some(up_to) = up_to {
        query = query.filter(commitments::id.le(up_to));
    }
    query
        .order(commitments::id)
        .select(commitments::id)
        .limit(limit)
        .load(conn)
}

/// The id halfway through the commitments in id order (none when there
/// are none), where two readers can part.
pub fn middle_id(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    let n: i64 = commitments::table.count().get_result(conn)?;
    commitments::table
        .order(commitments::id)
        .select(commitments::id)
        .offset(n / 2)
        .first(conn)
        .optional()
}
