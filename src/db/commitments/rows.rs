//! The rows of a commitment and of its lists, and the lists a content becomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    reference_counters, reviews,
};
use crate::domain::commitment::{CommitmentStatus, CommitmentType, Move};
use crate::domain::commitment_content::Content;
use crate::domain::policy::CommitmentScope;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = commitments)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommitmentRow {
    pub id: String,
    pub reference: String,
    pub organization_id: String,
    pub coalition_slug: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: CommitmentStatus,
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

impl CommitmentRow {
    /// What visibility looks at.
    pub fn scope(&self) -> CommitmentScope<'_> {
        CommitmentScope {
            organization_id: &self.organization_id,
            coalition: &self.coalition_slug,
            status: self.status,
            submitted: self.submitted_at.is_some(),
        }
    }
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
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub commitment_type: CommitmentType,
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
#[diesel(treat_none_as_default_value = false)]
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
#[diesel(treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReviewRow {
    pub id: String,
    pub commitment_id: String,
    pub reviewer_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub decision: Move,
    pub comment: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub from_status: CommitmentStatus,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub to_status: CommitmentStatus,
    pub created_at: NaiveDateTime,
}

/// The lists of commitments, as rows.
#[derive(Debug, Clone, Default)]
pub(super) struct CommitmentLists {
    pub(super) action_areas: Vec<CommitmentActionAreaRow>,
    pub(super) types: Vec<CommitmentTypeRow>,
    pub(super) countries: Vec<CommitmentCountryRow>,
    pub(super) regions: Vec<CommitmentRegionRow>,
    pub(super) partners: Vec<CommitmentPartnerRow>,
    pub(super) target_groups: Vec<CommitmentTargetGroupRow>,
    pub(super) indicators: Vec<CommitmentIndicatorRow>,
}

impl CommitmentLists {
    /// The rows a content becomes.
    pub(super) fn of(id: &str, coalition: &str, content: &Content) -> Self {
        let position = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
        let named = |names: &[String]| -> Vec<(i32, String)> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (position(i), n.clone()))
                .collect()
        };
        Self {
            action_areas: content
                .action_areas
                .iter()
                .map(|n| CommitmentActionAreaRow {
                    commitment_id: id.into(),
                    coalition_slug: coalition.into(),
                    number: *n,
                })
                .collect(),
            types: content
                .types
                .iter()
                .map(|t| CommitmentTypeRow {
                    commitment_id: id.into(),
                    commitment_type: *t,
                })
                .collect(),
            countries: content
                .countries
                .iter()
                .map(|c| CommitmentCountryRow {
                    commitment_id: id.into(),
                    country: c.as_str().into(),
                })
                .collect(),
            regions: content
                .regions
                .iter()
                .map(|r| CommitmentRegionRow {
                    commitment_id: id.into(),
                    region: r.clone(),
                })
                .collect(),
            partners: named(&content.partners)
                .into_iter()
                .map(|(position, name)| CommitmentPartnerRow {
                    commitment_id: id.into(),
                    position,
                    name,
                })
                .collect(),
            target_groups: named(&content.target_groups)
                .into_iter()
                .map(|(position, name)| CommitmentTargetGroupRow {
                    commitment_id: id.into(),
                    position,
                    name,
                })
                .collect(),
            indicators: content
                .indicators
                .iter()
                .enumerate()
                .map(|(i, x)| CommitmentIndicatorRow {
                    commitment_id: id.into(),
                    position: position(i),
                    name: x.name.clone(),
                    unit: x.unit.clone(),
                    baseline: x.baseline,
                    target: x.target,
                })
                .collect(),
        }
    }
}
