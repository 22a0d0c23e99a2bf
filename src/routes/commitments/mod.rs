//! Commitments over HTTP: creation by makers, edits while in draft or sent
//! back, lists with filters, and the moves of their lifecycle. Each handler
//! parses, calls one use case of `app::commitments`, and answers.

pub mod dto;
pub mod render;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use self::dto::{
    Commitment, CommitmentList, CommitmentPatch, CommitmentQuery, EventList, NewCommitment,
    ReviewList, ReviewRequest, WithdrawRequest,
};
use self::render::{Renderings, page_etag};
use super::http::body::JsonContent;
use super::http::idempotency::StoredAnswer;
use super::http::idempotency::{IdempotencyKey, answer, stored};
use super::http::pagination::{CursorCodec, Listed, PageQuery, link_next};
use super::http::precondition::{IfMatch, dated_etag};
use super::http::today::Today;
use crate::app::{AppResult, Listing, commitments};
use crate::db::Db;
use crate::db::commitments::{CommitmentRecord, CommitmentView};
use crate::error::{ApiError, ApiResult, Problem};
use crate::routes::http::extractor::{AuthUser, MaybeAuthUser};

/// A commitment as the answer: 200 (or 201 with `Location`), with its `ETag`
/// (its version, then its reporting health, which the date can change).
fn single(commitment: Commitment, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    let health = commitment.reporting_health.map(|h| h.as_str());
    response.insert_header(dated_etag(commitment.version, health));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, location(&commitment)));
    }
    response.json(commitment)
}

fn location(commitment: &Commitment) -> String {
    format!("/api/v1/commitments/{}", commitment.id)
}

/// Creates a draft commitment for the caller's organization, in a coalition
/// whose expression of interest was accepted. `Idempotency-Key` makes retries safe.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_commitment",
    request_body = NewCommitment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created as a draft", body = Commitment,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a maker, or no accepted expression of interest in this coalition", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the key was used for another request", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/commitments")]
pub async fn create_commitment(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    key: IdempotencyKey,
    body: JsonContent<NewCommitment>,
) -> ApiResult<HttpResponse> {
    let replayable = key.replayable(&req, &body.0);
    let render = |record: &CommitmentRecord| {
        let commitment = Commitment::from(record.clone());
        stored(
            StatusCode::CREATED,
            Some(location(&commitment)),
            commitment.version,
            &commitment,
        )
    };
    let new = body.0.map(Into::into);
    let kept = commitments::create(&db, today.0, user.0, new, replayable, render).await?;
    Ok(answer(kept))
}

/// Commitments the caller may see, newest first: public ones for everyone,
/// plus one's own organization's (makers) and one's coalitions' submissions (leads).
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_commitments",
    params(PageQuery, CommitmentQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of commitments", body = CommitmentList, headers(("Link" = String))),
    )
)]
#[get("/commitments")]
// Each argument is an extractor actix fills in.
#[allow(clippy::too_many_arguments)]
pub async fn list_commitments(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: MaybeAuthUser,
    cursors: web::Data<CursorCodec>,
    renderings: web::Data<Renderings>,
    page: web::Query<PageQuery>,
    query: web::Query<CommitmentQuery>,
) -> ApiResult<HttpResponse> {
    let page = cursors.page::<Commitment>(&page)?;
    let filter = query
        .into_inner()
        .into_filter(today.0)
        .map_err(|e| ApiError::BadRequest(e.message))?;
    let listing = commitments::list(&db, today.0, user.0, filter, page).await?;
    Ok(rendered_page(&req, &cursors, &renderings, listing))
}

/// A page of commitments (`CommitmentList`) from their kept renderings,
/// with a weak `ETag` of the states it shows and `Link` to the next page.
fn rendered_page(
    req: &HttpRequest,
    cursors: &CursorCodec,
    renderings: &Renderings,
    listing: Listing<CommitmentView>,
) -> HttpResponse {
    let next_cursor = listing
        .next_after
        .map(|last| cursors.encode(Commitment::CURSOR, &last));
    let mut body = Vec::with_capacity(64 + listing.items.len() * 1200);
    let mut stamps = Vec::with_capacity(listing.items.len());
    body.extend_from_slice(br#"{"items":["#);
    for (i, view) in listing.items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let (json, stamp) = renderings.json(view);
        body.extend_from_slice(&json);
        stamps.push(stamp);
    }
    body.extend_from_slice(br#"],"next_cursor":"#);
    body.extend_from_slice(
        serde_json::to_string(&next_cursor)
            .unwrap_or_else(|_| "null".into())
            .as_bytes(),
    );
    body.push(b'}');
    let mut response = HttpResponse::Ok();
    link_next(&mut response, req, next_cursor.as_deref());
    response
        .content_type("application/json")
        .insert_header((header::ETAG, page_etag(&stamps, next_cursor.as_deref())))
        .body(body)
}

/// One commitment, if the caller may see it.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_commitment",
    params(("id" = String, Path, description = "Commitment id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The commitment", body = Commitment, headers(("ETag" = String))),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    db: web::Data<Db>,
    today: Today,
    user: MaybeAuthUser,
    renderings: web::Data<Renderings>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let view = commitments::view(&db, today.0, user.0, id.into_inner()).await?;
    let health = view.reporting_health.map(|h| h.as_str());
    let etag = dated_etag(view.parts.row.version, health);
    let (json, _) = renderings.json(&view);
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(etag)
        .body(json))
}

