//! A read cache, one per running instance, for what the public reads most:
//! public commitments (whole, but for their reporting health, which depends
//! on the day), which commitments the public's list pages hold, the
//! coalitions in each language, and the reporting cycles.
//!
//! It also keeps the accounts that tokens name, which every authenticated
//! request reads (see `account`), and the coalitions' rules, which every
//! new commitment, edit and submission checks (see `rules`): those have
//! generations of their own, moved on only by changes to them, so that the
//! stream of other writes leaves them be.
//!
//! Invalidation is coarse and safe: every write transaction committed
//! through `Db::write` moves the generation on, and an entry filled in an
//! older generation is a miss. An entry is filled with the generation read
//! *before* its rows were, so a write that commits meanwhile still makes it
//! a miss. Writes made by other instances (several behind a load balancer
//! on one PostgreSQL) are not seen here: entries also expire `FRESH_FOR`
//! after they were read, which bounds how stale such a change can look.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::commitments::CommitmentParts;
use super::reference::{CoalitionRecord, CoalitionRow};
use super::users::UserWithScopes;
use crate::domain::commitment_content::CoalitionRules;
use crate::domain::language::Language;
use crate::domain::progress::Cycle;

/// How long an entry is trusted without a write seen here.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// How long an account is trusted without a change to accounts seen here:
/// how long another instance may still take a token that a change of role
/// or state revoked.
pub const ACCOUNT_FRESH_FOR: Duration = Duration::from_secs(2);

/// Accounts kept at most.
const ACCOUNTS: usize = 4096;

/// Coalitions' rules kept at most (there are seven).
const COALITIONS: usize = 64;

/// Commitments kept at most; past it, the oldest eighth makes room.
const COMMITMENTS: usize = 8192;

/// List pages kept at most.
const PAGES: usize = 1024;

/// A list page: its commitments' ids, and the id to read the next page after.
pub type Page = Arc<(Vec<String>, Option<String>)>;

struct Entry<T> {
    value: T,
    generation: u64,
    at: Instant,
}

/// A bounded map whose entries hold within a generation and `FRESH_FOR`.
struct Shelf<K, T> {
    entries: Mutex<HashMap<K, Entry<T>>>,
    capacity: usize,
    fresh_for: Duration,
}

impl<K: Eq + Hash + Clone, T: Clone> Shelf<K, T> {
    fn new(capacity: usize) -> Self {
        Self::fresh_for(capacity, FRESH_FOR)
    }

    fn fresh_for(capacity: usize, fresh_for: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
            fresh_for,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Entry<T>>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &K, generation: u64) -> Option<T> {
        self.lock()
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < self.fresh_for)
            .map(|e| e.value.clone())
    }

    fn put(&self, key: K, value: T, generation: u64) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let mut ages: Vec<(Instant, K)> =
                entries.iter().map(|(k, e)| (e.at, k.clone())).collect();
            ages.sort_by_key(|(at, _)| *at);
            for (_, old) in ages.into_iter().take((self.capacity / 8).max(1)) {
                entries.remove(&old);
            }
        }
        entries.insert(
            key,
            Entry {
                value,
                generation,
                at: Instant::now(),
            },
        );
    }
}

pub struct ReadCache {
    generation: AtomicU64,
    commitments: Shelf<String, Arc<CommitmentParts>>,
    pages: Shelf<String, Page>,
    coalitions: Shelf<Language, Arc<Vec<CoalitionRecord>>>,
    cycles: Shelf<(), Arc<Vec<Cycle>>>,
    /// Accounts have a generation of their own, moved on by changes to
    /// accounts only: other writes leave them be.
    accounts_generation: AtomicU64,
    accounts: Shelf<String, Arc<UserWithScopes>>,
    /// So have coalitions' rules, moved on by changes to coalitions only.
    rules_generation: AtomicU64,
    rules: Shelf<String, Arc<KeptRules>>,
}

/// A coalition and the rules its commitments follow.
pub type KeptRules = (CoalitionRow, CoalitionRules);

