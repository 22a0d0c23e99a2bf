//! Accounts and roles, managed by admins.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::http::body::JsonContent;
use super::http::idempotency::{IdempotencyKey, answer, stored};
use super::http::pagination::{CursorCodec, Listed, PageQuery, Paged, paged};
use super::http::precondition::{IfMatch, etag};
use super::http::validation::field_errors;
use crate::app::{Sent, accounts};
use crate::db::Db;
use crate::db::users::{UserFilter, UserWithScopes};
use crate::domain::account::{AccountChange, DisplayName, NewAccount, Role};
use crate::domain::validation::Checks;
use crate::error::{ApiResult, Problem};
use crate::routes::http::extractor::AuthUser;
use crate::wire::text::{Id, Slug};

/// An account as admins see it (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1c4-7f1e-7b2a-9d3e-2f4a5b6c7d8f",
    "email": "lead.ti@unwomen.example.org",
    "display_name": "T&I coalition lead",
    "role": "coalition_lead",
    "organization_id": null,
    "coalitions": ["technology-innovation"],
    "active": true,
    "version": 1,
    "created_at": "2026-11-27T10:00:00Z",
    "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct User {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 200)]
    pub display_name: String,
    pub role: Role,
    /// The organization of a maker.
    #[schema(value_type = Option<Id>)]
    pub organization_id: Option<String>,
    /// The coalitions a lead is scoped to.
    #[schema(value_type = Vec<Slug>, max_items = 7)]
    pub coalitions: Vec<String>,
    pub active: bool,
    /// The `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserWithScopes> for User {
    fn from(account: UserWithScopes) -> Self {
        let user = account.user;
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role,
            organization_id: user.organization_id,
            coalitions: account.coalitions,
            active: user.active,
            version: user.version,
            created_at: user.created_at.and_utc(),
            updated_at: user.updated_at.and_utc(),
        }
    }
}

impl Listed for User {
    const SCHEMA: &'static str = "UserList";
    const CURSOR: &'static str = "users";
}

pub type UserList = Paged<User>;

/// A new account, of any role.
// Serialized only to fingerprint a request under its `Idempotency-Key`,
// without the password, which is never kept in any form but its hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(max_length = 254, example = "lead.ti@unwomen.example.org")]
    pub email: String,
    /// 12 to 1024 characters, mixing at least two of: lower case, upper case, digits, others.
    #[schema(min_length = 12, max_length = 1024, format = Password)]
    #[serde(serialize_with = "crate::routes::http::idempotency::left_out")]
    pub password: String,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    pub role: Role,
    /// Required for, and only for, `maker`.
    #[schema(value_type = Option<Id>)]
    pub organization_id: Option<String>,
    /// Required (one or more) for, and only for, `coalition_lead`.
    #[schema(value_type = Option<Vec<Slug>>, max_items = 7)]
    pub coalitions: Option<Vec<String>>,
}

impl CreateUser {
    fn parse(self) -> Sent<NewAccount> {
        NewAccount::parse(
            &self.email,
            &self.password,
            &self.display_name,
            self.role,
            self.organization_id,
            self.coalitions.unwrap_or_default(),
        )
    }
}

/// Changes to an account; absent fields stay. Changing `role`, `active`,
/// `coalitions` or `organization_id` revokes the account's tokens at once.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub active: Option<bool>,
    pub role: Option<Role>,
    #[validate(length(max = 7))]
    #[schema(value_type = Option<Vec<Slug>>, max_items = 7)]
    pub coalitions: Option<Vec<String>>,
    /// The organization, when the account is (or becomes) a maker.
    #[schema(value_type = Option<Id>)]
    pub organization_id: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
}

impl UserPatch {
    fn parse(self) -> Sent<AccountChange> {
        let mut checks = Checks::new();
        if let Err(errors) = self.validate() {
            checks.extend(field_errors(&errors));
        }
        let display_name = self
            .display_name
            .map(|n| checks.field("display_name", DisplayName::parse(&n)));
        checks.finish(|| {
            Some(AccountChange {
                active: self.active,
                role: self.role,
                coalitions: self.coalitions,
                organization_id: self.organization_id,
                display_name: display_name.flatten(),
            })
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Only makers of this organization.
    #[param(value_type = Option<Id>)]
    #[serde(default, deserialize_with = "crate::wire::text::optional_id")]
    pub organization: Option<String>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
}

fn one(user: User, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(user.version));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)));
    }
    response.json(user)
}

/// Creates an account with any role (admins only).
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = User, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    db: web::Data<Db>,
    user: AuthUser,
    key: IdempotencyKey,
    body: JsonContent<CreateUser>,
) -> ApiResult<HttpResponse> {
    let request = key.replayable(&req, &body.0);
    let account = body.0.and_then(CreateUser::parse);
    let render = |created: &UserWithScopes| {
        let user = User::from(created.clone());
        let location = format!("/api/v1/users/{}", user.id);
        stored(StatusCode::CREATED, Some(location), user.version, &user)
    };
    let kept = accounts::create_user(&db, user.0, account, request, render).await?;
    Ok(answer(kept))
}

/// Lists accounts in creation order (admins only).
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(PageQuery, UserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = UserList, headers(("Link" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    db: web::Data<Db>,
    user: AuthUser,
    cursors: web::Data<CursorCodec>,
    page: web::Query<PageQuery>,
    query: web::Query<UserQuery>,
) -> ApiResult<HttpResponse> {
    let page = cursors.page::<User>(&page)?;
    let query = query.into_inner();
    let filter = UserFilter {
        role: query.role,
        organization_id: query.organization,
        active: query.active,
    };
    let listing = accounts::list_users(&db, user.0, filter, page).await?;
    Ok(paged(&req, &cursors, listing.map(User::from)))
}

/// One account (admins only).
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let found = accounts::get_user(&db, user.0, id.into_inner()).await?;
    Ok(one(found.into(), StatusCode::OK))
}

/// Changes an account's role, scopes or state (admins only, with `If-Match`).
/// The last active admin can be neither demoted nor deactivated.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(("id" = String, Path, description = "Account id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UserPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave no active admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    db: web::Data<Db>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonContent<UserPatch>,
) -> ApiResult<HttpResponse> {
    let change = body.0.and_then(UserPatch::parse);
    let updated = accounts::update_user(&db, user.0, id.into_inner(), if_match.0, change).await?;
    Ok(one(updated.into(), StatusCode::OK))
}