/// Edits a commitment in `draft` or `changes_requested` (its organization's makers).
#[utoipa::path(
    tag = "commitments",
    operation_id = "update_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = CommitmentPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Not editable in its state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/commitments/{id}")]
pub async fn update_commitment(
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonContent<CommitmentPatch>,
) -> ApiResult<HttpResponse> {
    let edit = body.0.map(Into::into);
    let record =
        commitments::update(&db, today.0, user.0, id.into_inner(), if_match.0, edit).await?;
    Ok(single(record.into(), StatusCode::OK))
}

/// Submits a draft (or a commitment sent back for changes) for review, inside
/// the coalition's submission window.
#[utoipa::path(
    tag = "commitments",
    operation_id = "submit_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Submitted", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it, or the submission window is closed", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/submit")]
pub async fn submit_commitment(
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let record = commitments::submit(&db, today.0, user.0, id.into_inner(), if_match.0).await?;
    Ok(single(record.into(), StatusCode::OK))
}

/// Withdraws a commitment (its makers), with a reason.
#[utoipa::path(
    tag = "commitments",
    operation_id = "withdraw_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = WithdrawRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/withdraw")]
pub async fn withdraw_commitment(
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonContent<WithdrawRequest>,
) -> ApiResult<HttpResponse> {
    let reason = body.0.map(|b| b.reason);
    let record =
        commitments::withdraw(&db, today.0, user.0, id.into_inner(), if_match.0, reason).await?;
    Ok(single(record.into(), StatusCode::OK))
}

/// A coalition lead's review: approve, reject (final, comment required),
/// request changes (comment required), or verify a claimed completion.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_review",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided; the commitment in its new state", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a lead of this coalition", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A comment is required", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/reviews")]
// Each argument is an extractor actix fills in.
#[allow(clippy::too_many_arguments)]
pub async fn create_review(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    key: IdempotencyKey,
    body: JsonContent<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let request = key.replayable(&req, &body.0);
    let review = body.0.map(Into::into);
    let (id, precondition) = (id.into_inner(), if_match.0);
    let (today, actor) = (today.0, user.0);
    let kept = commitments::review_once(
        &db,
        today,
        actor,
        id,
        precondition,
        review,
        request,
        reviewed,
    )
    .await?;
    Ok(answer(kept))
}

/// A reviewed commitment as the answer to keep: 200, its dated `ETag`.
fn reviewed(record: &CommitmentRecord) -> AppResult<StoredAnswer> {
    let commitment = Commitment::from(record.clone());
    let health = commitment.reporting_health.map(|h| h.as_str());
    let etag = dated_etag(commitment.version, health).to_string();
    let mut kept = stored(StatusCode::OK, None, commitment.version, &commitment)?;
    kept.etag = Some(etag);
    Ok(kept)
}

/// The reviews of a commitment, oldest first.
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_reviews",
    params(("id" = String, Path, description = "Commitment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its reviews", body = ReviewList),
        (status = 404, description = "No such commitment, or not one whose reviews the caller may read", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/reviews")]
pub async fn list_reviews(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let reviews = commitments::reviews(&db, user.0, id.into_inner()).await?;
    let items = reviews.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(ReviewList { items }))
}

/// The audit trail of a commitment: every transition, oldest first.
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_commitment_events",
    params(("id" = String, Path, description = "Commitment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its events", body = EventList),
        (status = 404, description = "No such commitment, or not one whose trail the caller may read", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/events")]
pub async fn list_commitment_events(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let events = commitments::events(&db, user.0, id.into_inner()).await?;
    let items = events.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(EventList { items }))
}
