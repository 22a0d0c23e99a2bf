//! Stored first responses of creating POSTs, replayed for a repeated `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct IdempotencyKeyRow {
    pub owner: String,
    pub idempotency_key: String,
    pub request_method: String,
    pub request_path: String,
    pub request_hash: String,
    pub response_status: i32,
    pub response_headers: String,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

pub fn find_key(
    conn: &mut DbConnection,
    owner: &str,
    key: &str,
) -> QueryResult<Option<IdempotencyKeyRow>> {
    idempotency_keys::table
        .find((owner, key))
        .select(IdempotencyKeyRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_key(conn: &mut DbConnection, row: &IdempotencyKeyRow) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Gives a claimed key its answer.
pub fn answer_key(
    conn: &mut DbConnection,
    owner: &str,
    key: &str,
    status: i32,
    headers: &str,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((owner, key)))
        .set((
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deletes the kept answer of one key.
pub fn delete_key(conn: &mut DbConnection, owner: &str, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((owner, key)))
        .execute(conn)
        .map(|_| ())
}

/// Deletes the answers kept before `cutoff`; answers how many.
pub fn delete_older_than(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
