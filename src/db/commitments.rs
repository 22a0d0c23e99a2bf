//! Commitments, their lists (action areas, types, countries, regions,
//! partners, target groups, indicators), references and reviews.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    reference_counters, reviews,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = commitments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRow {
    pub id: String,
    pub reference: String,
    pub organization_id: String,
    pub coalition_slug: String,
    pub status: String,
    pub title: String,
    pub description: String,
    pub pledge_amount_minor: Option<i64>,
    pub pledge_currency: Option<String>,
    pub pledge_usd_minor: Option<i64>,
    pub start_year: i32,
    pub end_year: i32,
    pub version: i32,
    pub created_by: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_action_areas)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentActionAreaRow {
    pub commitment_id: String,
    pub coalition_slug: String,
    pub number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_types)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentTypeRow {
    pub commitment_id: String,
    pub commitment_type: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_countries)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentCountryRow {
    pub commitment_id: String,
    pub country: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_regions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRegionRow {
    pub commitment_id: String,
    pub region: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_partners)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentPartnerRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_target_groups)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentTargetGroupRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitment_indicators)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentIndicatorRow {
    pub commitment_id: String,
    pub position: i32,
    pub name: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reference_counters)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReferenceCounterRow {
    pub coalition_slug: String,
    pub year: i32,
    pub last_number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReviewRow {
    pub id: String,
    pub commitment_id: String,
    pub reviewer_id: String,
    pub decision: String,
    pub comment: String,
    pub from_status: String,
    pub to_status: String,
    pub created_at: NaiveDateTime,
}
