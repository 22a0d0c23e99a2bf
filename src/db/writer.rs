//! SQLite's writer: one thread owns the one write connection and commits
//! the write transactions queued meanwhile together (group commit).
//!
//! SQLite runs one write transaction at a time, so writes queue anyway. The
//! writer takes every queued write (up to `MAX_BATCH`), begins one
//! `IMMEDIATE` transaction, runs each write in a savepoint of its own (a
//! write that fails is rolled back to its savepoint and answers its error;
//! the others are untouched), commits once, and only then answers the
//! writes that succeeded. A write is thus acknowledged only once it is
//! durable, as before, but a batch pays for one commit: the WAL frames of
//! the pages its writes share (index leaves, the change rows the figures
//! follow, the event log's last page) are written and checksummed once, not once per
//! write, and the writer never waits on a lock hand-over between writes.
//!
//! Should a write panic, the whole batch is rolled back, every write in it
//! answers an error (none of them is stored), and the connection is opened
//! again. The read cache is made stale after each batch and before its
//! writes are answered, so a caller reads its own write.
//!
//! The WAL is checkpointed on a thread of its own (`checkpoint`), never by
//! the writer: copying committed pages back into the database file and
//! syncing it took a twentieth of the writer's time, during which no write
//! could run.
//!
//! A batch first runs its writes bare, without savepoints: a savepoint
//! copies every page a write changes into its journal first, a tenth of
//! the writer's time. Should a write fail, nothing tells what it changed
//! before failing, so the batch is rolled back and run again, each write in
//! its savepoint; a write may thus run twice, and is answered from the run
//! that was committed. After a batch with a failing write, the next
//! `CAREFUL_AFTER_FAILURE` batches run in savepoints from the start, so that
//! writes that keep failing cost no more than before.
//!
//! The transaction begins `IMMEDIATE`, taking the write lock at once and
//! waiting up to the busy timeout for another process's writer (the command
//! line, a second instance on the same file); a deferred `BEGIN` would read
//! first and fail at its first write, without waiting, whenever another
//! process had written meanwhile.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::cache::ReadCache;
use super::cached::{Cached, Statement, Value};
use super::{ConnectionManager, DbConnection, DbError};

/// The most writes committed together: a batch's writes wait for its
/// commit, so this bounds how long one waits behind the others.
const MAX_BATCH: usize = 64;

/// The checkpoint thread copies what was committed into the database file
/// at most this often, so that each checkpoint (and its `fsync`) covers
/// many batches.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// Pages in the WAL past which the writer checkpoints itself, should the
/// checkpoint thread fall behind (SQLite's default is 1,000).
const WRITER_CHECKPOINTS_PAST: u32 = 4_000;

/// Batches run in savepoints from the start after one with a failing write.
const CAREFUL_AFTER_FAILURE: u32 = 16;

/// A queued write: given the batch's connection, runs and says whether to
/// keep it (it may run again, should its batch be replayed); given the
/// error that kept the batch from running, answers it.
type Job = Box<dyn FnMut(Result<&mut DbConnection, Arc<DbError>>) -> Ran + Send>;

/// What a write did: whether to keep its changes, and how to answer once
/// the batch's commit is known (`None` when it committed).
struct Ran {
    keep: bool,
    answer: Answer,
}

type Answer = Box<dyn FnOnce(Option<Arc<DbError>>) + Send>;

/// The queue's sending end; the thread ends once every handle is dropped.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: Sender<Job>,
    counts: Arc<Counts>,
}

/// Batches run, writes run in them, and batches run again in savepoints
/// because a write failed, since start.
#[derive(Default)]
struct Counts {
    batches: AtomicU64,
    writes: AtomicU64,
    replays: AtomicU64,
}

