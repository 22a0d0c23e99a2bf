//! Replays of creating requests (`Idempotency-Key`): the first answer is
//! kept with the key, in the same transaction as what it created; a replay
//! with the same request gets it back and creates nothing. The same key
//! with another request is a 422. Keys are kept `RETENTION` (24 hours): an
//! older one counts as never used, and `sweep` (hourly, see `startup`)
//! deletes them.

use super::{AppError, AppResult};
use crate::db::idempotency::{self, IdempotencyKeyRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::validation::FieldError;

/// A creating request that may be replayed: the caller's key, what was
/// asked (path) and a fingerprint of its body.
#[derive(Debug, Clone)]
pub struct Replayable {
    pub key: String,
    pub path: String,
    pub fingerprint: String,
}

/// The first answer to a creating request, as the edge that answered
/// writes it down: kept and handed back here without being read, so that
/// what an answer is (a status, headers, a body) stays the edge's.
pub trait Kept: Sized {
    /// Its stored form.
    fn keep(&self) -> KeptForm;
    /// The answer again from its stored form, as a replay.
    fn replay(kept: KeptForm) -> Self;
}

/// A kept answer as stored with its key: a code, what goes with it, a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptForm {
    pub code: i32,
    pub meta: String,
    pub body: String,
}

/// Runs a creating use case's transaction at most once per key: a replay
/// of `request` by `owner` answers the kept answer and runs nothing; a first
/// request runs `create`, answers `render` of what it made and keeps that
/// with the key, all in one transaction. When two requests with one key race
/// (PostgreSQL), the loser's transaction fails on a unique index and it
/// answers the winner's kept answer instead.
pub async fn write_once<T, A, F, R>(
    db: &Db,
    owner: String,
    request: Option<Replayable>,
    mut create: F,
    mut render: R,
) -> AppResult<A>
where
    T: Send + 'static,
    A: Kept + Send + 'static,
    F: FnMut(&mut DbConnection) -> AppResult<T> + Send + 'static,
    R: FnMut(&T) -> AppResult<A> + Send + 'static,
{
    // Nothing to keep: the answer is rendered once written, off the (on
    // SQLite, one) writer.
    let Some(request) = request else {
        return db.write(create).await.and_then(|created| render(&created));
    };
    let (who, asked) = (owner.clone(), request.clone());
    let attempt = db
        .write(move |conn| {
            if let Some(kept) = replay(conn, &who, &asked)? {
                return Ok(kept);
            }
            // The key is claimed before anything is done: a copy racing in
            // another transaction (PostgreSQL, another instance) waits on
            // the claim until this one commits, then fails on the key's
            // unique index and answers what was kept, rather than running
            // the request again (a review would then be refused for the
            // version it moved on).
            claim(conn, &who, &asked)?;
            let answer = render(&create(conn)?)?;
            keep(conn, &who, &asked, &answer)?;
            Ok(answer)
        })
        .await;
    match attempt {
        Err(error @ AppError::Conflict { .. }) => {
            let kept = db.run(move |conn| replay(conn, &owner, &request)).await?;
            kept.ok_or(error)
        }
        attempt => attempt,
    }
}

/// How long a key's answer is kept and replayed.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);

/// Deletes the answers kept longer than `RETENTION`; answers how many.
pub async fn sweep(db: &Db) -> AppResult<usize> {
    db.write(|conn| Ok(idempotency::delete_older_than(conn, db::now() - RETENTION)?))
        .await
}

/// The kept answer for `request` by `owner`, if any and not expired.
pub fn replay<A: Kept>(
    conn: &mut DbConnection,
    owner: &str,
    request: &Replayable,
) -> AppResult<Option<A>> {
    let Some(row) = idempotency::find_key(conn, owner, &request.key)? else {
        return Ok(None);
    };
    if row.created_at < db::now() - RETENTION {
        // Expired: the key is free again.
        idempotency::delete_key(conn, owner, &request.key)?;
        return Ok(None);
    }
    if row.request_hash != request.fingerprint || row.request_path != request.path {
        return Err(AppError::invalid(FieldError::new(
            "Idempotency-Key",
            "key_reused",
            "this Idempotency-Key was used for a different request",
        )));
    }
    Ok(Some(A::replay(KeptForm {
        code: row.response_status,
        meta: row.response_headers,
        body: row.response_body,
    })))
}

/// Claims `request`'s key for `owner`, inside the creating transaction,
/// with no answer yet (a placeholder code the table accepts, 102, and an
/// empty body), which `keep` replaces before the transaction commits, so
/// that no one ever reads it.
fn claim(conn: &mut DbConnection, owner: &str, request: &Replayable) -> AppResult<()> {
    idempotency::insert_key(
        conn,
        &IdempotencyKeyRow {
            owner: owner.to_owned(),
            idempotency_key: request.key.clone(),
            request_method: "POST".into(),
            request_path: request.path.clone(),
            request_hash: request.fingerprint.clone(),
            response_status: 102,
            response_headers: "{}".into(),
            response_body: String::new(),
            created_at: db::now(),
        },
    )?;
    Ok(())
}

/// Keeps `answer` for the key `owner` claimed for `request`, inside the
/// creating transaction.
fn keep(
    conn: &mut DbConnection,
    owner: &str,
    request: &Replayable,
    answer: &impl Kept,
) -> AppResult<()> {
    let kept = answer.keep();
    idempotency::answer_key(conn, owner, &request.key, kept.code, &kept.meta, &kept.body)?;
    Ok(())
}
