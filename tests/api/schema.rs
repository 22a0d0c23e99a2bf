//! Both dialects' migrations produce the tables and columns `schema.rs` describes.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use gef_commitments::db::commitments::*;
use gef_commitments::db::events::EventRow;
use gef_commitments::db::expressions::*;
use gef_commitments::db::figures::{FactChangeRow, FactSwitchRow};
use gef_commitments::db::idempotency::IdempotencyKeyRow;
use gef_commitments::db::organizations::OrganizationRow;
use gef_commitments::db::progress::*;
use gef_commitments::db::reference::*;
use gef_commitments::db::schema::*;
use gef_commitments::db::users::*;
use gef_commitments::db::{DbConnection, DbError};

use crate::helpers::{expected_backend, spawn_app};

/// `table.column type [not null]`, one per line, in table then column order.
const COLUMNS: &str = include_str!("schema_columns.txt");

macro_rules! load_none {
    ($conn:expr, $($table:ident => $row:ty),+ $(,)?) => {{
        let mut loaded = Vec::new();
        $(
            let rows: Vec<$row> = $table::table.select(<$row>::as_select()).limit(0).load($conn)?;
            assert!(rows.is_empty());
            loaded.push(stringify!($table));
        )+
        loaded
    }};
}

#[actix_web::test]
async fn every_model_loads_from_its_table() {
    let app = spawn_app().await;
    assert_eq!(app.backend(), expected_backend());
    let loaded = app
        .db
        .run(|conn| -> Result<Vec<&str>, DbError> {
            Ok(load_none!(conn,
                coalitions => CoalitionRow,
                coalition_translations => CoalitionTranslationRow,
                action_areas => ActionAreaRow,
                action_area_translations => ActionAreaTranslationRow,
                organizations => OrganizationRow,
                users => UserRow,
                user_coalitions => UserCoalitionRow,
                expressions_of_interest => ExpressionOfInterestRow,
                expression_of_interest_action_areas => ExpressionOfInterestActionAreaRow,
                commitments => CommitmentRow,
                commitment_action_areas => CommitmentActionAreaRow,
                commitment_types => CommitmentTypeRow,
                commitment_countries => CommitmentCountryRow,
                commitment_regions => CommitmentRegionRow,
                commitment_partners => CommitmentPartnerRow,
                commitment_target_groups => CommitmentTargetGroupRow,
                commitment_indicators => CommitmentIndicatorRow,
                reference_counters => ReferenceCounterRow,
                reviews => ReviewRow,
                reporting_cycles => ReportingCycleRow,
                progress_reports => ProgressReportRow,
                progress_indicator_actuals => ProgressIndicatorActualRow,
                events => EventRow,
                idempotency_keys => IdempotencyKeyRow,
                fact_changes => FactChangeRow,
                fact_switch => FactSwitchRow,
            ))
        })
        .await
        .unwrap();
    // Every table of the database has a model above.
    let tables: std::collections::BTreeSet<&str> = COLUMNS
        .lines()
        .filter_map(|l| l.split('.').next())
        .collect();
    let mut loaded_sorted = loaded.clone();
    loaded_sorted.sort();
    assert_eq!(loaded_sorted, tables.into_iter().collect::<Vec<_>>());
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
}

fn columns(conn: &mut DbConnection) -> QueryResult<Vec<Column>> {
    let query = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, \
                CASE WHEN p.pk = 1 AND lower(p.type) = 'integer' AND m.sql LIKE '%AUTOINCREMENT%' \
                THEN 'bigint' ELSE lower(p.type) END AS data_type, \
                (p.\"notnull\" = 1 OR p.pk > 0) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
             ORDER BY m.name, p.cid"
        }
        DbConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                replace(data_type::text, ' without time zone', '') AS data_type, \
                (is_nullable = 'NO') AS not_null \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations' \
             ORDER BY table_name, ordinal_position"
        }
    };
    diesel::sql_query(query).load(conn)
}

/// The same listing on SQLite and PostgreSQL (CI runs this on both), and it
/// matches `schema_columns.txt`. `UPDATE_SCHEMA_SNAPSHOT=1` rewrites the file.
#[actix_web::test]
async fn both_dialects_have_the_same_tables_and_columns() {
    let app = spawn_app().await;
    let listing = app
        .db
        .run(|conn| columns(conn).map_err(DbError::from))
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            let null = if c.not_null { " not null" } else { "" };
            format!("{}.{} {}{null}\n", c.table_name, c.column_name, c.data_type)
        })
        .collect::<String>();
    if std::env::var_os("UPDATE_SCHEMA_SNAPSHOT").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/schema_columns.txt"),
            &listing,
        )
        .unwrap();
    }
    let differences: Vec<String> = diff_lines(COLUMNS, &listing);
    assert!(
        differences.is_empty(),
        "the {:?} schema differs from schema_columns.txt:\n{}",
        app.backend(),
        differences.join("\n")
    );
    assert_eq!(listing, COLUMNS, "same columns, different order");
}

/// `- line` for what the snapshot has and the database lacks, `+ line` for the reverse.
fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let missing = expected
        .lines()
        .filter(|l| !actual.lines().any(|a| a == *l));
    let extra = actual
        .lines()
        .filter(|l| !expected.lines().any(|e| e == *l));
    missing
        .map(|l| format!("- {l}"))
        .chain(extra.map(|l| format!("+ {l}")))
        .collect()
}

#[actix_web::test]
async fn constraints_hold_on_this_backend() {
    let app = spawn_app().await;
    let refused = app
        .db
        .run(|conn| -> Result<Vec<bool>, DbError> {
            let statements = [
                // Unknown coalition kind.
                "INSERT INTO coalitions (slug, kind, reference_prefix, position, submissions_open_on, \
                 period_start_year, period_end_year, created_at, updated_at) VALUES \
                 ('x-y', 'club', 'XY', 9, '2021-01-01', 2021, 2025, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                // A period that ends before it starts.
                "INSERT INTO coalitions (slug, kind, reference_prefix, position, submissions_open_on, \
                 period_start_year, period_end_year, created_at, updated_at) VALUES \
                 ('x-y', 'compact', 'XY', 9, '2021-01-01', 2025, 2021, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                // An action area of a coalition that does not exist.
                "INSERT INTO action_areas (coalition_slug, number) VALUES ('no-such-coalition', 1)",
                // A maker without an organization.
                "INSERT INTO users (id, email, display_name, password_hash, role, organization_id, active, \
                 tokens_valid_after, created_at, updated_at) VALUES \
                 ('00000000-0000-0000-0000-000000000001', 'a@b.org', 'A', 'x', 'maker', NULL, TRUE, \
                 '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                // A duplicate action area.
                "INSERT INTO action_areas (coalition_slug, number) VALUES ('technology-innovation', 1)",
            ];
            Ok(statements
                .iter()
                .map(|sql| diesel::sql_query(*sql).execute(conn).is_err())
                .collect())
        })
        .await
        .unwrap();
    assert_eq!(refused, [true; 5]);
}
