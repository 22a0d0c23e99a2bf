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
use super::facts::{Which, facts_of, middle_id, submitted_after};
use super::schema::{fact_changes, fact_switch};
use crate::domain::figures::{Builder, CommitmentKey, FactsIndex};
use crate::domain::stats::Facts;

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
    /// The searches' matches, kept across changes (`searched`).
    searches: Mutex<HashMap<String, KeptSearch>>,
    /// Which commitments the latest generations changed.
    changes: Mutex<ChangeLog>,
}

/// A search's matches as of a generation of the index.
struct KeptSearch {
    generation: u64,
    matches: Arc<Vec<CommitmentKey>>,
}

/// At most this many searches are kept (then they are all dropped).
const SEARCHES_KEPT: usize = 64;

/// The commitments each of the latest generations changed, at most
/// `CHANGES_LOGGED` in all: a search kept at a generation still logged asks
/// the database again about those alone.
#[derive(Default)]
struct ChangeLog {
    entries: std::collections::VecDeque<(u64, Vec<String>)>,
    logged: usize,
    /// Every generation past this one is in `entries`.
    known_after: u64,
}

const CHANGES_LOGGED: usize = 2000;

impl ChangeLog {
    /// Notes what `generation` changed; `None`, everything.
    fn note(&mut self, generation: u64, ids: Option<&[String]>) {
        let Some(ids) = ids else {
            *self = Self {
                known_after: generation,
                ..Self::default()
            };
            return;
        };
        self.entries.push_back((generation, ids.to_vec()));
        self.logged += ids.len();
        while self.logged > CHANGES_LOGGED {
            let Some((oldest, ids)) = self.entries.pop_front() else {
                break;
            };
            self.logged -= ids.len();
            self.known_after = oldest;
        }
    }

