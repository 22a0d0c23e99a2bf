//! The figures dashboards read, over HTTP.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, Object, SchemaFormat, Type};
use utoipa::{IntoParams, ToSchema};

use super::commitments::dto::CommitmentQuery;
use super::http::language::{LangQuery, PreferredLanguage};
use super::http::today::Today;
use crate::app::stats::{self, Breakdown, Source, Summary};
use crate::db::Db;
use crate::db::commitments::CommitmentFilter;
use crate::domain::commitment::CommitmentStatus;
use crate::domain::figures::Figures;
use crate::domain::progress::ImplementationStatus;
use crate::domain::stats::{Dimension, Scope};
use crate::domain::validation::FieldError;
use crate::error::{ApiError, ApiResult, Problem};
use crate::routes::http::caching::TaggedJson;
use crate::routes::http::extractor::MaybeAuthUser;
use crate::wire::text::UsdSum;

/// Whose figures, and broken down by what.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// `public` (approved, completion claimed, completed; the default) or
    /// `all` (every commitment ever submitted; viewers and admins only).
    #[param(value_type = Option<Scope>)]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// The dimension of the rows.
    #[param(value_type = BreakdownBy)]
    pub by: String,
}

/// What a breakdown's rows may be by.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownBy {
    Coalition,
    ActionArea,
    Country,
    Region,
    Constituency,
    Type,
    Year,
    Status,
}

/// How many commitments, by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentCounts {
    #[schema(minimum = 0)]
    pub total: i64,
    /// Every state the scope counts, zero included: the public scope
    /// counts `approved`, `completion_claimed` and `completed`; `scope=all`
    /// every state a submitted commitment may be in.
    #[schema(schema_with = status_counts)]
    pub by_status: BTreeMap<String, i64>,
}

/// Counts by key: a non-negative integer per key the service may send
/// (all of them when `every`), no other.
fn counts_by(keys: impl IntoIterator<Item = &'static str>, every: bool) -> Object {
    use utoipa::openapi::schema::ObjectBuilder;
    let count = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .maximum(Some(i64::MAX))
    };
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for key in keys {
        object = object.property(key, count());
        if every {
            object = object.required(key);
        }
    }
    object.build()
}

fn status_counts() -> Object {
    counts_by(
        CommitmentStatus::ALL
            .into_iter()
            .filter(|s| *s != CommitmentStatus::Draft)
            .map(CommitmentStatus::as_str),
        false,
    )
}

fn implementation_counts() -> Object {
    counts_by(
        ImplementationStatus::ALL
            .into_iter()
            .map(ImplementationStatus::as_str)
            .chain(["not_reported"]),
        true,
    )
}

/// Reporting health of the commitments that report (and completed ones, green).
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthCounts {
    #[schema(minimum = 0)]
    pub green: i64,
    #[schema(minimum = 0)]
    pub amber: i64,
    #[schema(minimum = 0)]
    pub red: i64,
}

/// The totals of the commitments counted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "scope": "public", "as_of": "2026-11-28", "source": "index",
    "commitments": {"total": 3, "by_status": {"approved": 2, "completion_claimed": 0, "completed": 1}},
    "makers": 2, "pledged_usd": "540000.00", "disbursed_usd": "108000.00",
    "implementation": {"not_started": 0, "in_progress": 1, "completed": 1, "stalled": 0, "cancelled": 0, "not_reported": 1},
    "reporting_health": {"green": 2, "amber": 1, "red": 0},
    "mean_percent_complete": 70.0
}))]
pub struct SummaryAnswer {
    pub scope: Scope,
    /// The day reporting health was judged on (UTC).
    pub as_of: NaiveDate,
    /// `index` (counted from the figures each instance holds in memory,
    /// current with every change) or `search` (counted there too, over the
    /// commitments a text or time query of the database matched).
    #[schema(max_length = 8)]
    pub source: String,
    pub commitments: CommitmentCounts,
    /// Organizations with at least one commitment counted.
    #[schema(minimum = 0)]
    pub makers: i64,
    /// Sum of the pledges' USD equivalents, exact.
    #[schema(value_type = UsdSum)]
    pub pledged_usd: String,
    /// Sum of the USD disbursed in each commitment's latest report, exact.
    #[schema(value_type = UsdSum)]
    pub disbursed_usd: String,
    /// Commitments by the status of their latest report; `not_reported` for none.
    #[schema(schema_with = implementation_counts)]
    pub implementation: BTreeMap<String, i64>,
    pub reporting_health: HealthCounts,
    /// Mean of each reporting commitment's latest percent complete; those
    /// that never reported are left out. `null` when none reported.
    pub mean_percent_complete: Option<f64>,
}

