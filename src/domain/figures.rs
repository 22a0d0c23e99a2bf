//! The figures, held in memory: each submitted commitment's facts as
//! compact columns (its organization, money pledged and disbursed, latest
//! percent), and for each key of each dimension a bitmap of the
//! commitments that have it. A filter is an intersection of bitmaps, a
//! figure a sum over what is left, makers a count of distinct
//! organizations. What counts where is `Facts::keys` and `Facts::measures`
//! (`domain::stats`): a new dimension or measure is a rule there, and this
//! holds it without change.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use roaring::RoaringBitmap;

use super::stats::{Dimension, Facts, Measures, Scope};

/// What some commitments add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub measures: Measures,
    /// Organizations with a commitment among them.
    pub makers: i64,
}

/// A commitment's id as a number (its UUID's bits).
pub type CommitmentKey = u128;

/// What a commitment must have to be counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// One of these keys along a dimension (none: nothing matches).
    AnyKey(Dimension, Vec<String>),
    /// A commitment of this organization.
    Organization(String),
    /// One of these commitments, matched elsewhere (by text, by time): the
    /// kept match itself, shared by every request that asks it.
    Among(Arc<Vec<CommitmentKey>>),
}

/// Which slot holds which commitment: the ids in order, each slot beside
/// its id, 20 bytes a commitment. (A `HashMap<u128, u32>` took 66 at a
/// million: its buckets padded to 32 bytes and, once grown, twice as many
/// as its entries, and half as much again while it grew.) Ids are UUIDv7,
/// which grow with time, so a new commitment's id goes at or near the end;
/// one submitted long after it was drafted moves only the ids made since.
#[derive(Debug, Default, Clone)]
struct Slots {
    ids: Vec<CommitmentKey>,
    slots: Vec<u32>,
}

impl Slots {
    fn get(&self, id: &CommitmentKey) -> Option<u32> {
        let at = self.ids.binary_search(id).ok()?;
        Some(self.slots[at])
    }

    fn insert(&mut self, id: CommitmentKey, slot: u32) {
        match self.ids.binary_search(&id) {
            Ok(at) => self.slots[at] = slot,
            Err(at) => {
                self.ids.insert(at, id);
                self.slots.insert(at, slot);
            }
        }
    }

    fn remove(&mut self, id: &CommitmentKey) -> Option<u32> {
        let at = self.ids.binary_search(id).ok()?;
        self.ids.remove(at);
        Some(self.slots.remove(at))
    }

    fn iter(&self) -> impl Iterator<Item = (&CommitmentKey, &u32)> {
        self.ids.iter().zip(&self.slots)
    }
}

/// The facts of every submitted commitment, as bitmaps and columns.
#[derive(Debug, Default, Clone)]
pub struct FactsIndex {
    slots: Slots,
    free: Vec<u32>,
    /// Slots holding a submitted commitment (`Scope::All`).
    live: RoaringBitmap,
    /// Slots holding a public one (`Scope::Public`).
    public: RoaringBitmap,
    organization: Vec<u32>,
    pledged: Vec<i64>,
    disbursed: Vec<i64>,
    /// The latest report's percent; -1 when it never reported.
    percent: Vec<i8>,
    organizations: HashMap<String, u32>,
    organization_ids: Vec<String>,
    keys: BTreeMap<Dimension, BTreeMap<String, RoaringBitmap>>,
}

/// Builds an index from commitments each given once, by parts (the
/// readers of start-up each walk their own range of ids): each part keeps
/// its ids in the order given, and `finish` puts the parts end to end,
/// sorting only when that is not already in order. Holding one list of
/// ids rather than a list and its sorted copy keeps start-up's peak memory
/// down (16 bytes a commitment each).
#[derive(Debug, Default)]
pub struct Builder {
    index: FactsIndex,
    parts: Vec<Slots>,
}

