//! The figures dashboards read: a summary and breakdowns by dimension.
//!
//! Every figure is counted from the index each instance holds in memory
//! (`db::figures`, `domain::figures`): a filter is an intersection of its
//! bitmaps, so its cost follows what matches, not what is stored. Only a
//! text query (`q`) and `updated_since` ask the database which commitments
//! match; those are then counted in the index too.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use roaring::RoaringBitmap;

use super::{AppError, AppResult};
use crate::db::cache::ReadCache;
use crate::db::commitments::{self as commitment_queries, CommitmentFilter};
use crate::db::{Db, DbConnection, reference};
use crate::domain::commitment::CommitmentStatus;
use crate::domain::figures::{CommitmentKey, Condition, FactsIndex, Figures};
use crate::domain::labels::{self, Vocabulary, label};
use crate::domain::language::Language;
use crate::domain::policy::{Action, Actor, authorize};
use crate::domain::progress::{Cycle, ImplementationStatus, ReportingHealth};
use crate::domain::stats::{Dimension, NOT_REPORTED, Scope, health_of_key};

/// Where the figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The index alone.
    Index,
    /// The index, over the commitments a query of the database matched
    /// (by text, by time).
    Search,
}

/// The totals of some commitments.
#[derive(Debug, Clone)]
pub struct Summary {
    pub scope: Scope,
    pub as_of: NaiveDate,
    pub total: Figures,
    pub by_status: Vec<(CommitmentStatus, i64)>,
    pub implementation: Vec<(String, i64)>,
    pub reporting_health: Vec<(ReportingHealth, i64)>,
    pub source: Source,
}

/// One row of a breakdown.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

#[derive(Debug, Clone)]
pub struct Breakdown {
    pub scope: Scope,
    pub as_of: NaiveDate,
    pub by: Dimension,
    pub rows: Vec<Row>,
    pub source: Source,
}

/// What `render` makes of the summary (its bytes on the wire), kept with
/// the figures it was counted from: a dashboard's repeated request is then
/// answered without the blocking pool, a connection, or serializing again.
pub async fn summary_rendered<T: Any + Send + Sync>(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    scope: Scope,
    filter: CommitmentFilter,
    render: impl FnOnce(Summary) -> T,
) -> AppResult<Arc<T>> {
    authorize_scope(actor.as_ref(), scope)?;
    let key = format!("rendered summary {scope:?} {filter:?} {today}");
    rendered(db, key, summary(db, today, actor, scope, filter), render).await
}

/// What `render` makes of the breakdown, kept as `summary_rendered` keeps it.
#[allow(clippy::too_many_arguments)]
pub async fn breakdown_rendered<T: Any + Send + Sync>(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    scope: Scope,
    by: Dimension,
    filter: CommitmentFilter,
    lang: Language,
    render: impl FnOnce(Breakdown) -> T,
) -> AppResult<Arc<T>> {
    authorize_scope(actor.as_ref(), scope)?;
    let key = format!("rendered breakdown {by:?} {scope:?} {filter:?} {lang:?} {today}");
    let answer = breakdown(db, today, actor, scope, by, filter, lang);
    rendered(db, key, answer, render).await
}

/// `render` of `answer`, kept under `key` until the figures or what the
/// read cache holds (the reporting cycles, the labels) change: the figures'
/// generation and the cache's, both read before the answer is worked out,
/// so that a kept answer is never older than the key it is kept under.
async fn rendered<A, T: Any + Send + Sync>(
    db: &Db,
    key: String,
    answer: impl std::future::Future<Output = AppResult<A>>,
    render: impl FnOnce(A) -> T,
) -> AppResult<Arc<T>> {
    let generation = db.figures().generation();
    let key = format!("{key} {}", db.cache().generation());
    if let Some(kept) = db.figures().kept_now::<T>(&key) {
        return Ok(kept);
    }
    let rendered = Arc::new(render(answer.await?));
    db.figures().keep_at(&key, generation, rendered.clone());
    Ok(rendered)
}

/// Who may read which scope: the public's figures are anyone's; those of
/// every submitted commitment are for viewers and admins.
fn authorize_scope(actor: Option<&Actor>, scope: Scope) -> AppResult<()> {
    if scope == Scope::All {
        authorize(actor, Action::ReadAllFigures)?;
    }
    Ok(())
}