impl Writer {
    /// Starts the writer thread, which opens its connection on first use.
    pub(super) fn start(manager: ConnectionManager, cache: Arc<ReadCache>) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel();
        let (committed, commits) = std::sync::mpsc::sync_channel(1);
        let counts = Arc::new(Counts::default());
        let counted = counts.clone();
        let checkpoints = manager.clone();
        std::thread::Builder::new()
            .name("gef-checkpoint".into())
            .spawn(move || checkpoint(&checkpoints, &commits))
            .map(|_| ())
            .unwrap_or_else(|error| panic!("cannot start the SQLite checkpoint thread: {error}"));
        std::thread::Builder::new()
            .name("gef-writer".into())
            .spawn(move || run(&manager, &cache, &queue, &committed, &counted))
            .map(|_| ())
            .unwrap_or_else(|error| panic!("cannot start the SQLite writer thread: {error}"));
        Self { jobs, counts }
    }

    /// Batches committed (or rolled back) and the writes they held, since start.
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.counts.batches.load(Ordering::Relaxed),
            self.counts.writes.load(Ordering::Relaxed),
        )
    }

    /// Batches run again, each write in its savepoint, since start.
    #[cfg(test)]
    pub(super) fn replays(&self) -> u64 {
        self.counts.replays.load(Ordering::Relaxed)
    }

    /// Runs `f` in the next batch's transaction; answers once it committed.
    /// `f` runs again should the batch be replayed (see the module's notes).
    pub(super) async fn write<T, E, F>(&self, mut f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnMut(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        // Taken by the answer of the run that counts; a run whose answer is
        // dropped (its batch replayed) leaves it for the next.
        let reply = Arc::new(Mutex::new(Some(reply)));
        let job: Job = Box::new(move |conn| {
            let result = conn
                .map_err(|error| E::from(DbError::Batch(error)))
                .and_then(&mut f);
            let reply = reply.clone();
            Ran {
                keep: result.is_ok(),
                answer: Box::new(move |failed| {
                    let result = match (failed, result) {
                        (Some(error), Ok(_)) => Err(E::from(DbError::Batch(error))),
                        (_, result) => result,
                    };
                    let reply = reply.lock().unwrap_or_else(PoisonError::into_inner).take();
                    if let Some(reply) = reply {
                        let _ = reply.send(result);
                    }
                }),
            }
        });
        if self.jobs.send(job).is_err() {
            return Err(E::from(DbError::Cancelled));
        }
        // A dropped answer: the batch's thread panicked in this write.
        answer
            .await
            .unwrap_or_else(|_| Err(E::from(DbError::Cancelled)))
    }
}

fn run(
    manager: &ConnectionManager,
    cache: &ReadCache,
    queue: &Receiver<Job>,
    committed: &SyncSender<()>,
    counts: &Counts,
) {
    let mut connection: Option<DbConnection> = None;
    let mut careful_left = 0;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        counts.batches.fetch_add(1, Ordering::Relaxed);
        counts
            .writes
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => match open_writer(manager) {
                Ok(conn) => connection.insert(conn),
                Err(error) => {
                    fail(batch, error);
                    continue;
                }
            },
        };
        let care = if careful_left > 0 {
            careful_left -= 1;
            Care::Savepoints
        } else {
            Care::Bare
        };
        let settled = commit_together(conn, batch, care, counts);
        if settled.a_write_failed {
            careful_left = CAREFUL_AFTER_FAILURE;
        }
        // Committed or not, what was read before may be stale now: made
        // stale before any write is answered, so its caller reads it.
        cache.invalidate();
        if settled.failed.is_none() {
            // Full: a checkpoint is due already and covers this batch too.
            let _ = committed.try_send(());
        }
        if !settled.reusable {
            // A write panicked or the transaction could not be ended: the
            // connection closes (rolling back what is open) and the next
            // batch starts on a new one.
            connection = None;
        }
        settled.answer();
    }
}

/// The writer's connection, which leaves checkpoints to `checkpoint`.
fn open_writer(manager: &ConnectionManager) -> Result<DbConnection, DbError> {
    let mut conn = manager.establish()?;
    conn.batch_execute(&format!(
        "PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINTS_PAST};"
    ))?;
    Ok(conn)
}

