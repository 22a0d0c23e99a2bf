//! Leads' reviews of a commitment.

use diesel::prelude::*;

use super::*;
use crate::db::DbConnection;
use crate::db::schema::reviews;

pub fn insert_review(conn: &mut DbConnection, row: &ReviewRow) -> QueryResult<()> {
    crate::concrete!(conn, |conn| diesel::insert_into(reviews::table)
        .values(row.clone())
        .execute(conn))
    .map(|_| ())
}

pub fn reviews_of(conn: &mut DbConnection, commitment_id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(reviews::commitment_id.eq(commitment_id))
        .order((reviews::created_at, reviews::id))
        .select(ReviewRow::as_select())
        .load(conn)
}
