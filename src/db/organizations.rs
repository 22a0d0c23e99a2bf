//! Organizations: the commitment makers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::organizations;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = organizations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub constituency: String,
    pub country: String,
    pub un_region: Option<String>,
    pub website: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
