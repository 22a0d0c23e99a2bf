//! Accounts and roles, managed by admins.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::body::JsonBody;
use super::pagination::{CursorCodec, PageQuery, link_next};
use super::precondition::{IfMatch, etag};
use super::validation::field_errors;
use crate::accounts::{self, NewAccount};
use crate::auth::AuthUser;
use crate::auth::extractor::denied;
use crate::db::users::{self as queries, UserChanges, UserFilter, UserWithScopes};
use crate::db::{self, Db};
use crate::domain::account::{DisplayName, Role};
use crate::domain::policy::{Action, authorize, removes_last_admin};
use crate::domain::validation::Checks;
use crate::error::{ApiError, ApiResult, Problem};

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
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The organization of a maker.
    pub organization_id: Option<String>,
    /// The coalitions a lead is scoped to.
    pub coalitions: Vec<String>,
    pub active: bool,
    /// The `ETag` of this resource.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserWithScopes> for User {
    type Error = ApiError;

    fn try_from(account: UserWithScopes) -> ApiResult<Self> {
        let user = account.user;
        let role = Role::parse(&user.role).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("user {} has role {:?}", user.id, user.role))
        })?;
        Ok(Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role,
            organization_id: user.organization_id,
            coalitions: account.coalitions,
            active: user.active,
            version: user.version,
            created_at: user.created_at.and_utc(),
            updated_at: user.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(max_length = 254, example = "lead.ti@unwomen.example.org")]
    pub email: String,
    /// 12 to 1024 characters, mixing at least two of: lower case, upper case, digits, others.
    #[schema(min_length = 12, max_length = 1024, format = Password)]
    pub password: String,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    pub role: Role,
    /// Required for, and only for, `maker`.
    pub organization_id: Option<String>,
    /// Required (one or more) for, and only for, `coalition_lead`.
    #[validate(length(max = 7))]
    #[schema(max_items = 7)]
    pub coalitions: Option<Vec<String>>,
}

/// Changes to an account; absent fields stay. Changing `role`, `active`,
/// `coalitions` or `organization_id` revokes the account's tokens at once.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub active: Option<bool>,
    pub role: Option<Role>,
    #[validate(length(max = 7))]
    #[schema(max_items = 7)]
    pub coalitions: Option<Vec<String>>,
    /// The organization, when the account is (or becomes) a maker.
    pub organization_id: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Only makers of this organization.
    pub organization: Option<String>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
}

const LIST: &str = "users";

/// Creates an account with any role (admins only).
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = User, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    db: web::Data<Db>,
    user: AuthUser,
    body: JsonBody<CreateUser>,
) -> ApiResult<HttpResponse> {
    authorize(Some(&user.0), Action::ManageUsers).map_err(denied)?;
    let body = body.into_inner();
    let mut checks = Checks::new();
    if let Err(errors) = body.validate() {
        checks.extend(field_errors(&errors));
    }
    let account = checks.then(NewAccount::parse(
        &body.email,
        &body.password,
        &body.display_name,
        body.role,
        body.organization_id,
        body.coalitions.unwrap_or_default(),
    ));
    let account = checks.finish(|| account).map_err(ApiError::Validation)?;
    let created = accounts::create_account(&db, account).await?;
    let created = User::try_from(created)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", created.id)))
        .insert_header(etag(created.version))
        .json(created))
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
    authorize(Some(&user.0), Action::ManageUsers).map_err(denied)?;
    let page = cursors.page(LIST, &page)?;
    let query = query.into_inner();
    let filter = UserFilter {
        role: query.role.map(|r| r.as_str().to_owned()),
        organization_id: query.organization,
        active: query.active,
    };
    let (after, fetch) = (page.after.clone(), page.fetch());
    let rows = db
        .run(move |conn| {
            queries::list_users(conn, &filter, after.as_deref(), fetch).map_err(ApiError::from)
        })
        .await?;
    let (rows, next_cursor) = cursors.finish(LIST, &page, rows, |row| row.user.id.clone());
    let items = rows
        .into_iter()
        .map(User::try_from)
        .collect::<ApiResult<Vec<_>>>()?;
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(UserList { items, next_cursor }))
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
    authorize(Some(&user.0), Action::ManageUsers).map_err(denied)?;
    let id = id.into_inner();
    let found = db
        .run(move |conn| queries::find_user(conn, &id).map_err(ApiError::from))
        .await?
        .ok_or_else(|| ApiError::not_found("this account"))?;
    let found = User::try_from(found)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(found.version))
        .json(found))
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
    body: JsonBody<UserPatch>,
) -> ApiResult<HttpResponse> {
    authorize(Some(&user.0), Action::ManageUsers).map_err(denied)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let mut checks = Checks::new();
    if let Err(errors) = body.validate() {
        checks.extend(field_errors(&errors));
    }
    let display_name = body
        .display_name
        .as_deref()
        .map(|n| checks.field("display_name", DisplayName::parse(n)));
    checks.finish(|| Some(())).map_err(ApiError::Validation)?;
    let display_name = display_name.flatten().map(|n| n.as_str().to_owned());

    let updated = db
        .write(move |conn| {
            let current = queries::find_user(conn, &id)?
                .ok_or_else(|| ApiError::not_found("this account"))?;
            if_match.check(current.user.version)?;
            let current_role = Role::parse(&current.user.role)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("user {id} has a bad role")))?;
            let role = body.role.unwrap_or(current_role);
            // A maker turned into anything else leaves its organization.
            let organization_id = match (&body.organization_id, role) {
                (Some(org), _) => Some(org.clone()),
                (None, Role::Maker) => current.user.organization_id.clone(),
                (None, _) => None,
            };
            let coalitions = match (&body.coalitions, role) {
                (Some(c), _) => accounts::dedup(c.clone()),
                (None, Role::CoalitionLead) => current.coalitions.clone(),
                (None, _) => Vec::new(),
            };
            let active = body.active.unwrap_or(current.user.active);
            accounts::check_membership(conn, role, organization_id.as_deref(), &coalitions)?;

            let was = (current_role, current.user.active);
            if removes_last_admin(was, (role, active), queries::count_active_admins(conn)?) {
                return Err(ApiError::Conflict {
                    code: "last_admin",
                    detail: "this is the last active admin: make another admin first".into(),
                });
            }
            let access_changed = role != current_role
                || active != current.user.active
                || organization_id != current.user.organization_id
                || coalitions != current.coalitions;
            let now = db::now();
            let changes = UserChanges {
                display_name,
                role: Some(role.as_str().to_owned()),
                organization_id: Some(organization_id),
                active: Some(active),
                tokens_valid_after: access_changed.then_some(now),
                version: Some(current.user.version + 1),
                updated_at: Some(now),
            };
            if !queries::update_user(conn, &id, current.user.version, &changes)? {
                return Err(ApiError::PreconditionFailed(
                    "the account changed meanwhile: reload and retry".into(),
                ));
            }
            if coalitions != current.coalitions {
                queries::replace_coalitions(conn, &id, &coalitions)?;
            }
            queries::find_user(conn, &id)?.ok_or_else(|| ApiError::not_found("this account"))
        })
        .await?;
    let updated = User::try_from(updated)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(updated.version))
        .json(updated))
}
