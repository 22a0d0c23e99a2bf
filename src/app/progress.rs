//! Delivery: reporting cycles (admins), the yearly progress report of each
//! approved commitment (its makers), their validation (its coalition's
//! leads), and the completion a report claims.

use chrono::NaiveDate;

use super::commitments::{Moved, event, not_your_move, record_move, visible};
use super::idempotency::{Kept, Replayable, write_once};
use super::{AppError, AppResult, Precondition, Sent};
use crate::db::commitments::{self as commitment_queries, CommitmentRow};
use crate::db::events::{self, NewEvent, Subject};
use crate::db::progress::{self as queries, ProgressReportRow, ReportRecord, ReportingCycleRow};
use crate::db::{self, Db, DbConnection, reference};
use crate::domain::commitment::{self as rules, CommitmentStatus, Move, Side};
use crate::domain::policy::{self, Action, Actor, authorize};
use crate::domain::progress::{
    Cycle, Report, ReportFields, ValidationDecision, ValidationStatus, validate, validation_note,
};

const CYCLE: &str = "this reporting cycle";
const REPORT: &str = "this progress report";

/// A reporting cycle to open.
#[derive(Debug, Clone, Copy)]
pub struct NewCycle {
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// Opens a reporting cycle (admins), at most once per `Idempotency-Key`
/// (`request`); answers `render` of the cycle, or the answer kept for the key.
pub async fn create_cycle<R, A>(
    db: &Db,
    actor: Actor,
    new: Sent<NewCycle>,
    request: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: FnMut(&ReportingCycleRow) -> AppResult<A> + Send + 'static,
{
    authorize(Some(&actor), Action::ManageReportingCycles)?;
    let new = new?;
    let owner = actor.user_id.clone();
    write_once(
        db,
        owner,
        request,
        move |conn| open_cycle_in(conn, new),
        render,
    )
    .await
}

/// Opens a reporting cycle: its year inside some coalition's period, one
/// cycle a year. The command line's `cycle open` calls this directly.
pub async fn open_cycle(db: &Db, new: NewCycle) -> AppResult<ReportingCycleRow> {
    db.write(move |conn| open_cycle_in(conn, new)).await
}

fn open_cycle_in(conn: &mut DbConnection, new: NewCycle) -> AppResult<ReportingCycleRow> {
    let periods: Vec<_> = reference::list_coalitions(conn)?
        .iter()
        .map(|c| c.period_start_year..=c.period_end_year)
        .collect();
    let cycle = Cycle::parse(new.year, new.opens_on, new.closes_on, &periods)?;
    if queries::find_cycle(conn, cycle.year)?.is_some() {
        return Err(AppError::conflict(
            "cycle_exists",
            format!(
                "a reporting cycle for {} exists: change its dates instead",
                cycle.year
            ),
        ));
    }
    let now = db::now();
    let row = ReportingCycleRow {
        year: cycle.year,
        opens_on: cycle.opens_on,
        closes_on: cycle.closes_on,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    queries::insert_cycle(conn, &row)?;
    Ok(row)
}

/// Every reporting cycle, by year (anyone).
pub async fn list_cycles(db: &Db) -> AppResult<Vec<ReportingCycleRow>> {
    db.run(|conn| Ok(queries::list_cycles(conn)?)).await
}

/// One reporting cycle (anyone).
pub async fn get_cycle(db: &Db, year: i32) -> AppResult<ReportingCycleRow> {
    db.run(move |conn| queries::find_cycle(conn, year)?.ok_or(AppError::NotFound(CYCLE)))
        .await
}

/// A new window for a cycle: absent dates stay.
#[derive(Debug, Clone, Copy, Default)]
pub struct CycleChange {
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
}

/// Extends a cycle or closes it early (admins).
pub async fn update_cycle(
    db: &Db,
    actor: Actor,
    year: i32,
    precondition: Precondition,
    change: Sent<CycleChange>,
) -> AppResult<ReportingCycleRow> {
    authorize(Some(&actor), Action::ManageReportingCycles)?;
    db.write(move |conn| {
        let current = queries::find_cycle(conn, year)?.ok_or(AppError::NotFound(CYCLE))?;
        let checked = precondition.check(current.version)?;
        let change = change.clone()?;
        let cycle = current
            .cycle()
            .with_window(change.opens_on, change.closes_on)?;
        checked.write(
            conn,
            CYCLE,
            |conn, version, next| queries::update_cycle(conn, &cycle, version, next),
            |conn| queries::find_cycle(conn, year)?.ok_or(AppError::NotFound(CYCLE)),
        )
    })
    .await
}

/// A report as filed, and whether it was the first for its year.
#[derive(Debug, Clone)]
pub struct Filed {
    pub report: ReportRecord,
    pub created: bool,
}

/// Files (or replaces) the report of commitment `id` on `year` (its makers):
/// visibility (404), side (403), the commitment's state, years and cycle
/// (409), the precondition — none to create, `If-Match` to replace (428,
/// 412) — then the content (422). A report of `completed` claims the
/// commitment's completion in the same transaction.
pub async fn file_report(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    year: i32,
    precondition: Precondition,
    fields: Sent<ReportFields>,
) -> AppResult<Filed> {
    db.write(move |conn| {
        let row = visible(conn, Some(&actor), &id)?;
        let sides = policy::sides(&actor, &row.organization_id, &row.coalition_slug);
        if !sides.contains(&Side::Maker) {
            return Err(not_your_move(Side::Maker, &row));
        }
        check_reporting(conn, &row, year, today)?;
        let existing = queries::find_report(conn, &row.id, year)?;
        let checked = match (&existing, &precondition) {
            (Some(report), _) => Some(precondition.check(report.version)?),
            (None, Precondition::Missing) => None,
            (None, _) => {
                return Err(AppError::PreconditionFailed(format!(
                    "there is no report on {year} yet: file it without If-Match"
                )));
            }
        };
        // The commitment's lists are read once: for its indicators and its
        // figures before and after.
        let parts = commitment_queries::load_parts(conn, vec![row.clone()])?
            .pop()
            .ok_or(AppError::NotFound("this commitment"))?;
        let names: Vec<String> = parts
            .content
            .indicators
            .iter()
            .map(|i| i.name.clone())
            .collect();
        let report = Report::parse(fields.as_ref().map_err(Clone::clone)?, &names)?;
        let now = db::now();
        let created = existing.is_none();
        let filed = match (existing, checked) {
            (Some(current), Some(checked)) => checked.write(
                conn,
                REPORT,
                |conn, version, next| {
                    queries::replace_report(conn, &current.id, version, next, &report)
                },
                |_| Ok(current.id.clone()),
            )?,
            _ => {
                let new = ProgressReportRow {
                    id: db::new_id(),
                    commitment_id: row.id.clone(),
                    year,
                    status: report.status,
                    percent_complete: report.percent_complete,
                    disbursed_amount_minor: report.disbursed.map(|d| d.amount.minor()),
                    disbursed_currency: report.disbursed.map(|d| d.currency.as_str().to_owned()),
                    disbursed_usd_minor: report.disbursed.map(|d| d.amount_usd.minor()),
                    people_reached: report.people_reached,
                    narrative: report.narrative.clone(),
                    validation_status: ValidationStatus::Pending,
                    validation_note: None,
                    validated_by: None,
                    validated_at: None,
                    version: 1,
                    created_by: actor.user_id.clone(),
                    created_at: now,
                    updated_at: now,
                };
                queries::insert_report(conn, &new, &report)?;
                new.id
            }
        };
        let action = if created {
            "file_report"
        } else {
            "replace_report"
        };
        let mut trail = vec![report_event(&row, &actor, &filed, action, None, None)];
        if report.claims_completion() {
            let to =
                rules::transition(row.status, Move::ClaimCompletion, &sides).map_err(|_| {
                    AppError::conflict("invalid_transition", "completion cannot be claimed now")
                })?;
            let moved = Moved {
                wanted: Move::ClaimCompletion,
                to,
                reason: None,
            };
            let versions = (row.version, row.version + 1);
            if record_move(conn, &actor, &row, versions, moved, now, &mut trail)?.is_none() {
                return Err(AppError::PreconditionFailed(
                    "the commitment changed meanwhile: reload and retry".into(),
                ));
            }
        }
        events::insert_events(conn, &trail)?;
        let stored =
            queries::find_report(conn, &row.id, year)?.ok_or(AppError::NotFound(REPORT))?;
        let report = queries::load_reports(conn, vec![stored])?
            .pop()
            .ok_or(AppError::NotFound(REPORT))?;
        Ok(Filed { report, created })
    })
    .await
}

/// The commitment takes a report on `year` today: approved (a completed
/// one is read-only), running that year, in a cycle open today.
fn check_reporting(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    year: i32,
    today: NaiveDate,
) -> AppResult<()> {
    read_only_when_completed(row)?;
    if row.status != CommitmentStatus::Approved {
        return Err(AppError::conflict(
            "not_reporting",
            format!(
                "progress is reported on approved commitments; this one is {}",
                row.status.as_str()
            ),
        ));
    }
    if !(row.start_year..=row.end_year).contains(&year) {
        return Err(AppError::conflict(
            "year_not_covered",
            format!(
                "this commitment runs from {} to {}; {year} is not one of its years",
                row.start_year, row.end_year
            ),
        ));
    }
    let cycle = queries::find_cycle(conn, year)?.ok_or_else(|| {
        AppError::conflict(
            "no_reporting_cycle",
            format!("no reporting cycle is open for {year}"),
        )
    })?;
    if let Some(refusal) = cycle.cycle().refusal(today) {
        return Err(AppError::conflict("reporting_cycle_closed", refusal));
    }
    Ok(())
}

fn read_only_when_completed(row: &CommitmentRow) -> AppResult<()> {
    if row.status == CommitmentStatus::Completed {
        return Err(AppError::conflict(
            "read_only",
            "a completed commitment and its reports are read-only",
        ));
    }
    Ok(())
}

/// Reports as their reader sees them: the validation note and who validated
/// only for those who read the commitment's internal discussion.
#[derive(Debug, Clone)]
pub struct Seen<T> {
    pub value: T,
    pub discussion: bool,
}

/// A commitment's reports, oldest first, to whoever may see the commitment.
pub async fn reports(
    db: &Db,
    actor: Option<Actor>,
    id: String,
) -> AppResult<Seen<Vec<ReportRecord>>> {
    db.run(move |conn| {
        let row = visible(conn, actor.as_ref(), &id)?;
        Ok(Seen {
            value: queries::reports_of(conn, &row.id)?,
            discussion: reads_discussion(actor.as_ref(), &row),
        })
    })
    .await
}

/// A commitment's report on `year`, to whoever may see the commitment.
pub async fn report(
    db: &Db,
    actor: Option<Actor>,
    id: String,
    year: i32,
) -> AppResult<Seen<ReportRecord>> {
    db.run(move |conn| {
        let row = visible(conn, actor.as_ref(), &id)?;
        Ok(Seen {
            value: load_report(conn, &row, year)?,
            discussion: reads_discussion(actor.as_ref(), &row),
        })
    })
    .await
}

fn reads_discussion(actor: Option<&Actor>, row: &CommitmentRow) -> bool {
    actor.is_some_and(|a| policy::may_read_discussion(a, &row.organization_id, &row.coalition_slug))
}

fn load_report(conn: &mut DbConnection, row: &CommitmentRow, year: i32) -> AppResult<ReportRecord> {
    let stored = queries::find_report(conn, &row.id, year)?.ok_or(AppError::NotFound(REPORT))?;
    queries::load_reports(conn, vec![stored])?
        .pop()
        .ok_or(AppError::NotFound(REPORT))
}

/// A lead's decision on a report, as sent.
#[derive(Debug, Clone)]
pub struct ValidationRequest {
    pub decision: ValidationDecision,
    pub note: Option<String>,
}

/// Validates or queries the report of commitment `id` on `year` (its
/// coalition's leads): the report (404), the side (403), its state (409),
/// `If-Match` with the report's ETag (428, 412), the note (422).
pub async fn validate_report(
    db: &Db,
    actor: Actor,
    id: String,
    year: i32,
    precondition: Precondition,
    request: Sent<ValidationRequest>,
) -> AppResult<ReportRecord> {
    db.write(move |conn| {
        let row = visible(conn, Some(&actor), &id)?;
        let current =
            queries::find_report(conn, &row.id, year)?.ok_or(AppError::NotFound(REPORT))?;
        let sides = policy::sides(&actor, &row.organization_id, &row.coalition_slug);
        if !sides.contains(&Side::Lead) {
            return Err(not_your_move(Side::Lead, &row));
        }
        read_only_when_completed(&row)?;
        let settled = |from: ValidationStatus| {
            AppError::conflict(
                "invalid_transition",
                format!(
                    "a {} report stays so until its maker corrects it",
                    from.as_str()
                ),
            )
        };
        if current.validation_status == ValidationStatus::Validated {
            return Err(settled(current.validation_status));
        }
        let checked = precondition.check(current.version)?;
        let request = request.clone()?;
        let to = validate(current.validation_status, request.decision).map_err(settled)?;
        let note = validation_note(request.decision, request.note.as_deref())
            .map_err(AppError::invalid)?;
        let action = format!("{}_report", request.decision.as_str());
        checked.write(
            conn,
            REPORT,
            |conn, version, next| {
                if !queries::set_validation(
                    conn,
                    &current.id,
                    (version, next),
                    to,
                    note.clone(),
                    &actor.user_id,
                )? {
                    return Ok(false);
                }
                let trail = (Some(current.validation_status), Some(to));
                events::insert_event(
                    conn,
                    &report_event(
                        &row,
                        &actor,
                        &current.id,
                        &action,
                        Some(trail),
                        note.clone(),
                    ),
                )?;
                Ok(true)
            },
            |conn| load_report(conn, &row, year),
        )
    })
    .await
}

/// The event of `action` on report `report_id` of commitment `row`. Filings
/// are public with the commitment; validations (`from → to`) stay internal.
fn report_event(
    row: &CommitmentRow,
    actor: &Actor,
    report_id: &str,
    action: &str,
    validation: Option<(Option<ValidationStatus>, Option<ValidationStatus>)>,
    reason: Option<String>,
) -> NewEvent {
    let (from, to) = validation.unwrap_or((None, None));
    NewEvent {
        subject_type: Subject::ProgressReport.as_str().into(),
        subject_id: report_id.to_owned(),
        from_status: from.map(String::from),
        to_status: to.map(String::from),
        reason,
        is_public: validation.is_none() && row.status.is_public(),
        action: action.into(),
        ..event(row, actor, action, None, None)
    }
}
