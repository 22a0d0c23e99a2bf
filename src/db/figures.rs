//! The figures of every submitted commitment, held in memory by each
//! instance (`domain::figures`): read whole when the instance starts, then
//! kept current by following `fact_changes`, the rows the database's
//! triggers add in the same transaction as every write to a commitment's
//! facts, whoever writes (this instance, another one, the command line).
//! No use case reads facts before and after, no counter row is shared by
//! writers, and both backends run this same code.
//!
//! Following is gap-free without a lock held to commit. On SQLite one
//! writer commits at a time, in `seq` order: a follower reads the rows past
//! the last it read. On PostgreSQL a row's `seq` is handed out when it is
//! inserted, not when its transaction commits, so a follower reads by
//! transaction instead: every row of a transaction at or past the oldest
//! one still running when it last read (`pg_snapshot_xmin`), in one
//! snapshot with the facts it then reads. A row read twice is harmless: a
//! commitment's facts are read afresh, never added up.

use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConnection;
use super::facts::{facts_of, submitted_after};
use super::schema::{fact_changes, fact_switch};
use crate::domain::figures::{CommitmentKey, FactsIndex};

/// What a change row names when every commitment's facts are to be read
/// again (a bulk load wrote them without a row each).
pub const EVERYTHING: &str = "*";

/// How long change rows are kept: how far behind an instance may fall and
/// still catch up (one follows every second).
pub const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(600);

/// Commitments read at a time.
const BATCH: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fact_changes)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct FactChangeRow {
    pub seq: i64,
    pub commitment_id: String,
    pub txid: i64,
    pub noted_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fact_switch)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct FactSwitchRow {
    pub id: i32,
    pub bulk: bool,
}

/// The index, and where following the changes is.
pub struct LiveFigures {
    index: RwLock<FactsIndex>,
    /// SQLite: the last change row read. PostgreSQL: the oldest
    /// transaction that may have written rows not read yet. Held by
    /// whoever follows, one at a time.
    position: Mutex<i64>,
    /// Moved on by every change applied.
    generation: AtomicU64,
    /// How many times following began (under `position`'s lock).
    rounds: AtomicU64,
    /// Answers worked out from the index as it stood at a generation.
    answers: Mutex<Answers>,
    /// The searches running, by key: a second caller of the same search
    /// waits for the first one's answer rather than running it again.
    searching: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// Answers kept for one generation of the index: dashboards ask the same
/// figures over and over, and any change applied moves the generation on,
/// so a kept answer is never staler than the index itself.
#[derive(Default)]
struct Answers {
    generation: u64,
    kept: HashMap<String, Arc<dyn Any + Send + Sync>>,
}

/// At most this many answers are kept (then they are all dropped).
const ANSWERS_KEPT: usize = 512;

impl LiveFigures {
    /// Reads every submitted commitment's facts, noting where the changes
    /// stand in the same snapshot.
    pub fn load(conn: &mut DbConnection) -> QueryResult<Self> {
        let (position, index) = in_snapshot(conn, |conn| {
            let position = match conn {
                DbConnection::Sqlite(_) => last_seq(conn)?,
                DbConnection::Postgresql(_) => oldest_running(conn)?,
            };
            Ok((position, read_all(conn)?))
        })?;
        Ok(Self {
            index: RwLock::new(index),
            position: Mutex::new(position),
            generation: AtomicU64::new(0),
            rounds: AtomicU64::new(0),
            answers: Mutex::default(),
            searching: Mutex::default(),
        })
    }

    /// The index as it stands; hold it only to compute.
    pub fn read(&self) -> RwLockReadGuard<'_, FactsIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Moved on by every change applied since start.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// What `compute` answers from the index, kept under `key` until the
    /// index changes.
    pub fn answer<T: Any + Send + Sync>(
        &self,
        key: &str,
        compute: impl FnOnce(&FactsIndex) -> T,
    ) -> Arc<T> {
        let index = self.read();
        // Moved on only under the index's write lock: this is its generation.
        let generation = self.generation();
        if let Some(kept) = self.kept(key, generation) {
            return kept;
        }
        let answer = Arc::new(compute(&index));
        drop(index);
        self.keep(key, generation, answer.clone());
        answer
    }

