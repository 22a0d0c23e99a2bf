//! Expressions of interest: an organization asks to join a coalition; the
//! coalition's leads accept or decline. Commitments come after acceptance.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::pagination::{CursorCodec, PageQuery, link_next};
use super::precondition::etag;
use crate::auth::AuthUser;
use crate::auth::extractor::denied;
use crate::db::events::{self, NewEvent};
use crate::db::expressions::{
    self as queries, ExpressionChanges, ExpressionFilter, ExpressionOfInterestActionAreaRow,
    ExpressionOfInterestRow,
};
use crate::db::{self, Db, DbConnection, reference, users};
use crate::domain::account::Email;
use crate::domain::expression::{self as rules, ExpressionStatus};
use crate::domain::policy::{Action, Actor, Visibility, authorize};
use crate::domain::validation::{Checks, FieldError};
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"coalition": "technology-innovation", "action_areas": [1, 4],
    "motivation": "We run coding clubs for girls in 12 provinces.", "contact_email": "sokha@digitalsisters.example.org"}))]
pub struct NewExpression {
    /// Coalition slug.
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpressionOfInterest {
    pub id: String,
    pub organization_id: String,
    pub coalition: String,
    pub status: ExpressionStatus,
    pub action_areas: Vec<i32>,
    pub motivation: String,
    pub contact_email: String,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpressionList {
    pub items: Vec<ExpressionOfInterest>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpressionQuery {
    pub coalition: Option<String>,
    #[param(value_type = Option<ExpressionStatus>)]
    pub status: Option<String>,
    pub organization: Option<String>,
}

const LIST: &str = "expressions-of-interest";

fn assemble(
    conn: &mut DbConnection,
    rows: Vec<ExpressionOfInterestRow>,
) -> ApiResult<Vec<ExpressionOfInterest>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let areas = queries::areas_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            Ok(ExpressionOfInterest {
                status: ExpressionStatus::parse(&row.status).ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("expression {} has a bad status", row.id))
                })?,
                action_areas: areas
                    .iter()
                    .filter(|a| a.expression_of_interest_id == row.id)
                    .map(|a| a.number)
                    .collect(),
                id: row.id,
                organization_id: row.organization_id,
                coalition: row.coalition_slug,
                motivation: row.motivation,
                contact_email: row.contact_email,
                decision_note: row.decision_note,
                decided_by: row.decided_by,
                decided_at: row.decided_at.map(|t| t.and_utc()),
                version: row.version,
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            })
        })
        .collect()
}

fn one(conn: &mut DbConnection, row: ExpressionOfInterestRow) -> ApiResult<ExpressionOfInterest> {
    assemble(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("this expression of interest"))
}

fn visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<ExpressionOfInterestRow> {
    queries::find_expression(conn, id)?
        .filter(|row| {
            Visibility::of(Some(actor)).sees_expression(&row.organization_id, &row.coalition_slug)
        })
        .ok_or_else(|| ApiError::not_found("this expression of interest"))
}

fn event(
    row: &ExpressionOfInterestRow,
    actor: &Actor,
    action: &str,
    from: Option<&str>,
    to: &str,
    reason: Option<String>,
) -> NewEvent {
    NewEvent {
        subject_type: "expression_of_interest".into(),
        subject_id: row.id.clone(),
        commitment_id: None,
        coalition_slug: row.coalition_slug.clone(),
        organization_id: row.organization_id.clone(),
        actor_id: Some(actor.user_id.clone()),
        action: action.into(),
        from_status: from.map(str::to_owned),
        to_status: Some(to.into()),
        reason,
        is_public: false,
        created_at: db::now(),
    }
}

