//! Commitments: creation by makers, edits while in draft or sent back,
//! lists with filters, and the moves of their lifecycle.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::body::JsonBody;
use super::idempotency::{self, IdempotencyKey, Kept};
use super::iso::{CountryCodeSchema, CurrencyCodeSchema};
use super::pagination::{CursorCodec, PageQuery, link_next};
use super::precondition::{IfMatch, etag};
use super::validation::field_errors;
use crate::auth::extractor::denied;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::db::commitments::{
    self as queries, CommitmentActionAreaRow, CommitmentChanges, CommitmentCountryRow,
    CommitmentFilter, CommitmentIndicatorRow, CommitmentLists, CommitmentPartnerRow,
    CommitmentRegionRow, CommitmentRow, CommitmentTargetGroupRow, CommitmentTypeRow, ReviewRow,
    Seen,
};
use crate::db::events::{self, NewEvent};
use crate::db::organizations::{self as organization_queries, OrganizationRow};
use crate::db::{self, Db, DbConnection, expressions, reference};
use crate::domain::coalition::SubmissionWindow;
use crate::domain::commitment::{self as rules, CommitmentStatus, CommitmentType, Move, Refusal};
use crate::domain::commitment_content::{
    CoalitionRules, Content, ContentFields, IndicatorFields, PledgeFields,
};
use crate::domain::country::CountryCode;
use crate::domain::money::Amount;
use crate::domain::organization::Constituency;
use crate::domain::policy::{self, Action, Actor, Visibility, authorize};
use crate::domain::validation::FieldError;
use crate::error::{ApiError, ApiResult, Problem};

/// An amount of money: a decimal string with its currency and USD equivalent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "250000.00", "currency": "EUR", "amount_usd": "270000.00"}))]
pub struct Money {
    /// Non-negative, at most two decimals, at most 10^15.
    #[schema(pattern = r"^[0-9]{1,16}(\.[0-9]{1,2})?$", example = "250000.00")]
    pub amount: String,
    #[schema(value_type = CurrencyCodeSchema)]
    pub currency: String,
    /// The USD equivalent; may be left out when `currency` is `USD`.
    #[schema(pattern = r"^[0-9]{1,16}(\.[0-9]{1,2})?$")]
    pub amount_usd: Option<String>,
}

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
    #[schema(max_items = 20)]
    pub regions: Vec<String>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: i32,
    #[schema(minimum = 2000, maximum = 2100)]
    pub end_year: i32,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub partners: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Vec<IndicatorInput>,
}

/// Changes to a commitment in `draft` or `changes_requested`; absent fields
/// stay, lists are replaced whole. `pledge: null` removes the pledge.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatch {
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub action_areas: Option<Vec<i32>>,
    #[validate(length(min = 3, max = 200))]
    #[schema(min_length = 3, max_length = 200)]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 4))]
    #[schema(value_type = Option<Vec<CommitmentType>>, min_items = 1, max_items = 4)]
    pub types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::body::present")]
    pub pledge: Option<Option<Money>>,
    #[validate(length(max = 250))]
    #[schema(value_type = Option<Vec<CountryCodeSchema>>, max_items = 250)]
    pub countries: Option<Vec<String>>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub regions: Option<Vec<String>>,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: Option<i32>,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub end_year: Option<i32>,
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub partners: Option<Vec<String>>,
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub target_groups: Option<Vec<String>>,
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub indicators: Option<Vec<IndicatorInput>>,
}