impl Default for ReadCache {
    fn default() -> Self {
        Self {
            generation: AtomicU64::new(0),
            commitments: Shelf::new(COMMITMENTS),
            pages: Shelf::new(PAGES),
            coalitions: Shelf::new(Language::ALL.len()),
            cycles: Shelf::new(1),
            accounts_generation: AtomicU64::new(0),
            accounts: Shelf::fresh_for(ACCOUNTS, ACCOUNT_FRESH_FOR),
            rules_generation: AtomicU64::new(0),
            rules: Shelf::new(COALITIONS),
        }
    }
}

impl ReadCache {
    /// The current generation: read it before reading the rows to keep.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A write committed: everything kept so far is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn commitment(&self, id: &str) -> Option<Arc<CommitmentParts>> {
        self.commitments.get(&id.to_owned(), self.generation())
    }

    /// Keeps a commitment read in `generation`, if it is public (what
    /// anyone may see, and what is read most).
    pub fn keep_commitment(&self, parts: Arc<CommitmentParts>, generation: u64) {
        if parts.row.status.is_public() {
            self.commitments
                .put(parts.row.id.clone(), parts, generation);
        }
    }

    /// The public's list page `key` (its filters, position and size).
    pub fn page(&self, key: &str) -> Option<Page> {
        self.pages.get(&key.to_owned(), self.generation())
    }

    pub fn keep_page(&self, key: String, page: Page, generation: u64) {
        self.pages.put(key, page, generation);
    }

    pub fn coalitions(&self, lang: Language) -> Option<Arc<Vec<CoalitionRecord>>> {
        self.coalitions.get(&lang, self.generation())
    }

    pub fn keep_coalitions(
        &self,
        lang: Language,
        value: Arc<Vec<CoalitionRecord>>,
        generation: u64,
    ) {
        self.coalitions.put(lang, value, generation);
    }

    pub fn cycles(&self) -> Option<Arc<Vec<Cycle>>> {
        self.cycles.get(&(), self.generation())
    }

    pub fn keep_cycles(&self, value: Arc<Vec<Cycle>>, generation: u64) {
        self.cycles.put((), value, generation);
    }

    /// The accounts' generation: read it before reading the account to keep.
    pub fn accounts_generation(&self) -> u64 {
        self.accounts_generation.load(Ordering::Acquire)
    }

    /// A change to accounts was written (committed or not): every account
    /// kept so far is stale. Called once the write is over.
    pub fn forget_accounts(&self) {
        self.accounts_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The account of user `id`, as the tokens it holds are checked against.
    pub fn account(&self, id: &str) -> Option<Arc<UserWithScopes>> {
        self.accounts
            .get(&id.to_owned(), self.accounts_generation())
    }

    pub fn keep_account(&self, account: Arc<UserWithScopes>, generation: u64) {
        self.accounts
            .put(account.user.id.clone(), account, generation);
    }

    /// The rules' generation: read it before reading the rules to keep.
    pub fn rules_generation(&self) -> u64 {
        self.rules_generation.load(Ordering::Acquire)
    }

    /// A change to coalitions was written: every rule kept so far is stale.
    pub fn forget_rules(&self) {
        self.rules_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Coalition `slug` and its rules, which every new commitment, edit and
    /// submission checks.
    pub fn rules(&self, slug: &str) -> Option<Arc<KeptRules>> {
        self.rules.get(&slug.to_owned(), self.rules_generation())
    }

    pub fn keep_rules(&self, rules: Arc<KeptRules>, generation: u64) {
        self.rules.put(rules.0.slug.clone(), rules, generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_makes_every_entry_stale() {
        let shelf: Shelf<u8, u8> = Shelf::new(4);
        shelf.put(1, 10, 7);
        assert_eq!(shelf.get(&1, 7), Some(10));
        assert_eq!(shelf.get(&1, 8), None, "a later generation misses");
    }

    #[test]
    fn a_full_shelf_drops_its_oldest() {
        let shelf: Shelf<u32, u32> = Shelf::new(8);
        for k in 0..8 {
            shelf.put(k, k, 0);
        }
        shelf.put(100, 100, 0);
        assert_eq!(shelf.get(&0, 0), None, "the oldest went");
        assert_eq!(shelf.get(&7, 0), Some(7));
        assert_eq!(shelf.get(&100, 0), Some(100));
        assert!(shelf.lock().len() <= 8);
    }
}