    /// What `query` answers from the database, kept under `key` until the
    /// index changes (what it matches changes only with a change the
    /// index follows too). One caller at a time runs a given search: the
    /// others wait for its answer, so a burst of the same slow search at
    /// a million commitments runs it once, not once per caller.
    pub fn searched<T: Any + Send + Sync, E>(
        &self,
        key: &str,
        query: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(kept) = self.kept(key, self.generation()) {
            return Ok(kept);
        }
        let turn = {
            let mut searching = self.searching.lock().unwrap_or_else(|e| e.into_inner());
            searching.entry(key.to_owned()).or_default().clone()
        };
        let _turn = turn.lock().unwrap_or_else(|e| e.into_inner());
        let generation = self.generation();
        let answer = match self.kept(key, generation) {
            Some(kept) => Ok(kept),
            None => query().map(|answer| {
                let answer = Arc::new(answer);
                self.keep(key, generation, answer.clone());
                answer
            }),
        };
        // Done: whoever waits on this turn still holds it and finds the
        // answer kept; whoever comes next finds it kept too.
        let mut searching = self.searching.lock().unwrap_or_else(|e| e.into_inner());
        if searching.get(key).is_some_and(|t| Arc::ptr_eq(t, &turn)) {
            searching.remove(key);
        }
        answer
    }

    /// The answer kept under `key` for the index as it stands, if any.
    pub fn kept_now<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        self.kept(key, self.generation())
    }

    /// Keeps `answer` under `key`, worked out from the index at
    /// `generation` (read before it began) or later.
    pub fn keep_at<T: Any + Send + Sync>(&self, key: &str, generation: u64, answer: Arc<T>) {
        self.keep(key, generation, answer);
    }

    fn kept<T: Any + Send + Sync>(&self, key: &str, generation: u64) -> Option<Arc<T>> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.generation != generation {
            return None;
        }
        answers.kept.get(key)?.clone().downcast::<T>().ok()
    }

    fn keep<T: Any + Send + Sync>(&self, key: &str, generation: u64, answer: Arc<T>) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.generation > generation {
            return;
        }
        if answers.generation < generation || answers.kept.len() >= ANSWERS_KEPT {
            answers.kept.clear();
            answers.generation = generation;
        }
        answers.kept.insert(key.to_owned(), answer);
    }

    /// Applies the changes committed since the last call; how many
    /// commitments it read again.
    pub fn catch_up(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        let mut position = self.position.lock().unwrap_or_else(|e| e.into_inner());
        self.rounds.fetch_add(1, Ordering::AcqRel);
        self.apply(&mut position, conn)
    }

    /// A mark to follow from once a write committed (`catch_up_after`).
    pub fn ticket(&self) -> u64 {
        self.rounds.load(Ordering::Acquire)
    }

    /// Makes sure what was committed before `ticket` was taken is applied:
    /// if following began again since, that round (finished, as rounds
    /// run one at a time) read it already; else follows now, on a
    /// connection from `connect`. So writers finishing together share
    /// one round rather than queueing one each.
    pub fn catch_up_after<C, E>(
        &self,
        ticket: u64,
        connect: impl FnOnce() -> Result<C, E>,
    ) -> Result<usize, E>
    where
        C: std::ops::DerefMut<Target = DbConnection>,
        E: From<diesel::result::Error>,
    {
        let mut position = self.position.lock().unwrap_or_else(|e| e.into_inner());
        if self.rounds.load(Ordering::Acquire) > ticket {
            return Ok(0);
        }
        let mut conn = connect()?;
        self.rounds.fetch_add(1, Ordering::AcqRel);
        Ok(self.apply(&mut position, &mut conn)?)
    }

    fn apply(&self, position: &mut i64, conn: &mut DbConnection) -> QueryResult<usize> {
        let (next, changed) = in_snapshot(conn, |conn| {
            let (next, ids) = match conn {
                DbConnection::Sqlite(_) => {
                    let rows: Vec<(i64, String)> = fact_changes::table
                        .filter(fact_changes::seq.gt(*position))
                        .order(fact_changes::seq)
                        .select((fact_changes::seq, fact_changes::commitment_id))
                        .load(conn)?;
                    let next = rows.last().map_or(*position, |(seq, _)| *seq);
                    (next, rows.into_iter().map(|(_, id)| id).collect())
                }
                DbConnection::Postgresql(_) => {
                    let next = oldest_running(conn)?;
                    let ids: Vec<String> = fact_changes::table
                        .filter(fact_changes::txid.ge(*position))
                        .select(fact_changes::commitment_id)
                        .load(conn)?;
                    (next, ids)
                }
            };
            let ids: BTreeSet<String> = ids.into_iter().collect();
            if ids.contains(EVERYTHING) {
                return Ok((next, Changed::Everything(Box::new(read_all(conn)?))));
            }
            let ids: Vec<String> = ids.into_iter().collect();
            let mut facts = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(BATCH) {
                let mut found = facts_of(conn, chunk)?;
                facts.extend(chunk.iter().map(|id| (key(id), found.remove(id))));
            }
            Ok((next, Changed::These(facts)))
        })?;
        *position = next;
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        let read = match changed {
            Changed::Everything(fresh) => {
                let n = fresh.len() as usize;
                *index = *fresh;
                n
            }
            Changed::These(facts) => {
                for (id, facts) in &facts {
                    index.put(*id, facts.as_ref());
                }
                facts.len()
            }
        };
        if read > 0 {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        Ok(read)
    }

    /// Whether the index equals one read afresh from the database, once
    /// caught up (for checks: no write may run meanwhile).
    pub fn agrees(&self, conn: &mut DbConnection) -> QueryResult<bool> {
        self.catch_up(conn)?;
        let fresh = in_snapshot(conn, read_all)?;
        Ok(*self.read() == fresh)
    }

    /// Reads the index afresh; how many commitments it holds.
    pub fn reload(&self, conn: &mut DbConnection) -> QueryResult<u64> {
        let mut position = self.position.lock().unwrap_or_else(|e| e.into_inner());
        let reloaded = Self::load(conn)?;
        *position = reloaded
            .position
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let fresh = reloaded
            .index
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let n = fresh.len();
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        *index = fresh;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(n)
    }
}