/// The checkpoint thread: after commits, at most every `CHECKPOINT_EVERY`,
/// copies what the WAL holds into the database file, as far as readers
/// allow (`PASSIVE`: it never waits on them, nor they on it). Ends with the
/// writer.
fn checkpoint(manager: &ConnectionManager, commits: &Receiver<()>) {
    let mut connection: Option<DbConnection> = None;
    while commits.recv().is_ok() {
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => match manager.establish() {
                Ok(conn) => connection.insert(conn),
                Err(error) => {
                    tracing::warn!(%error, "cannot open the checkpoint connection");
                    std::thread::sleep(CHECKPOINT_EVERY);
                    continue;
                }
            },
        };
        if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            tracing::warn!(%error, "WAL checkpoint failed");
            connection = None;
        }
        std::thread::sleep(CHECKPOINT_EVERY);
    }
}

/// What a batch came to, for its writes to be answered.
struct Settled {
    /// The writes that ran, to be told `failed`.
    ran: Vec<Answer>,
    /// The writes that did not run (or whose run was lost), to be told `failed`.
    not_run: Vec<Job>,
    /// What undid the batch; `None` when it committed.
    failed: Option<Arc<DbError>>,
    /// Whether the connection may serve the next batch.
    reusable: bool,
    /// Whether a write failed (kept out of the batch, or undoing it).
    a_write_failed: bool,
}

impl Settled {
    fn answer(self) {
        for answer in self.ran {
            answer(self.failed.clone());
        }
        let error = self.failed.unwrap_or_else(|| Arc::new(DbError::Cancelled));
        fail_with(self.not_run, &error);
    }

    /// A batch none of whose writes ran to be kept: each answers `error`.
    fn none_kept(batch: Vec<Job>, error: diesel::result::Error, reusable: bool) -> Self {
        Self {
            ran: Vec::new(),
            not_run: batch,
            failed: Some(Arc::new(DbError::from(error))),
            reusable,
            a_write_failed: false,
        }
    }
}

/// How a batch runs its writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Care {
    /// Without savepoints; a failing write has the batch replayed.
    Bare,
    /// Each write in its savepoint.
    Savepoints,
}

/// Runs `batch` in one transaction and commits: bare, replayed in
/// savepoints should a write fail, or in savepoints from the start.
fn commit_together(
    conn: &mut DbConnection,
    mut batch: Vec<Job>,
    care: Care,
    counts: &Counts,
) -> Settled {
    type Manager = <DbConnection as Connection>::TransactionManager;
    let DbConnection::Sqlite(sqlite) = &mut *conn else {
        unreachable!("the writer thread serves SQLite only");
    };
    if let Err(error) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
        return Settled::none_kept(batch, error, true);
    }
    let mut ran = Vec::with_capacity(batch.len());
    let mut a_write_failed = false;
    for index in 0..batch.len() {
        let job = &mut batch[index];
        let outcome = catch_unwind(AssertUnwindSafe(|| match care {
            Care::Bare => Ok(bare(conn, job)),
            Care::Savepoints => in_savepoint(conn, job),
        }));
        let failed = match outcome {
            Ok(Ok(Some(answer))) => {
                ran.push(answer);
                continue;
            }
            // Failed in its savepoint, undone alone.
            Ok(Ok(None)) if care == Care::Savepoints => {
                a_write_failed = true;
                continue;
            }
            // Failed bare, after changing who knows what: run the batch
            // again, in savepoints. The answers of this run are dropped.
            Ok(Ok(None)) => {
                drop(ran);
                if let Err(error) = Manager::rollback_transaction(conn) {
                    return Settled {
                        a_write_failed: true,
                        ..Settled::none_kept(batch, error, false)
                    };
                }
                counts.replays.fetch_add(1, Ordering::Relaxed);
                let mut settled = commit_together(conn, batch, Care::Savepoints, counts);
                settled.a_write_failed = true;
                return settled;
            }
            // The savepoint could not be kept or undone: undo the batch.
            Ok(Err(error)) => {
                let _ = Manager::rollback_transaction(conn);
                DbError::from(error)
            }
            // A write panicked: undo the batch.
            Err(_) => {
                let _ = Manager::rollback_transaction(conn);
                DbError::Cancelled
            }
        };
        return Settled {
            ran,
            not_run: batch.split_off(index),
            failed: Some(Arc::new(failed)),
            reusable: false,
            a_write_failed: true,
        };
    }
    let committed = Manager::commit_transaction(conn);
    let (failed, reusable) = match committed {
        Ok(()) => (None, true),
        Err(error) => {
            let _ = Manager::rollback_transaction(conn);
            (Some(Arc::new(DbError::from(error))), false)
        }
    };
    Settled {
        ran,
        not_run: Vec::new(),
        failed,
        reusable,
        a_write_failed,
    }
}