    /// The commitments changed since `generation`, if all are known.
    fn since(&self, generation: u64) -> Option<Vec<String>> {
        if generation < self.known_after {
            return None;
        }
        let changed: BTreeSet<&String> = self
            .entries
            .iter()
            .filter(|(g, _)| *g > generation)
            .flat_map(|(_, ids)| ids)
            .collect();
        Some(changed.into_iter().cloned().collect())
    }
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
    /// stand in the same snapshot; `other`, when given, reads half of them.
    pub fn load(conn: &mut DbConnection, other: Option<&mut DbConnection>) -> QueryResult<Self> {
        let (position, index) = in_snapshot(conn, |conn| {
            let position = match conn {
                DbConnection::Sqlite(_) => last_seq(conn)?,
                DbConnection::Postgresql(_) => oldest_running(conn)?,
            };
            Ok((position, read_all(conn, other)?))
        })?;
        Ok(Self {
            index: RwLock::new(index),
            position: Mutex::new(position),
            generation: AtomicU64::new(0),
            rounds: AtomicU64::new(0),
            answers: Mutex::default(),
            searching: Mutex::default(),
            searches: Mutex::default(),
            changes: Mutex::default(),
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

    /// The commitments a search of the database matches, kept under `key`
    /// across changes: `query(None)` asks for every match, `query(Some(ids))`
    /// which of `ids` match. Once the index changed, only the commitments
    /// changed since (when still logged) are asked about again, so a search
    /// at a million that scanned once stays cheap under a stream of writes.
    /// One caller at a time runs a given search: the others wait for its
    /// answer, so a burst of the same slow search runs it once.
    pub fn searched<E>(
        &self,
        key: &str,
        query: impl FnOnce(Option<&[String]>) -> Result<Vec<CommitmentKey>, E>,
    ) -> Result<Arc<Vec<CommitmentKey>>, E> {
        let kept = |figures: &Self| {
            let searches = figures.searches.lock().unwrap_or_else(|e| e.into_inner());
            searches.get(key).map(|k| (k.generation, k.matches.clone()))
        };
        let current = |kept: Option<(u64, Arc<Vec<CommitmentKey>>)>, now: u64| {
            kept.filter(|(g, _)| *g == now).map(|(_, m)| m)
        };
        if let Some(matches) = current(kept(self), self.generation()) {
            return Ok(matches);
        }
        let turn = {
            let mut searching = self.searching.lock().unwrap_or_else(|e| e.into_inner());
            searching.entry(key.to_owned()).or_default().clone()
        };
        let _turn = turn.lock().unwrap_or_else(|e| e.into_inner());
        // Read first: the changes of every generation up to it are logged
        // by then (`apply` logs them before it moves the generation on).
        let now = self.generation();
        let before = kept(self);
        let answer = match before {
            Some((g, matches)) if g == now => Ok(matches),
            Some((g, matches)) => {
                let changed = self
                    .changes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .since(g);
                match changed {
                    Some(changed) => query(Some(&changed))
                        .map(|matched| Arc::new(patched(&matches, &changed, &matched))),
                    None => query(None).map(every_match),
                }
            }
            None => query(None).map(every_match),
        };
        if let Ok(matches) = &answer {
            let mut searches = self.searches.lock().unwrap_or_else(|e| e.into_inner());
            if searches.len() >= SEARCHES_KEPT && !searches.contains_key(key) {
                searches.clear();
            }
            let newer = searches.get(key).is_some_and(|k| k.generation > now);
            if !newer {
                let matches = matches.clone();
                searches.insert(
                    key.to_owned(),
                    KeptSearch {
                        generation: now,
                        matches,
                    },
                );
            }
        }
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
                return Ok((next, Changed::Everything(Box::new(read_all(conn, None)?))));
            }
            let ids: Vec<String> = ids.into_iter().collect();
            let mut facts = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(BATCH) {
                let mut found = facts_of(conn, Which::Ids(chunk))?;
                facts.extend(chunk.iter().map(|id| (key(id), found.remove(id))));
            }
            Ok((next, Changed::These(ids, facts)))
        })?;
        *position = next;
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        let next_generation = self.generation() + 1;
        let mut changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        let read = match changed {
            Changed::Everything(fresh) => {
                let n = fresh.len() as usize;
                *index = *fresh;
                changes.note(next_generation, None);
                n
            }
            Changed::These(ids, facts) => {
                for (id, facts) in &facts {
                    index.put(*id, facts.as_ref());
                }
                if !ids.is_empty() {
                    changes.note(next_generation, Some(&ids));
                }
                facts.len()
            }
        };
        // Moved on once what it changed is logged, under the index's lock.
        if read > 0 {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        Ok(read)
    }

    /// Whether the index equals one read afresh from the database, once
    /// caught up (for checks: no write may run meanwhile).
    pub fn agrees(&self, conn: &mut DbConnection) -> QueryResult<bool> {
        self.catch_up(conn)?;
        let fresh = in_snapshot(conn, |conn| read_all(conn, None))?;
        Ok(*self.read() == fresh)
    }

    /// Reads the index afresh; how many commitments it holds.
    pub fn reload(&self, conn: &mut DbConnection) -> QueryResult<u64> {
        let mut position = self.position.lock().unwrap_or_else(|e| e.into_inner());
        let reloaded = Self::load(conn, None)?;
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
        let next_generation = self.generation() + 1;
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(next_generation, None);
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(n)
    }
}

enum Changed {
    Everything(Box<FactsIndex>),
    These(
        Vec<String>,
        Vec<(CommitmentKey, Option<crate::domain::stats::Facts>)>,
    ),
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

/// Every submitted commitment's facts, a batch at a time; with `other`, a
/// second connection reads the later half of the ids beside the first.
fn read_all(conn: &mut DbConnection, other: Option<&mut DbConnection>) -> QueryResult<FactsIndex> {
    // Readers read batches while this thread puts the ones before into the
    // index: at a million commitments the putting is a fifth of the time,
    // and the reading is the connection's own work, so two of them on two
    // cores read in about half the time of one.
    let middle = match other {
        Some(_) => middle_id(conn)?,
        None => None,
    };
    let (batches, arrived) = std::sync::mpsc::sync_channel(2);
    let mut built = Builder::default();
    std::thread::scope(|scope| {
        let mut readers = Vec::new();
        match (other, middle) {
            (Some(other), Some(middle)) => {
                let (first, second) = (batches.clone(), batches);
                let up_to = middle.clone();
                readers.push(scope.spawn(move || read_range(conn, 0, "", Some(&up_to), &first)));
                // Its snapshot may be later than the first's: what changed
                // in between is after the position too, and read again.
                readers.push(scope.spawn(move || {
                    in_snapshot(other, |other| read_range(other, 1, &middle, None, &second))
                }));
            }
            _ => readers.push(scope.spawn(move || read_range(conn, 0, "", None, &batches))),
        }
        for (part, batch) in arrived {
            // In id order, as each part's batches arrive: the builder then
            // has nothing to sort.
            let mut batch: Vec<(CommitmentKey, Facts)> = batch
                .into_iter()
                .map(|(id, facts)| (key(&id), facts))
                .collect();
            batch.sort_unstable_by_key(|(id, _)| *id);
            for (id, facts) in &batch {
                built.add(part, *id, facts);
            }
        }
        readers.into_iter().try_for_each(|reader| {
            reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })?;
    Ok(built.finish())
}

/// Sends the facts of the commitments with ids after `after` (and up to
/// `up_to`), a batch at a time as `part`, until there are no more or
/// nobody listens.
fn read_range(
    conn: &mut DbConnection,
    part: usize,
    after: &str,
    up_to: Option<&str>,
    batches: &std::sync::mpsc::SyncSender<(usize, HashMap<String, Facts>)>,
) -> QueryResult<()> {
    let mut after = after.to_owned();
    loop {
        let ids = submitted_after(conn, &after, up_to, BATCH as i64)?;
        let Some(last) = ids.last().cloned() else {
            return Ok(());
        };
        // The drafts among them are read too, and the builder leaves them out.
        if batches
            .send((part, facts_of(conn, Which::Range(&after, &last))?))
            .is_err()
        {
            return Ok(());
        }
        after = last;
    }
}

/// Every match of a search asked afresh, in order, sorted in place.
fn every_match(mut all: Vec<CommitmentKey>) -> Arc<Vec<CommitmentKey>> {
    all.sort_unstable();
    all.dedup();
    Arc::new(all)
}

/// `matches` without the `changed` commitments, with the `matched` ones:
/// a search's matches once the changed commitments were asked about again.
fn patched(
    matches: &[CommitmentKey],
    changed: &[String],
    matched: &[CommitmentKey],
) -> Vec<CommitmentKey> {
    let changed: std::collections::HashSet<CommitmentKey> =
        changed.iter().map(|id| key(id)).collect();
    let mut patched: Vec<CommitmentKey> = matches
        .iter()
        .copied()
        .filter(|k| !changed.contains(k))
        .chain(matched.iter().copied())
        .collect();
    patched.sort_unstable();
    patched.dedup();
    patched
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
        let figures = LiveFigures::load(&mut conn, None).unwrap();
        (dir, figures)
    }

    fn keys(ids: &[&str]) -> Vec<CommitmentKey> {
        let mut keys: Vec<CommitmentKey> = ids.iter().map(|id| key(id)).collect();
        keys.sort_unstable();
        keys
    }

    /// A caller of a search that is running waits for its answer rather
    /// than running it again; another search runs meanwhile.
    #[test]
    fn a_search_runs_once_for_the_callers_that_ask_it_together() {
        let (_dir, figures) = figures();
        let (figures, runs) = (&figures, &AtomicUsize::new(0));
        let (started, first_running) = mpsc::channel();
        let (finish, may_finish) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let first = scope.spawn(move || {
                figures.searched("girls", |_| {
                    runs.fetch_add(1, Ordering::SeqCst);
                    started.send(()).unwrap();
                    may_finish.recv().unwrap();
                    Ok::<_, ()>(keys(&["a", "b"]))
                })
            });
            first_running.recv().unwrap();
            let second = scope.spawn(move || {
                figures.searched("girls", |_| {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(keys(&["z"]))
                })
            });
            let other = figures
                .searched("women", |_| Ok::<_, ()>(keys(&["c"])))
                .unwrap();
            assert_eq!(*other, keys(&["c"]));
            // The second caller waits on the first: give it time to get there.
            std::thread::sleep(Duration::from_millis(100));
            assert!(!second.is_finished());
            finish.send(()).unwrap();
            assert_eq!(*first.join().unwrap().unwrap(), keys(&["a", "b"]));
            assert_eq!(*second.join().unwrap().unwrap(), keys(&["a", "b"]));
        });
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(figures.searching.lock().unwrap().is_empty());
    }