impl Builder {
    /// Holds `facts` as those of commitment `id` of `part`, given for the
    /// first time; a commitment never submitted is left out.
    pub fn add(&mut self, part: usize, id: CommitmentKey, facts: &Facts) {
        if !Scope::All.counts(facts.status, facts.submitted) {
            return;
        }
        let slot = self.index.grow();
        self.index.fill(slot, facts);
        if self.parts.len() <= part {
            self.parts.resize_with(part + 1, Slots::default);
        }
        self.parts[part].ids.push(id);
        self.parts[part].slots.push(slot);
    }

    pub fn finish(self) -> FactsIndex {
        let Self { mut index, parts } = self;
        let mut parts = parts.into_iter();
        // The first part is kept, the others appended to it: a copy of the
        // later parts only.
        let mut all = parts.next().unwrap_or_default();
        for mut part in parts {
            all.ids.append(&mut part.ids);
            all.slots.append(&mut part.slots);
        }
        if !all.ids.is_sorted() {
            let mut order: Vec<u32> = (0..all.ids.len() as u32).collect();
            order.sort_unstable_by_key(|&at| all.ids[at as usize]);
            all = Slots {
                ids: order.iter().map(|&at| all.ids[at as usize]).collect(),
                slots: order.iter().map(|&at| all.slots[at as usize]).collect(),
            };
        }
        debug_assert!(all.ids.windows(2).all(|w| w[0] != w[1]));
        index.slots = all;
        index
    }
}

/// One commitment as the index holds it, for comparing two indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub organization: String,
    pub public: bool,
    pub pledged: i64,
    pub disbursed: i64,
    pub percent: i8,
    pub keys: BTreeSet<(Dimension, String)>,
}

impl PartialEq for FactsIndex {
    fn eq(&self, other: &Self) -> bool {
        self.entries() == other.entries()
    }
}