/// One row of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRow {
    #[schema(max_length = 100)]
    pub key: String,
    /// The key in words, in the negotiated language where a translation exists.
    #[schema(max_length = 1000)]
    pub label: String,
    #[schema(minimum = 0)]
    pub commitments: i64,
    #[schema(minimum = 0)]
    pub makers: i64,
    #[schema(value_type = UsdSum)]
    pub pledged_usd: String,
    #[schema(value_type = UsdSum)]
    pub disbursed_usd: String,
    pub mean_percent_complete: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownAnswer {
    pub by: BreakdownBy,
    pub scope: Scope,
    pub as_of: NaiveDate,
    #[schema(max_length = 8)]
    pub source: String,
    /// How commitments are counted in the rows.
    #[schema(max_length = 300)]
    pub counting: String,
    /// Most commitments first, at most `MAX_ROWS` (free-text regions are
    /// as many as makers wrote).
    #[schema(max_items = 1000)]
    pub rows: Vec<BreakdownRow>,
    /// Whether rows were left out past `MAX_ROWS`.
    pub truncated: bool,
}

/// The most rows a breakdown answers.
pub const MAX_ROWS: usize = 1000;

fn usd(minor: i128) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

fn mean(figures: &Figures) -> Option<f64> {
    figures
        .measures
        .mean_percent_complete()
        .map(|m| (m * 100.0).round() / 100.0)
}

fn source(source: Source) -> String {
    match source {
        Source::Index => "index",
        Source::Search => "search",
    }
    .into()
}

impl From<Summary> for SummaryAnswer {
    fn from(s: Summary) -> Self {
        let health = |h| {
            s.reporting_health
                .iter()
                .find(|(colour, _)| *colour == h)
                .map_or(0, |(_, n)| *n)
        };
        use crate::domain::progress::ReportingHealth::{Amber, Green, Red};
        Self {
            scope: s.scope,
            as_of: s.as_of,
            source: source(s.source),
            commitments: CommitmentCounts {
                total: s.total.measures.commitments,
                by_status: s
                    .by_status
                    .iter()
                    .map(|(status, n)| (status.as_str().to_owned(), *n))
                    .collect(),
            },
            makers: s.total.makers,
            pledged_usd: usd(s.total.measures.pledged_usd_minor),
            disbursed_usd: usd(s.total.measures.disbursed_usd_minor),
            implementation: s.implementation.iter().cloned().collect(),
            reporting_health: HealthCounts {
                green: health(Green),
                amber: health(Amber),
                red: health(Red),
            },
            mean_percent_complete: mean(&s.total),
        }
    }
}

impl From<Breakdown> for BreakdownAnswer {
    fn from(b: Breakdown) -> Self {
        let counting = if b.by.is_multi_valued() {
            format!(
                "a commitment with several {0} values counts once in each of their rows, so rows add up to more than the totals; it counts once in the summary",
                b.by.as_str()
            )
        } else {
            format!(
                "each commitment counts in exactly one {} row",
                b.by.as_str()
            )
        };
        Self {
            by: by_of(b.by),
            scope: b.scope,
            as_of: b.as_of,
            source: source(b.source),
            counting,
            truncated: b.rows.len() > MAX_ROWS,
            rows: b
                .rows
                .into_iter()
                .take(MAX_ROWS)
                .map(|row| BreakdownRow {
                    mean_percent_complete: mean(&row.figures),
                    commitments: row.figures.measures.commitments,
                    makers: row.figures.makers,
                    pledged_usd: usd(row.figures.measures.pledged_usd_minor),
                    disbursed_usd: usd(row.figures.measures.disbursed_usd_minor),
                    key: row.key,
                    label: row.label,
                })
                .collect(),
        }
    }
}