/// The organization behind a commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentOrganization {
    pub id: String,
    pub name: String,
    pub constituency: Constituency,
    #[schema(value_type = CountryCodeSchema)]
    pub country: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// A commitment as its readers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Commitment {
    pub id: String,
    /// Public reference, e.g. `TI-2026-0042`: coalition, year of creation, number.
    pub reference: String,
    pub status: CommitmentStatus,
    /// The `ETag` of this resource.
    pub version: i32,
    pub organization: CommitmentOrganization,
    pub coalition: String,
    pub action_areas: Vec<i32>,
    pub title: String,
    pub description: String,
    pub types: Vec<CommitmentType>,
    pub pledge: Option<Money>,
    #[schema(value_type = Vec<CountryCodeSchema>)]
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub start_year: i32,
    pub end_year: i32,
    pub partners: Vec<String>,
    pub target_groups: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentList {
    pub items: Vec<Commitment>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentQuery {
    /// Coalition slug.
    pub coalition: Option<String>,
    /// Action area number (within `coalition` when given).
    #[param(minimum = 1, maximum = 99)]
    pub action_area: Option<i32>,
    #[param(value_type = Option<CommitmentStatus>)]
    pub status: Option<String>,
    /// Commitment type.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<CommitmentType>)]
    pub commitment_type: Option<String>,
    /// Implementation country.
    #[param(value_type = Option<CountryCodeSchema>)]
    pub country: Option<String>,
    /// Implementation region, as written on commitments.
    #[param(max_length = 100)]
    pub region: Option<String>,
    /// The maker's constituency.
    #[param(value_type = Option<Constituency>)]
    pub constituency: Option<String>,
    /// Organization id.
    pub organization: Option<String>,
    /// Text in the title or description (case-insensitive).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only commitments changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

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

impl ReviewDecision {
    fn wanted(self) -> Move {
        match self {
            Self::Approve => Move::Approve,
            Self::Reject => Move::Reject,
            Self::RequestChanges => Move::RequestChanges,
            Self::VerifyCompletion => Move::VerifyCompletion,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    pub id: String,
    pub reviewer_id: String,
    pub decision: String,
    pub comment: String,
    pub from_status: CommitmentStatus,
    pub to_status: CommitmentStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<Review>,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// Increases with every event written.
    pub id: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    /// The account that acted.
    pub actor_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
}

const LIST: &str = "commitments";

fn corrupt(what: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("a stored commitment has a bad {what}"))
}

fn status_of(row: &CommitmentRow) -> ApiResult<CommitmentStatus> {
    CommitmentStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

fn money(amount: Option<i64>, currency: Option<String>, usd: Option<i64>) -> Option<Money> {
    Some(Money {
        amount: Amount::from_minor(amount?).to_string(),
        currency: currency?,
        amount_usd: Some(Amount::from_minor(usd?).to_string()),
    })
}

/// Reads full commitments for these rows: one query per list, one for organizations.
fn assemble(conn: &mut DbConnection, rows: Vec<CommitmentRow>) -> ApiResult<Vec<Commitment>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut organization_ids: Vec<String> =
        rows.iter().map(|r| r.organization_id.clone()).collect();
    organization_ids.sort();
    organization_ids.dedup();
    let lists = queries::lists_of(conn, &ids)?;
    let organizations: HashMap<String, OrganizationRow> =
        organization_queries::find_organizations(conn, &organization_ids)?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
    rows.into_iter()
        .map(|row| {
            let id = row.id.clone();
            let mine = |commitment_id: &String| *commitment_id == id;
            let organization = organizations
                .get(&row.organization_id)
                .ok_or_else(|| corrupt("organization"))?;
            Ok(Commitment {
                status: status_of(&row)?,
                organization: CommitmentOrganization {
                    id: organization.id.clone(),
                    name: organization.name.clone(),
                    constituency: Constituency::parse(&organization.constituency)
                        .ok_or_else(|| corrupt("constituency"))?,
                    country: organization.country.clone(),
                },
                action_areas: lists
                    .action_areas
                    .iter()
                    .filter(|a| mine(&a.commitment_id))
                    .map(|a| a.number)
                    .collect(),
                types: lists
                    .types
                    .iter()
                    .filter(|t| mine(&t.commitment_id))
                    .map(|t| {
                        CommitmentType::parse(&t.commitment_type).ok_or_else(|| corrupt("type"))
                    })
                    .collect::<ApiResult<_>>()?,
                countries: lists
                    .countries
                    .iter()
                    .filter(|c| mine(&c.commitment_id))
                    .map(|c| c.country.clone())
                    .collect(),
                regions: lists
                    .regions
                    .iter()
                    .filter(|r| mine(&r.commitment_id))
                    .map(|r| r.region.clone())
                    .collect(),
                partners: lists
                    .partners
                    .iter()
                    .filter(|p| mine(&p.commitment_id))
                    .map(|p| p.name.clone())
                    .collect(),
                target_groups: lists
                    .target_groups
                    .iter()
                    .filter(|g| mine(&g.commitment_id))
                    .map(|g| g.name.clone())
                    .collect(),
                indicators: lists
                    .indicators
                    .iter()
                    .filter(|i| mine(&i.commitment_id))
                    .map(|i| Indicator {
                        name: i.name.clone(),
                        unit: i.unit.clone(),
                        baseline: i.baseline,
                        target: i.target,
                    })
                    .collect(),
                pledge: money(
                    row.pledge_amount_minor,
                    row.pledge_currency,
                    row.pledge_usd_minor,
                ),
                id: row.id,
                reference: row.reference,
                version: row.version,
                coalition: row.coalition_slug,
                title: row.title,
                description: row.description,
                start_year: row.start_year,
                end_year: row.end_year,
                submitted_at: row.submitted_at.map(|t| t.and_utc()),
                approved_at: row.approved_at.map(|t| t.and_utc()),
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            })
        })
        .collect()
}

fn one(conn: &mut DbConnection, row: CommitmentRow) -> ApiResult<Commitment> {
    assemble(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("this commitment"))
}

/// The rows a content becomes.
fn lists_for(id: &str, coalition: &str, content: &Content) -> CommitmentLists {
    let position = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
    CommitmentLists {
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
                commitment_type: t.as_str().into(),
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
        partners: content
            .partners
            .iter()
            .enumerate()
            .map(|(i, p)| CommitmentPartnerRow {
                commitment_id: id.into(),
                position: position(i),
                name: p.clone(),
            })
            .collect(),
        target_groups: content
            .target_groups
            .iter()
            .enumerate()
            .map(|(i, g)| CommitmentTargetGroupRow {
                commitment_id: id.into(),
                position: position(i),
                name: g.clone(),
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

fn pledge_fields(money: &Money) -> PledgeFields {
    PledgeFields {
        amount: money.amount.clone(),
        currency: money.currency.clone(),
        amount_usd: money.amount_usd.clone(),
    }
}

fn indicator_fields(indicators: &[IndicatorInput]) -> Vec<IndicatorFields> {
    indicators
        .iter()
        .map(|i| IndicatorFields {
            name: i.name.clone(),
            unit: i.unit.clone(),
            baseline: i.baseline,
            target: i.target,
        })
        .collect()
}

/// The coalition's rules, or a 422 naming `coalition` when it does not exist.
fn coalition_rules(
    conn: &mut DbConnection,
    slug: &str,
) -> ApiResult<(reference::CoalitionRow, CoalitionRules)> {
    let coalition = reference::find_coalition(conn, slug)?.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "coalition",
            "unknown_coalition",
            format!("{slug:?} is not a coalition"),
        )])
    })?;
    let rules = CoalitionRules {
        action_areas: reference::action_area_numbers(conn, slug)?,
        period_start_year: coalition.period_start_year,
        period_end_year: coalition.period_end_year,
    };
    Ok((coalition, rules))
}

fn event(
    row: &CommitmentRow,
    actor: &Actor,
    action: &str,
    from: Option<CommitmentStatus>,
    to: CommitmentStatus,
    reason: Option<String>,
) -> NewEvent {
    NewEvent {
        subject_type: "commitment".into(),
        subject_id: row.id.clone(),
        commitment_id: Some(row.id.clone()),
        coalition_slug: row.coalition_slug.clone(),
        organization_id: row.organization_id.clone(),
        actor_id: Some(actor.user_id.clone()),
        action: action.into(),
        from_status: from.map(|s| s.as_str().to_owned()),
        to_status: Some(to.as_str().to_owned()),
        reason,
        is_public: to.is_public(),
        created_at: db::now(),
    }
}

/// The commitment if the caller may see it; 404 otherwise, as if it did not exist.
fn visible(conn: &mut DbConnection, actor: Option<&Actor>, id: &str) -> ApiResult<CommitmentRow> {
    let row = queries::find_commitment(conn, id)?
        .ok_or_else(|| ApiError::not_found("this commitment"))?;
    if Visibility::of(actor).sees(&row.organization_id, &row.coalition_slug, status_of(&row)?) {
        Ok(row)
    } else {
        Err(ApiError::not_found("this commitment"))
    }
}

fn single(commitment: Commitment, status: actix_web::http::StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(commitment.version));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((
            header::LOCATION,
            format!("/api/v1/commitments/{}", commitment.id),
        ));
    }
    response.json(commitment)
}