impl FactsIndex {
    /// How many commitments it holds.
    pub fn len(&self) -> u64 {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Holds `facts` as those of commitment `id`, in place of what it held
    /// of it; `None` (or a commitment never submitted) forgets it.
    pub fn put(&mut self, id: CommitmentKey, facts: Option<&Facts>) {
        if let Some(slot) = self.slots.get(&id) {
            self.clear(slot);
        }
        let Some(facts) = facts.filter(|f| Scope::All.counts(f.status, f.submitted)) else {
            if let Some(slot) = self.slots.remove(&id) {
                self.free.push(slot);
            }
            return;
        };
        let slot = match self.slots.get(&id) {
            Some(slot) => slot,
            None => {
                let slot = self.free.pop().unwrap_or_else(|| self.grow());
                self.slots.insert(id, slot);
                slot
            }
        };
        self.fill(slot, facts);
    }

    /// Writes `facts` into `slot`, a slot no bitmap holds.
    fn fill(&mut self, slot: u32, facts: &Facts) {
        let organization = self.organization_number(&facts.organization_id);
        let at = slot as usize;
        let measures = facts.measures();
        self.organization[at] = organization;
        self.pledged[at] = facts.pledged_usd_minor;
        self.disbursed[at] = facts.latest_report.map_or(0, |r| r.disbursed_usd_minor);
        self.percent[at] = facts
            .latest_report
            .map_or(-1, |r| r.percent_complete.clamp(0, 100) as i8);
        debug_assert_eq!(measures.percent_n, i64::from(self.percent[at] >= 0));
        self.live.insert(slot);
        if Scope::Public.counts(facts.status, facts.submitted) {
            self.public.insert(slot);
        }
        for dimension in Dimension::ALL {
            if dimension == Dimension::Total {
                continue;
            }
            for key in facts.keys(dimension) {
                self.keys
                    .entry(dimension)
                    .or_default()
                    .entry(key)
                    .or_default()
                    .insert(slot);
            }
        }
    }

    fn grow(&mut self) -> u32 {
        let slot = self.organization.len() as u32;
        self.organization.push(0);
        self.pledged.push(0);
        self.disbursed.push(0);
        self.percent.push(-1);
        slot
    }

    fn organization_number(&mut self, id: &str) -> u32 {
        if let Some(n) = self.organizations.get(id) {
            return *n;
        }
        let n = self.organization_ids.len() as u32;
        self.organization_ids.push(id.to_owned());
        self.organizations.insert(id.to_owned(), n);
        n
    }

    /// Takes a slot out of every bitmap.
    fn clear(&mut self, slot: u32) {
        self.live.remove(slot);
        self.public.remove(slot);
        for keys in self.keys.values_mut() {
            keys.retain(|_, bitmap| {
                bitmap.remove(slot);
                !bitmap.is_empty()
            });
        }
    }

    /// The keys some commitment has along `dimension`.
    pub fn keys_of(&self, dimension: Dimension) -> impl Iterator<Item = &str> {
        self.keys
            .get(&dimension)
            .into_iter()
            .flat_map(|keys| keys.keys().map(String::as_str))
    }

    /// The commitments of `scope` that meet every condition.
    pub fn matching(&self, scope: Scope, conditions: &[Condition]) -> RoaringBitmap {
        let mut set = match scope {
            Scope::Public => self.public.clone(),
            Scope::All => self.live.clone(),
        };
        for condition in conditions {
            match condition {
                Condition::AnyKey(dimension, wanted) => {
                    let keys = self.keys.get(dimension);
                    let bitmaps = wanted.iter().filter_map(|k| keys.and_then(|m| m.get(k)));
                    let mut any = RoaringBitmap::new();
                    for bitmap in bitmaps {
                        any |= bitmap;
                    }
                    set &= any;
                }
                Condition::Organization(id) => match self.organizations.get(id) {
                    Some(n) => set.retain(|slot| self.organization[slot as usize] == *n),
                    None => set.clear(),
                },
                Condition::Among(ids) => {
                    let among: RoaringBitmap =
                        ids.iter().filter_map(|id| self.slots.get(id)).collect();
                    set &= among;
                }
            }
        }
        set
    }

    /// What the commitments of `set` add up to.
    pub fn total(&self, set: &RoaringBitmap) -> Figures {
        let mut measures = Measures::default();
        let mut makers = Distinct::new(self.organization_ids.len());
        for slot in set {
            let at = slot as usize;
            measures.commitments += 1;
            measures.pledged_usd_minor += i128::from(self.pledged[at]);
            measures.disbursed_usd_minor += i128::from(self.disbursed[at]);
            if self.percent[at] >= 0 {
                measures.percent_sum += i64::from(self.percent[at]);
                measures.percent_n += 1;
            }
            makers.insert(self.organization[at]);
        }
        Figures {
            measures,
            makers: makers.count,
        }
    }

    /// The figures of the commitments of `set` under each key of
    /// `dimension` that one of them has, in key order.
    pub fn breakdown(&self, set: &RoaringBitmap, dimension: Dimension) -> Vec<(String, Figures)> {
        if dimension == Dimension::Total {
            return vec![(String::new(), self.total(set))];
        }
        self.keyed(dimension)
            .filter_map(|(key, bitmap)| {
                let within = bitmap & set;
                (!within.is_empty()).then(|| (key.clone(), self.total(&within)))
            })
            .collect()
    }

    /// How many commitments of `set` have each key of `dimension`.
    pub fn counts(&self, set: &RoaringBitmap, dimension: Dimension) -> Vec<(String, i64)> {
        self.keyed(dimension)
            .map(|(key, bitmap)| (key.clone(), bitmap.intersection_len(set) as i64))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    fn keyed(&self, dimension: Dimension) -> impl Iterator<Item = (&String, &RoaringBitmap)> {
        self.keys.get(&dimension).into_iter().flatten()
    }

    /// Every commitment held, by id: what two indexes must agree on.
    pub fn entries(&self) -> BTreeMap<CommitmentKey, Entry> {
        let ids: HashMap<u32, CommitmentKey> = self.slots.iter().map(|(id, s)| (*s, *id)).collect();
        let mut entries: BTreeMap<CommitmentKey, Entry> = BTreeMap::new();
        for slot in &self.live {
            let at = slot as usize;
            entries.insert(
                ids[&slot],
                Entry {
                    organization: self.organization_ids[self.organization[at] as usize].clone(),
                    public: self.public.contains(slot),
                    pledged: self.pledged[at],
                    disbursed: self.disbursed[at],
                    percent: self.percent[at],
                    keys: BTreeSet::new(),
                },
            );
        }
        for (dimension, key, slot) in self.keys.iter().flat_map(|(dimension, keys)| {
            keys.iter().flat_map(move |(key, bitmap)| {
                bitmap.iter().map(move |slot| (dimension, key, slot))
            })
        }) {
            if let Some(entry) = entries.get_mut(&ids[&slot]) {
                entry.keys.insert((*dimension, key.clone()));
            }
        }
        entries
    }
}

/// Distinct numbers below a bound, counted as they come.
struct Distinct {
    words: Vec<u64>,
    count: i64,
}

impl Distinct {
    fn new(bound: usize) -> Self {
        Self {
            words: vec![0; bound.div_ceil(64)],
            count: 0,
        }
    }

    fn insert(&mut self, n: u32) {
        let (word, bit) = (n as usize / 64, 1u64 << (n % 64));
        if self.words[word] & bit == 0 {
            self.words[word] |= bit;
            self.count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::commitment::{CommitmentStatus, CommitmentType};
    use crate::domain::organization::Constituency;
    use crate::domain::stats::LatestReport;

    /// Ids put in any order are found, moved and forgotten, and stay in
    /// order beside their slots.
    #[test]
    fn slots_keep_their_ids_in_order_whatever_order_they_come_in() {
        let mut slots = Slots::default();
        for (id, slot) in [
            (50u128, 0u32),
            (10, 1),
            (90, 2),
            (30, 3),
            (u128::MAX, 4),
            (0, 5),
        ] {
            slots.insert(id, slot);
        }
        assert_eq!(slots.ids, vec![0, 10, 30, 50, 90, u128::MAX]);
        assert_eq!(slots.get(&30), Some(3));
        assert_eq!(slots.get(&31), None);
        slots.insert(30, 7);
        assert_eq!((slots.get(&30), slots.ids.len()), (Some(7), 6));
        assert_eq!(slots.remove(&10), Some(1));
        assert_eq!(slots.remove(&10), None);
        let pairs: Vec<(u128, u32)> = slots.iter().map(|(i, s)| (*i, *s)).collect();
        assert_eq!(
            pairs,
            vec![(0, 5), (30, 7), (50, 0), (90, 2), (u128::MAX, 4)]
        );
    }

    /// Commitments given to a builder in any order make the index that
    /// `put` makes of them in order.
    #[test]
    fn a_builder_in_any_order_makes_the_index_put_makes() {
        let given = [
            (70u128, facts("b", CommitmentStatus::Approved, &["KH"])),
            (10, facts("a", CommitmentStatus::Submitted, &["LA", "KH"])),
            (40, facts("c", CommitmentStatus::Draft, &["KH"])),
            (90, facts("a", CommitmentStatus::Completed, &[])),
            (20, facts("c", CommitmentStatus::Withdrawn, &["VN"])),
        ];
        // Out of order within a part and across the parts.
        let mut built = Builder::default();
        for (at, (id, facts)) in given.iter().enumerate() {
            built.add(at % 2, *id, facts);
        }
        let built = built.finish();
        // In order, in two parts: put end to end.
        let mut in_order = Builder::default();
        for (id, facts) in &given.iter().cloned().collect::<BTreeMap<_, _>>() {
            in_order.add(usize::from(*id > 40), *id, facts);
        }
        assert_eq!(in_order.finish().entries(), built.entries());
        let mut sorted = given.clone();
        sorted.sort_by_key(|(id, _)| *id);
        let mut put = FactsIndex::default();
        for (id, facts) in &sorted {
            put.put(*id, Some(facts));
        }
        assert_eq!(built.entries(), put.entries());
        assert_eq!(
            built.entries().keys().copied().collect::<Vec<_>>(),
            [10, 20, 70, 90]
        );
        assert_eq!(built.slots.ids, [10, 20, 70, 90]);
        // Found by id afterwards, as `put` and `matching` need.
        let mut moved = built.clone();
        moved.put(70, None);
        put.put(70, None);
        assert_eq!(moved, put);
        let among = Condition::Among(Arc::new(vec![10, 90]));
        assert_eq!(built.matching(Scope::All, &[among]).len(), 2);
    }

    fn facts(organization: &str, status: CommitmentStatus, countries: &[&str]) -> Facts {
        Facts {
            organization_id: organization.into(),
            coalition: "technology-innovation".into(),
            constituency: Constituency::YouthLed,
            status,
            submitted: status != CommitmentStatus::Draft,
            start_year: 2022,
            end_year: 2025,
            types: vec![CommitmentType::Financial],
            action_areas: vec![1],
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
            regions: vec![],
            pledged_usd_minor: 1_000,
            latest_report: None,
        }
    }

    fn kh() -> Condition {
        Condition::AnyKey(Dimension::Country, vec!["KH".into()])
    }

    #[test]
    fn a_filter_counts_what_matches_and_makers_once() {
        let mut index = FactsIndex::default();
        index.put(
            1,
            Some(&facts("a", CommitmentStatus::Approved, &["KH", "LA"])),
        );
        index.put(2, Some(&facts("a", CommitmentStatus::Approved, &["KH"])));
        index.put(3, Some(&facts("b", CommitmentStatus::Submitted, &["KH"])));
        index.put(4, Some(&facts("c", CommitmentStatus::Draft, &["KH"])));
        let public = index.matching(Scope::Public, &[kh()]);
        let total = index.total(&public);
        assert_eq!((total.measures.commitments, total.makers), (2, 1));
        assert_eq!(total.measures.pledged_usd_minor, 2_000);
        let all = index.matching(Scope::All, &[kh()]);
        assert_eq!(index.total(&all).makers, 2);
        let rows = index.breakdown(&all, Dimension::Country);
        let rows: Vec<(&str, i64)> = rows
            .iter()
            .map(|(k, f)| (k.as_str(), f.measures.commitments))
            .collect();
        assert_eq!(rows, [("KH", 3), ("LA", 1)]);
        assert!(
            index
                .matching(Scope::All, &[Condition::Organization("z".into())])
                .is_empty()
        );
        assert!(
            index
                .matching(Scope::All, &[Condition::AnyKey(Dimension::Country, vec![])])
                .is_empty()
        );
    }

    #[test]
    fn putting_again_replaces_and_none_forgets() {
        let mut index = FactsIndex::default();
        index.put(1, Some(&facts("a", CommitmentStatus::Submitted, &["KH"])));
        let mut approved = facts("a", CommitmentStatus::Approved, &["LA"]);
        approved.latest_report = Some(LatestReport {
            year: 2023,
            status: crate::domain::progress::ImplementationStatus::InProgress,
            percent_complete: 40,
            disbursed_usd_minor: 300,
        });
        index.put(1, Some(&approved));
        assert!(index.matching(Scope::All, &[kh()]).is_empty());
        let public = index.matching(Scope::Public, &[]);
        let total = index.total(&public);
        assert_eq!(
            (
                total.measures.disbursed_usd_minor,
                total.measures.mean_percent_complete()
            ),
            (300, Some(40.0))
        );
        let mut fresh = FactsIndex::default();
        fresh.put(1, Some(&approved));
        assert_eq!(index, fresh);
        index.put(1, None);
        assert!(index.is_empty());
        assert_eq!(index, FactsIndex::default());
        assert!(index.keys_of(Dimension::Country).next().is_none());
    }
}
