//! Organizations: the commitment makers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::organizations;
use crate::domain::country::CountryCode;
use crate::domain::organization::Constituency;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = organizations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub constituency: Constituency,
    pub country: String,
    pub un_region: Option<String>,
    pub website: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub constituency: Option<String>,
    pub country: Option<String>,
    pub un_region: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Filters of `GET /organizations`.
#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    pub constituency: Option<Constituency>,
    pub country: Option<CountryCode>,
}

pub fn insert_organization(conn: &mut DbConnection, row: &OrganizationRow) -> QueryResult<()> {
    diesel::insert_into(organizations::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn find_organization(
    conn: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<OrganizationRow>> {
    crate::concrete!(conn, |conn| organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional())
}

/// A page of organizations in id (registration) order after `after`.
pub fn list_organizations(
    conn: &mut DbConnection,
    filter: &OrganizationFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(constituency) = filter.constituency {
        query = query.filter(organizations::constituency.eq(constituency.as_str()));
    }
    if let Some(country) = filter.country {
        query = query.filter(organizations::country.eq(country.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after.to_owned()));
    }
    query.order(organizations::id.asc()).limit(limit).load(conn)
}

/// Applies `changes` if the organization is still at `version`.
pub fn update_organization(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &OrganizationChanges,
) -> QueryResult<bool> {
    let updated = diesel::update(
        organizations::table
            .filter(organizations::id.eq(id))
            .filter(organizations::version.eq(version)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(updated == 1)
}

/// These organizations, in one query.
pub fn find_organizations(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<OrganizationRow>> {
    crate::with_ids!(conn => organizations::table, organizations::id, ids, |q| q
        .select(OrganizationRow::as_select())
        .load(conn))
}