/// Creates a draft commitment for the caller's organization, in a coalition
/// whose expression of interest was accepted. `Idempotency-Key` makes retries safe.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_commitment",
    request_body = NewCommitment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created as a draft", body = Commitment,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a maker, or no accepted expression of interest in this coalition", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the key was used for another request", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/commitments")]
pub async fn create_commitment(
    req: HttpRequest,
    db: web::Data<Db>,
    user: AuthUser,
    key: IdempotencyKey,
    body: JsonBody<NewCommitment>,
) -> ApiResult<HttpResponse> {
    authorize(Some(&user.0), Action::ActForOrganization).map_err(denied)?;
    let actor = user.0;
    let body = body.into_inner();
    let hash = idempotency::fingerprint(&body);
    let path = req.path().to_owned();
    let key = key.0;
    // On PostgreSQL two creators can race on a fresh reference counter or on
    // one Idempotency-Key; the loser's transaction fails on a unique index and
    // is run again, which then numbers after the winner or replays its answer.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (actor, body, hash, path, key) = (
            actor.clone(),
            body.clone(),
            hash.clone(),
            path.clone(),
            key.clone(),
        );
        let attempt = db
            .write(move |conn| {
                create_in(
                    conn,
                    &actor,
                    &body,
                    key.as_deref().map(|k| (k, path.as_str(), hash.as_str())),
                )
            })
            .await;
        match attempt {
            Err(ApiError::Conflict {
                code: "already_exists",
                ..
            }) if attempts < 3 => continue,
            other => return other.map(Kept::into_response),
        }
    }
}