/// The totals, by status, by implementation status and by reporting health.
pub async fn summary(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    scope: Scope,
    filter: CommitmentFilter,
) -> AppResult<Summary> {
    authorize_scope(actor.as_ref(), scope)?;
    let db2 = db.clone();
    run(db, searches(&filter), move |conn| {
        let cycles = cycles(conn, &db2.cache())?;
        let among = searched(conn, &db2, &filter)?;
        let key = format!("summary {scope:?} {filter:?} {today} {cycles:?}");
        let summary = db2.figures().answer(&key, |index| {
            let set = matching(index, scope, &filter, &cycles, among.as_ref());
            let counts = |dimension| -> HashMap<String, i64> {
                index.counts(&set, dimension).into_iter().collect()
            };
            let (statuses, implementation) =
                (counts(Dimension::Status), counts(Dimension::Implementation));
            let by_status = CommitmentStatus::ALL
                .into_iter()
                .filter(|s| scope.counts(*s, *s != CommitmentStatus::Draft))
                .map(|s| (s, statuses.get(s.as_str()).copied().unwrap_or(0)))
                .collect();
            let implementation = ImplementationStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .chain([NOT_REPORTED])
                .map(|key| {
                    (
                        key.to_owned(),
                        implementation.get(key).copied().unwrap_or(0),
                    )
                })
                .collect();
            let mut health: BTreeMap<ReportingHealth, i64> = BTreeMap::new();
            for (key, n) in counts(Dimension::Health) {
                if let Some(colour) = health_of_key(&key, &cycles, today) {
                    *health.entry(colour).or_default() += n;
                }
            }
            Summary {
                scope,
                as_of: today,
                total: index.total(&set),
                by_status,
                implementation,
                reporting_health: ReportingHealth::ALL
                    .into_iter()
                    .map(|h| (h, health.get(&h).copied().unwrap_or(0)))
                    .collect(),
                source: source(&filter),
            }
        });
        Ok(Summary::clone(&summary))
    })
    .await
}

