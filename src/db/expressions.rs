//! Expressions of interest: an organization asking to join a coalition.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{expression_of_interest_action_areas, expressions_of_interest};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = expressions_of_interest)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExpressionOfInterestRow {
    pub id: String,
    pub organization_id: String,
    pub coalition_slug: String,
    pub status: String,
    pub motivation: String,
    pub contact_email: String,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expression_of_interest_action_areas)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExpressionOfInterestActionAreaRow {
    pub expression_of_interest_id: String,
    pub coalition_slug: String,
    pub number: i32,
}
