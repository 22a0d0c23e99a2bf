//! What commitments look like on the wire, and how requests become the
//! inputs of the use cases.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::commitments::{MoveRequest, NewCommitment as NewCommitmentInput};
use crate::db::commitments::ReviewRow;
use crate::db::events::EventRow;
use crate::domain::commitment::{CommitmentStatus, CommitmentType, Move};
use crate::domain::commitment_content::{
    ContentEdit, ContentFields, IndicatorFields, PledgeFields,
};
use crate::routes::http::pagination::{Listed, Paged};
pub use crate::wire::commitment::{
    Commitment, CommitmentOrganization, CommitmentQuery, Indicator, Money,
};
use crate::wire::iso::CountryCodeSchema;
use crate::wire::text::{Id, ListItem, RegionName, Slug};

/// A measure of progress: reported against in progress reports.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    #[schema(min_length = 1, max_length = 300, example = "Girls trained in coding")]
    pub name: String,
    #[schema(min_length = 1, max_length = 100, example = "people")]
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

impl From<IndicatorInput> for IndicatorFields {
    fn from(i: IndicatorInput) -> Self {
        Self {
            name: i.name,
            unit: i.unit,
            baseline: i.baseline,
            target: i.target,
        }
    }
}

/// A new commitment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "coalition": "technology-innovation",
    "action_areas": [1, 4],
    "title": "Digital skills for 10,000 girls in rural Cambodia",
    "description": "Weekly coding clubs in 40 secondary schools, run with local women engineers.",
    "types": ["programmatic", "financial"],
    "pledge": {"amount": "250000.00", "currency": "EUR", "amount_usd": "270000.00"},
    "countries": ["KH"],
    "regions": ["Asia and the Pacific"],
    "start_year": 2022,
    "end_year": 2025,
    "partners": ["Ministry of Education, Youth and Sport"],
    "target_groups": ["Adolescent girls"],
    "indicators": [{"name": "Girls trained in coding", "unit": "people", "baseline": 0, "target": 10000}]
}))]
pub struct NewCommitment {
    /// Coalition slug.
    #[schema(value_type = Slug)]
    pub coalition: String,
    /// Numbers of the coalition's action areas, one or more.
    #[schema(min_items = 1, max_items = 20)]
    pub action_areas: Vec<i32>,
    #[schema(min_length = 3, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    #[schema(value_type = Vec<CommitmentType>, min_items = 1, max_items = 4)]
    pub types: Vec<String>,
    /// Required when `types` has `financial`.
    pub pledge: Option<Money>,
    #[serde(default)]
    #[schema(value_type = Vec<CountryCodeSchema>, max_items = 250)]
    pub countries: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<RegionName>, max_items = 20)]
    pub regions: Vec<String>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: i32,
    #[schema(minimum = 2000, maximum = 2100)]
    pub end_year: i32,
    #[serde(default)]
    #[schema(value_type = Vec<ListItem>, max_items = 50)]
    pub partners: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<ListItem>, max_items = 50)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Vec<IndicatorInput>,
}

impl From<NewCommitment> for NewCommitmentInput {
    fn from(body: NewCommitment) -> Self {
        Self {
            coalition: body.coalition,
            content: ContentFields {
                action_areas: body.action_areas,
                title: body.title,
                description: body.description,
                types: body.types,
                pledge: body.pledge.map(PledgeFields::from),
                countries: body.countries,
                regions: body.regions,
                start_year: body.start_year,
                end_year: body.end_year,
                partners: body.partners,
                target_groups: body.target_groups,
                indicators: body
                    .indicators
                    .into_iter()
                    .map(IndicatorFields::from)
                    .collect(),
            },
        }
    }
}

