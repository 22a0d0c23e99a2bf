//! Organizations (commitment makers): registration with a first maker
//! account, the public directory, and profile edits by its makers and admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::http::body::JsonContent;
use super::http::idempotency::{IdempotencyKey, answer, stored};
use super::http::pagination::{CursorCodec, Listed, PageQuery, Paged, paged};
use super::http::precondition::{IfMatch, etag};
use crate::app::Sent;
use crate::app::organizations::{self, Registration};
use crate::auth::rate_limit::{Limits, client_key};
use crate::db::Db;
use crate::db::organizations::{OrganizationFilter, OrganizationRow};
use crate::db::users::UserRow;
use crate::domain::account::{DisplayName, Email, Password, Role};
use crate::domain::country::CountryCode;
use crate::domain::organization::{
    Constituency, OrganizationName, Profile, ProfileChange, UnRegion, Website,
};
use crate::domain::validation::{Checks, FieldError};
use crate::error::{ApiError, ApiResult, Problem};
use crate::routes::http::extractor::AuthUser;
use crate::wire::iso::CountryCodeSchema;
use crate::wire::text::Id;

/// A commitment maker.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1c4-7f1e-7b2a-9d3e-2f4a5b6c7d8e",
    "name": "Digital Sisters Cambodia",
    "constituency": "youth_led",
    "country": "KH",
    "un_region": "asia_pacific",
    "website": "https://digitalsisters.example.org",
    "version": 1,
    "created_at": "2026-11-27T10:00:00Z",
    "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct Organization {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 300)]
    pub name: String,
    pub constituency: Constituency,
    /// Headquarters country.
    #[schema(value_type = CountryCodeSchema)]
    pub country: String,
    pub un_region: Option<UnRegion>,
    #[schema(max_length = 2000)]
    pub website: Option<String>,
    /// The `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(row: OrganizationRow) -> Self {
        Self {
            constituency: row.constituency,
            // The column's CHECK admits only the regions there are.
            un_region: row.un_region.as_deref().and_then(UnRegion::parse),
            id: row.id,
            name: row.name,
            country: row.country,
            website: row.website,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl Listed for Organization {
    const SCHEMA: &'static str = "OrganizationList";
    const CURSOR: &'static str = "organizations";
}

pub type OrganizationList = Paged<Organization>;

/// The organization part of a registration.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(min_length = 2, max_length = 300, example = "Digital Sisters Cambodia")]
    pub name: String,
    #[schema(value_type = Constituency)]
    pub constituency: String,
    #[schema(value_type = CountryCodeSchema)]
    pub country: String,
    #[schema(value_type = Option<UnRegion>)]
    pub un_region: Option<String>,
    #[schema(
        max_length = 2000,
        pattern = r"^https?://[A-Za-z0-9.:\[\]-]+([/?#]\S*)?$",
        example = "https://digitalsisters.example.org"
    )]
    #[schema(max_length = 2000)]
    pub website: Option<String>,
}

/// The first maker account of a registering organization.
// Serialized only to fingerprint a request under its `Idempotency-Key`,
// without the password.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMakerAccount {
    #[schema(max_length = 254, example = "sokha@digitalsisters.example.org")]
    pub email: String,
    /// 12 to 1024 characters, mixing at least two of: lower case, upper case, digits, others.
    #[schema(min_length = 12, max_length = 1024, format = Password, example = "Correct horse 42")]
    #[serde(serialize_with = "crate::routes::http::idempotency::left_out")]
    pub password: String,
    #[schema(min_length = 1, max_length = 200, example = "Sokha Chan")]
    pub display_name: String,
}

/// Registration: an organization and its first maker account, created together.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganization {
    pub organization: NewOrganization,
    pub account: NewMakerAccount,
}

/// The account created with a registration; its role is always `maker`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredAccount {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 254)]
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Registration)]
pub struct RegistrationAnswer {
    pub organization: Organization,
    pub account: RegisteredAccount,
}

/// A change to an organization's profile; absent fields stay as they are,
/// `null` clears `un_region` or `website`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[schema(min_length = 2, max_length = 300)]
    pub name: Option<String>,
    #[schema(value_type = Option<Constituency>)]
    pub constituency: Option<String>,
    #[schema(value_type = Option<CountryCodeSchema>)]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "super::http::body::present")]
    #[schema(value_type = Option<UnRegion>)]
    pub un_region: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::http::body::present")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = r"^https?://[A-Za-z0-9.:\[\]-]+([/?#]\S*)?$")]
    pub website: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Only organizations of this constituency.
    #[param(value_type = Option<Constituency>)]
    pub constituency: Option<String>,
    /// Only organizations headquartered in this country.
    #[param(value_type = Option<CountryCodeSchema>)]
    pub country: Option<String>,
}

impl TryFrom<OrganizationQuery> for OrganizationFilter {
    type Error = ApiError;

    fn try_from(query: OrganizationQuery) -> Result<Self, ApiError> {
        let bad = |e: FieldError| ApiError::BadRequest(e.message);
        Ok(Self {
            constituency: query
                .constituency
                .as_deref()
                .map(Constituency::parse_field)
                .transpose()
                .map_err(bad)?,
            country: query
                .country
                .as_deref()
                .map(CountryCode::parse)
                .transpose()
                .map_err(bad)?,
        })
    }
}

