//! Creating accounts, shared by `POST /users` and `gef-commitments user add`:
//! the domain checks, the database checks (organization and coalitions
//! exist), the password hash, and the insert.

use crate::auth::password::hash_password;
use crate::db::users::{self, UserRow, UserWithScopes};
use crate::db::{self, Db, DbConnection, organizations, reference};
use crate::domain::account::{DisplayName, Email, Password, Role};
use crate::domain::validation::{Checks, FieldError};
use crate::error::{ApiError, ApiResult};

/// An account to create, its fields already valid on their own.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
    pub role: Role,
    pub organization_id: Option<String>,
    pub coalitions: Vec<String>,
}

impl NewAccount {
    pub fn parse(
        email: &str,
        password: &str,
        display_name: &str,
        role: Role,
        organization_id: Option<String>,
        coalitions: Vec<String>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();
        let email = checks.field("email", Email::parse(email));
        let password = checks.field("password", Password::parse(password));
        let display_name = checks.field("display_name", DisplayName::parse(display_name));
        checks.finish(|| {
            Some(Self {
                email: email?,
                password: password?,
                display_name: display_name?,
                role,
                organization_id,
                coalitions: dedup(coalitions),
            })
        })
    }
}

/// Hashes the password (off the async threads), checks membership and inserts.
pub async fn create_account(db: &Db, account: NewAccount) -> ApiResult<UserWithScopes> {
    let NewAccount {
        email,
        password,
        display_name,
        role,
        organization_id,
        coalitions,
    } = account;
    let password_hash = hash(password).await?;
    let now = db::now();
    let row = UserRow {
        id: db::new_id(),
        email: email.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        password_hash,
        role: role.as_str().to_owned(),
        organization_id,
        active: true,
        tokens_valid_after: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    db.write(move |conn| {
        check_membership(conn, role, row.organization_id.as_deref(), &coalitions)?;
        users::insert_user(conn, &row, &coalitions).map_err(email_taken)?;
        users::find_user(conn, &row.id)?.ok_or_else(|| ApiError::not_found("the new account"))
    })
    .await
}

/// Argon2 takes tens of milliseconds of CPU: off the async threads.
pub async fn hash(password: Password) -> ApiResult<String> {
    actix_web::web::block(move || hash_password(password.expose()))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing was cancelled: {e}")))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// A unique violation on insert into `users` is the email.
pub fn email_taken(error: diesel::result::Error) -> ApiError {
    match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::Conflict {
            code: "email_taken",
            detail: "an account with this email already exists".into(),
        },
        other => other.into(),
    }
}

/// The role's membership rules, checked against the database: a maker has
/// one organization that exists, a lead one or more coalitions that exist,
/// nobody else either.
pub fn check_membership(
    conn: &mut DbConnection,
    role: Role,
    organization_id: Option<&str>,
    coalitions: &[String],
) -> ApiResult<()> {
    let mut errors = Vec::new();
    match (role, organization_id) {
        (Role::Maker, None) => errors.push(FieldError::new(
            "organization_id",
            "required",
            "a maker must belong to an organization",
        )),
        (Role::Maker, Some(id)) => {
            if organizations::find_organization(conn, id)?.is_none() {
                errors.push(FieldError::new(
                    "organization_id",
                    "unknown_organization",
                    "no organization has this id",
                ));
            }
        }
        (_, Some(_)) => errors.push(FieldError::new(
            "organization_id",
            "not_allowed",
            "only makers belong to an organization",
        )),
        (_, None) => {}
    }
    match (role, coalitions.is_empty()) {
        (Role::CoalitionLead, true) => errors.push(FieldError::new(
            "coalitions",
            "required",
            "a coalition lead must be scoped to at least one coalition",
        )),
        (Role::CoalitionLead, false) => {
            for slug in reference::unknown_coalitions(conn, coalitions)? {
                let index = coalitions
                    .iter()
                    .position(|c| *c == slug)
                    .unwrap_or_default();
                errors.push(FieldError::new(
                    format!("coalitions[{index}]"),
                    "unknown_coalition",
                    format!("{slug:?} is not a coalition"),
                ));
            }
        }
        (_, false) => errors.push(FieldError::new(
            "coalitions",
            "not_allowed",
            "only coalition leads are scoped to coalitions",
        )),
        (_, true) => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub fn dedup(mut slugs: Vec<String>) -> Vec<String> {
    slugs.sort();
    slugs.dedup();
    slugs
}
