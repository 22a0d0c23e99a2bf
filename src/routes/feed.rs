//! The public change feed over HTTP.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::http::pagination::{CursorCodec, Listed, PageQuery};
use crate::app::{PageRequest, feed};
use crate::db::Db;
use crate::db::events::EventRow;
use crate::error::ApiResult;
use crate::wire::text::{Id, Slug};

/// Where to read from: `after` is the `next_cursor` of the previous read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Events after this position; from the beginning when left out.
    #[param(max_length = 512, pattern = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Events per read, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Something that happened to a public commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEvent {
    /// Increases in the order events committed.
    #[schema(minimum = 1)]
    pub id: i64,
    /// `commitment`, or one of its `progress_report`s.
    #[schema(max_length = 30)]
    pub subject: String,
    #[schema(value_type = Id)]
    pub subject_id: String,
    #[schema(value_type = Option<Id>)]
    pub commitment_id: Option<String>,
    #[schema(value_type = Slug)]
    pub coalition: String,
    #[schema(value_type = Id)]
    pub organization_id: String,
    /// e.g. `approve`, `withdraw`, `file_report`, `claim_completion`, `verify_completion`.
    #[schema(max_length = 40)]
    pub action: String,
    #[schema(max_length = 40)]
    pub from_status: Option<String>,
    #[schema(max_length = 40)]
    pub to_status: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EventRow> for FeedEvent {
    fn from(e: EventRow) -> Self {
        Self {
            id: e.id,
            subject: e.subject_type,
            subject_id: e.subject_id,
            commitment_id: e.commitment_id,
            coalition: e.coalition_slug,
            organization_id: e.organization_id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            created_at: e.created_at.and_utc(),
        }
    }
}

impl Listed for FeedEvent {
    const SCHEMA: &'static str = "FeedEventList";
    const CURSOR: &'static str = "events";
}

/// A read of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    #[schema(max_items = 200)]
    pub items: Vec<FeedEvent>,
    /// Pass as `after` to read on: always set once anything was read, even
    /// when nothing new has happened yet (poll with it later).
    #[schema(max_length = 512)]
    pub next_cursor: Option<String>,
    /// Whether more events wait right now.
    pub more: bool,
}

/// The public change feed: approvals and withdrawals of public commitments,
/// progress reports on them, completions; nothing about drafts, submissions,
/// reviews in progress or people. Events come in the order they became
/// visible, which follows the order they committed (an event that depends
/// on another always comes after it), so a client that resumes from its
/// last cursor sees every event once, with no gap, even with many writers
/// at once. Ids are unique but, on PostgreSQL, not in that order: resume
/// with the cursor, not an id.
#[utoipa::path(
    tag = "figures",
    operation_id = "list_events",
    params(FeedQuery),
    responses(
        (status = 200, description = "Events after the cursor, oldest first", body = FeedPage,
            headers(("ETag" = String), ("Cache-Control" = String))),
    )
)]
#[get("/events")]
pub async fn list_events(
    db: web::Data<Db>,
    cursors: web::Data<CursorCodec>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let page_query = PageQuery {
        limit: query.limit,
        cursor: query.after,
    };
    let page: PageRequest = cursors.page::<FeedEvent>(&page_query)?;
    let read = feed::read(&db, page).await?;
    Ok(HttpResponse::Ok().json(FeedPage {
        next_cursor: read
            .resume_after
            .map(|id| cursors.encode(FeedEvent::CURSOR, &id.to_string())),
        more: read.more,
        items: read.events.into_iter().map(FeedEvent::from).collect(),
    }))
}
