//! Accounts: creation (by admins over HTTP and by operators with `user
//! add`), role and state changes, sign-in, the caller's own account, and the
//! long-lived tokens of dashboards.

use chrono::{Duration, Utc};

use super::idempotency::{Kept, Replayable, write_once};
use super::{AppError, AppResult, Listing, PageRequest, Precondition, Sent};
use crate::auth::jwt::{Claims, DEFAULT_TTL, JwtKeys};
use crate::auth::password::{hash_password, is_current, verify_nothing, verify_password};
use crate::auth::rate_limit::{Limits, RetryAfter};
use crate::db::organizations::{self, OrganizationRow};
use crate::db::users::{self as queries, UserChanges, UserFilter, UserRow, UserWithScopes};
use crate::db::{self, Db, DbConnection, reference};
use crate::domain::account::{AccountChange, Email, Membership, NewAccount, Password, Role};
use crate::domain::policy::{Action, Actor, authorize, removes_last_admin};
use crate::domain::validation::{FieldError, quote};

const THIS: &str = "this account";

/// Creates an account with any role (admins), at most once per
/// `Idempotency-Key` (`request`); answers `render` of the account, or the
/// answer kept for the key.
pub async fn create_user<R, A>(
    db: &Db,
    actor: Actor,
    account: Sent<NewAccount>,
    request: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: FnMut(&UserWithScopes) -> AppResult<A> + Send + 'static,
{
    authorize(Some(&actor), Action::ManageUsers)?;
    let (row, membership) = account_row(account?).await?;
    let owner = actor.user_id.clone();
    let create = move |conn: &mut DbConnection| insert_account(conn, &row, &membership);
    write_once(db, owner, request, create, render).await
}

/// Creates an account: the password hashed off the async threads, the
/// organization and coalitions checked to exist, in one transaction. The
/// command line's `user add` calls this directly.
pub async fn create_account(db: &Db, account: NewAccount) -> AppResult<UserWithScopes> {
    let (row, membership) = account_row(account).await?;
    db.write(move |conn| insert_account(conn, &row, &membership))
        .await
}

/// The row of a new account, its password hashed.
async fn account_row(account: NewAccount) -> AppResult<(UserRow, Membership)> {
    let NewAccount {
        email,
        password,
        display_name,
        membership,
    } = account;
    let password_hash = hash(password).await?;
    let now = db::now();
    let row = UserRow {
        id: db::new_id(),
        email: email.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        password_hash,
        role: membership.role,
        organization_id: membership.organization_id.clone(),
        active: true,
        tokens_valid_after: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok((row, membership))
}

fn insert_account(
    conn: &mut DbConnection,
    row: &UserRow,
    membership: &Membership,
) -> AppResult<UserWithScopes> {
    let errors = missing_ties(conn, membership)?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    queries::insert_user(conn, row, &membership.coalitions).map_err(email_taken)?;
    queries::find_user(conn, &row.id)?.ok_or(AppError::NotFound(THIS))
}

/// Argon2 takes tens of milliseconds of CPU: off the async threads.
pub async fn hash(password: Password) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(password.expose()))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing was cancelled: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// A unique violation on insert into `users` is the email.
pub fn email_taken(error: diesel::result::Error) -> AppError {
    match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::conflict("email_taken", "an account with this email already exists"),
        other => other.into(),
    }
}

/// What a membership names that does not exist: a maker's organization, a lead's coalitions.
fn missing_ties(conn: &mut DbConnection, membership: &Membership) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(id) = &membership.organization_id
        && organizations::find_organization(conn, id)?.is_none()
    {
        errors.push(FieldError::new(
            "organization_id",
            "unknown_organization",
            "no organization has this id",
        ));
    }
    for slug in reference::unknown_coalitions(conn, &membership.coalitions)? {
        let index = membership
            .coalitions
            .iter()
            .position(|c| *c == slug)
            .unwrap_or_default();
        errors.push(FieldError::new(
            format!("coalitions[{index}]"),
            "unknown_coalition",
            format!("{} is not a coalition", quote(&slug)),
        ));
    }
    Ok(errors)
}

