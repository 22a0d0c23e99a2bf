//! Events: the audit trail of every transition and the dashboards' change feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::cached::{Cached, Value};
use super::schema::events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EventRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    pub commitment_id: Option<String>,
    pub coalition_slug: String,
    pub organization_id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub is_public: bool,
    pub created_at: NaiveDateTime,
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Commitment,
    ExpressionOfInterest,
    ProgressReport,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commitment => "commitment",
            Self::ExpressionOfInterest => "expression_of_interest",
            Self::ProgressReport => "progress_report",
        }
    }
}

/// A new event; the database numbers it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub subject_type: String,
    pub subject_id: String,
    pub commitment_id: Option<String>,
    pub coalition_slug: String,
    pub organization_id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub is_public: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert_event(conn: &mut DbConnection, event: &NewEvent) -> QueryResult<()> {
    insert_events(conn, std::slice::from_ref(event))
}

/// Writes events, numbered in commit order: on PostgreSQL an identity
/// column hands out numbers when rows are inserted, not when transactions
/// commit, so a reader of the feed could see number 11 committed before 10
/// and skip 10 for good. Every writer of events therefore takes one
/// transaction-scoped lock first: the next writer numbers its events only
/// once this one has committed. SQLite has one writer at a time already.
/// Callers write their events last, after every other row they change.
pub fn insert_events(conn: &mut DbConnection, new: &[NewEvent]) -> QueryResult<()> {
    if new.is_empty() {
        return Ok(());
    }
    if let DbConnection::Postgresql(pg) = conn {
        const FEED: i64 = 0x0067_6566_5f66_6565; // "gef_fee"
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({FEED})")).execute(pg)?;
    }
    match conn {
        DbConnection::Sqlite(sqlite) => {
            for event in new {
                Cached::<InsertEvent>::new(event.values()).execute(sqlite)?;
            }
        }
        DbConnection::Postgresql(pg) => {
            for chunk in new.chunks(200) {
                diesel::insert_into(events::table)
                    .values(chunk)
                    .execute(pg)?;
            }
        }
    }
    Ok(())
}

crate::kept_statements! {
    /// One event (SQLite, kept prepared).
    pub(super) InsertEvent = "INSERT INTO events (subject_type, subject_id, commitment_id, \
        coalition_slug, organization_id, actor_id, action, from_status, to_status, reason, \
        is_public, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
}

impl NewEvent {
    /// Its values, in `InsertEvent`'s order.
    fn values(&self) -> [Value<'_>; 12] {
        [
            (&self.subject_type).into(),
            (&self.subject_id).into(),
            self.commitment_id.as_ref().into(),
            (&self.coalition_slug).into(),
            (&self.organization_id).into(),
            self.actor_id.as_ref().into(),
            (&self.action).into(),
            self.from_status.as_ref().into(),
            self.to_status.as_ref().into(),
            self.reason.as_ref().into(),
            self.is_public.into(),
            self.created_at.into(),
        ]
    }
}

/// A commitment's trail, oldest first: its own moves and edits, and what
/// happened to its progress reports.
pub fn commitment_trail(
    conn: &mut DbConnection,
    commitment_id: &str,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::commitment_id.eq(commitment_id))
        .order(events::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// Public events after `after` (an event id), oldest first: the feed.
pub fn public_after(
    conn: &mut DbConnection,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let mut query = events::table
        .filter(events::is_public.eq(true))
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(events::id.gt(after));
    }
    query.order(events::id.asc()).limit(limit).load(conn)
}
