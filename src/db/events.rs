//! Events: the audit trail of every transition and the dashboards' change feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
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
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)
        .map(|_| ())
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