/// A page of accounts in creation order (admins).
pub async fn list_users(
    db: &Db,
    actor: Actor,
    filter: UserFilter,
    page: PageRequest,
) -> AppResult<Listing<UserWithScopes>> {
    authorize(Some(&actor), Action::ManageUsers)?;
    db.run(move |conn| {
        let rows = queries::list_users(conn, &filter, page.after.as_deref(), page.fetch())?;
        Ok(page.finish(rows, |row| row.user.id.clone()))
    })
    .await
}

/// One account (admins).
pub async fn get_user(db: &Db, actor: Actor, id: String) -> AppResult<UserWithScopes> {
    authorize(Some(&actor), Action::ManageUsers)?;
    db.run(move |conn| queries::find_user(conn, &id)?.ok_or(AppError::NotFound(THIS)))
        .await
}

/// Changes an account's role, scopes, state or name (admins). Changing who
/// it belongs to or whether it is active revokes its tokens at once; the last
/// active admin can be neither demoted nor deactivated.
pub async fn update_user(
    db: &Db,
    actor: Actor,
    id: String,
    precondition: Precondition,
    change: Sent<AccountChange>,
) -> AppResult<UserWithScopes> {
    authorize(Some(&actor), Action::ManageUsers)?;
    let changed = db
        .write(move |conn| {
            // Before the account is read: see `lock_active_admins`.
            let active_admins = queries::lock_active_admins(conn)?;
            let current = queries::find_user(conn, &id)?.ok_or(AppError::NotFound(THIS))?;
            let checked = precondition.check(current.user.version)?;
            let change = change.clone()?;
            let was = current.membership();
            let will_be = change.apply(&was);
            let mut errors = will_be.shape_errors();
            if errors.is_empty() {
                errors = missing_ties(conn, &will_be)?;
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            if removes_last_admin(&was, &will_be, active_admins.len()) {
                return Err(AppError::conflict(
                    "last_admin",
                    "this is the last active admin: make another admin first",
                ));
            }
            let now = db::now();
            let changes = UserChanges {
                display_name: change.display_name.map(|n| n.as_str().to_owned()),
                role: Some(will_be.role.into()),
                organization_id: Some(will_be.organization_id.clone()),
                active: Some(will_be.active),
                tokens_valid_after: (will_be != was).then_some(now),
                version: None,
                updated_at: Some(now),
            };
            checked.write(
                conn,
                THIS,
                |conn, version, next| {
                    let changes = UserChanges {
                        version: Some(next),
                        ..changes
                    };
                    if !queries::update_user(conn, &id, version, &changes)? {
                        return Ok(false);
                    }
                    if will_be.coalitions != was.coalitions {
                        queries::replace_coalitions(conn, &id, &will_be.coalitions)?;
                    }
                    Ok(true)
                },
                |conn| queries::find_user(conn, &id)?.ok_or(AppError::NotFound(THIS)),
            )
        })
        .await;
    // Tokens are checked against kept accounts: this one may have changed.
    db.cache().forget_accounts();
    changed
}

/// An access token, as signed.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
}

/// What one signs in with.
#[derive(Debug)]
pub struct Credentials {
    pub email: Email,
    pub password: String,
}

/// Exchanges an email and password for an access token. A wrong password,
/// an unknown email and a deactivated account get the same answer in about
/// the same time. Attempts are limited per client address, and failures
/// per account at that address, so that a stranger cannot lock the owner
/// out and an owner signing in often is never slowed.
pub async fn sign_in(
    db: &Db,
    keys: &JwtKeys,
    limits: &Limits,
    client: &str,
    credentials: Sent<Credentials>,
) -> AppResult<IssuedToken> {
    let limited = |r: RetryAfter| AppError::RateLimited {
        retry_after_secs: r.0,
    };
    limits
        .sign_in_per_address
        .attempt(client)
        .map_err(limited)?;
    let Credentials { email, password } = credentials?;
    // Only failures spend the account's budget (OWASP's advice on
    // lockouts); once it is spent, even the right password waits.
    let account = Limits::account_key(email.as_str(), client);
    limits
        .sign_in_failures_per_account
        .check(&account)
        .map_err(limited)?;
    let address = email.as_str().to_owned();
    let user = db
        .run(move |conn| Ok::<_, AppError>(queries::find_user_by_email(conn, &address)?))
        .await?;
    let checked = tokio::task::spawn_blocking(move || match user {
        Some(user) if verify_password(&password, &user.password_hash) && user.active => {
            // A hash of other parameters is made again while the password
            // is at hand (once per account: the 19 MiB hashes of before).
            let renewed = (!is_current(&user.password_hash))
                .then(|| hash_password(&password).ok())
                .flatten();
            Some((user, renewed))
        }
        Some(_) => None,
        None => {
            verify_nothing(&password);
            None
        }
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("verification was cancelled: {e}")))?;
    let Some((user, renewed)) = checked else {
        // Spent whether or not it was the last of the budget: this one was
        // checked, and is a plain failure.
        let _ = limits.sign_in_failures_per_account.attempt(&account);
        return Err(AppError::NotSignedIn);
    };
    if let Some(new) = renewed {
        renew_hash(db, &user, new).await;
    }
    issue(keys, &user, DEFAULT_TTL)
}