/// Expresses the caller's organization's interest in a coalition (makers).
#[utoipa::path(
    tag = "expressions of interest",
    operation_id = "create_expression_of_interest",
    request_body = NewExpression,
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
    db: web::Data<Db>,
    user: AuthUser,
    body: JsonBody<NewExpression>,
) -> ApiResult<HttpResponse> {
    authorize(Some(&user.0), Action::ActForOrganization).map_err(denied)?;
    let (actor, body) = (user.0, body.into_inner());
    let created = db
        .write(move |conn| {
            let organization_id = actor.organization_id.clone().unwrap_or_default();
            let mut checks = Checks::new();
            let coalition = reference::find_coalition(conn, &body.coalition)?;
            if coalition.is_none() {
                checks.push(FieldError::new("coalition", "unknown_coalition", format!("{:?} is not a coalition", body.coalition)));
            }
            let numbers = reference::action_area_numbers(conn, &body.coalition)?;
            let mut areas: Vec<i32> = Vec::new();
            for (i, n) in body.action_areas.iter().enumerate() {
                if coalition.is_some() && !numbers.contains(n) {
                    checks.push(FieldError::new(format!("action_areas[{i}]"), "unknown_action_area", format!("this coalition has no action area {n}")));
                } else if !areas.contains(n) {
                    areas.push(*n);
                }
            }
            if body.motivation.chars().count() > 5000 {
                checks.push(FieldError::new("motivation", "length", "motivation is at most 5000 characters"));
            }
            let contact = match &body.contact_email {
                Some(email) => checks.field("contact_email", Email::parse(email)).map(|e| e.as_str().to_owned()),
                None => users::find_user(conn, &actor.user_id)?.map(|u| u.user.email),
            };
            let (coalition, contact) = checks.finish(|| Some((coalition?, contact?))).map_err(ApiError::Validation)?;
            let now = db::now();
            let row = ExpressionOfInterestRow {
                id: db::new_id(),
                organization_id,
                coalition_slug: coalition.slug.clone(),
                status: ExpressionStatus::Pending.as_str().into(),
                motivation: body.motivation.trim().to_owned(),
                contact_email: contact,
                decision_note: None,
                decided_by: None,
                decided_at: None,
                created_by: actor.user_id.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let area_rows: Vec<ExpressionOfInterestActionAreaRow> = areas
                .iter()
                .map(|n| ExpressionOfInterestActionAreaRow { expression_of_interest_id: row.id.clone(), coalition_slug: coalition.slug.clone(), number: *n })
                .collect();
            queries::insert_expression(conn, &row, &area_rows).map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
                    code: "already_expressed",
                    detail: format!("your organization already has a pending or accepted expression of interest in {}", coalition.slug),
                },
                other => other.into(),
            })?;
            events::insert_event(conn, &event(&row, &actor, "create", None, "pending", None))?;
            one(conn, row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/expressions-of-interest/{}", created.id),
        ))
        .insert_header(etag(created.version))
        .json(created))
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
    let page = cursors.page(LIST, &page)?;
    let query = query.into_inner();
    if let Some(status) = &query.status {
        ExpressionStatus::parse(status)
            .ok_or_else(|| ApiError::BadRequest(format!("status {status:?} is unknown")))?;
    }
    let seen = match Visibility::of(Some(&user.0)) {
        Visibility::Everything | Visibility::AllButDrafts => None,
        Visibility::PublicAnd {
            organization_id,
            coalitions,
        } => Some((organization_id, coalitions)),
    };
    let filter = ExpressionFilter {
        coalition: query.coalition,
        status: query.status,
        organization: query.organization,
        seen,
    };
    let (before, fetch) = (page.after.clone(), page.fetch());
    let rows = db
        .run(move |conn| {
            queries::list_expressions(conn, &filter, before.as_deref(), fetch)
                .map_err(ApiError::from)
        })
        .await?;
    let (rows, next_cursor) = cursors.finish(LIST, &page, rows, |row| row.id.clone());
    let items = db.run(move |conn| assemble(conn, rows)).await?;
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(ExpressionList { items, next_cursor }))
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
    let (actor, id) = (user.0, id.into_inner());
    let found = db
        .run(move |conn| {
            let row = visible(conn, &actor, &id)?;
            one(conn, row)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(found.version))
        .json(found))
}

/// Moves a pending expression to `to`, checking who may and that it is still pending.
fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: &str,
    to: ExpressionStatus,
    note: Option<String>,
) -> ApiResult<ExpressionOfInterest> {
    let row = visible(conn, actor, id)?;
    let allowed = if !to.is_decision() {
        authorize(
            Some(actor),
            Action::WithdrawExpression {
                organization_id: &row.organization_id,
            },
        )
    } else {
        authorize(
            Some(actor),
            Action::DecideExpression {
                coalition: &row.coalition_slug,
            },
        )
    };
    allowed.map_err(denied)?;
    let from = ExpressionStatus::parse(&row.status).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("expression {} has a bad status", row.id))
    })?;
    rules::transition(from, to).map_err(|from| ApiError::Conflict {
        code: "invalid_transition",
        detail: format!(
            "an expression of interest in {} cannot be {}",
            from.as_str(),
            to.as_str()
        ),
    })?;
    let now = db::now();
    let decided = to.is_decision();
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let changes = ExpressionChanges {
        status: Some(to.as_str().into()),
        decision_note: decided.then(|| note.clone()),
        decided_by: decided.then(|| Some(actor.user_id.clone())),
        decided_at: decided.then_some(Some(now)),
        version: Some(row.version + 1),
        updated_at: Some(now),
    };
    if !queries::update_expression(conn, &row.id, row.version, &changes)? {
        return Err(ApiError::PreconditionFailed(
            "the expression changed meanwhile: reload and retry".into(),
        ));
    }
    events::insert_event(
        conn,
        &event(&row, actor, action, Some(from.as_str()), to.as_str(), note),
    )?;
    let updated = queries::find_expression(conn, &row.id)?
        .ok_or_else(|| ApiError::not_found("this expression of interest"))?;
    one(conn, updated)
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
    body: JsonBody<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    let (actor, id, body) = (user.0, id.into_inner(), body.into_inner());
    if body.note.as_ref().is_some_and(|n| n.chars().count() > 5000) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "note",
            "length",
            "note is at most 5000 characters",
        )]));
    }
    let (action, to) = match body.decision {
        Decision::Accept => ("accept", ExpressionStatus::Accepted),
        Decision::Decline => ("decline", ExpressionStatus::Declined),
    };
    let decided = db
        .write(move |conn| decide(conn, &actor, &id, action, to, body.note))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(decided.version))
        .json(decided))
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
    let (actor, id) = (user.0, id.into_inner());
    let withdrawn = db
        .write(move |conn| {
            decide(
                conn,
                &actor,
                &id,
                "withdraw",
                ExpressionStatus::Withdrawn,
                None,
            )
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(withdrawn.version))
        .json(withdrawn))
}