    /// Moves the index on a generation that changed `ids` (`None`: all).
    fn changed(figures: &LiveFigures, ids: Option<&[&str]>) {
        let ids: Option<Vec<String>> = ids.map(|ids| ids.iter().map(|s| s.to_string()).collect());
        let next = figures.generation() + 1;
        figures.changes.lock().unwrap().note(next, ids.as_deref());
        figures.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Once the index changed, a kept search asks about the commitments
    /// changed since, and only those: one that stopped matching leaves, one
    /// that began to joins. Past what the log holds, or after a change of
    /// everything, it runs whole again.
    #[test]
    fn a_kept_search_asks_again_only_about_what_changed() {
        let (_dir, figures) = figures();
        let all = |matches: &'static [&'static str]| {
            move |among: Option<&[String]>| {
                assert!(among.is_none(), "{among:?}");
                Ok::<_, ()>(keys(matches))
            }
        };
        assert_eq!(
            *figures.searched("q", all(&["a", "b"])).unwrap(),
            keys(&["a", "b"])
        );
        changed(&figures, Some(&["b", "c"]));
        changed(&figures, Some(&["d"]));
        let patched = figures
            .searched("q", |among| {
                assert_eq!(
                    among,
                    Some(&["b".to_owned(), "c".to_owned(), "d".to_owned()][..])
                );
                Ok::<_, ()>(keys(&["c"]))
            })
            .unwrap();
        assert_eq!(*patched, keys(&["a", "c"]));
        // Kept at this generation: nothing is asked.
        let again = figures.searched("q", |_| -> Result<Vec<CommitmentKey>, ()> {
            panic!("asked")
        });
        assert_eq!(*again.unwrap(), keys(&["a", "c"]));
        // More changes than the log holds: the search runs whole.
        let many: Vec<String> = (0..=CHANGES_LOGGED).map(|n| format!("n{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        changed(&figures, Some(&many));
        assert_eq!(*figures.searched("q", all(&["e"])).unwrap(), keys(&["e"]));
        changed(&figures, None);
        assert_eq!(*figures.searched("q", all(&["f"])).unwrap(), keys(&["f"]));
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
        assert!(figures.searched("q", |_| Err("down")).is_err());
        let answer = figures
            .searched("q", |_| Ok::<_, &str>(keys(&["g"])))
            .unwrap();
        assert_eq!(*answer, keys(&["g"]));
    }
}
