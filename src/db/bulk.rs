//! Bulk writes for `seed --synthetic`: many rows of each table in few
//! statements, each statement within the backends' limit on bound values.

use diesel::prelude::*;

use super::DbConnection;
use super::commitments::{
    CommitmentActionAreaRow, CommitmentCountryRow, CommitmentIndicatorRow, CommitmentPartnerRow,
    CommitmentRegionRow, CommitmentRow, CommitmentTargetGroupRow, CommitmentTypeRow,
    ReferenceCounterRow,
};
use super::expressions::{ExpressionOfInterestActionAreaRow, ExpressionOfInterestRow};
use super::organizations::OrganizationRow;
use super::progress::{ProgressIndicatorActualRow, ProgressReportRow};
use super::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    expression_of_interest_action_areas, expressions_of_interest, organizations,
    progress_indicator_actuals, progress_reports, reference_counters, user_coalitions, users,
};
use super::users::{UserCoalitionRow, UserRow};

/// Bound values per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const VALUES_PER_STATEMENT: usize = 30_000;

/// A commitment row with its search text, as the bulk path writes it.
#[derive(Debug, Clone)]
pub struct CommitmentInsert {
    pub row: CommitmentRow,
    pub search_text: Option<String>,
}

/// Rows to write together, in an order the foreign keys accept.
#[derive(Debug, Default)]
pub struct Rows {
    pub organizations: Vec<OrganizationRow>,
    pub users: Vec<UserRow>,
    pub user_coalitions: Vec<UserCoalitionRow>,
    pub expressions: Vec<ExpressionOfInterestRow>,
    pub expression_areas: Vec<ExpressionOfInterestActionAreaRow>,
    pub commitments: Vec<CommitmentInsert>,
    pub action_areas: Vec<CommitmentActionAreaRow>,
    pub types: Vec<CommitmentTypeRow>,
    pub countries: Vec<CommitmentCountryRow>,
    pub regions: Vec<CommitmentRegionRow>,
    pub partners: Vec<CommitmentPartnerRow>,
    pub target_groups: Vec<CommitmentTargetGroupRow>,
    pub indicators: Vec<CommitmentIndicatorRow>,
    pub reports: Vec<ProgressReportRow>,
    pub actuals: Vec<ProgressIndicatorActualRow>,
}

/// Inserts `rows` of a table `columns` wide, as many per statement as fit.
macro_rules! insert_chunked {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        let per_statement = (VALUES_PER_STATEMENT / $columns).max(1);
        for chunk in $rows.chunks(per_statement) {
            crate::insert_rows!($conn, $table, chunk.to_vec())?;
        }
    }};
}

/// Writes every row of `rows` (in the caller's transaction).
pub fn insert(conn: &mut DbConnection, rows: &Rows) -> QueryResult<()> {
    insert_chunked!(conn, organizations::table, &rows.organizations, 9);
    insert_chunked!(conn, users::table, &rows.users, 11);
    insert_chunked!(conn, user_coalitions::table, &rows.user_coalitions, 2);
    insert_chunked!(conn, expressions_of_interest::table, &rows.expressions, 13);
    insert_chunked!(
        conn,
        expression_of_interest_action_areas::table,
        &rows.expression_areas,
        3
    );
    let commitments: Vec<_> = rows
        .commitments
        .iter()
        .map(|c| {
            (
                c.row.clone(),
                commitments::search_text.eq(c.search_text.clone()),
            )
        })
        .collect();
    insert_chunked!(conn, commitments::table, &commitments, 20);
    insert_chunked!(conn, commitment_action_areas::table, &rows.action_areas, 3);
    insert_chunked!(conn, commitment_types::table, &rows.types, 2);
    insert_chunked!(conn, commitment_countries::table, &rows.countries, 2);
    insert_chunked!(conn, commitment_regions::table, &rows.regions, 2);
    insert_chunked!(conn, commitment_partners::table, &rows.partners, 3);
    insert_chunked!(
        conn,
        commitment_target_groups::table,
        &rows.target_groups,
        3
    );
    insert_chunked!(conn, commitment_indicators::table, &rows.indicators, 6);
    insert_chunked!(conn, progress_reports::table, &rows.reports, 18);
    insert_chunked!(conn, progress_indicator_actuals::table, &rows.actuals, 3);
    Ok(())
}

/// Every reference counter, to continue numbering after them.
pub fn reference_counters(conn: &mut DbConnection) -> QueryResult<Vec<ReferenceCounterRow>> {
    reference_counters::table
        .select(ReferenceCounterRow::as_select())
        .load(conn)
}

/// Sets reference counters to at least these numbers.
pub fn raise_reference_counters(
    conn: &mut DbConnection,
    counters: &[ReferenceCounterRow],
) -> QueryResult<()> {
    for counter in counters {
        let key = reference_counters::table
            .filter(reference_counters::coalition_slug.eq(&counter.coalition_slug))
            .filter(reference_counters::year.eq(counter.year));
        let raised = diesel::update(key)
            .filter(reference_counters::last_number.lt(counter.last_number))
            .set(reference_counters::last_number.eq(counter.last_number))
            .execute(conn)?;
        if raised == 0 {
            let exists: i64 = key.count().get_result(conn)?;
            if exists == 0 {
                diesel::insert_into(reference_counters::table)
                    .values(counter.clone())
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Refreshes the query planner's statistics after a bulk load.
///
/// SQLite keeps no statistics of `fact_changes`: the table fills with
/// writes and empties as it is pruned, so whatever ANALYZE counted (two
/// rows, right after a load) soon misleads. With the count it took after a
/// load, SQLite scanned the whole table for the rows past a position
/// rather than seek the range of its key, once per round of following:
/// a fifth of the server's time under writes.
pub fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("ANALYZE; PRAGMA optimize;")?;
            forget_changes_statistics(conn)
        }
        DbConnection::Postgresql(c) => c.batch_execute("ANALYZE"),
    }
}

/// SQLite: drops what ANALYZE counted of `fact_changes`, if it ever ran
/// (`analyze`); databases loaded before this was done are mended at start.
pub fn forget_changes_statistics(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    let DbConnection::Sqlite(c) = conn else {
        return Ok(());
    };
    let analyzed =
        diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'fact_changes'")
            .get_result::<Count>(c);
    match analyzed {
        Ok(Count { n: 0 }) | Err(_) => Ok(()),
        Ok(_) => c.batch_execute(
            "DELETE FROM sqlite_stat1 WHERE tbl = 'fact_changes'; ANALYZE sqlite_schema;",
        ),
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