/// Runs one write bare; answers how to tell it the batch's fate, or `None`
/// when it failed.
fn bare(conn: &mut DbConnection, job: &mut Job) -> Option<Answer> {
    let ran = job(Ok(conn));
    if ran.keep { Some(ran.answer) } else { None }
}

/// Runs one write in a savepoint, released when the write succeeded and
/// rolled back when it failed; answers how to tell it the batch's fate, or
/// `None` when it failed (and was answered already).
///
/// The savepoint's statements are kept prepared (diesel's own savepoints
/// parse their SQL again each time): two per write. A write that opens a
/// transaction of its own gets a diesel savepoint inside this one.
fn in_savepoint(conn: &mut DbConnection, job: &mut Job) -> diesel::QueryResult<Option<Answer>> {
    run_bare::<Savepoint>(conn)?;
    let ran = job(Ok(conn));
    if ran.keep {
        run_bare::<Release>(conn)?;
        Ok(Some(ran.answer))
    } else {
        run_bare::<RollbackTo>(conn)?;
        run_bare::<Release>(conn)?;
        // Its error is its answer, whatever becomes of the batch.
        (ran.answer)(None);
        Ok(None)
    }
}

struct Savepoint;

impl Statement for Savepoint {
    const SQL: &'static str = "SAVEPOINT gef_write";
}

struct Release;

impl Statement for Release {
    const SQL: &'static str = "RELEASE gef_write";
}

struct RollbackTo;

impl Statement for RollbackTo {
    const SQL: &'static str = "ROLLBACK TO gef_write";
}

/// Runs statement `S`, which takes no value, kept prepared.
fn run_bare<S: Statement>(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    let DbConnection::Sqlite(sqlite) = conn else {
        unreachable!("the writer thread serves SQLite only");
    };
    Cached::<S>::new(std::iter::empty::<Value>())
        .execute(sqlite)
        .map(|_| ())
}

/// Answers every write of a batch that could not run with `error`.
fn fail(batch: Vec<Job>, error: DbError) {
    fail_with(batch, &Arc::new(error));
}

