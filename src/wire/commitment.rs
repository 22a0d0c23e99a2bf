//! A commitment as the API, its exports and the command line show it, and
//! the filters they all take.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::iso::{CountryCodeSchema, CurrencyCodeSchema};
use super::text::{Id, ListItem, RegionName, Slug};
use crate::db::commitments::{CommitmentFilter, CommitmentRecord};
use crate::domain::commitment::{CommitmentStatus, CommitmentType};
use crate::domain::commitment_content::{PledgeFields, search_query};
use crate::domain::country::CountryCode;
use crate::domain::organization::Constituency;
use crate::domain::progress::ReportingHealth;
use crate::domain::validation::{FieldError, quote};

/// An amount of money: a decimal string with its currency and USD equivalent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "250000.00", "currency": "EUR", "amount_usd": "270000.00"}))]
pub struct Money {
    /// Non-negative, at most two decimals, at most 10^15.
    #[schema(
        pattern = r"^[0-9]{1,16}(\.[0-9]{1,2})?$",
        max_length = 19,
        example = "250000.00"
    )]
    pub amount: String,
    #[schema(value_type = CurrencyCodeSchema)]
    pub currency: String,
    /// The USD equivalent; may be left out when `currency` is `USD`.
    #[schema(pattern = r"^[0-9]{1,16}(\.[0-9]{1,2})?$", max_length = 19)]
    pub amount_usd: Option<String>,
}

impl From<Money> for PledgeFields {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount,
            currency: money.currency,
            amount_usd: money.amount_usd,
        }
    }
}

/// The organization behind a commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentOrganization {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 300)]
    pub name: String,
    pub constituency: Constituency,
    #[schema(value_type = CountryCodeSchema)]
    pub country: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    #[schema(max_length = 300)]
    pub name: String,
    #[schema(max_length = 100)]
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// A commitment as its readers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Commitment {
    #[schema(value_type = Id)]
    pub id: String,
    /// Public reference, e.g. `TI-2026-0042`: coalition, year of creation, number.
    #[schema(max_length = 20, example = "TI-2026-0042")]
    pub reference: String,
    pub status: CommitmentStatus,
    /// The `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
    pub organization: CommitmentOrganization,
    #[schema(value_type = Slug)]
    pub coalition: String,
    #[schema(max_items = 20)]
    pub action_areas: Vec<i32>,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 20000)]
    pub description: String,
    #[schema(max_items = 4)]
    pub types: Vec<CommitmentType>,
    pub pledge: Option<Money>,
    #[schema(value_type = Vec<CountryCodeSchema>, max_items = 250)]
    pub countries: Vec<String>,
    #[schema(value_type = Vec<RegionName>, max_items = 20)]
    pub regions: Vec<String>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub start_year: i32,
    #[schema(minimum = 2000, maximum = 2100)]
    pub end_year: i32,
    #[schema(value_type = Vec<ListItem>, max_items = 50)]
    pub partners: Vec<String>,
    #[schema(value_type = Vec<ListItem>, max_items = 50)]
    pub target_groups: Vec<String>,
    #[schema(max_items = 50)]
    pub indicators: Vec<Indicator>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// For approved commitments (and those claiming completion): `green` when
    /// the latest reporting cycle due was reported on (or none is due yet),
    /// `amber` with one cycle missed since the last report, `red` with two or
    /// more. Completed commitments are `green`; others `null`.
    pub reporting_health: Option<ReportingHealth>,
}

impl From<CommitmentRecord> for Commitment {
    fn from(record: CommitmentRecord) -> Self {
        let CommitmentRecord {
            row,
            organization,
            content,
            reporting_health,
        } = record;
        Self {
            id: row.id,
            reference: row.reference,
            status: row.status,
            version: row.version,
            organization: CommitmentOrganization {
                id: organization.id,
                name: organization.name,
                constituency: organization.constituency,
                country: organization.country,
            },
            coalition: row.coalition_slug,
            action_areas: content.action_areas,
            title: content.title,
            description: content.description,
            types: content.types,
            pledge: content.pledge.map(|p| Money {
                amount: p.amount.to_string(),
                currency: p.currency.as_str().to_owned(),
                amount_usd: Some(p.amount_usd.to_string()),
            }),
            countries: content
                .countries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            regions: content.regions,
            start_year: content.start_year,
            end_year: content.end_year,
            partners: content.partners,
            target_groups: content.target_groups,
            indicators: content
                .indicators
                .into_iter()
                .map(|i| Indicator {
                    name: i.name,
                    unit: i.unit,
                    baseline: i.baseline,
                    target: i.target,
                })
                .collect(),
            submitted_at: row.submitted_at.map(|t| t.and_utc()),
            approved_at: row.approved_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            reporting_health,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentQuery {
    /// Coalition slug.
    #[param(value_type = Option<Slug>)]
    #[serde(default, deserialize_with = "crate::wire::text::optional_slug")]
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
    #[param(value_type = Option<Id>)]
    #[serde(default, deserialize_with = "crate::wire::text::optional_id")]
    pub organization: Option<String>,
    /// Text in the title or description (case-insensitive).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only commitments changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only commitments of this reporting health today.
    #[param(value_type = Option<ReportingHealth>)]
    pub reporting_health: Option<String>,
}

impl CommitmentQuery {
    /// The filter these parameters ask for, reporting health judged on `today`.
    pub fn into_filter(self, today: NaiveDate) -> Result<CommitmentFilter, FieldError> {
        let query = self;
        let bad = |field: &str, message: String| FieldError::new(field, "invalid_filter", message);
        let status = query
            .status
            .map(|s| {
                CommitmentStatus::parse(&s).ok_or_else(|| {
                    bad(
                        "status",
                        format!("status {} is not a commitment status", quote(&s)),
                    )
                })
            })
            .transpose()?;
        let commitment_type = query
            .commitment_type
            .map(|t| {
                CommitmentType::parse(&t).ok_or_else(|| {
                    bad(
                        "type",
                        format!("type {} is not a commitment type", quote(&t)),
                    )
                })
            })
            .transpose()?;
        let country = query
            .country
            .map(|c| CountryCode::parse(&c).map_err(|e| bad("country", e.message)))
            .transpose()?;
        let constituency = query
            .constituency
            .map(|c| Constituency::parse_field(&c).map_err(|e| bad("constituency", e.message)))
            .transpose()?;
        if query.action_area.is_some_and(|n| !(1..=99).contains(&n)) {
            return Err(bad("action_area", "action_area must be 1 to 99".into()));
        }
        if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(bad("q", "q is at most 200 characters".into()));
        }
        if query
            .region
            .as_ref()
            .is_some_and(|r| r.chars().count() > 100)
        {
            return Err(bad("region", "region is at most 100 characters".into()));
        }
        let reporting_health = query
            .reporting_health
            .map(|h| {
                ReportingHealth::parse(&h)
                    .map(|h| (h, today))
                    .ok_or_else(|| {
                        bad(
                            "reporting_health",
                            format!("reporting_health {} is not green, amber or red", quote(&h)),
                        )
                    })
            })
            .transpose()?;
        Ok(CommitmentFilter {
            reporting_health,
            coalition: query.coalition,
            action_area: query.action_area,
            status,
            commitment_type,
            country,
            region: query.region,
            constituency,
            organization: query.organization,
            text: query.q.as_deref().and_then(search_query),
            updated_since: query.updated_since.map(|t| t.naive_utc()),
        })
    }
}