fn create_in(
    conn: &mut DbConnection,
    actor: &Actor,
    body: &NewCommitment,
    key: Option<(&str, &str, &str)>,
) -> ApiResult<Kept> {
    if let Some((key, path, hash)) = key
        && let Some(kept) = idempotency::replay(conn, &actor.user_id, key, path, hash)?
    {
        return Ok(kept);
    }
    let organization_id = actor
        .organization_id
        .clone()
        .ok_or_else(|| denied(policy::Denied::Forbidden("only makers create commitments")))?;
    let (coalition, rules) = coalition_rules(conn, &body.coalition)?;
    let fields = ContentFields {
        action_areas: body.action_areas.clone(),
        title: body.title.clone(),
        description: body.description.clone(),
        types: body.types.clone(),
        pledge: body.pledge.as_ref().map(pledge_fields),
        countries: body.countries.clone(),
        regions: body.regions.clone(),
        start_year: body.start_year,
        end_year: body.end_year,
        partners: body.partners.clone(),
        target_groups: body.target_groups.clone(),
        indicators: indicator_fields(&body.indicators),
    };
    let content = Content::parse(&fields, &rules).map_err(ApiError::Validation)?;
    if !expressions::is_accepted(conn, &organization_id, &coalition.slug)? {
        return Err(ApiError::Forbidden(format!(
            "your organization's expression of interest in {} has not been accepted yet",
            coalition.slug
        )));
    }
    let now = db::now();
    let year = now.year();
    let number = queries::next_reference_number(conn, &coalition.slug, year)?;
    let row = CommitmentRow {
        id: db::new_id(),
        reference: rules::reference(&coalition.reference_prefix, year, number),
        organization_id,
        coalition_slug: coalition.slug.clone(),
        status: CommitmentStatus::Draft.as_str().into(),
        title: content.title.clone(),
        description: content.description.clone(),
        pledge_amount_minor: content.pledge.map(|p| p.amount.minor()),
        pledge_currency: content.pledge.map(|p| p.currency.as_str().to_owned()),
        pledge_usd_minor: content.pledge.map(|p| p.amount_usd.minor()),
        start_year: content.start_year,
        end_year: content.end_year,
        version: 1,
        created_by: actor.user_id.clone(),
        submitted_at: None,
        approved_at: None,
        created_at: now,
        updated_at: now,
    };
    queries::insert_commitment(
        conn,
        &row,
        &lists_for(&row.id, &row.coalition_slug, &content),
    )?;
    events::insert_event(
        conn,
        &event(&row, actor, "create", None, CommitmentStatus::Draft, None),
    )?;
    let commitment = one(conn, row)?;
    let kept = Kept {
        status: 201,
        location: Some(format!("/api/v1/commitments/{}", commitment.id)),
        etag: Some(format!("\"{}\"", commitment.version)),
        body: serde_json::to_string(&commitment).map_err(|e| ApiError::Internal(e.into()))?,
        replayed: false,
    };
    if let Some((key, path, hash)) = key {
        idempotency::keep(conn, &actor.user_id, key, path, hash, &kept)?;
    }
    Ok(kept)
}

