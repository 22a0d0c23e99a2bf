//! Expressions of interest over HTTP: an organization asks to join a
//! coalition; the coalition's leads accept or decline. Commitments come
//! after acceptance.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::http::body::JsonContent;
use super::http::idempotency::{IdempotencyKey, answer, stored};
use super::http::pagination::{CursorCodec, Listed, PageQuery, Paged, paged};
use super::http::precondition::etag;
use crate::app::expressions::{self, Expression};
use crate::db::Db;
use crate::db::expressions::ExpressionFilter;
use crate::domain::expression::{ExpressionFields, ExpressionStatus};
use crate::error::{ApiError, ApiResult, Problem};
use crate::routes::http::extractor::AuthUser;
use crate::wire::text::{Id, Slug};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"coalition": "technology-innovation", "action_areas": [1, 4],
    "motivation": "We run coding clubs for girls in 12 provinces.", "contact_email": "sokha@digitalsisters.example.org"}))]
pub struct NewExpression {
    /// Coalition slug.
    #[schema(value_type = Slug)]
    pub coalition: String,
    /// Numbers of the coalition's action areas the organization means to work on.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub action_areas: Vec<i32>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub motivation: String,
    /// Who the coalition should write to; the caller's email when left out.
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
}

impl From<NewExpression> for expressions::NewExpression {
    fn from(body: NewExpression) -> Self {
        Self {
            coalition: body.coalition,
            fields: ExpressionFields {
                action_areas: body.action_areas,
                motivation: body.motivation,
                contact_email: body.contact_email,
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Decision,
    #[schema(max_length = 5000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Decline,
}

impl From<DecisionRequest> for expressions::DecisionRequest {
    fn from(body: DecisionRequest) -> Self {
        Self {
            decision: match body.decision {
                Decision::Accept => expressions::Decision::Accept,
                Decision::Decline => expressions::Decision::Decline,
            },
            note: body.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpressionOfInterest {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(value_type = Id)]
    pub organization_id: String,
    #[schema(value_type = Slug)]
    pub coalition: String,
    pub status: ExpressionStatus,
    #[schema(max_items = 20)]
    pub action_areas: Vec<i32>,
    #[schema(max_length = 5000)]
    pub motivation: String,
    /// Personal data: shown to the organization, the coalition's leads and
    /// admins; `null` for viewers (dashboards).
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    #[schema(max_length = 5000)]
    pub decision_note: Option<String>,
    #[schema(value_type = Option<Id>)]
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Expression> for ExpressionOfInterest {
    fn from(expression: Expression) -> Self {
        let row = expression.row;
        Self {
            id: row.id,
            organization_id: row.organization_id,
            coalition: row.coalition_slug,
            status: row.status,
            action_areas: expression.action_areas,
            motivation: row.motivation,
            contact_email: expression.contact_email,
            decision_note: row.decision_note,
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(|t| t.and_utc()),
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl Listed for ExpressionOfInterest {
    const SCHEMA: &'static str = "ExpressionList";
    const CURSOR: &'static str = "expressions-of-interest";
}

pub type ExpressionList = Paged<ExpressionOfInterest>;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpressionQuery {
    #[param(value_type = Option<Slug>)]
    #[serde(default, deserialize_with = "crate::wire::text::optional_slug")]
    pub coalition: Option<String>,
    #[param(value_type = Option<ExpressionStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<Id>)]
    #[serde(default, deserialize_with = "crate::wire::text::optional_id")]
    pub organization: Option<String>,
}

impl TryFrom<ExpressionQuery> for ExpressionFilter {
    type Error = ApiError;

    fn try_from(query: ExpressionQuery) -> Result<Self, ApiError> {
        let status = query
            .status
            .map(|s| {
                ExpressionStatus::parse(&s)
                    .ok_or_else(|| ApiError::BadRequest(format!("status {s:?} is unknown")))
            })
            .transpose()?;
        Ok(Self {
            coalition: query.coalition,
            status,
            organization: query.organization,
        })
    }
}

fn one(expression: Expression, status: actix_web::http::StatusCode) -> HttpResponse {
    let body = ExpressionOfInterest::from(expression);
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(body.version));
    if status == actix_web::http::StatusCode::CREATED {
        let location = format!("/api/v1/expressions-of-interest/{}", body.id);
        response.insert_header((header::LOCATION, location));
    }
    response.json(body)
}

/// Expresses the caller's organization's interest in a coalition (makers).
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "create_expression_of_interest",
    request_body = NewExpression,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Pending", body = ExpressionOfInterest, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not a maker", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "One is already pending or accepted in this coalition", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/expressions-of-interest")]
pub async fn create_expression(
    req: HttpRequest,
    db: web::Data<Db>,
    user: AuthUser,
    key: IdempotencyKey,
    body: JsonContent<NewExpression>,
) -> ApiResult<HttpResponse> {
    let request = key.replayable(&req, &body.0);
    let render = |expression: &Expression| {
        let body = ExpressionOfInterest::from(expression.clone());
        let location = format!("/api/v1/expressions-of-interest/{}", body.id);
        stored(StatusCode::CREATED, Some(location), body.version, &body)
    };
    let kept =
        expressions::create_once(&db, user.0, body.0.map(Into::into), request, render).await?;
    Ok(answer(kept))
}

/// Expressions of interest the caller may see: its organization's (makers),
/// its coalitions' (leads), all (admins, viewers). Newest first.
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "list_expressions_of_interest",
    params(PageQuery, ExpressionQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page", body = ExpressionList, headers(("Link" = String))),
    )
)]
#[get("/expressions-of-interest")]
pub async fn list_expressions(
    req: HttpRequest,
    db: web::Data<Db>,
    user: AuthUser,
    cursors: web::Data<CursorCodec>,
    page: web::Query<PageQuery>,
    query: web::Query<ExpressionQuery>,
) -> ApiResult<HttpResponse> {
    let page = cursors.page::<ExpressionOfInterest>(&page)?;
    let filter = ExpressionFilter::try_from(query.into_inner())?;
    let listing = expressions::list(&db, user.0, filter, page).await?;
    Ok(paged(
        &req,
        &cursors,
        listing.map(ExpressionOfInterest::from),
    ))
}

/// One expression of interest, if the caller may see it.
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "get_expression_of_interest",
    params(("id" = String, Path, description = "Expression of interest id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "It", body = ExpressionOfInterest, headers(("ETag" = String))),
        (status = 404, description = "No such expression, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/expressions-of-interest/{id}")]
pub async fn get_expression(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let found = expressions::get(&db, user.0, id.into_inner()).await?;
    Ok(one(found, actix_web::http::StatusCode::OK))
}

/// Accepts or declines a pending expression (leads of its coalition, admins).
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "decide_expression_of_interest",
    params(("id" = String, Path, description = "Expression of interest id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided", body = ExpressionOfInterest, headers(("ETag" = String))),
        (status = 403, description = "Not a lead of this coalition", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such expression, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "No longer pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/expressions-of-interest/{id}/decision")]
pub async fn decide_expression(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    body: JsonContent<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.0.map(Into::into);
    let decided = expressions::decide(&db, user.0, id.into_inner(), request).await?;
    Ok(one(decided, actix_web::http::StatusCode::OK))
}

/// Withdraws a pending expression (its organization's makers).
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "withdraw_expression_of_interest",
    params(("id" = String, Path, description = "Expression of interest id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = ExpressionOfInterest, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of its organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such expression, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "No longer pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/expressions-of-interest/{id}/withdraw")]
pub async fn withdraw_expression(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let withdrawn = expressions::withdraw(&db, user.0, id.into_inner()).await?;
    Ok(one(withdrawn, actix_web::http::StatusCode::OK))
}
