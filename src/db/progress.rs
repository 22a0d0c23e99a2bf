//! Reporting cycles and the yearly progress reports filed in them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{progress_indicator_actuals, progress_reports, reporting_cycles};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reporting_cycles)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReportingCycleRow {
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = progress_reports)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProgressReportRow {
    pub id: String,
    pub commitment_id: String,
    pub year: i32,
    pub status: String,
    pub percent_complete: i32,
    pub disbursed_amount_minor: Option<i64>,
    pub disbursed_currency: Option<String>,
    pub disbursed_usd_minor: Option<i64>,
    pub people_reached: Option<i64>,
    pub narrative: String,
    pub validation_status: String,
    pub validation_note: Option<String>,
    pub validated_by: Option<String>,
    pub validated_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = progress_indicator_actuals)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProgressIndicatorActualRow {
    pub progress_report_id: String,
    pub indicator_name: String,
    pub actual: f64,
}