/// Commitments the caller may see, newest first: public ones for everyone,
/// plus one's own organization's (makers) and one's coalitions' submissions (leads).
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_commitments",
    params(PageQuery, CommitmentQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of commitments", body = CommitmentList, headers(("Link" = String))),
    )
)]
#[get("/commitments")]
pub async fn list_commitments(
    req: HttpRequest,
    db: web::Data<Db>,
    user: MaybeAuthUser,
    cursors: web::Data<CursorCodec>,
    page: web::Query<PageQuery>,
    query: web::Query<CommitmentQuery>,
) -> ApiResult<HttpResponse> {
    let page = cursors.page(LIST, &page)?;
    let filter = commitment_filter(query.into_inner())?;
    let seen = match Visibility::of(user.actor()) {
        Visibility::Everything => Seen::All,
        Visibility::AllButDrafts => Seen::NotDrafts,
        Visibility::PublicAnd {
            organization_id,
            coalitions,
        } => Seen::PublicAnd {
            organization_id,
            coalitions,
        },
    };
    let (before, fetch) = (page.after.clone(), page.fetch());
    let rows = db
        .run(move |conn| {
            queries::list_commitments(conn, &filter, &seen, before.as_deref(), fetch)
                .map_err(ApiError::from)
        })
        .await?;
    let (rows, next_cursor) = cursors.finish(LIST, &page, rows, |row| row.id.clone());
    let items = db.run(move |conn| assemble(conn, rows)).await?;
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(CommitmentList { items, next_cursor }))
}

fn commitment_filter(query: CommitmentQuery) -> ApiResult<CommitmentFilter> {
    let bad = |message: String| ApiError::BadRequest(message);
    if let Some(status) = &query.status {
        CommitmentStatus::parse(status)
            .ok_or_else(|| bad(format!("status {status:?} is not a commitment status")))?;
    }
    if let Some(kind) = &query.commitment_type {
        CommitmentType::parse(kind)
            .ok_or_else(|| bad(format!("type {kind:?} is not a commitment type")))?;
    }
    if let Some(country) = &query.country {
        CountryCode::parse(country).map_err(|e| bad(e.message))?;
    }
    if let Some(constituency) = &query.constituency {
        Constituency::parse(constituency)
            .ok_or_else(|| bad(format!("constituency {constituency:?} is unknown")))?;
    }
    if query.action_area.is_some_and(|n| !(1..=99).contains(&n)) {
        return Err(bad("action_area must be 1 to 99".into()));
    }
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200)
        || query
            .region
            .as_ref()
            .is_some_and(|r| r.chars().count() > 100)
    {
        return Err(bad("q is at most 200 characters, region at most 100".into()));
    }
    Ok(CommitmentFilter {
        coalition: query.coalition,
        action_area: query.action_area,
        status: query.status,
        commitment_type: query.commitment_type,
        country: query.country,
        region: query.region,
        constituency: query.constituency,
        organization: query.organization,
        text: query
            .q
            .map(|q| q.to_lowercase())
            .filter(|q| !q.trim().is_empty()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    })
}