impl RegisterOrganization {
    fn parse(self) -> Sent<Registration> {
        let (organization, account) = (self.organization, self.account);
        let mut checks = Checks::new();
        let name = checks.field(
            "organization.name",
            OrganizationName::parse(&organization.name),
        );
        let constituency = checks.field(
            "organization.constituency",
            Constituency::parse_field(&organization.constituency),
        );
        let country = checks.field(
            "organization.country",
            CountryCode::parse(&organization.country),
        );
        let un_region = checks.field(
            "organization.un_region",
            organization
                .un_region
                .as_deref()
                .map(UnRegion::parse_field)
                .transpose(),
        );
        let website = checks.field(
            "organization.website",
            organization
                .website
                .as_deref()
                .map(Website::parse)
                .transpose(),
        );
        let email = checks.field("account.email", Email::parse(&account.email));
        let password = checks.field("account.password", Password::parse(&account.password));
        let display_name = checks.field(
            "account.display_name",
            DisplayName::parse(&account.display_name),
        );
        checks.finish(|| {
            Some(Registration {
                profile: Profile {
                    name: name?,
                    constituency: constituency?,
                    country: country?,
                    un_region: un_region?,
                    website: website?,
                },
                email: email?,
                password: password?,
                display_name: display_name?,
            })
        })
    }
}

impl OrganizationPatch {
    fn parse(self) -> Sent<ProfileChange> {
        let mut checks = Checks::new();
        let mut change = ProfileChange::default();
        if let Some(name) = &self.name {
            change.name = checks.field("name", OrganizationName::parse(name));
        }
        if let Some(constituency) = &self.constituency {
            change.constituency =
                checks.field("constituency", Constituency::parse_field(constituency));
        }
        if let Some(country) = &self.country {
            change.country = checks.field("country", CountryCode::parse(country));
        }
        if let Some(region) = &self.un_region {
            change.un_region = checks.field(
                "un_region",
                region.as_deref().map(UnRegion::parse_field).transpose(),
            );
        }
        if let Some(website) = &self.website {
            change.website = checks.field(
                "website",
                website.as_deref().map(Website::parse).transpose(),
            );
        }
        checks.finish(|| Some(change))
    }
}

fn one(organization: Organization, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(organization.version));
    response.json(organization)
}

/// Registers an organization with its first maker account, in one transaction.
/// The account's role is always `maker`; sign in with `POST /auth/token`.
#[utoipa::path(
    tag = "organizations",
    operation_id = "register_organization",
    request_body = RegisterOrganization,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    responses(
        (status = 201, description = "Registered", body = RegistrationAnswer,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address", body = Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u64))),
    )
)]
#[post("/organizations")]
pub async fn register_organization(
    req: HttpRequest,
    db: web::Data<Db>,
    limits: web::Data<Limits>,
    key: IdempotencyKey,
    body: JsonContent<RegisterOrganization>,
) -> ApiResult<HttpResponse> {
    let client = client_key(super::http::client::client_address(&req));
    let request = key.replayable(&req, &body.0);
    let registration = body.0.and_then(RegisterOrganization::parse);
    let render = |(organization, account): &(OrganizationRow, UserRow)| {
        let organization = Organization::from(organization.clone());
        let location = format!("/api/v1/organizations/{}", organization.id);
        let version = organization.version;
        let body = RegistrationAnswer {
            organization,
            account: RegisteredAccount {
                id: account.id.clone(),
                email: account.email.clone(),
                role: account.role,
            },
        };
        stored(StatusCode::CREATED, Some(location), version, &body)
    };
    let kept =
        organizations::register_once(&db, &limits, &client, registration, request, render).await?;
    Ok(answer(kept))
}

/// The directory of organizations, in registration order.
#[utoipa::path(
    tag = "organizations",
    operation_id = "list_organizations",
    params(PageQuery, OrganizationQuery),
    responses(
        (status = 200, description = "A page of organizations", body = OrganizationList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    db: web::Data<Db>,
    cursors: web::Data<CursorCodec>,
    page: web::Query<PageQuery>,
    query: web::Query<OrganizationQuery>,
) -> ApiResult<HttpResponse> {
    let page = cursors.page::<Organization>(&page)?;
    let filter = OrganizationFilter::try_from(query.into_inner())?;
    let listing = organizations::list(&db, filter, page).await?;
    Ok(paged(&req, &cursors, listing.map(Organization::from)))
}

/// One organization's public profile.
#[utoipa::path(
    tag = "organizations",
    operation_id = "get_organization",
    params(("id" = String, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The organization", body = Organization, headers(("ETag" = String))),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(db: web::Data<Db>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let found = organizations::get(&db, id.into_inner()).await?;
    Ok(one(found.into(), StatusCode::OK))
}

/// Changes an organization's profile: its makers and admins only, with `If-Match`.
#[utoipa::path(
    tag = "organizations",
    operation_id = "update_organization",
    params(("id" = String, Path, description = "Organization id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = OrganizationPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Organization, headers(("ETag" = String))),
        (status = 403, description = "Not a maker of this organization nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonContent<OrganizationPatch>,
) -> ApiResult<HttpResponse> {
    let change = body.0.and_then(OrganizationPatch::parse);
    let updated = organizations::update(&db, user.0, id.into_inner(), if_match.0, change).await?;
    Ok(one(updated.into(), StatusCode::OK))
}
