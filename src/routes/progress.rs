//! Delivery over HTTP: reporting cycles (admins), yearly progress reports
//! (makers), their validation (leads).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::commitments::dto::Money;
use super::http::body::JsonContent;
use super::http::idempotency::{IdempotencyKey, answer, stored};
use super::http::precondition::{IfMatch, etag};
use super::http::today::Today;
use crate::app::progress::{self, CycleChange, NewCycle, Seen, ValidationRequest};
use crate::db::Db;
use crate::db::progress::{ReportRecord, ReportingCycleRow};
use crate::domain::commitment_content::PledgeFields;
use crate::domain::progress::{
    ImplementationStatus, ReportFields, ValidationDecision, ValidationStatus,
};
use crate::error::{ApiResult, Problem};
use crate::routes::http::extractor::{AuthUser, MaybeAuthUser};
use crate::wire::text::Id;

/// A reporting cycle to open: reports on `year` are filed from `opens_on`
/// to `closes_on` (both included), usually early in the next year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2025, "opens_on": "2026-01-15", "closes_on": "2026-03-31"}))]
pub struct NewReportingCycle {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// A new window for a cycle (extend it, or close it early); absent dates stay.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closes_on": "2026-04-30"}))]
pub struct ReportingCyclePatch {
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportingCycle {
    /// The year reported on.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Whether reports are taken today (UTC).
    pub open: bool,
    /// The `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
}

impl ReportingCycle {
    fn of(row: ReportingCycleRow, today: NaiveDate) -> Self {
        Self {
            open: row.cycle().is_open_on(today),
            year: row.year,
            opens_on: row.opens_on,
            closes_on: row.closes_on,
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportingCycleList {
    #[schema(max_items = 101)]
    pub items: Vec<ReportingCycle>,
}

/// The measured value of one of the commitment's indicators.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorActual {
    /// The name of one of the commitment's indicators.
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    pub actual: f64,
}

/// A progress report as its maker files it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "in_progress", "percent_complete": 40,
    "disbursed": {"amount": "100000.00", "currency": "EUR", "amount_usd": "108000.00"},
    "people_reached": 1200, "narrative": "Forty coding clubs ran in 2025.",
    "indicators": [{"name": "Girls trained in coding", "actual": 1200}]
}))]
pub struct ProgressReportRequest {
    #[schema(value_type = ImplementationStatus)]
    pub status: String,
    /// 100 when `status` is `completed`.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
    /// Money disbursed so far, by the pledge's rules.
    pub disbursed: Option<Money>,
    #[schema(minimum = 0)]
    pub people_reached: Option<i64>,
    #[schema(min_length = 1, max_length = 20000)]
    pub narrative: String,
    /// Actuals of the commitment's indicators, each at most once.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Vec<IndicatorActual>,
}

impl From<ProgressReportRequest> for ReportFields {
    fn from(body: ProgressReportRequest) -> Self {
        Self {
            status: body.status,
            percent_complete: body.percent_complete,
            disbursed: body.disbursed.map(PledgeFields::from),
            people_reached: body.people_reached,
            narrative: body.narrative,
            indicators: body
                .indicators
                .into_iter()
                .map(|i| (i.name, i.actual))
                .collect(),
        }
    }
}

/// Where a report stands with the coalition's leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    pub status: ValidationStatus,
    /// The lead's note (a query's question); for the organization, the
    /// coalition's leads, viewers and admins only.
    #[schema(max_length = 10000)]
    pub note: Option<String>,
    /// The lead who decided, for the same readers.
    #[schema(value_type = Option<Id>)]
    pub validated_by: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
}