/// One commitment, if the caller may see it.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_commitment",
    params(("id" = String, Path, description = "Commitment id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The commitment", body = Commitment, headers(("ETag" = String))),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    db: web::Data<Db>,
    user: MaybeAuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let commitment = db
        .run(move |conn| {
            let row = visible(conn, user.actor(), &id)?;
            one(conn, row)
        })
        .await?;
    Ok(single(commitment, actix_web::http::StatusCode::OK))
}

/// Edits a commitment in `draft` or `changes_requested` (its organization's makers).
#[utoipa::path(
    tag = "commitments",
    operation_id = "update_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = CommitmentPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Not editable in its state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/commitments/{id}")]
pub async fn update_commitment(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<CommitmentPatch>,
) -> ApiResult<HttpResponse> {
    let (actor, id, patch) = (user.0, id.into_inner(), body.into_inner());
    // What the schema states is checked before the resource is even read.
    patch
        .validate()
        .map_err(|e| ApiError::Validation(field_errors(&e)))?;
    let commitment = db
        .write(move |conn| {
            let row = visible(conn, Some(&actor), &id)?;
            let sides = policy::sides(&actor, &row.organization_id, &row.coalition_slug);
            if !sides.contains(&rules::Side::Maker) {
                return Err(ApiError::Forbidden(
                    "only this organization's makers edit its commitments".into(),
                ));
            }
            let status = status_of(&row)?;
            if !status.is_editable() {
                return Err(ApiError::Conflict {
                    code: "not_editable",
                    detail: format!(
                        "a commitment is edited in draft or changes_requested; this one is {}",
                        status.as_str()
                    ),
                });
            }
            if_match.check(row.version)?;
            let (_, rules) = coalition_rules(conn, &row.coalition_slug)?;
            let current = one(conn, row.clone())?;
            let fields = ContentFields {
                action_areas: patch.action_areas.clone().unwrap_or(current.action_areas),
                title: patch.title.clone().unwrap_or(current.title),
                description: patch.description.clone().unwrap_or(current.description),
                types: patch.types.clone().unwrap_or_else(|| {
                    current
                        .types
                        .iter()
                        .map(|t| t.as_str().to_owned())
                        .collect()
                }),
                pledge: match &patch.pledge {
                    Some(pledge) => pledge.as_ref().map(pledge_fields),
                    None => current.pledge.as_ref().map(pledge_fields),
                },
                countries: patch.countries.clone().unwrap_or(current.countries),
                regions: patch.regions.clone().unwrap_or(current.regions),
                start_year: patch.start_year.unwrap_or(current.start_year),
                end_year: patch.end_year.unwrap_or(current.end_year),
                partners: patch.partners.clone().unwrap_or(current.partners),
                target_groups: patch.target_groups.clone().unwrap_or(current.target_groups),
                indicators: match &patch.indicators {
                    Some(indicators) => indicator_fields(indicators),
                    None => current
                        .indicators
                        .iter()
                        .map(|i| IndicatorFields {
                            name: i.name.clone(),
                            unit: i.unit.clone(),
                            baseline: i.baseline,
                            target: i.target,
                        })
                        .collect(),
                },
            };
            let content = Content::parse(&fields, &rules).map_err(ApiError::Validation)?;
            let changes = CommitmentChanges {
                title: Some(content.title.clone()),
                description: Some(content.description.clone()),
                pledge_amount_minor: Some(content.pledge.map(|p| p.amount.minor())),
                pledge_currency: Some(content.pledge.map(|p| p.currency.as_str().to_owned())),
                pledge_usd_minor: Some(content.pledge.map(|p| p.amount_usd.minor())),
                start_year: Some(content.start_year),
                end_year: Some(content.end_year),
                version: Some(row.version + 1),
                updated_at: Some(db::now()),
                ..CommitmentChanges::default()
            };
            if !queries::update_commitment(conn, &row.id, row.version, &changes)? {
                return Err(ApiError::PreconditionFailed(
                    "the commitment changed meanwhile: reload and retry".into(),
                ));
            }
            queries::replace_lists(
                conn,
                &row.id,
                &lists_for(&row.id, &row.coalition_slug, &content),
            )?;
            events::insert_event(
                conn,
                &event(&row, &actor, "update", Some(status), status, None),
            )?;
            let updated = queries::find_commitment(conn, &row.id)?
                .ok_or_else(|| ApiError::not_found("this commitment"))?;
            one(conn, updated)
        })
        .await?;
    Ok(single(commitment, actix_web::http::StatusCode::OK))
}

