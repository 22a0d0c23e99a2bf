//! The figures dashboards read: a summary and breakdowns by dimension.
//!
//! Counters kept in the write path (`db::stats`) answer in time that does
//! not grow with the data when the only filter is `coalition`; any other
//! filter falls back to summing the same contributions over the matching
//! commitments, a page at a time (its cost grows with what matches).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::{AppError, AppResult};
use crate::db::commitments::{self as commitment_queries, CommitmentFilter};
use crate::db::stats::{self as queries, Figures};
use crate::db::{Db, DbConnection, progress, reference};
use crate::domain::commitment::CommitmentStatus;
use crate::domain::labels::{self, Vocabulary, label};
use crate::domain::language::Language;
use crate::domain::policy::{Action, Actor, Visibility, authorize};
use crate::domain::progress::{ImplementationStatus, ReportingHealth};
use crate::domain::stats::{ALL_COALITIONS, Cell, Dimension, NOT_REPORTED, Scope, health_of_key};

/// Where the figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The counters kept in the write path.
    Counters,
    /// A query over the commitments matching filters the counters do not keep.
    Query,
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
    let dimensions = [
        Dimension::Total,
        Dimension::Status,
        Dimension::Implementation,
        Dimension::Health,
    ];
    let heavy = !filter.names_at_most_a_coalition();
    run(db, heavy, move |conn| {
        let (cells, source) = cells(conn, scope, &filter, &dimensions)?;
        let cycles: Vec<_> = progress::list_cycles(conn)?
            .iter()
            .map(|c| c.cycle())
            .collect();
        let of = |dimension: Dimension| cells.iter().filter(move |(c, _)| c.dimension == dimension);
        let total = of(Dimension::Total)
            .map(|(_, f)| *f)
            .next()
            .unwrap_or_default();
        let count = |dimension: Dimension, key: &str| {
            of(dimension)
                .find(|(c, _)| c.key == key)
                .map_or(0, |(_, f)| f.measures.commitments)
        };
        let by_status = CommitmentStatus::ALL
            .into_iter()
            .filter(|s| scope.counts(*s, *s != CommitmentStatus::Draft))
            .map(|s| (s, count(Dimension::Status, s.as_str())))
            .collect();
        let implementation = ImplementationStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain([NOT_REPORTED])
            .map(|key| (key.to_owned(), count(Dimension::Implementation, key)))
            .collect();
        let mut health: BTreeMap<ReportingHealth, i64> = BTreeMap::new();
        for (cell, figures) in of(Dimension::Health) {
            if let Some(colour) = health_of_key(&cell.key, &cycles, today) {
                *health.entry(colour).or_default() += figures.measures.commitments;
            }
        }
        Ok(Summary {
            scope,
            as_of: today,
            total,
            by_status,
            implementation,
            reporting_health: ReportingHealth::ALL
                .into_iter()
                .map(|h| (h, health.get(&h).copied().unwrap_or(0)))
                .collect(),
            source,
        })
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
    let heavy = !filter.names_at_most_a_coalition();
    run(db, heavy, move |conn| {
        let (cells, source) = cells(conn, scope, &filter, &[by])?;
        let labels = Labels::load(conn, by, lang)?;
        let mut rows: Vec<Row> = cells
            .into_iter()
            .map(|(cell, figures)| Row {
                label: labels.of(&cell.key),
                key: cell.key,
                figures,
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
            source,
        })
    })
    .await
}

/// Runs figures' work on a pooled connection; `heavy` work (counted over
/// the matching commitments) under `Db::run_heavy`'s permits.
async fn run<T, F>(db: &Db, heavy: bool, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
{
    if heavy {
        db.run_heavy(f).await
    } else {
        db.run(f).await
    }
}

/// The cells of `dimensions` for `filter` in `scope`: from the counters
/// when the filter names at most a coalition, else counted over the
/// matching commitments.
fn cells(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &CommitmentFilter,
    dimensions: &[Dimension],
) -> AppResult<(Vec<(Cell, Figures)>, Source)> {
    let coalition = filter.coalition.as_deref().unwrap_or(ALL_COALITIONS);
    if filter.names_at_most_a_coalition() {
        let cells = queries::read(conn, scope, coalition, dimensions)?;
        return Ok((cells, Source::Counters));
    }
    let visibility = match scope {
        Scope::Public => Visibility::of(None),
        Scope::All => Visibility::AllSubmitted,
    };
    let mut counted: BTreeMap<Cell, Figures> = BTreeMap::new();
    let mut makers: BTreeMap<Cell, BTreeSet<String>> = BTreeMap::new();
    let mut before: Option<String> = None;
    loop {
        let rows = commitment_queries::list_commitments(
            conn,
            filter,
            &visibility,
            before.as_deref(),
            1000,
        )?;
        let Some(last) = rows.last().map(|r| r.id.clone()) else {
            break;
        };
        let ids: Vec<String> = rows.into_iter().map(|r| r.id).collect();
        for facts in queries::facts_of(conn, &ids)?.values() {
            let measures = facts.measures();
            for cell in facts.cells() {
                if cell.scope != scope
                    || cell.coalition != coalition
                    || !dimensions.contains(&cell.dimension)
                {
                    continue;
                }
                makers
                    .entry(cell.clone())
                    .or_default()
                    .insert(facts.organization_id.clone());
                counted.entry(cell).or_default().measures.add(&measures);
            }
        }
        before = Some(last);
    }
    Ok((
        counted
            .into_iter()
            .map(|(cell, mut figures)| {
                figures.makers = makers.get(&cell).map_or(0, |m| m.len() as i64);
                (cell, figures)
            })
            .collect(),
        Source::Query,
    ))
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

/// Recounts the figures from scratch and says whether the counters agree.
pub async fn verify(db: &Db) -> AppResult<bool> {
    db.run(|conn| Ok::<_, AppError>(queries::recount(conn)? == queries::stored(conn)?))
        .await
}

/// Replaces the counters with a recount; returns how many cells there are.
pub async fn rebuild(db: &Db) -> AppResult<i64> {
    db.write(|conn| Ok::<_, AppError>(queries::rebuild(conn)?))
        .await
}