fn by_of(dimension: Dimension) -> BreakdownBy {
    match dimension {
        Dimension::Coalition => BreakdownBy::Coalition,
        Dimension::ActionArea => BreakdownBy::ActionArea,
        Dimension::Country => BreakdownBy::Country,
        Dimension::Region => BreakdownBy::Region,
        Dimension::Constituency => BreakdownBy::Constituency,
        Dimension::Type => BreakdownBy::Type,
        Dimension::Year => BreakdownBy::Year,
        _ => BreakdownBy::Status,
    }
}

/// The scope and filters of a request for figures; anything malformed is a
/// 422 naming the parameter.
fn figures_request(req: &HttpRequest, today: NaiveDate) -> ApiResult<(Scope, CommitmentFilter)> {
    let invalid = |field: &str, message: String| {
        ApiError::Validation(vec![FieldError::new(field, "invalid_filter", message)])
    };
    let query = web::Query::<CommitmentQuery>::from_query(req.query_string())
        .map_err(|e| invalid("query", format!("a filter is malformed: {e}")))?;
    let options = web::Query::<FiguresQuery>::from_query(req.query_string())
        .map_err(|e| invalid("query", format!("a parameter is malformed: {e}")))?;
    let scope = match options.into_inner().scope.as_deref() {
        None => Scope::Public,
        Some(s) => {
            Scope::parse(s).ok_or_else(|| invalid("scope", "scope is public or all".into()))?
        }
    };
    let filter = query
        .into_inner()
        .into_filter(today)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    Ok((scope, filter))
}

/// Totals for dashboards: commitments by status, makers, money pledged and
/// disbursed (exact, USD), implementation as last reported, reporting
/// health, mean percent complete. Takes the list filters, each answered
/// from figures held in memory and current with every change (`q` and
/// `updated_since` ask the database which commitments match first).
#[utoipa::path(
    tag = "figures",
    operation_id = "get_stats_summary",
    params(FiguresQuery, CommitmentQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The totals", body = SummaryAnswer, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 403, description = "`scope=all` for someone other than a viewer or an admin", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "A malformed filter or scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/summary")]
pub async fn get_stats_summary(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: MaybeAuthUser,
) -> ApiResult<HttpResponse> {
    let (scope, filter) = figures_request(&req, today.0)?;
    let render = |summary| TaggedJson::of(&SummaryAnswer::from(summary));
    let answer = stats::summary_rendered(&db, today.0, user.0, scope, filter, render).await?;
    Ok(answer.respond(HttpResponse::Ok()))
}

/// The figures by coalition, action area, country, region, constituency,
/// type, start year or status: a row per key, labelled in the negotiated
/// language, most commitments first. Takes the list filters.
#[utoipa::path(
    tag = "figures",
    operation_id = "get_stats_breakdown",
    params(BreakdownQuery, FiguresQuery, CommitmentQuery, LangQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The rows", body = BreakdownAnswer,
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String))),
        (status = 403, description = "`scope=all` for someone other than a viewer or an admin", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "An unknown `by`, a malformed filter or scope", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/stats/breakdown")]
pub async fn get_stats_breakdown(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: MaybeAuthUser,
    lang: PreferredLanguage,
) -> ApiResult<HttpResponse> {
    let (scope, filter) = figures_request(&req, today.0)?;
    let by = web::Query::<BreakdownQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| Dimension::parse(&q.by).filter(|d| Dimension::BREAKDOWNS.contains(d)))
        .ok_or_else(|| {
            let message = "by is one of coalition, action_area, country, region, constituency, type, year, status";
            ApiError::Validation(vec![FieldError::new("by", "unknown_dimension", message)])
        })?;
    let render = |breakdown| TaggedJson::of(&BreakdownAnswer::from(breakdown));
    let answer =
        stats::breakdown_rendered(&db, today.0, user.0, scope, by, filter, lang.0, render).await?;
    let mut builder = HttpResponse::Ok();
    builder.insert_header((actix_web::http::header::CONTENT_LANGUAGE, lang.0.code()));
    Ok(answer.respond(builder))
}
