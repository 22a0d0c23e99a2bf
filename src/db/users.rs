//! Accounts and the coalitions a lead is scoped to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{user_coalitions, users};
use crate::domain::account::{Membership, Role};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: Role,
    pub organization_id: Option<String>,
    pub active: bool,
    pub tokens_valid_after: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_coalitions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserCoalitionRow {
    pub user_id: String,
    pub coalition_slug: String,
}

/// One account with the coalitions it leads.
#[derive(Debug, Clone)]
pub struct UserWithScopes {
    pub user: UserRow,
    pub coalitions: Vec<String>,
}

impl UserWithScopes {
    pub fn membership(&self) -> Membership {
        Membership {
            role: self.user.role,
            organization_id: self.user.organization_id.clone(),
            coalitions: self.coalitions.clone(),
            active: self.user.active,
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub organization_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub tokens_valid_after: Option<NaiveDateTime>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Filters of `GET /users`.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub organization_id: Option<String>,
    pub active: Option<bool>,
}

pub fn insert_user(
    conn: &mut DbConnection,
    user: &UserRow,
    coalitions: &[String],
) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user.clone())
        .execute(conn)?;
    replace_coalitions(conn, &user.id, coalitions)
}

pub fn replace_coalitions(
    conn: &mut DbConnection,
    user_id: &str,
    coalitions: &[String],
) -> QueryResult<()> {
    diesel::delete(user_coalitions::table.filter(user_coalitions::user_id.eq(user_id)))
        .execute(conn)?;
    let rows: Vec<UserCoalitionRow> = coalitions
        .iter()
        .map(|slug| UserCoalitionRow {
            user_id: user_id.to_owned(),
            coalition_slug: slug.clone(),
        })
        .collect();
    if !rows.is_empty() {
        crate::insert_rows!(conn, user_coalitions::table, &rows)?;
    }
    Ok(())
}

pub fn find_user(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserWithScopes>> {
    let Some(user) = crate::concrete!(conn, |conn| users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional())?
    else {
        return Ok(None);
    };
    let coalitions = coalitions_of(conn, std::slice::from_ref(&user.id))?
        .into_iter()
        .map(|row| row.coalition_slug)
        .collect();
    Ok(Some(UserWithScopes { user, coalitions }))
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The lead scopes of these accounts, in one query.
pub fn coalitions_of(
    conn: &mut DbConnection,
    user_ids: &[String],
) -> QueryResult<Vec<UserCoalitionRow>> {
    crate::with_ids!(conn =>
        user_coalitions::table,
        user_coalitions::user_id,
        user_ids,
        |q| q
            .order((user_coalitions::user_id, user_coalitions::coalition_slug))
            .select(UserCoalitionRow::as_select())
            .load(conn)
    )
}

/// A page of accounts in id (creation) order after `after`, with their scopes.
pub fn list_users(
    conn: &mut DbConnection,
    filter: &UserFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<UserWithScopes>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(organization_id) = &filter.organization_id {
        query = query.filter(users::organization_id.eq(organization_id.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.to_owned()));
    }
    let rows: Vec<UserRow> = query.order(users::id.asc()).limit(limit).load(conn)?;
    let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
    let mut scopes = coalitions_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|user| {
            let coalitions = scopes
                .extract_if(.., |row| row.user_id == user.id)
                .map(|row| row.coalition_slug)
                .collect();
            UserWithScopes { user, coalitions }
        })
        .collect())
}

/// Replaces the account's password hash with `new` if it is still `old`
/// (the same password, hashed with other parameters); `false` when it
/// changed meanwhile. The account's version stays: nothing it shows moved.
pub fn renew_password_hash(
    conn: &mut DbConnection,
    id: &str,
    old: &str,
    new: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::password_hash.eq(old)),
    )
    .set(users::password_hash.eq(new))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Applies `changes` if the account is still at `version`; `false` when it moved on.
pub fn update_user(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &UserChanges,
) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::version.eq(version)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(updated == 1)
}

/// The active admins' ids. On PostgreSQL their rows stay locked until the
/// transaction ends, so that two admins demoting each other at once cannot
/// both see the other as the remaining one; SQLite runs one writer at a time.
pub fn lock_active_admins(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let admins = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .order(users::id)
        .select(users::id);
    match conn {
        DbConnection::Postgresql(pg) => admins.for_update().load(pg),
        DbConnection::Sqlite(sqlite) => admins.load(sqlite),
    }
}
