//! Reporting cycles and the yearly progress reports filed in them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::money::pledge_columns;
use super::schema::{progress_indicator_actuals, progress_reports, reporting_cycles};
use crate::domain::commitment_content::Pledge;
use crate::domain::country::CurrencyCode;
use crate::domain::money::Amount;
use crate::domain::progress::{
    Cycle, ImplementationStatus, IndicatorActual, Report, ValidationStatus,
};

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

impl ReportingCycleRow {
    pub fn cycle(&self) -> Cycle {
        Cycle {
            year: self.year,
            opens_on: self.opens_on,
            closes_on: self.closes_on,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = progress_reports)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProgressReportRow {
    pub id: String,
    pub commitment_id: String,
    pub year: i32,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: ImplementationStatus,
    pub percent_complete: i32,
    pub disbursed_amount_minor: Option<i64>,
    pub disbursed_currency: Option<String>,
    pub disbursed_usd_minor: Option<i64>,
    pub people_reached: Option<i64>,
    pub narrative: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub validation_status: ValidationStatus,
    pub validation_note: Option<String>,
    pub validated_by: Option<String>,
    pub validated_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ProgressReportRow {
    /// The money disbursed, as stored.
    pub fn disbursed(&self) -> Option<Pledge> {
        match (
            self.disbursed_amount_minor,
            &self.disbursed_currency,
            self.disbursed_usd_minor,
        ) {
            (Some(amount), Some(currency), Some(usd)) => Some(Pledge {
                amount: Amount::from_minor(amount),
                currency: CurrencyCode::parse(currency).ok()?,
                amount_usd: Amount::from_minor(usd),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = progress_indicator_actuals)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProgressIndicatorActualRow {
    pub progress_report_id: String,
    pub indicator_name: String,
    pub actual: f64,
}

/// A report with its indicator actuals.
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub row: ProgressReportRow,
    pub indicators: Vec<IndicatorActual>,
}

pub fn insert_cycle(conn: &mut DbConnection, row: &ReportingCycleRow) -> QueryResult<()> {
    diesel::insert_into(reporting_cycles::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_cycle(conn: &mut DbConnection, year: i32) -> QueryResult<Option<ReportingCycleRow>> {
    reporting_cycles::table
        .find(year)
        .select(ReportingCycleRow::as_select())
        .first(conn)
        .optional()
}

/// Every cycle, by year.
pub fn list_cycles(conn: &mut DbConnection) -> QueryResult<Vec<ReportingCycleRow>> {
    crate::concrete!(conn, |conn| reporting_cycles::table
        .order(reporting_cycles::year)
        .select(ReportingCycleRow::as_select())
        .load(conn))
}

/// Sets a cycle's window if it is still at `version`; `false` when it moved on.
pub fn update_cycle(
    conn: &mut DbConnection,
    cycle: &Cycle,
    version: i32,
    next: i32,
) -> QueryResult<bool> {
    let updated = diesel::update(
        reporting_cycles::table
            .filter(reporting_cycles::year.eq(cycle.year))
            .filter(reporting_cycles::version.eq(version)),
    )
    .set((
        reporting_cycles::opens_on.eq(cycle.opens_on),
        reporting_cycles::closes_on.eq(cycle.closes_on),
        reporting_cycles::version.eq(next),
        reporting_cycles::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The columns a report's content fills.
type ReportColumns = (
    String,
    i32,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
);

fn report_columns(report: &Report) -> ReportColumns {
    let (amount, currency, usd) = pledge_columns(report.disbursed.as_ref());
    (
        report.status.into(),
        report.percent_complete,
        amount,
        currency,
        usd,
        report.people_reached,
        report.narrative.clone(),
    )
}

fn insert_actuals(conn: &mut DbConnection, report_id: &str, report: &Report) -> QueryResult<()> {
    let rows: Vec<ProgressIndicatorActualRow> = report
        .indicators
        .iter()
        .map(|i| ProgressIndicatorActualRow {
            progress_report_id: report_id.to_owned(),
            indicator_name: i.name.clone(),
            actual: i.actual,
        })
        .collect();
    if !rows.is_empty() {
        crate::insert_rows!(conn, progress_indicator_actuals::table, &rows)?;
    }
    Ok(())
}

/// Files a first report; `row` carries its identity and the rest is `report`'s.
pub fn insert_report(
    conn: &mut DbConnection,
    row: &ProgressReportRow,
    report: &Report,
) -> QueryResult<()> {
    diesel::insert_into(progress_reports::table)
        .values(row.clone())
        .execute(conn)?;
    insert_actuals(conn, &row.id, report)
}

/// Replaces report `id`'s content if it is still at `version`, sending it
/// back to pending validation; `false` when it moved on.
pub fn replace_report(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    next: i32,
    report: &Report,
) -> QueryResult<bool> {
    let (status, percent, amount, currency, usd, people, narrative) = report_columns(report);
    let updated = diesel::update(
        progress_reports::table
            .filter(progress_reports::id.eq(id))
            .filter(progress_reports::version.eq(version)),
    )
    .set((
        progress_reports::status.eq(status),
        progress_reports::percent_complete.eq(percent),
        progress_reports::disbursed_amount_minor.eq(amount),
        progress_reports::disbursed_currency.eq(currency),
        progress_reports::disbursed_usd_minor.eq(usd),
        progress_reports::people_reached.eq(people),
        progress_reports::narrative.eq(narrative),
        progress_reports::validation_status.eq(ValidationStatus::Pending.as_str()),
        progress_reports::validation_note.eq(None::<String>),
        progress_reports::validated_by.eq(None::<String>),
        progress_reports::validated_at.eq(None::<NaiveDateTime>),
        progress_reports::version.eq(next),
        progress_reports::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated != 1 {
        return Ok(false);
    }
    diesel::delete(
        progress_indicator_actuals::table
            .filter(progress_indicator_actuals::progress_report_id.eq(id)),
    )
    .execute(conn)?;
    insert_actuals(conn, id, report)?;
    Ok(true)
}

/// A lead's decision on report `id`, if it is still at `version`.
pub fn set_validation(
    conn: &mut DbConnection,
    id: &str,
    (version, next): (i32, i32),
    status: ValidationStatus,
    note: Option<String>,
    by: &str,
) -> QueryResult<bool> {
    let now = super::now();
    let updated = diesel::update(
        progress_reports::table
            .filter(progress_reports::id.eq(id))
            .filter(progress_reports::version.eq(version)),
    )
    .set((
        progress_reports::validation_status.eq(status.as_str()),
        progress_reports::validation_note.eq(note),
        progress_reports::validated_by.eq(Some(by)),
        progress_reports::validated_at.eq(Some(now)),
        progress_reports::version.eq(next),
        progress_reports::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn find_report(
    conn: &mut DbConnection,
    commitment_id: &str,
    year: i32,
) -> QueryResult<Option<ProgressReportRow>> {
    progress_reports::table
        .filter(progress_reports::commitment_id.eq(commitment_id))
        .filter(progress_reports::year.eq(year))
        .select(ProgressReportRow::as_select())
        .first(conn)
        .optional()
}

/// Whole reports for these rows, in their order, in one more query.
pub fn load_reports(
    conn: &mut DbConnection,
    rows: Vec<ProgressReportRow>,
) -> QueryResult<Vec<ReportRecord>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let actuals: Vec<ProgressIndicatorActualRow> = progress_indicator_actuals::table
        .filter(progress_indicator_actuals::progress_report_id.eq_any(&ids))
        .order((
            progress_indicator_actuals::progress_report_id,
            progress_indicator_actuals::indicator_name,
        ))
        .select(ProgressIndicatorActualRow::as_select())
        .load(conn)?;
    let mut by_report: HashMap<String, Vec<IndicatorActual>> = HashMap::new();
    for a in actuals {
        by_report
            .entry(a.progress_report_id)
            .or_default()
            .push(IndicatorActual {
                name: a.indicator_name,
                actual: a.actual,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| ReportRecord {
            indicators: by_report.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// A commitment's reports, oldest first.
pub fn reports_of(conn: &mut DbConnection, commitment_id: &str) -> QueryResult<Vec<ReportRecord>> {
    let rows = progress_reports::table
        .filter(progress_reports::commitment_id.eq(commitment_id))
        .order(progress_reports::year)
        .select(ProgressReportRow::as_select())
        .load(conn)?;
    load_reports(conn, rows)
}

/// The years each of these commitments reported on.
pub fn reported_years(
    conn: &mut DbConnection,
    commitment_ids: &[String],
) -> QueryResult<HashMap<String, Vec<i32>>> {
    let pairs: Vec<(String, i32)> = crate::with_ids!(conn =>
        progress_reports::table,
        progress_reports::commitment_id,
        commitment_ids,
        |q| q
            .select((progress_reports::commitment_id, progress_reports::year))
            .load(conn)?
    );
    let mut years: HashMap<String, Vec<i32>> = HashMap::new();
    for (id, year) in pairs {
        years.entry(id).or_default().push(year);
    }
    Ok(years)
}