/// A commitment's progress report on one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReport {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(value_type = Id)]
    pub commitment_id: String,
    /// The year reported on.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub status: ImplementationStatus,
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
    pub disbursed: Option<Money>,
    #[schema(minimum = 0, maximum = 1000000000000000_i64)]
    pub people_reached: Option<i64>,
    #[schema(max_length = 20000)]
    pub narrative: String,
    #[schema(max_items = 50)]
    pub indicators: Vec<IndicatorActual>,
    pub validation: Validation,
    /// The `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Seen<ReportRecord>> for ProgressReport {
    fn from(seen: Seen<ReportRecord>) -> Self {
        let ReportRecord { row, indicators } = seen.value;
        let internal = |value: Option<String>| value.filter(|_| seen.discussion);
        Self {
            disbursed: row.disbursed().map(|d| Money {
                amount: d.amount.to_string(),
                currency: d.currency.as_str().to_owned(),
                amount_usd: Some(d.amount_usd.to_string()),
            }),
            validation: Validation {
                status: row.validation_status,
                note: internal(row.validation_note),
                validated_by: internal(row.validated_by),
                validated_at: row.validated_at.map(|t| t.and_utc()),
            },
            indicators: indicators
                .into_iter()
                .map(|i| IndicatorActual {
                    name: i.name,
                    actual: i.actual,
                })
                .collect(),
            id: row.id,
            commitment_id: row.commitment_id,
            year: row.year,
            status: row.status,
            percent_complete: row.percent_complete,
            people_reached: row.people_reached,
            narrative: row.narrative,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReportList {
    #[schema(max_items = 101)]
    pub items: Vec<ProgressReport>,
}

/// A lead's decision on a report.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "query", "note": "How many of the 1,200 are girls?"}))]
pub struct ValidationBody {
    pub decision: ValidationDecision,
    /// Required to query.
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}

fn cycle_answer(cycle: ReportingCycle, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(cycle.version));
    if status == StatusCode::CREATED {
        let location = format!("/api/v1/reporting-cycles/{}", cycle.year);
        response.insert_header((header::LOCATION, location));
    }
    response.json(cycle)
}

fn report_answer(report: ProgressReport, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(report.version));
    if status == StatusCode::CREATED {
        let location = format!(
            "/api/v1/commitments/{}/progress/{}",
            report.commitment_id, report.year
        );
        response.insert_header((header::LOCATION, location));
    }
    response.json(report)
}

/// Opens a reporting cycle (admins): one a year, the year inside some
/// coalition's implementation period.
#[utoipa::path(
    tag = "progress",
    operation_id = "create_reporting_cycle",
    request_body = NewReportingCycle,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Opened", body = ReportingCycle, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A cycle exists for this year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reporting-cycles")]
pub async fn create_reporting_cycle(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    key: IdempotencyKey,
    body: JsonContent<NewReportingCycle>,
) -> ApiResult<HttpResponse> {
    let request = key.replayable(&req, &body.0);
    let new = body.0.map(|b| NewCycle {
        year: b.year,
        opens_on: b.opens_on,
        closes_on: b.closes_on,
    });
    let today = today.0;
    let render = move |row: &ReportingCycleRow| {
        let cycle = ReportingCycle::of(row.clone(), today);
        let location = format!("/api/v1/reporting-cycles/{}", cycle.year);
        stored(StatusCode::CREATED, Some(location), cycle.version, &cycle)
    };
    let kept = progress::create_cycle(&db, user.0, new, request, render).await?;
    Ok(answer(kept))
}

/// Every reporting cycle, by year.
#[utoipa::path(
    tag = "progress",
    operation_id = "list_reporting_cycles",
    responses((status = 200, description = "The cycles", body = ReportingCycleList))
)]
#[get("/reporting-cycles")]
pub async fn list_reporting_cycles(db: web::Data<Db>, today: Today) -> ApiResult<HttpResponse> {
    let rows = progress::list_cycles(&db).await?;
    let items = rows
        .into_iter()
        .map(|r| ReportingCycle::of(r, today.0))
        .collect();
    Ok(HttpResponse::Ok().json(ReportingCycleList { items }))
}

/// One reporting cycle.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_reporting_cycle",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year reported on")),
    responses(
        (status = 200, description = "The cycle", body = ReportingCycle, headers(("ETag" = String))),
        (status = 404, description = "No cycle for this year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reporting-cycles/{year}")]
pub async fn get_reporting_cycle(
    db: web::Data<Db>,
    today: Today,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let row = progress::get_cycle(&db, year.into_inner()).await?;
    Ok(cycle_answer(
        ReportingCycle::of(row, today.0),
        StatusCode::OK,
    ))
}

/// Extends a reporting cycle or closes it early (admins, with `If-Match`).
#[utoipa::path(
    tag = "progress",
    operation_id = "update_reporting_cycle",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year reported on"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ReportingCyclePatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = ReportingCycle, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No cycle for this year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/reporting-cycles/{year}")]
