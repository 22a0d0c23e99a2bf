//! Organizations (commitment makers): registration with a first maker
//! account, the public directory, and profile edits by its makers and admins.

use super::accounts::{email_taken, hash};
use super::idempotency::{Kept, Replayable, write_once};
use super::{AppError, AppResult, Listing, PageRequest, Precondition, Sent};
use crate::auth::rate_limit::Limits;
use crate::db::organizations::{
    self as queries, OrganizationChanges, OrganizationFilter, OrganizationRow,
};
use crate::db::users::{self, UserRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::account::{DisplayName, Email, Password, Role};
use crate::domain::organization::{Profile, ProfileChange};
use crate::domain::policy::{Action, Actor, authorize};

const THIS: &str = "this organization";

/// A registration: the organization and its first maker account.
#[derive(Debug)]
pub struct Registration {
    pub profile: Profile,
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
}

/// Registers an organization with its first maker account, in one
/// transaction; the account's role is always `maker`. Registrations are
/// limited per client address.
pub async fn register(
    db: &Db,
    limits: &Limits,
    client: &str,
    registration: Sent<Registration>,
) -> AppResult<(OrganizationRow, UserRow)> {
    let (organization, account) = registration_rows(limits, client, registration).await?;
    db.write(move |conn| insert_registration(conn, organization.clone(), account.clone()))
        .await
}

/// `register`, at most once per `Idempotency-Key` (`request`) from this
/// client address (keys of anonymous callers are theirs per address);
/// answers `render` of what was made, or the answer kept for the key.
pub async fn register_once<R, A>(
    db: &Db,
    limits: &Limits,
    client: &str,
    registration: Sent<Registration>,
    request: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: FnMut(&(OrganizationRow, UserRow)) -> AppResult<A> + Send + 'static,
{
    let (organization, account) = registration_rows(limits, client, registration).await?;
    let owner = format!("client {client}");
    let create = move |conn: &mut DbConnection| {
        insert_registration(conn, organization.clone(), account.clone())
    };
    write_once(db, owner, request, create, render).await
}

/// The rows of a registration, its password hashed, once the address's
/// limit lets it through.
async fn registration_rows(
    limits: &Limits,
    client: &str,
    registration: Sent<Registration>,
) -> AppResult<(OrganizationRow, UserRow)> {
    limits
        .registrations_per_address
        .attempt(client)
        .map_err(|r| AppError::RateLimited {
            retry_after_secs: r.0,
        })?;
    let Registration {
        profile,
        email,
        password,
        display_name,
    } = registration?;
    let password_hash = hash(password).await?;
    let now = db::now();
    let organization = OrganizationRow {
        id: db::new_id(),
        name: profile.name.as_str().to_owned(),
        constituency: profile.constituency,
        country: profile.country.as_str().to_owned(),
        un_region: profile.un_region.map(|r| r.as_str().to_owned()),
        website: profile.website.map(|w| w.as_str().to_owned()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let account = UserRow {
        id: db::new_id(),
        email: email.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        password_hash,
        role: Role::Maker,
        organization_id: Some(organization.id.clone()),
        active: true,
        tokens_valid_after: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok((organization, account))
}

fn insert_registration(
    conn: &mut DbConnection,
    organization: OrganizationRow,
    account: UserRow,
) -> AppResult<(OrganizationRow, UserRow)> {
    queries::insert_organization(conn, &organization)?;
    users::insert_user(conn, &account, &[]).map_err(email_taken)?;
    Ok((organization, account))
}

/// A page of the directory, in registration order.
pub async fn list(
    db: &Db,
    filter: OrganizationFilter,
    page: PageRequest,
) -> AppResult<Listing<OrganizationRow>> {
    db.run(move |conn| {
        let rows = queries::list_organizations(conn, &filter, page.after.as_deref(), page.fetch())?;
        Ok(page.finish(rows, |row| row.id.clone()))
    })
    .await
}

/// One organization's public profile.
pub async fn get(db: &Db, id: String) -> AppResult<OrganizationRow> {
    db.run(move |conn| queries::find_organization(conn, &id)?.ok_or(AppError::NotFound(THIS)))
        .await
}

/// Changes an organization's profile (its makers and admins).
pub async fn update(
    db: &Db,
    actor: Actor,
    id: String,
    precondition: Precondition,
    change: Sent<ProfileChange>,
) -> AppResult<OrganizationRow> {
    authorize(
        Some(&actor),
        Action::EditOrganization {
            organization_id: &id,
        },
    )?;
    db.write(move |conn| {
        let current = queries::find_organization(conn, &id)?.ok_or(AppError::NotFound(THIS))?;
        let checked = precondition.check(current.version)?;
        let change = change.clone()?;
        checked.write(
            conn,
            THIS,
            |conn, version, next| {
                let changes = OrganizationChanges {
                    name: change.name.map(|n| n.as_str().to_owned()),
                    constituency: change.constituency.map(String::from),
                    country: change.country.map(|c| c.as_str().to_owned()),
                    un_region: change.un_region.map(|r| r.map(String::from)),
                    website: change.website.map(|w| w.map(|w| w.as_str().to_owned())),
                    version: Some(next),
                    updated_at: Some(db::now()),
                };
                if !queries::update_organization(conn, &id, version, &changes)? {
                    return Ok(false);
                }
                Ok(true)
            },
            |conn| queries::find_organization(conn, &id)?.ok_or(AppError::NotFound(THIS)),
        )
    })
    .await
}
