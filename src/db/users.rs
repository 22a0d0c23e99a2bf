//! Accounts and the coalitions a lead is scoped to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{user_coalitions, users};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub organization_id: Option<String>,
    pub active: bool,
    pub tokens_valid_after: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_coalitions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserCoalitionRow {
    pub user_id: String,
    pub coalition_slug: String,
}