fn fail_with(batch: Vec<Job>, error: &Arc<DbError>) {
    for mut job in batch {
        (job(Err(error.clone())).answer)(None);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::prelude::*;

    use crate::app::AppError;
    use crate::config::DatabaseUrl;
    use crate::db::idempotency::{self, IdempotencyKeyRow};
    use crate::db::schema::idempotency_keys;
    use crate::db::{Db, DbConnection};

    fn key(n: usize) -> IdempotencyKeyRow {
        IdempotencyKeyRow {
            owner: "writer-test".into(),
            idempotency_key: format!("key-{n}"),
            request_method: "POST".into(),
            request_path: "/".into(),
            request_hash: String::new(),
            response_status: 201,
            response_headers: "{}".into(),
            response_body: String::new(),
            created_at: crate::db::now(),
        }
    }

    fn stored(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
        idempotency_keys::table
            .select(idempotency_keys::idempotency_key)
            .order(idempotency_keys::idempotency_key)
            .load(conn)
    }

    /// Starts a write that holds the writer for a while; answers once it runs.
    async fn hold_the_writer(db: &Db, n: usize) -> actix_web::rt::task::JoinHandle<bool> {
        let (started, running) = tokio::sync::oneshot::channel();
        let mut started = Some(started);
        let db = db.clone();
        let held = actix_web::rt::spawn(async move {
            db.write(move |conn| {
                if let Some(started) = started.take() {
                    let _ = started.send(());
                }
                std::thread::sleep(Duration::from_millis(200));
                idempotency::insert_key(conn, &key(n))?;
                Ok::<_, AppError>(())
            })
            .await
            .is_ok()
        });
        running.await.unwrap();
        held
    }

    fn open() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let target = DatabaseUrl::Sqlite {
            path: dir.path().join("writer.db"),
        };
        (dir, Db::connect(&target).unwrap())
    }

    /// Writes queued while the writer is busy share a transaction; each one
    /// that fails is undone alone and answers its own error.
    #[actix_web::test]
    async fn queued_writes_commit_together_and_a_failure_stays_its_own() {
        let (_dir, db) = open();
        let (batches_before, _) = db.write_batches().unwrap();
        // The first write holds the writer while the others queue behind it.
        let first = hold_the_writer(&db, 100).await;
        let rest = (0..40).map(|n| {
            db.write(move |conn| {
                idempotency::insert_key(conn, &key(n))?;
                if n % 4 == 3 {
                    // Written, then refused: its insert must not stay.
                    Err(AppError::conflict("refused", "a test refusal"))
                } else {
                    Ok(n)
                }
            })
        });
        let (first, rest) = futures_util::join!(first, futures_util::future::join_all(rest));
        assert!(first.unwrap());
        for (n, result) in rest.into_iter().enumerate() {
            match result {
                Ok(got) => assert!(n % 4 != 3 && got == n),
                Err(AppError::Conflict { code, .. }) => assert!(n % 4 == 3 && code == "refused"),
                Err(other) => panic!("write {n}: {other:?}"),
            }
        }
        let mut kept: Vec<String> = (0..40)
            .filter(|n| n % 4 != 3)
            .chain([100])
            .map(|n| format!("key-{n}"))
            .collect();
        kept.sort();
        assert_eq!(
            db.run(|conn| Ok::<_, AppError>(stored(conn)?))
                .await
                .unwrap(),
            kept
        );
        let (batches, writes) = db.write_batches().unwrap();
        assert!(writes >= 41);
        assert!(
            batches - batches_before <= 3,
            "41 writes, 40 of them queued together, took {} batches",
            batches - batches_before
        );
    }

    fn replays(db: &Db) -> u64 {
        db.writer.as_ref().unwrap().replays()
    }

    /// A batch whose writes all succeed runs once, without savepoints. One
    /// in which a write fails is run again in savepoints: every write is
    /// answered from the run that was committed (each makes a new key
    /// here), and the failing one leaves nothing. The batches right after
    /// run in savepoints from the start: a failure there replays nothing.
    #[actix_web::test]
    async fn a_failing_write_replays_its_batch_and_answers_come_from_the_run_kept() {
        let (_dir, db) = open();
        let queue = |fails: Option<usize>, tag: &'static str, held: usize| {
            let first = hold_the_writer(&db, held);
            let db = db.clone();
            async move {
                let first = first.await;
                let rest = (0..20).map(|n| {
                    db.write(move |conn| {
                        let made = format!("{tag}-{n}-{}", crate::db::new_id());
                        let mut row = key(n);
                        row.idempotency_key.clone_from(&made);
                        idempotency::insert_key(conn, &row)?;
                        if Some(n) == fails {
                            Err(AppError::conflict("refused", "a test refusal"))
                        } else {
                            Ok(made)
                        }
                    })
                });
                let (first, rest) =
                    futures_util::join!(first, futures_util::future::join_all(rest));
                assert!(first.unwrap());
                rest
            }
        };
        let all_kept = queue(None, "a", 1_000).await;
        assert_eq!(replays(&db), 0, "a batch without failures replayed");
        let answered = queue(Some(7), "b", 1_001).await;
        assert_eq!(replays(&db), 1);
        let after = queue(Some(3), "c", 1_002).await;
        assert_eq!(replays(&db), 1, "the batch after a failure replayed");

        let stored = db
            .run(|conn| Ok::<_, AppError>(stored(conn)?))
            .await
            .unwrap();
        let mut expected: Vec<String> =
            vec!["key-1000".into(), "key-1001".into(), "key-1002".into()];
        for (results, failed) in [(all_kept, None), (answered, Some(7)), (after, Some(3))] {
            for (n, result) in results.into_iter().enumerate() {
                match result {
                    Ok(made) => {
                        assert_ne!(Some(n), failed);
                        expected.push(made);
                    }
                    Err(AppError::Conflict { code, .. }) => {
                        assert!(Some(n) == failed && code == "refused");
                    }
                    Err(other) => panic!("write {n}: {other:?}"),
                }
            }
        }
        expected.sort();
        assert_eq!(stored, expected);
    }

    /// The WAL is copied into the database file by the checkpoint thread,
    /// soon after a commit, though the writer would wait for thousands of
    /// pages before checkpointing itself.
    #[actix_web::test]
    async fn commits_reach_the_database_file_without_the_writer() {
        let (dir, db) = open();
        for n in 0..5 {
            db.write(move |conn| Ok::<_, AppError>(idempotency::insert_key(conn, &key(n))?))
                .await
                .unwrap();
        }
        // The database file alone, without its WAL, as a copy.
        let alone = dir.path().join("alone.db");
        let mut in_file = Vec::new();
        for _ in 0..50 {
            std::fs::copy(dir.path().join("writer.db"), &alone).unwrap();
            let mut copy = diesel::SqliteConnection::establish(&alone.to_string_lossy()).unwrap();
            in_file = idempotency_keys::table
                .select(idempotency_keys::idempotency_key)
                .order(idempotency_keys::idempotency_key)
                .load::<String>(&mut copy)
                .unwrap_or_default();
            drop(copy);
            let _ = std::fs::remove_file(&alone);
            let _ = std::fs::remove_file(dir.path().join("alone.db-wal"));
            let _ = std::fs::remove_file(dir.path().join("alone.db-shm"));
            if in_file.len() == 5 {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(in_file, ["key-0", "key-1", "key-2", "key-3", "key-4"]);
    }

    /// A write that panics takes its batch with it (none of it is stored,
    /// each write in it answers an error) and the writer goes on.
    #[actix_web::test]
    async fn a_panicking_write_fails_its_batch_and_the_writer_goes_on() {
        let (_dir, db) = open();
        let hold = hold_the_writer(&db, 1).await;
        let before = db.write(|conn| {
            idempotency::insert_key(conn, &key(2))?;
            Ok::<_, AppError>(())
        });
        let panics = db.write(|conn| -> Result<(), AppError> {
            idempotency::insert_key(conn, &key(3))?;
            panic!("a test panic in a write");
        });
        let after = db.write(|conn| {
            idempotency::insert_key(conn, &key(4))?;
            Ok::<_, AppError>(())
        });
        let (hold, before, panics, after) = futures_util::join!(hold, before, panics, after);
        assert!(hold.unwrap());
        assert!(before.is_err() && panics.is_err() && after.is_err());
        let again = db
            .write(|conn| {
                idempotency::insert_key(conn, &key(5))?;
                Ok::<_, AppError>(())
            })
            .await;
        assert!(again.is_ok());
        let stored = db
            .run(|conn| Ok::<_, AppError>(stored(conn)?))
            .await
            .unwrap();
        assert_eq!(stored, ["key-1", "key-5"]);
    }
}
