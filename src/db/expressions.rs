//! Expressions of interest: an organization asking to join a coalition.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{expression_of_interest_action_areas, expressions_of_interest};
use crate::domain::expression::ExpressionStatus;
use crate::domain::policy::Visibility;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = expressions_of_interest)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExpressionOfInterestRow {
    pub id: String,
    pub organization_id: String,
    pub coalition_slug: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: ExpressionStatus,
    pub motivation: String,
    pub contact_email: String,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expression_of_interest_action_areas)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExpressionOfInterestActionAreaRow {
    pub expression_of_interest_id: String,
    pub coalition_slug: String,
    pub number: i32,
}

pub fn insert_expression(
    conn: &mut DbConnection,
    row: &ExpressionOfInterestRow,
    areas: &[ExpressionOfInterestActionAreaRow],
) -> QueryResult<()> {
    diesel::insert_into(expressions_of_interest::table)
        .values(row.clone())
        .execute(conn)?;
    if !areas.is_empty() {
        crate::insert_rows!(conn, expression_of_interest_action_areas::table, areas)?;
    }
    Ok(())
}

pub fn find_expression(
    conn: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<ExpressionOfInterestRow>> {
    expressions_of_interest::table
        .find(id)
        .select(ExpressionOfInterestRow::as_select())
        .first(conn)
        .optional()
}

/// The action areas of these expressions, in one query.
pub fn areas_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<ExpressionOfInterestActionAreaRow>> {
    expression_of_interest_action_areas::table
        .filter(expression_of_interest_action_areas::expression_of_interest_id.eq_any(ids))
        .order((
            expression_of_interest_action_areas::expression_of_interest_id,
            expression_of_interest_action_areas::number,
        ))
        .select(ExpressionOfInterestActionAreaRow::as_select())
        .load(conn)
}

/// Whether `organization` may commit in `coalition`: its expression there was accepted.
pub fn is_accepted(
    conn: &mut DbConnection,
    organization: &str,
    coalition: &str,
) -> QueryResult<bool> {
    crate::concrete!(conn, |conn| diesel::select(diesel::dsl::exists(
        expressions_of_interest::table
            .filter(expressions_of_interest::organization_id.eq(organization))
            .filter(expressions_of_interest::coalition_slug.eq(coalition))
            .filter(expressions_of_interest::status.eq(ExpressionStatus::Accepted.as_str())),
    ))
    .get_result(conn))
}

/// Filters of `GET /expressions-of-interest`.
#[derive(Debug, Default, Clone)]
pub struct ExpressionFilter {
    pub coalition: Option<String>,
    pub status: Option<ExpressionStatus>,
    pub organization: Option<String>,
}

/// A page of the expressions `visibility` sees, newest first, after `before`.
pub fn list_expressions(
    conn: &mut DbConnection,
    filter: &ExpressionFilter,
    visibility: &Visibility,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ExpressionOfInterestRow>> {
    let mut query = expressions_of_interest::table
        .select(ExpressionOfInterestRow::as_select())
        .into_boxed();
    // The SQL of `Visibility::sees_expression`.
    if let Visibility::PublicAnd {
        organization_id,
        coalitions,
    } = visibility
    {
        query = query.filter(
            expressions_of_interest::organization_id
                .eq(organization_id.clone().unwrap_or_default())
                .or(expressions_of_interest::coalition_slug.eq_any(coalitions.clone())),
        );
    }
    if let Some(coalition) = &filter.coalition {
        query = query.filter(expressions_of_interest::coalition_slug.eq(coalition.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(expressions_of_interest::status.eq(status.as_str()));
    }
    if let Some(organization) = &filter.organization {
        query = query.filter(expressions_of_interest::organization_id.eq(organization.clone()));
    }
    if let Some(before) = before {
        query = query.filter(expressions_of_interest::id.lt(before.to_owned()));
    }
    query
        .order(expressions_of_interest::id.desc())
        .limit(limit)
        .load(conn)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = expressions_of_interest)]
pub struct ExpressionChanges {
    pub status: Option<String>,
    pub decision_note: Option<Option<String>>,
    pub decided_by: Option<Option<String>>,
    pub decided_at: Option<Option<NaiveDateTime>>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies `changes` if the expression is still at `version`.
pub fn update_expression(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &ExpressionChanges,
) -> QueryResult<bool> {
    let updated = diesel::update(
        expressions_of_interest::table
            .filter(expressions_of_interest::id.eq(id))
            .filter(expressions_of_interest::version.eq(version)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(updated == 1)
}