enum Changed {
    Everything(Box<FactsIndex>),
    These(Vec<(CommitmentKey, Option<crate::domain::stats::Facts>)>),
}

/// Runs `f` in one read-only snapshot: a transaction, repeatable read on
/// PostgreSQL (SQLite's transactions are snapshots already).
fn in_snapshot<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    conn.transaction(|conn| {
        if let DbConnection::Postgresql(_) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        f(conn)
    })
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn last_seq(conn: &mut DbConnection) -> QueryResult<i64> {
    let n = fact_changes::table
        .select(diesel::dsl::max(fact_changes::seq))
        .first::<Option<i64>>(conn)?;
    Ok(n.unwrap_or(0))
}

/// PostgreSQL: the oldest transaction still running in this snapshot
/// (every one before it has committed or rolled back).
fn oldest_running(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(
        diesel::sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS n")
            .get_result::<Number>(conn)?
            .n,
    )
}

/// Every submitted commitment's facts, a batch at a time.
fn read_all(conn: &mut DbConnection) -> QueryResult<FactsIndex> {
    let mut index = FactsIndex::default();
    let mut after = String::new();
    loop {
        let ids = submitted_after(conn, &after, BATCH as i64)?;
        let Some(last) = ids.last().cloned() else {
            break;
        };
        for (id, facts) in facts_of(conn, &ids)? {
            index.put(key(&id), Some(&facts));
        }
        after = last;
    }
    Ok(index)
}

/// A commitment's id as the index keys it: its UUID's bits (every id this
/// service makes is a UUID), or for any other text a 128-bit hash of it.
pub fn key(id: &str) -> CommitmentKey {
    if let Ok(uuid) = uuid::Uuid::parse_str(id) {
        return uuid.as_u128();
    }
    let half = |salt: u8| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (salt, id).hash(&mut hasher);
        u128::from(hasher.finish())
    };
    (half(0) << 64) | half(1)
}

/// Deletes the change rows older than `KEPT_FOR`; how many.
pub fn prune(conn: &mut DbConnection) -> QueryResult<usize> {
    let before = super::now() - chrono::Duration::from_std(KEPT_FOR).unwrap_or_default();
    diesel::delete(fact_changes::table.filter(fact_changes::noted_at.lt(before))).execute(conn)
}

