//! Organizations (commitment makers): registration with a first maker
//! account, the public directory, and profile edits by its makers and admins.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::iso::CountryCodeSchema;
use super::pagination::{CursorCodec, PageQuery, link_next};
use super::precondition::{IfMatch, etag};
use crate::accounts;
use crate::auth::AuthUser;
use crate::auth::extractor::denied;
use crate::auth::rate_limit::{Limits, client_key};
use crate::db::organizations::{
    self as queries, OrganizationChanges, OrganizationFilter, OrganizationRow,
};
use crate::db::users::{self as user_queries, UserRow};
use crate::db::{self, Db};
use crate::domain::account::{DisplayName, Email, Password, Role};
use crate::domain::country::CountryCode;
use crate::domain::organization::{Constituency, OrganizationName, UnRegion, Website};
use crate::domain::policy::{Action, authorize};
use crate::domain::validation::{Checks, FieldError};
use crate::error::{ApiError, ApiResult, Problem};

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
    pub id: String,
    pub name: String,
    pub constituency: Constituency,
    /// Headquarters country.
    #[schema(value_type = CountryCodeSchema)]
    pub country: String,
    pub un_region: Option<UnRegion>,
    pub website: Option<String>,
    /// The `ETag` of this resource.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = ApiError;

    fn try_from(row: OrganizationRow) -> Result<Self, ApiError> {
        let corrupt = |what: &str| {
            ApiError::Internal(anyhow::anyhow!("organization {} has a bad {what}", row.id))
        };
        Ok(Self {
            constituency: Constituency::parse(&row.constituency)
                .ok_or_else(|| corrupt("constituency"))?,
            un_region: row
                .un_region
                .as_deref()
                .map(|r| UnRegion::parse(r).ok_or_else(|| corrupt("un_region")))
                .transpose()?,
            id: row.id,
            name: row.name,
            country: row.country,
            website: row.website,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationList {
    pub items: Vec<Organization>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The organization part of a registration.
#[derive(Debug, Deserialize, ToSchema)]
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
    pub website: Option<String>,
}

/// The first maker account of a registering organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMakerAccount {
    #[schema(max_length = 254, example = "sokha@digitalsisters.example.org")]
    pub email: String,
    /// 12 to 1024 characters, mixing at least two of: lower case, upper case, digits, others.
    #[schema(min_length = 12, max_length = 1024, format = Password, example = "Correct horse 42")]
    pub password: String,
    #[schema(min_length = 1, max_length = 200, example = "Sokha Chan")]
    pub display_name: String,
}

/// Registration: an organization and its first maker account, created together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganization {
    pub organization: NewOrganization,
    pub account: NewMakerAccount,
}

/// The account created with a registration; its role is always `maker`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredAccount {
    pub id: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
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
    #[serde(default, deserialize_with = "super::body::present")]
    #[schema(value_type = Option<UnRegion>)]
    pub un_region: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::body::present")]
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

const LIST: &str = "organizations";

fn parse_constituency(value: &str) -> Result<Constituency, FieldError> {
    Constituency::parse(value).ok_or_else(|| {
        FieldError::new(
            "constituency",
            "unknown_constituency",
            format!("{value:?} is not a constituency"),
        )
    })
}

fn parse_un_region(value: &str) -> Result<UnRegion, FieldError> {
    UnRegion::parse(value).ok_or_else(|| {
        FieldError::new(
            "un_region",
            "unknown_region",
            format!("{value:?} is not a UN region"),
        )
    })
}

/// Registers an organization with its first maker account, in one transaction.
/// The account's role is always `maker`; sign in with `POST /auth/token`.
#[utoipa::path(
    tag = "organizations",
    operation_id = "register_organization",
    request_body = RegisterOrganization,
    responses(
        (status = 201, description = "Registered", body = Registration,
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
    body: JsonBody<RegisterOrganization>,
) -> ApiResult<HttpResponse> {
    limits
        .registrations_per_address
        .attempt(&client_key(&req))
        .map_err(|r| ApiError::TooManyRequests {
            retry_after_secs: r.0,
        })?;
    let body = body.into_inner();
    let mut checks = Checks::new();
    let name = checks.field(
        "organization.name",
        OrganizationName::parse(&body.organization.name),
    );
    let constituency = checks.field(
        "organization.constituency",
        parse_constituency(&body.organization.constituency),
    );
    let country = checks.field(
        "organization.country",
        CountryCode::parse(&body.organization.country),
    );
    let un_region = checks.field(
        "organization.un_region",
        body.organization
            .un_region
            .as_deref()
            .map(parse_un_region)
            .transpose(),
    );
    let website = checks.field(
        "organization.website",
        body.organization
            .website
            .as_deref()
            .map(Website::parse)
            .transpose(),
    );
    let email = checks.field("account.email", Email::parse(&body.account.email));
    let password = checks.field("account.password", Password::parse(&body.account.password));
    let display_name = checks.field(
        "account.display_name",
        DisplayName::parse(&body.account.display_name),
    );
    let (name, constituency, country, un_region, website, email, password, display_name) = checks
        .finish(|| {
            Some((
                name?,
                constituency?,
                country?,
                un_region?,
                website?,
                email?,
                password?,
                display_name?,
            ))
        })
        .map_err(ApiError::Validation)?;

    let password_hash = accounts::hash(password).await?;
    let now = db::now();
    let organization = OrganizationRow {
        id: db::new_id(),
        name: name.as_str().to_owned(),
        constituency: constituency.as_str().to_owned(),
        country: country.as_str().to_owned(),
        un_region: un_region.map(|r| r.as_str().to_owned()),
        website: website.map(|w| w.as_str().to_owned()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let account = UserRow {
        id: db::new_id(),
        email: email.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        password_hash,
        role: Role::Maker.as_str().to_owned(),
        organization_id: Some(organization.id.clone()),
        active: true,
        tokens_valid_after: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let (organization, account) = db
        .write(move |conn| {
            queries::insert_organization(conn, &organization)?;
            user_queries::insert_user(conn, &account, &[]).map_err(accounts::email_taken)?;
            Ok::<_, ApiError>((organization, account))
        })
        .await?;
    let organization = Organization::try_from(organization)?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/organizations/{}", organization.id),
        ))
        .insert_header(etag(organization.version))
        .json(Registration {
            organization,
            account: RegisteredAccount {
                id: account.id,
                email: account.email,
                role: Role::Maker,
            },
        }))
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
    let page = cursors.page(LIST, &page)?;
    let query = query.into_inner();
    if let Some(c) = &query.constituency {
        parse_constituency(c).map_err(|e| ApiError::BadRequest(e.message))?;
    }
    if let Some(c) = &query.country {
        CountryCode::parse(c).map_err(|e| ApiError::BadRequest(e.message))?;
    }
    let filter = OrganizationFilter {
        constituency: query.constituency,
        country: query.country,
    };
    let after = page.after.clone();
    let fetch = page.fetch();
    let rows = db
        .run(move |conn| {
            queries::list_organizations(conn, &filter, after.as_deref(), fetch)
                .map_err(ApiError::from)
        })
        .await?;
    let (rows, next_cursor) = cursors.finish(LIST, &page, rows, |row| row.id.clone());
    let items = rows
        .into_iter()
        .map(Organization::try_from)
        .collect::<ApiResult<Vec<_>>>()?;
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(OrganizationList { items, next_cursor }))
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
    let id = id.into_inner();
    let row = db
        .run(move |conn| queries::find_organization(conn, &id).map_err(ApiError::from))
        .await?
        .ok_or_else(|| ApiError::not_found("this organization"))?;
    let organization = Organization::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(organization.version))
        .json(organization))
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
    body: JsonBody<OrganizationPatch>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    authorize(
        Some(&user.0),
        Action::EditOrganization {
            organization_id: &id,
        },
    )
    .map_err(denied)?;
    let body = body.into_inner();
    let mut checks = Checks::new();
    let mut changes = OrganizationChanges::default();
    if let Some(name) = &body.name {
        changes.name = checks
            .field("name", OrganizationName::parse(name))
            .map(|n| n.as_str().to_owned());
    }
    if let Some(constituency) = &body.constituency {
        changes.constituency = checks
            .field("constituency", parse_constituency(constituency))
            .map(|c| c.as_str().to_owned());
    }
    if let Some(country) = &body.country {
        changes.country = checks
            .field("country", CountryCode::parse(country))
            .map(|c| c.as_str().to_owned());
    }
    if let Some(region) = &body.un_region {
        changes.un_region = match region {
            None => Some(None),
            Some(r) => checks
                .field("un_region", parse_un_region(r))
                .map(|r| Some(r.as_str().to_owned())),
        };
    }
    if let Some(website) = &body.website {
        changes.website = match website {
            None => Some(None),
            Some(w) => checks
                .field("website", Website::parse(w))
                .map(|w| Some(w.as_str().to_owned())),
        };
    }
    let changes = checks
        .finish(|| Some(changes))
        .map_err(ApiError::Validation)?;

    let row = db
        .write(move |conn| {
            let current = queries::find_organization(conn, &id)?
                .ok_or_else(|| ApiError::not_found("this organization"))?;
            if_match.check(current.version)?;
            let changes = OrganizationChanges {
                version: Some(current.version + 1),
                updated_at: Some(db::now()),
                ..changes
            };
            if !queries::update_organization(conn, &id, current.version, &changes)? {
                return Err(ApiError::PreconditionFailed(
                    "the organization changed meanwhile: reload and retry".into(),
                ));
            }
            queries::find_organization(conn, &id)?
                .ok_or_else(|| ApiError::not_found("this organization"))
        })
        .await?;
    let organization = Organization::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(organization.version))
        .json(organization))
}