/// Stores the account's password hashed with the current parameters. A
/// failure only leaves the old hash, which still verifies: the sign-in
/// goes on, and the next one tries again.
async fn renew_hash(db: &Db, user: &UserRow, new: String) {
    let (id, old) = (user.id.clone(), user.password_hash.clone());
    let renewed = db
        .write(move |conn| Ok::<_, AppError>(queries::renew_password_hash(conn, &id, &old, &new)?))
        .await;
    if let Err(error) = renewed {
        tracing::warn!(%error, "a password hash could not be renewed");
    }
}

fn issue(keys: &JwtKeys, user: &UserRow, ttl: Duration) -> AppResult<IssuedToken> {
    let token = keys
        .issue(
            &user.id,
            user.role.as_str(),
            user.tokens_valid_after.and_utc(),
            Utc::now(),
            ttl,
        )
        .map_err(|e| AppError::Internal(anyhow::anyhow!("signing failed: {e}")))?;
    Ok(IssuedToken {
        token,
        expires_in: ttl,
    })
}

/// A long-lived token for a viewer account (dashboards), valid for `ttl`.
pub async fn viewer_token(
    db: &Db,
    keys: &JwtKeys,
    email: Email,
    ttl: Duration,
) -> AppResult<IssuedToken> {
    let address = email.as_str().to_owned();
    let user = db
        .run(move |conn| Ok::<_, AppError>(queries::find_user_by_email(conn, &address)?))
        .await?
        .ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "email",
                "unknown_account",
                format!("no account has the email {}", email.as_str()),
            ))
        })?;
    if user.role != Role::Viewer {
        return Err(AppError::Forbidden(format!(
            "{} is a {}: long-lived tokens are for viewer accounts only",
            user.email, user.role
        )));
    }
    if !user.active {
        return Err(AppError::Forbidden(format!(
            "{} is deactivated",
            user.email
        )));
    }
    issue(keys, &user, ttl)
}

/// The caller's own account, with a maker's organization.
pub async fn me(db: &Db, actor: Actor) -> AppResult<(UserWithScopes, Option<OrganizationRow>)> {
    authorize(Some(&actor), Action::ReadOwnAccount)?;
    db.run(move |conn| {
        let account = queries::find_user(conn, &actor.user_id)?.ok_or(AppError::NotFound(THIS))?;
        let organization = match &actor.organization_id {
            Some(id) => organizations::find_organization(conn, id)?,
            None => None,
        };
        Ok((account, organization))
    })
    .await
}

/// The caller a verified access token names, if its account still stands
/// as the token says: active, of the token's role, and not changed since
/// the token was issued (`epoch`). Accounts come from this instance's read
/// cache when it holds them (see `db::cache` for how fresh).
pub async fn actor_of_token(db: &Db, claims: &Claims) -> AppResult<Option<Actor>> {
    let cache = db.cache();
    let account = match cache.account(&claims.sub) {
        Some(account) => account,
        None => {
            let generation = cache.accounts_generation();
            let subject = claims.sub.clone();
            let Some(found) = db
                .run(move |conn| Ok::<_, AppError>(queries::find_user(conn, &subject)?))
                .await?
            else {
                return Ok(None);
            };
            let account = std::sync::Arc::new(found);
            cache.keep_account(account.clone(), generation);
            account
        }
    };
    let user = &account.user;
    let current = user.active
        && user.role.as_str() == claims.role
        && user.tokens_valid_after.and_utc().timestamp_micros() == claims.epoch;
    Ok(current.then(|| Actor {
        user_id: user.id.clone(),
        role: user.role,
        organization_id: user.organization_id.clone(),
        coalitions: account.coalitions.clone(),
    }))
}