/// Makes `wanted` on commitment `id` for `actor`: visibility (404), side
/// (403), state (409), If-Match (412), submission window (409); then the new
/// state, its event and, for a lead's decision, its review, in one transaction.
fn make_move(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: &IfMatch,
    wanted: Move,
    reason: String,
) -> ApiResult<Commitment> {
    let row = visible(conn, Some(actor), id)?;
    let from = status_of(&row)?;
    let sides = policy::sides(actor, &row.organization_id, &row.coalition_slug);
    let to = rules::transition(from, wanted, &sides).map_err(|refusal| match refusal {
        Refusal::NotYourMove {
            side: rules::Side::Maker,
        } => ApiError::Forbidden(format!(
            "only this organization's makers may {}",
            wanted.as_str()
        )),
        Refusal::NotYourMove {
            side: rules::Side::Lead,
        } => ApiError::Forbidden(format!(
            "only leads of {} may {}",
            row.coalition_slug,
            wanted.as_str()
        )),
        Refusal::WrongState { from, wanted } => ApiError::Conflict {
            code: "invalid_transition",
            detail: format!(
                "a commitment in {} cannot {}",
                from.as_str(),
                wanted.as_str()
            ),
        },
    })?;
    rules::check_reason(wanted, &reason).map_err(|e| {
        let field = if wanted == Move::Withdraw {
            "reason"
        } else {
            "comment"
        };
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            ..e
        }])
    })?;
    if_match.check(row.version)?;
    let now = db::now();
    if wanted == Move::Submit {
        let coalition = reference::find_coalition(conn, &row.coalition_slug)?
            .ok_or_else(|| corrupt("coalition"))?;
        let window = SubmissionWindow {
            opens_on: coalition.submissions_open_on,
            closes_on: coalition.submissions_close_on,
        };
        if !window.is_open_on(now.date()) {
            let closes = window
                .closes_on
                .map_or_else(|| "with no end".to_owned(), |d| format!("to {d}"));
            return Err(ApiError::Conflict {
                code: "submission_window_closed",
                detail: format!(
                    "{} takes submissions from {} {closes}; today ({}) is outside that window",
                    coalition.slug,
                    window.opens_on,
                    now.date()
                ),
            });
        }
    }
    let changes = CommitmentChanges {
        status: Some(to.as_str().into()),
        submitted_at: (to == CommitmentStatus::Submitted).then_some(Some(now)),
        approved_at: (to == CommitmentStatus::Approved).then_some(Some(now)),
        version: Some(row.version + 1),
        updated_at: Some(now),
        ..CommitmentChanges::default()
    };
    if !queries::update_commitment(conn, &row.id, row.version, &changes)? {
        return Err(ApiError::PreconditionFailed(
            "the commitment changed meanwhile: reload and retry".into(),
        ));
    }
    let reason = Some(reason.trim().to_owned()).filter(|r| !r.is_empty());
    if wanted.side() == rules::Side::Lead {
        queries::insert_review(
            conn,
            &ReviewRow {
                id: db::new_id(),
                commitment_id: row.id.clone(),
                reviewer_id: actor.user_id.clone(),
                decision: wanted.as_str().into(),
                comment: reason.clone().unwrap_or_default(),
                from_status: from.as_str().into(),
                to_status: to.as_str().into(),
                created_at: now,
            },
        )?;
    }
    events::insert_event(
        conn,
        &event(&row, actor, wanted.as_str(), Some(from), to, reason),
    )?;
    let updated = queries::find_commitment(conn, &row.id)?
        .ok_or_else(|| ApiError::not_found("this commitment"))?;
    one(conn, updated)
}