/// The figures by `by`, a row per key, labelled in `lang`: most commitments first.
pub async fn breakdown(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    scope: Scope,
    by: Dimension,
    filter: CommitmentFilter,
    lang: Language,
) -> AppResult<Breakdown> {
    authorize_scope(actor.as_ref(), scope)?;
    let db2 = db.clone();
    run(db, searches(&filter), move |conn| {
        let cycles = cycles(conn, &db2.cache())?;
        let among = searched(conn, &db2, &filter)?;
        let labels = Labels::load(conn, by, lang)?;
        let key = format!("breakdown {by:?} {scope:?} {filter:?} {cycles:?}");
        let counted = db2.figures().answer(&key, |index| {
            let set = matching(index, scope, &filter, &cycles, among.as_ref());
            index.breakdown(&set, by)
        });
        let mut rows: Vec<Row> = counted
            .iter()
            .map(|(key, figures)| Row {
                label: labels.of(key),
                key: key.clone(),
                figures: *figures,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.figures
                .measures
                .commitments
                .cmp(&a.figures.measures.commitments)
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(Breakdown {
            scope,
            as_of: today,
            by,
            rows,
            source: source(&filter),
        })
    })
    .await
}

/// Runs figures' work on a pooled connection; work that asks the
/// database which commitments match (`searched`) under `Db::run_heavy`'s
/// permits.
async fn run<T, F>(db: &Db, searching: bool, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
{
    if searching {
        db.run_heavy(f).await
    } else {
        db.run(f).await
    }
}

/// Whether the filter asks what the index does not hold.
fn searches(filter: &CommitmentFilter) -> bool {
    filter.text.is_some() || filter.updated_since.is_some()
}

fn source(filter: &CommitmentFilter) -> Source {
    if searches(filter) {
        Source::Search
    } else {
        Source::Index
    }
}

fn cycles(conn: &mut DbConnection, cache: &ReadCache) -> AppResult<Arc<Vec<Cycle>>> {
    super::commitments::cycles_of(conn, cache, cache.generation())
}

/// The commitments matching the filter's text and time, when it has
/// either: asked of the database (the list's own match), kept until the
/// figures change.
fn searched(
    conn: &mut DbConnection,
    db: &Db,
    filter: &CommitmentFilter,
) -> AppResult<Option<Arc<Vec<CommitmentKey>>>> {
    if !searches(filter) {
        return Ok(None);
    }
    let only = CommitmentFilter {
        text: filter.text.clone(),
        updated_since: filter.updated_since,
        ..CommitmentFilter::default()
    };
    let key = format!("search {:?} {:?}", only.text, only.updated_since);
    let ids = db.figures().searched(&key, |among| {
        commitment_queries::submitted_keys(conn, &only, among)
    })?;
    Ok(Some(ids))
}

/// The commitments of `scope` that `filter` matches, as the index's slots.
fn matching(
    index: &FactsIndex,
    scope: Scope,
    filter: &CommitmentFilter,
    cycles: &[Cycle],
    among: Option<&Arc<Vec<CommitmentKey>>>,
) -> RoaringBitmap {
    let any = |dimension, key: &str| Condition::AnyKey(dimension, vec![key.to_owned()]);
    let mut conditions = Vec::new();
    if let Some(coalition) = &filter.coalition {
        conditions.push(any(Dimension::Coalition, coalition));
    }
    if let Some(number) = filter.action_area {
        let keys = index
            .keys_of(Dimension::ActionArea)
            .filter(|key| match &filter.coalition {
                Some(coalition) => *key == format!("{coalition}:{number}"),
                None => key.rsplit(':').next() == Some(number.to_string().as_str()),
            })
            .map(str::to_owned)
            .collect();
        conditions.push(Condition::AnyKey(Dimension::ActionArea, keys));
    }
    if let Some(status) = filter.status {
        conditions.push(any(Dimension::Status, status.as_str()));
    }
    if let Some(kind) = filter.commitment_type {
        conditions.push(any(Dimension::Type, kind.as_str()));
    }
    if let Some(country) = filter.country {
        conditions.push(any(Dimension::Country, country.as_str()));
    }
    if let Some(region) = &filter.region {
        conditions.push(any(Dimension::Region, region));
    }
    if let Some(constituency) = filter.constituency {
        conditions.push(any(Dimension::Constituency, constituency.as_str()));
    }
    if let Some(organization) = &filter.organization {
        conditions.push(Condition::Organization(organization.clone()));
    }
    if let Some((health, today)) = filter.reporting_health {
        let keys = index
            .keys_of(Dimension::Health)
            .filter(|key| health_of_key(key, cycles, today) == Some(health))
            .map(str::to_owned)
            .collect();
        conditions.push(Condition::AnyKey(Dimension::Health, keys));
    }
    if let Some(ids) = among {
        conditions.push(Condition::Among(Arc::clone(ids)));
    }
    index.matching(scope, &conditions)
}

/// The labels of a dimension's keys in one language.
struct Labels {
    by: Dimension,
    lang: Language,
    names: HashMap<String, String>,
}

impl Labels {
    fn load(conn: &mut DbConnection, by: Dimension, lang: Language) -> AppResult<Self> {
        let mut names = HashMap::new();
        if matches!(by, Dimension::Coalition | Dimension::ActionArea) {
            for coalition in reference::load_coalitions(conn, None, lang)? {
                for area in &coalition.action_areas {
                    names.insert(
                        format!("{}:{}", area.coalition, area.number),
                        area.label.text.0.clone(),
                    );
                }
                names.insert(coalition.row.slug.clone(), coalition.name.text.0.clone());
            }
        }
        Ok(Self { by, lang, names })
    }

    fn of(&self, key: &str) -> String {
        let word = match self.by {
            Dimension::Coalition | Dimension::ActionArea => {
                return self
                    .names
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| key.to_owned());
            }
            Dimension::Country => labels::country(key, self.lang),
            Dimension::Constituency => label(Vocabulary::Constituency, key, self.lang),
            Dimension::Type => label(Vocabulary::Type, key, self.lang),
            Dimension::Status => label(Vocabulary::Status, key, self.lang),
            _ => None,
        };
        word.map_or_else(|| key.to_owned(), str::to_owned)
    }
}

/// How many commitments are in each status, drafts included (for the
/// operators' metrics, not for the public).
pub async fn commitments_by_status(db: &Db) -> AppResult<Vec<(String, i64)>> {
    db.run(|conn| Ok::<_, AppError>(crate::db::commitments::count_by_status(conn)?))
        .await
}

/// Reads every submitted commitment's facts afresh and says whether the
/// index held by this instance agrees (once caught up with every change).
pub async fn verify(db: &Db) -> AppResult<bool> {
    let db2 = db.clone();
    db.run(move |conn| Ok::<_, AppError>(db2.figures().agrees(conn)?))
        .await
}

/// Reads the index afresh; returns how many commitments it holds.
pub async fn rebuild(db: &Db) -> AppResult<u64> {
    let db2 = db.clone();
    db.run(move |conn| Ok::<_, AppError>(db2.figures().reload(conn)?))
        .await
}
