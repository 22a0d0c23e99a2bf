//! Events: the audit trail of every transition and the dashboards' change feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::cached::{Cached, PgKept, Statement, Value};
use super::schema::events;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};

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

/// Writes events. Callers write their events last, after every other row
/// they change. No lock is taken: the feed's order is each event's
/// `position`, handed out once it is visible (`publish`) rather than as it
/// is inserted, so a writer never waits for another's commit here.
pub fn insert_events(conn: &mut DbConnection, new: &[NewEvent]) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(sqlite) => {
            for event in new {
                Cached::<InsertEvent>::new(event.values()).execute(sqlite)?;
            }
        }
        DbConnection::Postgresql(pg) if new.len() == 1 => {
            new[0].bind_pg(PgKept::<InsertEventPg>::new()).execute(pg)?;
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

/// Gives the events that are visible and have no position yet the next
/// positions, in id order, one publisher at a time; how many.
///
/// On PostgreSQL an id is handed out when an event is inserted, not when
/// its transaction commits, so ids alone could show 11 before 10 commits,
/// and a reader past 11 would skip 10 for good. A position is handed out
/// only to what this publisher's snapshot sees, after every position the
/// publisher before it gave (it holds the lock until it commits), so
/// positions only ever appear in order. An event that depends on another
/// (a review after the submission it reviews) committed after it and was
/// inserted after it: it is never published first. SQLite commits one
/// writer at a time and gives the position as the event is inserted.
pub fn publish(conn: &mut DbConnection) -> QueryResult<usize> {
    let DbConnection::Postgresql(_) = conn else {
        return Ok(0);
    };
    conn.transaction(|conn| {
        const FEED: i64 = 0x0067_6566_5f66_6565; // "gef_fee"
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({FEED})")).execute(conn)?;
        diesel::sql_query(
            "UPDATE events SET position = next.position \
             FROM (SELECT id, (SELECT COALESCE(MAX(position), 0) FROM events) \
                              + row_number() OVER (ORDER BY id) AS position \
                   FROM events WHERE position IS NULL) AS next \
             WHERE events.id = next.id",
        )
        .execute(conn)
    })
}

crate::kept_statements! {
    /// One event (SQLite, kept prepared).
    pub(super) InsertEvent = "INSERT INTO events (subject_type, subject_id, commitment_id, \
        coalition_slug, organization_id, actor_id, action, from_status, to_status, reason, \
        is_public, created_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
        (SELECT IFNULL(MAX(position), 0) + 1 FROM events))";
    /// One event on PostgreSQL (its position comes with `publish`).
    pub(super) InsertEventPg = "INSERT INTO events (subject_type, subject_id, commitment_id, \
        coalition_slug, organization_id, actor_id, action, from_status, to_status, reason, \
        is_public, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
}

impl NewEvent {
    /// Binds its values, in `InsertEventPg`'s order, as the next of `query`'s.
    pub(in crate::db) fn bind_pg<'a, S: Statement>(
        &'a self,
        query: PgKept<'a, S>,
    ) -> PgKept<'a, S> {
        query
            .bind::<Text, _>(&self.subject_type)
            .bind::<Text, _>(&self.subject_id)
            .bind::<Nullable<Text>, _>(&self.commitment_id)
            .bind::<Text, _>(&self.coalition_slug)
            .bind::<Text, _>(&self.organization_id)
            .bind::<Nullable<Text>, _>(&self.actor_id)
            .bind::<Text, _>(&self.action)
            .bind::<Nullable<Text>, _>(&self.from_status)
            .bind::<Nullable<Text>, _>(&self.to_status)
            .bind::<Nullable<Text>, _>(&self.reason)
            .bind::<Bool, _>(self.is_public)
            .bind::<Timestamp, _>(self.created_at)
    }

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

/// Public events after `after` (a position), oldest first, with their
/// positions: the feed.
pub fn public_after(
    conn: &mut DbConnection,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(i64, EventRow)>> {
    let mut query = events::table
        .filter(events::is_public.eq(true))
        .filter(events::position.is_not_null())
        .select((events::position.assume_not_null(), EventRow::as_select()))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(events::position.gt(after));
    }
    query.order(events::position.asc()).limit(limit).load(conn)
}