/// Sets or clears the bulk switch: set, this transaction's writes note
/// no change. A bulk load sets it and clears it again within each of its
/// transactions (other writers see it unset meanwhile, and a load that
/// fails leaves it unset), then notes `EVERYTHING` (`bulk_loaded`).
pub fn set_bulk(conn: &mut DbConnection, bulk: bool) -> QueryResult<()> {
    diesel::update(fact_switch::table)
        .set(fact_switch::bulk.eq(bulk))
        .execute(conn)
        .map(drop)
}

/// Asks every instance to read all the facts again, after a bulk load.
pub fn bulk_loaded(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::insert_into(fact_changes::table)
        .values(fact_changes::commitment_id.eq(EVERYTHING))
        .execute(conn)
        .map(drop)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;
    use std::time::Duration;

    use diesel::Connection;

    use super::*;

    fn figures() -> (tempfile::TempDir, LiveFigures) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("figures.db").display());
        let mut conn = DbConnection::establish(&url).unwrap();
        super::super::run_migrations(&mut conn).unwrap();
        let figures = LiveFigures::load(&mut conn).unwrap();
        (dir, figures)
    }

    /// A caller of a search that is running waits for its answer rather
    /// than running it again; another search runs meanwhile; once the
    /// index changes, the search runs afresh.
    #[test]
    fn a_search_runs_once_for_the_callers_that_ask_it_together() {
        let (_dir, figures) = figures();
        let (figures, runs) = (&figures, &AtomicUsize::new(0));
        let (started, first_running) = mpsc::channel();
        let (finish, may_finish) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let first = scope.spawn(move || {
                figures.searched("girls", || {
                    runs.fetch_add(1, Ordering::SeqCst);
                    started.send(()).unwrap();
                    may_finish.recv().unwrap();
                    Ok::<_, ()>(vec![1u128, 2])
                })
            });
            first_running.recv().unwrap();
            let second = scope.spawn(move || {
                figures.searched("girls", || {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(vec![9u128])
                })
            });
            let other = figures
                .searched("women", || Ok::<_, ()>(vec![3u128]))
                .unwrap();
            assert_eq!(*other, vec![3]);
            // The second caller waits on the first: give it time to get there.
            std::thread::sleep(Duration::from_millis(100));
            assert!(!second.is_finished());
            finish.send(()).unwrap();
            assert_eq!(*first.join().unwrap().unwrap(), vec![1, 2]);
            assert_eq!(*second.join().unwrap().unwrap(), vec![1, 2]);
        });
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(figures.searching.lock().unwrap().is_empty());
        figures.generation.fetch_add(1, Ordering::AcqRel);
        let again = figures
            .searched("girls", || Ok::<_, ()>(vec![4u128]))
            .unwrap();
        assert_eq!(*again, vec![4]);
    }

    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }

    /// After a load's ANALYZE, when the change table held next to nothing,
    /// following still seeks the rows past its position rather than scan.
    #[test]
    fn following_seeks_past_its_position_after_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let mut conn = DbConnection::establish(&url).unwrap();
        super::super::run_migrations(&mut conn).unwrap();
        bulk_loaded(&mut conn).unwrap();
        super::super::bulk::analyze(&mut conn).unwrap();
        let plan: Vec<Plan> = diesel::sql_query(
            "EXPLAIN QUERY PLAN SELECT seq, commitment_id FROM fact_changes \
             WHERE seq > 1 ORDER BY seq",
        )
        .load(&mut conn)
        .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|p| p.detail).collect();
        assert!(
            plan.iter().any(|step| step.contains("INTEGER PRIMARY KEY")),
            "{plan:?}"
        );
    }

    /// A search that fails is kept for no one: the next caller runs it.
    #[test]
    fn a_failed_search_is_not_kept() {
        let (_dir, figures) = figures();
        assert!(
            figures
                .searched::<Vec<u128>, _>("q", || Err("down"))
                .is_err()
        );
        let answer = figures
            .searched("q", || Ok::<_, &str>(vec![7u128]))
            .unwrap();
        assert_eq!(*answer, vec![7]);
    }
}
