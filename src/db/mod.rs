//! Storage: one portable schema on SQLite (embedded default) or PostgreSQL,
//! behind an r2d2 pool whose calls run off the async threads.

pub mod backup;
pub mod bulk;
pub mod cache;
pub mod cached;
pub mod commitments;
pub mod events;
pub mod expressions;
pub mod facts;
pub mod figures;
pub mod idempotency;
pub mod money;
pub mod organizations;
pub mod progress;
pub mod reference;
pub mod schema;
pub mod users;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

/// Inserts many rows in one statement. Through `MultiConnection` a batch
/// insert does not compile (SQLite has no `DEFAULT` in `VALUES`), so the
/// statement is built for the concrete backend.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite(conn) => {
                diesel::insert_into($table).values($rows).execute(conn)
            }
            $crate::db::DbConnection::Postgresql(conn) => {
                diesel::insert_into($table).values($rows).execute(conn)
            }
        }
    };
}

/// Runs `body` with `c` bound to the concrete connection behind `conn`.
/// Through `MultiConnection` diesel writes a query's SQL out again on every
/// call, even for a statement it keeps prepared (it serializes the query
/// for the backend behind it); on the write path's hot statements that was
/// a tenth of SQLite's writer's time (`perf`: `push_identifier`).
#[macro_export]
macro_rules! concrete {
    ($conn:expr, |$c:ident| $body:expr) => {
        match &mut *$conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// Runs `then` on `query` filtered to the rows whose `column` is one of
/// `ids` (a slice), on the concrete connection (`conn`, shadowed): `column
/// = ?` for one id, a statement SQLite keeps prepared, or `column IN (…)`
/// for several, which diesel prepares again on every call on SQLite.
/// Reading one commitment is the common case.
#[macro_export]
macro_rules! with_ids {
    ($conn:ident => $query:expr, $column:expr, $ids:expr, |$q:ident| $then:expr) => {
        $crate::concrete!($conn, |$conn| match $ids {
            [one] => {
                let $q = $query.filter($column.eq(one));
                $then
            }
            many => {
                let $q = $query.filter($column.eq_any(many));
                $then
            }
        })
    };
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for both backends; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the database could not be reached or used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("the database cannot be opened: {0}")]
    Connect(#[from] r2d2::Error),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the database task was cancelled")]
    Cancelled,
    /// What kept a batch of writes (`writer`) from committing, shared by each.
    #[error(transparent)]
    Batch(std::sync::Arc<DbError>),
}

/// Why a database could not be opened at start-up.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Connect(#[source] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migrate(MigrationError),
}

/// Opens connections for the backend named by the URL scheme.
///
/// diesel's `MultiConnection::establish` tries each backend in turn and hides
/// the real error (an unreachable PostgreSQL reads "invalid connection url"),
/// so the backend is picked here from the configuration instead. SQLite
/// pragmas are per connection and set here too: WAL so readers never wait on
/// the writer, foreign keys enforced, a busy timeout instead of instant
/// `SQLITE_BUSY`, `synchronous=NORMAL`, which is durable with WAL, a page
/// cache of up to 2 MiB per connection (filled as used; four readers and
/// the writer: the figures are answered from memory, and a page missed here
/// is read from the system's file cache) and temporary tables in memory. No
/// `mmap_size`: mapped pages would count as the process's resident memory.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(target: DatabaseUrl) -> Self {
        Self { target }
    }

    pub fn establish(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.target {
            DatabaseUrl::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute("PRAGMA busy_timeout = 5000;")
                    .map_err(r2d2::Error::QueryError)?;
                wal_mode(&mut conn).map_err(r2d2::Error::QueryError)?;
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -2048; PRAGMA temp_store = MEMORY;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres { url } => {
                let mut conn =
                    PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                // TIMESTAMP columns hold UTC; make the session agree.
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Postgresql(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The handle handlers use: a pool for reads (and for every write on
/// PostgreSQL) plus, on SQLite, one writer thread with a connection of its
/// own, which commits the writes queued meanwhile together (`writer`): write
/// transactions never meet `SQLITE_BUSY` on each other inside this process,
/// and WAL lets readers go on meanwhile.
///
/// The writer's connection is not one from the pool: its page cache stays
/// valid from one write to the next (a connection drops its cache whenever
/// another one wrote), and queued writes never hold the pool's connections
/// away from readers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    writer: Option<writer::Writer>,
    cache: Arc<cache::ReadCache>,
    /// Permits for work whose cost grows with the data (`run_heavy`): one
    /// fewer than the pool's connections, so that such work, however much
    /// of it comes at once, always leaves a connection to everything else.
    heavy: Arc<tokio::sync::Semaphore>,
    /// The figures held in memory (`figures`), and the pool they follow
    /// the database's changes through.
    follower: Arc<Follower>,
}

/// What follows the database's changes into the figures: after each write
/// here, and every `FOLLOW_EVERY` for writes made elsewhere.
struct Follower {
    pool: Pool,
    figures: figures::LiveFigures,
}

/// How often the figures follow writes made by other instances or commands.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);

impl Follower {
    fn catch_up(&self) {
        let caught_up = self
            .pool
            .get()
            .map_err(DbError::from)
            .and_then(|mut conn| Ok(self.figures.catch_up(&mut conn)?));
        if let Err(error) = caught_up {
            tracing::warn!(%error, "the figures could not follow the database's changes");
        }
    }

    fn catch_up_after(&self, ticket: u64) {
        let caught_up = self
            .figures
            .catch_up_after(ticket, || self.pool.get().map_err(DbError::from));
        if let Err(error) = caught_up {
            tracing::warn!(%error, "the figures could not follow the database's changes");
        }
    }

    /// Follows every `FOLLOW_EVERY` until the last `Db` is gone, pruning
    /// old change rows now and then.
    fn start(follower: &Arc<Follower>) {
        let weak = Arc::downgrade(follower);
        let spawned = std::thread::Builder::new()
            .name("gef-figures".into())
            .spawn(move || {
                for tick in 1u64.. {
                    std::thread::sleep(FOLLOW_EVERY);
                    let Some(follower) = weak.upgrade() else {
                        return;
                    };
                    follower.catch_up();
                    if tick % 60 == 0 {
                        let pruned = follower
                            .pool
                            .get()
                            .map_err(DbError::from)
                            .and_then(|mut conn| Ok(figures::prune(&mut conn)?));
                        if let Err(error) = pruned {
                            tracing::warn!(%error, "old changes could not be pruned");
                        }
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "the figures cannot follow other instances' writes");
        }
    }
}

impl Db {
    /// Connects once (to report the real error), runs the embedded migrations,
    /// then builds the pool.
    pub fn connect(target: &DatabaseUrl) -> Result<Self, OpenError> {
        let manager = ConnectionManager::new(target.clone());
        let backend = match target {
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        };
        let mut first = manager.establish().map_err(OpenError::Connect)?;
        run_migrations(&mut first).map_err(OpenError::Migrate)?;
        commitments::backfill_search_text(&mut first)
            .map_err(|e| OpenError::Migrate(Box::new(e)))?;
        bulk::forget_changes_statistics(&mut first).map_err(|e| OpenError::Migrate(Box::new(e)))?;
        // A second connection reads half of the facts beside the first.
        // Both read each page once, then close: a small page cache each
        // keeps start-up's peak memory down (2 MiB each otherwise).
        let mut second = manager.establish().map_err(OpenError::Connect)?;
        for conn in [&mut first, &mut second] {
            if let DbConnection::Sqlite(_) = conn {
                diesel::sql_query("PRAGMA cache_size = -1024")
                    .execute(conn)
                    .map_err(|e| OpenError::Migrate(Box::new(e)))?;
            }
        }
        let figures = figures::LiveFigures::load(&mut first, Some(&mut second))
            .map_err(|e| OpenError::Migrate(Box::new(e)))?;
        drop((first, second));
        // SQLite: one writer at a time anyway, readers on two cores; each
        // connection's page cache is memory, so few of them.
        let max_size = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            // No `SELECT 1` before every use: a broken connection fails its
            // query, and the readiness probe asks the database itself.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(5))
            .build_unchecked(manager.clone());
        let cache = Arc::new(cache::ReadCache::default());
        let writer =
            (backend == Backend::Sqlite).then(|| writer::Writer::start(manager, cache.clone()));
        let heavy = Arc::new(tokio::sync::Semaphore::new(
            (max_size as usize).saturating_sub(1).max(1),
        ));
        let follower = Arc::new(Follower {
            pool: pool.clone(),
            figures,
        });
        Follower::start(&follower);
        Ok(Self {
            pool,
            backend,
            writer,
            cache,
            heavy,
            follower,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This instance's read cache, made stale by every `write`.
    pub fn cache(&self) -> Arc<cache::ReadCache> {
        self.cache.clone()
    }

    /// The figures of every submitted commitment, as of the last change
    /// followed (this instance's writes are followed before they answer).
    pub fn figures(&self) -> &figures::LiveFigures {
        &self.follower.figures
    }

    /// Follows the changes committed so far into the figures now, or waits
    /// for a round of following that began since (writes that finish
    /// together share one).
    pub async fn follow(&self) -> Result<(), DbError> {
        let follower = self.follower.clone();
        let ticket = follower.figures.ticket();
        tokio::task::spawn_blocking(move || follower.catch_up_after(ticket))
            .await
            .map_err(|_| DbError::Cancelled)
    }

    /// Runs `f` on a pooled connection on the blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }

    /// Runs `f` as `run` does, once one of the permits for heavy work is
    /// free: figures counted over the commitments a filter matches, pages
    /// of an export. Waiting for a permit holds no connection, so a burst
    /// of heavy requests queues behind its own permits while every other
    /// request still finds a connection (before, a few concurrent filtered
    /// figures at 100,000 commitments held the whole pool until the rest
    /// got 503).
    pub async fn run_heavy<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let _permit = self
            .heavy
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Cancelled))?;
        self.run(f).await
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`,
    /// rolled back otherwise. On SQLite it runs in the writer's next batch,
    /// answered once the batch committed; `f` may run twice there (a batch
    /// in which a write fails is rolled back and run again), so it must
    /// leave nothing but what it writes through `conn`. Once committed, the
    /// figures follow it before it answers (`follow`).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        F: FnMut(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let written = match &self.writer {
            Some(writer) => writer.write(f).await,
            None => {
                let cache = self.cache.clone();
                self.run(move |conn| {
                    let result = conn.transaction(f);
                    // Committed or not, what was read before may be stale now.
                    cache.invalidate();
                    result
                })
                .await
            }
        };
        // The figures show a write once it answers; should following not
        // run now, the write is committed all the same and the next round
        // (within `FOLLOW_EVERY`) shows it.
        if written.is_ok() && self.follow().await.is_err() {
            tracing::warn!("the figures will show a write at the next round of following");
        }
        written
    }

    /// On SQLite, the write batches run and the writes they held, since start.
    pub fn write_batches(&self) -> Option<(u64, u64)> {
        self.writer.as_ref().map(writer::Writer::counts)
    }

    /// The pool's connections: open, and idle among them.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// `SELECT 1` through the pool, for the readiness probe.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map(|_| ())
                .map_err(DbError::from)
        })
        .await
    }
}

/// Puts the SQLite file in WAL mode. Turning a new file to WAL takes its
/// lock for a moment, and connections opening a new file together can be
/// refused at once rather than waited for (SQLite answers "database is
/// locked" where waiting could deadlock): so it is tried again, for as long
/// as the busy timeout. Several instances started together hit this.
fn wal_mode(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL;") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("database is locked")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            done => return done,
        }
    }
}

type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies the embedded migrations of the connection's dialect. Several
/// instances starting together take turns: on PostgreSQL an advisory lock;
/// on SQLite one immediate transaction around them all (each migration a
/// savepoint in it), so the second finds nothing left to do.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    match conn {
        DbConnection::Sqlite(conn) => conn.immediate_transaction(|conn| {
            conn.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
        }),
        DbConnection::Postgresql(conn) => {
            const LOCK: i64 = 0x0067_6566_5f6d_6967; // "gef_mig"
            conn.batch_execute(&format!("SELECT pg_advisory_lock({LOCK})"))?;
            let result = conn
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect());
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({LOCK})"))?;
            result
        }
    }
}

/// The current UTC time at the precision both backends store (microseconds),
/// so a value read back equals the value written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// The error of a stored value that names nothing of its kind: a corrupt row.
pub fn corrupt(kind: &'static str, value: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(crate::domain::UnknownValue {
        kind,
        value: value.to_owned(),
    }))
}

/// A new time-ordered (v7) UUID as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use diesel_migrations::MigrationHarness;

    use super::{SQLITE_MIGRATIONS, run_migrations};
    use crate::db::DbConnection;

    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        sql: String,
    }

    fn tables(conn: &mut DbConnection) -> Vec<String> {
        diesel::sql_query("SELECT sql FROM sqlite_schema WHERE type = 'table'")
            .load::<Table>(conn)
            .unwrap()
            .into_iter()
            .map(|t| t.sql)
            .collect()
    }

    /// A check that is a list of three values or more, which SQLite checks
    /// through a temporary b-tree: the migration wrote each as comparisons.
    fn listed_checks(sql: &str) -> usize {
        sql.match_indices(" IN (")
            .filter(|(at, _)| {
                let list = &sql[at + 5..];
                let list = &list[..list.find(')').unwrap_or(list.len())];
                list.matches('\'').count() >= 6
            })
            .count()
    }

    /// A commitment's lists and a report's actuals are stored once, as
    /// their primary key's b-tree, not as a rowid table with that key's
    /// index beside it (the disk's figure in bench/README.md).
    #[test]
    fn sqlite_lists_are_stored_by_their_primary_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lists.db");
        let mut conn = DbConnection::establish(&format!("sqlite://{}", path.display())).unwrap();
        run_migrations(&mut conn).unwrap();
        for table in [
            "commitment_action_areas",
            "commitment_types",
            "commitment_countries",
            "commitment_regions",
            "commitment_partners",
            "commitment_target_groups",
            "commitment_indicators",
            "progress_indicator_actuals",
        ] {
            let sql = tables(&mut conn)
                .into_iter()
                .find(|sql| sql.starts_with(&format!("CREATE TABLE \"{table}\" (")))
                .unwrap_or_else(|| panic!("{table} is not in the schema"));
            assert!(sql.ends_with(") WITHOUT ROWID"), "{sql}");
            let rowid = diesel::sql_query(format!("SELECT rowid FROM {table}")).execute(&mut conn);
            assert!(rowid.is_err(), "{table} still has a rowid");
        }
    }

    /// After the migrations no table checks a list of values, the checks
    /// still refuse what is not in them, and the migration reverts (the
    /// lists back) and applies again.
    #[test]
    fn sqlite_checks_are_comparisons_and_still_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checks.db");
        let mut conn = DbConnection::establish(&format!("sqlite://{}", path.display())).unwrap();
        run_migrations(&mut conn).unwrap();
        let all = tables(&mut conn);
        assert!(
            all.iter()
                .any(|sql| sql.contains("status = 'draft' OR status = 'submitted'"))
        );
        assert_eq!(
            all.iter().map(|sql| listed_checks(sql)).sum::<usize>(),
            0,
            "{all:#?}"
        );
        for refused in [
            "INSERT INTO events (subject_type, subject_id, coalition_slug, organization_id, action, is_public, created_at) \
             VALUES ('nothing', 'x', 'gender-based-violence', 'x', 'made', 0, '2026-01-01')",
            "INSERT INTO commitment_types (commitment_id, commitment_type) VALUES ('x', 'gift')",
        ] {
            let message = diesel::sql_query(refused)
                .execute(&mut conn)
                .unwrap_err()
                .to_string();
            assert!(
                message.contains("CHECK constraint failed"),
                "{refused}: {message}"
            );
        }
        let DbConnection::Sqlite(sqlite) = &mut conn else {
            unreachable!()
        };
        // The lists without rowids, the feed's positions, the figures held
        // in memory, the years' index, then the checks.
        for migration in [
            "20261203000100",
            "20261202000100",
            "20261202000000",
            "20261128000400",
            "20261128000300",
        ] {
            let reverted = sqlite.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
            assert!(reverted.to_string().starts_with(migration), "{reverted}");
        }
        let reverted = tables(&mut conn);
        assert!(reverted.iter().map(|sql| listed_checks(sql)).sum::<usize>() >= 10);
        run_migrations(&mut conn).unwrap();
        assert_eq!(tables(&mut conn), all);
    }

    /// However much heavy work comes at once, a connection stays free for
    /// the rest: a light read answers while every heavy permit is taken
    /// and more heavy work waits.
    #[actix_web::test]
    async fn heavy_work_always_leaves_a_connection_to_the_rest() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let dir = tempfile::tempdir().unwrap();
        let target = crate::config::DatabaseUrl::Sqlite {
            path: dir.path().join("heavy.db"),
        };
        let db = super::Db::connect(&target).unwrap();
        let finished = Arc::new(AtomicUsize::new(0));
        let heavy: Vec<_> = (0..8)
            .map(|_| {
                let (db, finished) = (db.clone(), finished.clone());
                actix_web::rt::spawn(async move {
                    db.run_heavy(move |conn| {
                        diesel::sql_query("SELECT 1").execute(conn)?;
                        std::thread::sleep(std::time::Duration::from_millis(1500));
                        finished.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, super::DbError>(())
                    })
                    .await
                })
            })
            .collect();
        // Let the heavy work take its permits and connections.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
        db.run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(super::DbError::from)
        })
        .await
        .unwrap();
        assert_eq!(
            finished.load(Ordering::SeqCst),
            0,
            "the light read waited for heavy work to finish"
        );
        for task in heavy {
            task.await.unwrap().unwrap();
        }
        assert_eq!(finished.load(Ordering::SeqCst), 8);
    }
}