pub async fn update_reporting_cycle(
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    year: web::Path<i32>,
    if_match: IfMatch,
    body: JsonContent<ReportingCyclePatch>,
) -> ApiResult<HttpResponse> {
    let change = body.0.map(|b| CycleChange {
        opens_on: b.opens_on,
        closes_on: b.closes_on,
    });
    let row = progress::update_cycle(&db, user.0, year.into_inner(), if_match.0, change).await?;
    Ok(cycle_answer(
        ReportingCycle::of(row, today.0),
        StatusCode::OK,
    ))
}

/// Files the progress report of a commitment on one year (its makers), while
/// that year's cycle is open and the commitment approved. The first report
/// is created (201) without `If-Match`; replacing it needs `If-Match` and
/// sends it back to pending validation. A report of `completed` claims the
/// commitment's completion, for its coalition's leads to verify.
#[utoipa::path(
    tag = "progress",
    operation_id = "put_progress_report",
    params(("id" = String, Path, description = "Commitment id"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year reported on"),
        ("If-Match" = Option<String>, Header, description = "The report's ETag, to replace it")),
    request_body = ProgressReportRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = ProgressReport, headers(("ETag" = String))),
        (status = 201, description = "Filed", body = ProgressReport, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Not approved, read-only once completed, a year outside the commitment's, \
            or no cycle open for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/commitments/{id}/progress/{year}")]
pub async fn put_progress_report(
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    path: web::Path<(String, i32)>,
    if_match: IfMatch,
    body: JsonContent<ProgressReportRequest>,
) -> ApiResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let fields = body.0.map(Into::into);
    let filed = progress::file_report(&db, today.0, user.0, id, year, if_match.0, fields).await?;
    let status = if filed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let seen = Seen {
        value: filed.report,
        discussion: true,
    };
    Ok(report_answer(seen.into(), status))
}

/// A commitment's progress reports, oldest first, to whoever may see it.
#[utoipa::path(
    tag = "progress",
    operation_id = "list_progress_reports",
    params(("id" = String, Path, description = "Commitment id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Its reports", body = ProgressReportList),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/progress")]
pub async fn list_progress_reports(
    db: web::Data<Db>,
    user: MaybeAuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let seen = progress::reports(&db, user.0, id.into_inner()).await?;
    let discussion = seen.discussion;
    let items = (seen.value.into_iter())
        .map(|value| ProgressReport::from(Seen { value, discussion }))
        .collect();
    Ok(HttpResponse::Ok().json(ProgressReportList { items }))
}

/// A commitment's progress report on one year, to whoever may see it.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_progress_report",
    params(("id" = String, Path, description = "Commitment id"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year reported on")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = ProgressReport, headers(("ETag" = String))),
        (status = 404, description = "No such commitment or report, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/progress/{year}")]
pub async fn get_progress_report(
    db: web::Data<Db>,
    user: MaybeAuthUser,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let seen = progress::report(&db, user.0, id, year).await?;
    Ok(report_answer(seen.into(), StatusCode::OK))
}

/// A coalition lead validates a report, or queries it with a note its maker
/// answers by correcting it while the cycle is open (with `If-Match`).
#[utoipa::path(
    tag = "progress",
    operation_id = "validate_progress_report",
    params(("id" = String, Path, description = "Commitment id"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year reported on"),
        ("If-Match" = String, Header, description = "The report's ETag")),
    request_body = ValidationBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided; the report", body = ProgressReport, headers(("ETag" = String))),
        (status = 403, description = "Not a lead of this coalition", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment or report, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Already validated, or the commitment is completed", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/progress/{year}/validation")]
pub async fn validate_progress_report(
    db: web::Data<Db>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
    if_match: IfMatch,
    body: JsonContent<ValidationBody>,
) -> ApiResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let request = body.0.map(|b| ValidationRequest {
        decision: b.decision,
        note: b.note,
    });
    let record = progress::validate_report(&db, user.0, id, year, if_match.0, request).await?;
    let seen = Seen {
        value: record,
        discussion: true,
    };
    Ok(report_answer(seen.into(), StatusCode::OK))
}
