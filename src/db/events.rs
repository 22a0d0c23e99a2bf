//! Events: the audit trail of every transition and the dashboards' change feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

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