/// Submits a draft (or a commitment sent back for changes) for review, inside
/// the coalition's submission window.
#[utoipa::path(
    tag = "commitments",
    operation_id = "submit_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Submitted", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it, or the submission window is closed", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/submit")]
pub async fn submit_commitment(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let (actor, id) = (user.0, id.into_inner());
    let commitment = db
        .write(move |conn| make_move(conn, &actor, &id, &if_match, Move::Submit, String::new()))
        .await?;
    Ok(single(commitment, actix_web::http::StatusCode::OK))
}

/// Withdraws a commitment (its makers), with a reason.
#[utoipa::path(
    tag = "commitments",
    operation_id = "withdraw_commitment",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = WithdrawRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/withdraw")]
pub async fn withdraw_commitment(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<WithdrawRequest>,
) -> ApiResult<HttpResponse> {
    let (actor, id, reason) = (user.0, id.into_inner(), body.into_inner().reason);
    if reason.chars().count() > 10_000 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reason",
            "length",
            "reason is at most 10000 characters",
        )]));
    }
    let commitment = db
        .write(move |conn| make_move(conn, &actor, &id, &if_match, Move::Withdraw, reason))
        .await?;
    Ok(single(commitment, actix_web::http::StatusCode::OK))
}

/// A coalition lead's review: approve, reject (final, comment required),
/// request changes (comment required), or verify a claimed completion.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_review",
    params(("id" = String, Path, description = "Commitment id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided; the commitment in its new state", body = Commitment, headers(("ETag" = String))),
        (status = 403, description = "Not a lead of this coalition", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such commitment, or not one the caller may see", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Its state does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A comment is required", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/reviews")]
pub async fn create_review(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let (actor, id, review) = (user.0, id.into_inner(), body.into_inner());
    if review.comment.chars().count() > 10_000 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "comment",
            "length",
            "comment is at most 10000 characters",
        )]));
    }
    let commitment = db
        .write(move |conn| {
            make_move(
                conn,
                &actor,
                &id,
                &if_match,
                review.decision.wanted(),
                review.comment,
            )
        })
        .await?;
    Ok(single(commitment, actix_web::http::StatusCode::OK))
}

/// The reviews of a commitment, oldest first.
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_reviews",
    params(("id" = String, Path, description = "Commitment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its reviews", body = ReviewList),
        (status = 404, description = "No such commitment, or not one whose reviews the caller may read", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/reviews")]
pub async fn list_reviews(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (actor, id) = (user.0, id.into_inner());
    let rows = db
        .run(move |conn| {
            let row = visible(conn, Some(&actor), &id)?;
            if !policy::may_read_discussion(&actor, &row.organization_id, &row.coalition_slug) {
                return Err(ApiError::not_found("this commitment"));
            }
            queries::reviews_of(conn, &row.id).map_err(ApiError::from)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(Review {
                from_status: CommitmentStatus::parse(&r.from_status)
                    .ok_or_else(|| corrupt("review"))?,
                to_status: CommitmentStatus::parse(&r.to_status)
                    .ok_or_else(|| corrupt("review"))?,
                id: r.id,
                reviewer_id: r.reviewer_id,
                decision: r.decision,
                comment: r.comment,
                created_at: r.created_at.and_utc(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(ReviewList { items }))
}

/// The audit trail of a commitment: every transition, oldest first.
#[utoipa::path(
    tag = "commitments",
    operation_id = "list_commitment_events",
    params(("id" = String, Path, description = "Commitment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its events", body = EventList),
        (status = 404, description = "No such commitment, or not one whose trail the caller may read", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}/events")]
pub async fn list_commitment_events(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (actor, id) = (user.0, id.into_inner());
    let rows = db
        .run(move |conn| {
            let row = visible(conn, Some(&actor), &id)?;
            if !policy::may_read_discussion(&actor, &row.organization_id, &row.coalition_slug) {
                return Err(ApiError::not_found("this commitment"));
            }
            events::events_of(conn, "commitment", &row.id).map_err(ApiError::from)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|e| Event {
            id: e.id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: e.reason,
            actor_id: e.actor_id,
            created_at: e.created_at.and_utc(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(EventList { items }))
}
