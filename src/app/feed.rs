//! The public change feed: what happened to public commitments, in the
//! order it became visible (`db::events::publish`), for dashboards to
//! sync from incrementally.

use super::{AppError, AppResult, PageRequest};
use crate::db::Db;
use crate::db::events::{self, EventRow};

/// A page of the feed, and where to resume: after its last event, or where
/// the request started when nothing new has happened.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub events: Vec<EventRow>,
    pub resume_after: Option<i64>,
    pub more: bool,
}

/// Public events after the position in `page`, oldest first.
pub async fn read(db: &Db, page: PageRequest) -> AppResult<FeedPage> {
    let after = page
        .after
        .as_deref()
        .map(str::parse::<i64>)
        .transpose()
        .map_err(|_| {
            AppError::Internal(anyhow::anyhow!("a signed feed cursor holds no event id"))
        })?;
    db.run(move |conn| {
        events::publish(conn)?;
        let mut rows = events::public_after(conn, after, page.fetch())?;
        let more = rows.len() > page.limit as usize;
        rows.truncate(page.limit as usize);
        let resume_after = rows.last().map(|(position, _)| *position).or(after);
        Ok(FeedPage {
            events: rows.into_iter().map(|(_, event)| event).collect(),
            resume_after,
            more,
        })
    })
    .await
}