/// Changes to a commitment in `draft` or `changes_requested`; absent fields
/// stay, lists are replaced whole. `pledge: null` removes the pledge. The
/// result is checked whole, as a new commitment is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatch {
    #[schema(min_items = 1, max_items = 20)]
    pub action_areas: Option<Vec<i32>>,
    #[schema(min_length = 3, max_length = 200)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    #[schema(value_type = Option<Vec<CommitmentType>>, min_items = 1, max_items = 4)]
    pub types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::routes::http::body::present")]
    pub pledge: Option<Option<Money>>,
    #[schema(value_type = Option<Vec<CountryCodeSchema>>, max_items = 250)]
    pub countries: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<RegionName>>, max_items = 20)]
    pub regions: Option<Vec<String>>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: Option<i32>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub end_year: Option<i32>,
    #[schema(value_type = Option<Vec<ListItem>>, max_items = 50)]
    pub partners: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<ListItem>>, max_items = 50)]
    pub target_groups: Option<Vec<String>>,
    #[schema(max_items = 50)]
    pub indicators: Option<Vec<IndicatorInput>>,
}

impl From<CommitmentPatch> for ContentEdit {
    fn from(patch: CommitmentPatch) -> Self {
        Self {
            action_areas: patch.action_areas,
            title: patch.title,
            description: patch.description,
            types: patch.types,
            pledge: patch.pledge.map(|p| p.map(PledgeFields::from)),
            countries: patch.countries,
            regions: patch.regions,
            start_year: patch.start_year,
            end_year: patch.end_year,
            partners: patch.partners,
            target_groups: patch.target_groups,
            indicators: patch
                .indicators
                .map(|list| list.into_iter().map(IndicatorFields::from).collect()),
        }
    }
}

impl Listed for Commitment {
    const SCHEMA: &'static str = "CommitmentList";
    const CURSOR: &'static str = "commitments";
}

pub type CommitmentList = Paged<Commitment>;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    /// Why the commitment is withdrawn.
    #[schema(min_length = 1, max_length = 10000)]
    pub reason: String,
}

/// A coalition lead's decision on a commitment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "request_changes", "comment": "Please add a baseline for the indicator."}))]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    /// Required for `reject` and `request_changes`.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub comment: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
    RequestChanges,
    VerifyCompletion,
}

impl From<ReviewRequest> for MoveRequest {
    fn from(review: ReviewRequest) -> Self {
        Self {
            wanted: match review.decision {
                ReviewDecision::Approve => Move::Approve,
                ReviewDecision::Reject => Move::Reject,
                ReviewDecision::RequestChanges => Move::RequestChanges,
                ReviewDecision::VerifyCompletion => Move::VerifyCompletion,
            },
            words: review.comment,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(value_type = Id)]
    pub reviewer_id: String,
    #[schema(max_length = 20, example = "approve")]
    pub decision: String,
    #[schema(max_length = 10000)]
    pub comment: String,
    pub from_status: CommitmentStatus,
    pub to_status: CommitmentStatus,
    pub created_at: DateTime<Utc>,
}

impl From<ReviewRow> for Review {
    fn from(r: ReviewRow) -> Self {
        Self {
            id: r.id,
            reviewer_id: r.reviewer_id,
            decision: r.decision.as_str().to_owned(),
            comment: r.comment,
            from_status: r.from_status,
            to_status: r.to_status,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    #[schema(max_items = 10000)]
    pub items: Vec<Review>,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// Increases with every event written.
    #[schema(minimum = 1)]
    pub id: i64,
    /// What it is about: `commitment`, or one of its `progress_report`s.
    #[schema(max_length = 30)]
    pub subject: String,
    /// The id of the commitment or of the progress report.
    #[schema(value_type = Id)]
    pub subject_id: String,
    #[schema(max_length = 40)]
    pub action: String,
    #[schema(max_length = 40)]
    pub from_status: Option<String>,
    #[schema(max_length = 40)]
    pub to_status: Option<String>,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
    /// The account that acted.
    #[schema(value_type = Option<Id>)]
    pub actor_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EventRow> for Event {
    fn from(e: EventRow) -> Self {
        Self {
            id: e.id,
            subject: e.subject_type,
            subject_id: e.subject_id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: e.reason,
            actor_id: e.actor_id,
            created_at: e.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    #[schema(max_items = 100000)]
    pub items: Vec<Event>,
}
