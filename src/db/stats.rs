//! The figures' counters (`domain::stats`): the facts of commitments, the
//! changes a write makes applied under row locks, cells read for dashboards,
//! and a from-scratch recount to check or rebuild them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

mod known;

pub use known::forget as forget_known;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;
use super::cached::{Cached, Rows, Statement};
use super::commitments::CommitmentParts;
use super::schema::{
    commitment_action_areas, commitment_countries, commitment_regions, commitment_types,
    commitments, organizations, progress_reports, stat_cell_makers, stat_cells,
};
use crate::domain::commitment::{CommitmentStatus, CommitmentType};
use crate::domain::organization::Constituency;
use crate::domain::progress::ImplementationStatus;
use crate::domain::stats::{
    Cell, CellChange, Dimension, Facts, LatestReport, Measures, Scope, changes, merge,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stat_cells)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct StatCellRow {
    pub id: String,
    pub scope: String,
    pub coalition: String,
    pub dimension: String,
    pub key: String,
    pub commitments: i64,
    pub makers: i64,
    pub pledged_usd_minor: String,
    pub disbursed_usd_minor: String,
    pub percent_sum: i64,
    pub percent_n: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stat_cell_makers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct StatMakerRow {
    pub cell_id: String,
    pub organization_id: String,
    pub commitments: i64,
}

/// What a cell adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub measures: Measures,
    /// Organizations with a commitment in the cell.
    pub makers: i64,
}

fn money(text: &str) -> QueryResult<i128> {
    text.parse()
        .map_err(|_| super::corrupt("sum of money", text))
}

impl StatCellRow {
    fn zero(cell: &Cell) -> Self {
        Self {
            id: cell.id(),
            scope: cell.scope.as_str().into(),
            coalition: cell.coalition.clone(),
            dimension: cell.dimension.as_str().into(),
            key: cell.key.clone(),
            commitments: 0,
            makers: 0,
            pledged_usd_minor: "0".into(),
            disbursed_usd_minor: "0".into(),
            percent_sum: 0,
            percent_n: 0,
        }
    }

    fn of(cell: &Cell, figures: &Figures) -> Self {
        let m = figures.measures;
        Self {
            commitments: m.commitments,
            makers: figures.makers,
            pledged_usd_minor: m.pledged_usd_minor.to_string(),
            disbursed_usd_minor: m.disbursed_usd_minor.to_string(),
            percent_sum: m.percent_sum,
            percent_n: m.percent_n,
            ..Self::zero(cell)
        }
    }

    fn cell(&self) -> QueryResult<Cell> {
        Ok(Cell {
            scope: Scope::parse(&self.scope).ok_or_else(|| super::corrupt("scope", &self.scope))?,
            coalition: self.coalition.clone(),
            dimension: Dimension::parse(&self.dimension)
                .ok_or_else(|| super::corrupt("dimension", &self.dimension))?,
            key: self.key.clone(),
        })
    }

    fn figures(&self) -> QueryResult<Figures> {
        Ok(Figures {
            measures: Measures {
                commitments: self.commitments,
                pledged_usd_minor: money(&self.pledged_usd_minor)?,
                disbursed_usd_minor: money(&self.disbursed_usd_minor)?,
                percent_sum: self.percent_sum,
                percent_n: self.percent_n,
            },
            makers: self.makers,
        })
    }
}

/// The facts of these commitments, by id: a fixed number of queries.
pub fn facts_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<HashMap<String, Facts>> {
    type Head = (
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
        i32,
        i32,
        Option<i64>,
        String,
    );
    let heads: Vec<Head> = crate::with_ids!(conn =>
        commitments::table.inner_join(organizations::table),
        commitments::id,
        ids,
        |q| q
            .select((
                commitments::id,
                commitments::organization_id,
                commitments::coalition_slug,
                commitments::status,
                commitments::submitted_at,
                commitments::start_year,
                commitments::end_year,
                commitments::pledge_usd_minor,
                organizations::constituency,
            ))
            .load(conn)?
    );
    let pairs = |rows: Vec<(String, String)>| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (id, value) in rows {
            map.entry(id).or_default().push(value);
        }
        map
    };
    let mut types = pairs(crate::with_ids!(conn =>
        commitment_types::table,
        commitment_types::commitment_id,
        ids,
        |q| q
            .order((
                commitment_types::commitment_id,
                commitment_types::commitment_type,
            ))
            .select((
                commitment_types::commitment_id,
                commitment_types::commitment_type,
            ))
            .load(conn)?
    ));
    let mut countries = pairs(crate::with_ids!(conn =>
        commitment_countries::table,
        commitment_countries::commitment_id,
        ids,
        |q| q
            .order((
                commitment_countries::commitment_id,
                commitment_countries::country,
            ))
            .select((
                commitment_countries::commitment_id,
                commitment_countries::country,
            ))
            .load(conn)?
    ));
    let mut regions = pairs(crate::with_ids!(conn =>
        commitment_regions::table,
        commitment_regions::commitment_id,
        ids,
        |q| q
            .order((
                commitment_regions::commitment_id,
                commitment_regions::region,
            ))
            .select((
                commitment_regions::commitment_id,
                commitment_regions::region,
            ))
            .load(conn)?
    ));
    let mut areas: HashMap<String, Vec<i32>> = HashMap::new();
    let area_rows: Vec<(String, i32)> = crate::with_ids!(conn =>
        commitment_action_areas::table,
        commitment_action_areas::commitment_id,
        ids,
        |q| q
            .order((
                commitment_action_areas::commitment_id,
                commitment_action_areas::number,
            ))
            .select((
                commitment_action_areas::commitment_id,
                commitment_action_areas::number,
            ))
            .load(conn)?
    );
    for (id, n) in area_rows {
        areas.entry(id).or_default().push(n);
    }
    let mut latest = latest_reports(conn, ids)?;
    heads
        .into_iter()
        .map(
            |(
                id,
                organization_id,
                coalition,
                status,
                submitted_at,
                start,
                end,
                pledged,
                constituency,
            )| {
                let facts = Facts {
                    organization_id,
                    coalition,
                    constituency: Constituency::parse(&constituency)
                        .ok_or_else(|| super::corrupt("constituency", &constituency))?,
                    status: CommitmentStatus::parse(&status)
                        .ok_or_else(|| super::corrupt("commitment status", &status))?,
                    submitted: submitted_at.is_some(),
                    start_year: start,
                    end_year: end,
                    types: types
                        .remove(&id)
                        .unwrap_or_default()
                        .iter()
                        .map(|t| CommitmentType::parse(t).ok_or_else(|| super::corrupt("type", t)))
                        .collect::<QueryResult<_>>()?,
                    action_areas: areas.remove(&id).unwrap_or_default(),
                    countries: countries.remove(&id).unwrap_or_default(),
                    regions: regions.remove(&id).unwrap_or_default(),
                    pledged_usd_minor: pledged.unwrap_or(0),
                    latest_report: latest.remove(&id),
                };
                Ok((id, facts))
            },
        )
        .collect()
}

/// The latest progress report of each of these commitments that has one.
fn latest_reports(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, LatestReport>> {
    let mut latest: HashMap<String, LatestReport> = HashMap::new();
    let reports: Vec<(String, i32, String, i32, Option<i64>)> = crate::with_ids!(conn =>
        progress_reports::table,
        progress_reports::commitment_id,
        ids,
        |q| q
            .select((
                progress_reports::commitment_id,
                progress_reports::year,
                progress_reports::status,
                progress_reports::percent_complete,
                progress_reports::disbursed_usd_minor,
            ))
            .load(conn)?
    );
    for (id, year, status, percent, disbursed) in reports {
        let report = LatestReport {
            year,
            status: ImplementationStatus::parse(&status)
                .ok_or_else(|| super::corrupt("implementation status", &status))?,
            percent_complete: percent,
            disbursed_usd_minor: disbursed.unwrap_or(0),
        };
        if latest.get(&id).is_none_or(|l| l.year < year) {
            latest.insert(id, report);
        }
    }
    Ok(latest)
}

/// The facts of a commitment whose parts were read already, in this
/// transaction: one query more, for its latest report, rather than reading
/// its lists again.
pub fn facts_of_parts(conn: &mut DbConnection, parts: &CommitmentParts) -> QueryResult<Facts> {
    let row = &parts.row;
    let content = &parts.content;
    Ok(Facts {
        organization_id: row.organization_id.clone(),
        coalition: row.coalition_slug.clone(),
        constituency: parts.organization.constituency,
        status: row.status,
        submitted: row.submitted_at.is_some(),
        start_year: row.start_year,
        end_year: row.end_year,
        types: content.types.clone(),
        action_areas: content.action_areas.clone(),
        countries: content
            .countries
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        regions: content.regions.clone(),
        pledged_usd_minor: row.pledge_usd_minor.unwrap_or(0),
        latest_report: latest_reports(conn, std::slice::from_ref(&row.id))?.remove(&row.id),
    })
}

/// The facts of one commitment, if it exists.
pub fn facts(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Facts>> {
    Ok(facts_of(conn, &[id.to_owned()])?.remove(id))
}

/// Brings the figures from a commitment's `before` facts to `after`, when
/// the caller knows them (a move changes only the state): no re-reading.
pub fn refresh_to(
    conn: &mut DbConnection,
    before: Option<&Facts>,
    after: Option<&Facts>,
) -> QueryResult<()> {
    apply(conn, &changes(before, after))
}

/// Brings the figures from a commitment's `before` facts to its facts now.
pub fn refresh(conn: &mut DbConnection, id: &str, before: Option<&Facts>) -> QueryResult<()> {
    let after = facts(conn, id)?;
    refresh_to(conn, before, after.as_ref())
}

/// Adds `changes` to the cells; while this thread holds the figures back
/// (`hold`), to the changes held instead.
pub fn apply(conn: &mut DbConnection, changes: &BTreeMap<Cell, CellChange>) -> QueryResult<()> {
    let held = HELD.with_borrow_mut(|held| {
        held.as_mut()
            .map(|held| merge(&mut held.write, changes.clone()))
            .is_some()
    });
    if held {
        Ok(())
    } else {
        apply_now(conn, changes, Known::Forgotten)
    }
}

thread_local! {
    /// The figures' changes held back on this thread (SQLite's writer,
    /// during a batch); `None` when they are applied as they come.
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Figures held back during a batch of writes that commit together: each
/// write's changes are added up rather than applied, and the sum applied
/// once before the batch commits. The counters a batch shares (the
/// coalitions' and every coalition's totals, each status, each country...)
/// are then read and written once per batch, not once per write. Only
/// the batch's own transaction could tell the difference, and the figures
/// are read elsewhere.
#[derive(Default)]
struct Held {
    /// The changes of the batch's writes kept so far.
    batch: BTreeMap<Cell, CellChange>,
    /// The changes of the write running.
    write: BTreeMap<Cell, CellChange>,
    /// Whether the write running recounted the figures from scratch, which
    /// makes the batch's earlier changes part of the count.
    recounted: bool,
}

/// Holds this thread's figures back from now on, until `apply_held`.
pub fn hold() {
    HELD.set(Some(Held::default()));
}

/// The write running is kept: its changes join the batch's.
pub fn keep_held() {
    HELD.with_borrow_mut(|held| {
        if let Some(held) = held.as_mut() {
            let write = std::mem::take(&mut held.write);
            if std::mem::take(&mut held.recounted) {
                held.batch = write;
            } else {
                merge(&mut held.batch, write);
            }
        }
    });
}

/// The write running is undone: its changes go with it.
pub fn drop_held() {
    HELD.with_borrow_mut(|held| {
        if let Some(held) = held.as_mut() {
            held.write.clear();
            held.recounted = false;
        }
    });
}

/// Applies the changes of the writes kept, and no longer holds them back.
pub fn apply_held(conn: &mut DbConnection) -> QueryResult<()> {
    match HELD.take() {
        Some(held) => apply_now(conn, &held.batch, Known::Kept),
        None => Ok(()),
    }
}

/// Forgets what is held and no longer holds back (the batch was undone).
pub fn release() {
    HELD.set(None);
}

/// Whether the rows SQLite's writer knows (`known`) are read and kept: only
/// by the figures a batch held back, which its writer applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    Kept,
    Forgotten,
}

/// Adds `changes` to the cells, under row locks taken in id order (so that
/// writers never wait on each other in a circle), counting each
/// organization once per cell.
///
/// A handful of statements whatever the number of cells: the rows the
/// change touches are read at once, their new values computed here, and
/// written back in one upsert per table (and one delete for what fell to
/// zero). On PostgreSQL missing rows are created empty first, so that every
/// row the change touches is read under `FOR UPDATE`; SQLite has one writer
/// at a time anyway.
fn apply_now(
    conn: &mut DbConnection,
    changes: &BTreeMap<Cell, CellChange>,
    kept: Known,
) -> QueryResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let by_id: BTreeMap<String, (&Cell, &CellChange)> = changes
        .iter()
        .map(|(cell, change)| (cell.id(), (cell, change)))
        .collect();
    let ids: Vec<String> = by_id.keys().cloned().collect();
    let (current, current_makers): (Vec<StatCellRow>, Vec<StatMakerRow>) = match conn {
        DbConnection::Postgresql(pg) => {
            let organizations: Vec<String> = changes
                .values()
                .flat_map(|change| change.makers.keys().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let zeros: Vec<StatCellRow> = by_id
                .values()
                .map(|(cell, _)| StatCellRow::zero(cell))
                .collect();
            let maker_zeros: Vec<StatMakerRow> = by_id
                .iter()
                .flat_map(|(id, (_, change))| {
                    change.makers.keys().map(move |org| StatMakerRow {
                        cell_id: id.clone(),
                        organization_id: org.clone(),
                        commitments: 0,
                    })
                })
                .collect();
            for chunk in zeros.chunks(500) {
                diesel::insert_into(stat_cells::table)
                    .values(chunk)
                    .on_conflict_do_nothing()
                    .execute(pg)?;
            }
            // The cells the change touches, locked in id order before any
            // organization's row is written: such a row's foreign key takes
            // a share lock on its cell, which two writers holding it would
            // each wait on the other to give up before locking the cell
            // for update (a deadlock, seen with eight organizations).
            // Organizations' rows are then only ever written by the holder
            // of their cell's lock. Cells are never deleted (one that
            // falls to zero keeps a row of zeros), so every one is here.
            let cells = stat_cells::table
                .filter(stat_cells::id.eq_any(&ids))
                .order(stat_cells::id)
                .select(StatCellRow::as_select())
                .for_update()
                .load(pg)?;
            for chunk in maker_zeros.chunks(500) {
                diesel::insert_into(stat_cell_makers::table)
                    .values(chunk)
                    .on_conflict_do_nothing()
                    .execute(pg)?;
            }
            let makers = stat_cell_makers::table
                .filter(stat_cell_makers::cell_id.eq_any(&ids))
                .filter(stat_cell_makers::organization_id.eq_any(&organizations))
                .order((stat_cell_makers::cell_id, stat_cell_makers::organization_id))
                .select(StatMakerRow::as_select())
                .for_update()
                .load(pg)?;
            (cells, makers)
        }
        DbConnection::Sqlite(sqlite) => {
            // The (cell, organization) pairs the change names, not every
            // cell with every organization.
            let pairs: Vec<(&String, &String)> = by_id
                .iter()
                .flat_map(|(id, (_, change))| change.makers.keys().map(move |org| (id, org)))
                .collect();
            if kept == Known::Kept {
                known::read(sqlite, &ids, &pairs)?
            } else {
                known::forget();
                let ids = serde_json::to_string(&ids).map_err(json_error)?;
                let pairs = serde_json::to_string(&pairs).map_err(json_error)?;
                (
                    Cached::<TouchedCells>::new(vec![&ids]).load(sqlite)?,
                    Cached::<TouchedMakers>::new(vec![&pairs]).load(sqlite)?,
                )
            }
        }
    };
    // Every (cell, organization) the change names, from its current count.
    let mut counts: BTreeMap<(String, String), i64> = current_makers
        .into_iter()
        .map(|row| ((row.cell_id, row.organization_id), row.commitments))
        .collect();
    let stored: std::collections::BTreeSet<(String, String)> = counts.keys().cloned().collect();
    let mut makers_delta: HashMap<String, i64> = HashMap::new();
    let mut maker_rows: Vec<StatMakerRow> = Vec::new();
    let mut maker_gone: Vec<(String, String)> = Vec::new();
    for (id, (_, change)) in &by_id {
        for (organization, delta) in &change.makers {
            let key = (id.clone(), organization.clone());
            let was = counts.remove(&key).unwrap_or(0);
            let now = was + delta;
            if now < 0 {
                return Err(super::corrupt("maker count", id));
            }
            match (was, now) {
                (0, 1..) => *makers_delta.entry(id.clone()).or_default() += 1,
                (1.., 0) => *makers_delta.entry(id.clone()).or_default() -= 1,
                _ => {}
            }
            if now == 0 {
                maker_gone.push(key);
            } else if now != was {
                maker_rows.push(StatMakerRow {
                    cell_id: key.0,
                    organization_id: key.1,
                    commitments: now,
                });
            }
        }
    }
    let current: HashMap<String, StatCellRow> = current
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    let mut cell_rows: Vec<StatCellRow> = Vec::new();
    for (id, (cell, change)) in &by_id {
        let mut figures = match current.get(id) {
            Some(row) => row.figures()?,
            None => Figures::default(),
        };
        figures.measures.add(&change.measures);
        figures.makers += makers_delta.get(id).copied().unwrap_or(0);
        if figures.measures.commitments < 0 || figures.makers < 0 {
            return Err(super::corrupt("figures", id));
        }
        cell_rows.push(StatCellRow::of(cell, &figures));
    }
    // Cells first: organizations' rows refer to them.
    write_cells(conn, &cell_rows, &current)?;
    write_makers(conn, &maker_rows, &stored, &maker_gone)?;
    if kept == Known::Kept {
        known::wrote(&cell_rows, &maker_rows, &maker_gone);
    }
    Ok(())
}

/// The cells of a JSON array of ids (SQLite): one lookup per id, in no
/// particular order.
struct TouchedCells;

impl Statement for TouchedCells {
    const SQL: &'static str = "SELECT c.id, c.scope, c.coalition, c.dimension, c.key, \
        c.commitments, c.makers, c.pledged_usd_minor, c.disbursed_usd_minor, \
        c.percent_sum, c.percent_n \
        FROM json_each(?) AS j JOIN stat_cells AS c ON c.id = j.value";
}

impl Rows for TouchedCells {
    type SqlType = (
        Text,
        Text,
        Text,
        Text,
        Text,
        BigInt,
        BigInt,
        Text,
        Text,
        BigInt,
        BigInt,
    );
}

/// The counts of a JSON array of `[cell, organization]` pairs (SQLite):
/// one lookup per pair, in no particular order.
struct TouchedMakers;

impl Statement for TouchedMakers {
    const SQL: &'static str = "SELECT cell_id, organization_id, commitments \
        FROM json_each(?) AS j JOIN stat_cell_makers \
        ON stat_cell_makers.cell_id = j.value ->> 0 \
        AND stat_cell_makers.organization_id = j.value ->> 1";
}

impl Rows for TouchedMakers {
    type SqlType = (Text, Text, BigInt);
}

fn json_error(error: serde_json::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(error))
}

/// Cells' new figures (SQLite), from a JSON array of `[id, commitments,
/// makers, pledged, disbursed, percent_sum, percent_n]`: one statement kept
/// prepared, whatever the number of cells.
struct UpdateCells;

impl Statement for UpdateCells {
    const SQL: &'static str = "UPDATE stat_cells SET commitments = v.value ->> 1, \
        makers = v.value ->> 2, pledged_usd_minor = v.value ->> 3, \
        disbursed_usd_minor = v.value ->> 4, percent_sum = v.value ->> 5, \
        percent_n = v.value ->> 6 \
        FROM json_each(?) AS v WHERE stat_cells.id = v.value ->> 0";
}

/// Organizations' new counts in cells (SQLite), from a JSON array of
/// `[cell, organization, commitments]`.
struct UpdateMakers;

impl Statement for UpdateMakers {
    const SQL: &'static str = "UPDATE stat_cell_makers SET commitments = v.value ->> 2 \
        FROM json_each(?) AS v \
        WHERE stat_cell_makers.cell_id = v.value ->> 0 \
        AND stat_cell_makers.organization_id = v.value ->> 1";
}

/// Writes maker counts and deletes those that fell to zero. PostgreSQL
/// upserts; on SQLite, which diesel cannot upsert many rows at once on, new
/// rows are inserted together and existing ones updated together.
fn write_makers(
    conn: &mut DbConnection,
    rows: &[StatMakerRow],
    existing: &std::collections::BTreeSet<(String, String)>,
    gone: &[(String, String)],
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    match conn {
        DbConnection::Postgresql(pg) => {
            for chunk in rows.chunks(2000) {
                diesel::insert_into(stat_cell_makers::table)
                    .values(chunk)
                    .on_conflict((stat_cell_makers::cell_id, stat_cell_makers::organization_id))
                    .do_update()
                    .set(stat_cell_makers::commitments.eq(excluded(stat_cell_makers::commitments)))
                    .execute(pg)?;
            }
        }
        DbConnection::Sqlite(sqlite) => {
            let (known, new): (Vec<&StatMakerRow>, Vec<&StatMakerRow>) =
                rows.iter().partition(|row| {
                    existing.contains(&(row.cell_id.clone(), row.organization_id.clone()))
                });
            for chunk in new.chunks(2000) {
                diesel::insert_into(stat_cell_makers::table)
                    .values(chunk.iter().map(|row| (*row).clone()).collect::<Vec<_>>())
                    .execute(sqlite)?;
            }
            if !known.is_empty() {
                let values: Vec<_> = known
                    .iter()
                    .map(|row| (&row.cell_id, &row.organization_id, row.commitments))
                    .collect();
                let values = serde_json::to_string(&values).map_err(json_error)?;
                Cached::<UpdateMakers>::new(vec![&values]).execute(sqlite)?;
            }
        }
    }
    for (cell, organization) in gone {
        diesel::delete(stat_cell_makers::table.find((cell, organization))).execute(conn)?;
    }
    Ok(())
}

/// Writes cells' figures, zeros included: a cell is never deleted, so that
/// a writer that locked it finds it still there (see `apply_now`); reads
/// skip the empty ones. PostgreSQL upserts; on SQLite new cells are
/// inserted together and existing ones updated together, since replacing
/// a cell would cascade to its organizations' rows.
fn write_cells(
    conn: &mut DbConnection,
    rows: &[StatCellRow],
    existing: &HashMap<String, StatCellRow>,
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    match conn {
        DbConnection::Postgresql(pg) => {
            for chunk in rows.chunks(1000) {
                diesel::insert_into(stat_cells::table)
                    .values(chunk)
                    .on_conflict(stat_cells::id)
                    .do_update()
                    .set((
                        stat_cells::commitments.eq(excluded(stat_cells::commitments)),
                        stat_cells::makers.eq(excluded(stat_cells::makers)),
                        stat_cells::pledged_usd_minor.eq(excluded(stat_cells::pledged_usd_minor)),
                        stat_cells::disbursed_usd_minor
                            .eq(excluded(stat_cells::disbursed_usd_minor)),
                        stat_cells::percent_sum.eq(excluded(stat_cells::percent_sum)),
                        stat_cells::percent_n.eq(excluded(stat_cells::percent_n)),
                    ))
                    .execute(pg)?;
            }
        }
        DbConnection::Sqlite(sqlite) => {
            let (known, new): (Vec<&StatCellRow>, Vec<&StatCellRow>) =
                rows.iter().partition(|row| existing.contains_key(&row.id));
            for chunk in new.chunks(1000) {
                diesel::insert_into(stat_cells::table)
                    .values(chunk.iter().map(|row| (*row).clone()).collect::<Vec<_>>())
                    .execute(sqlite)?;
            }
            if !known.is_empty() {
                let values: Vec<_> = known
                    .iter()
                    .map(|row| {
                        (
                            &row.id,
                            row.commitments,
                            row.makers,
                            &row.pledged_usd_minor,
                            &row.disbursed_usd_minor,
                            row.percent_sum,
                            row.percent_n,
                        )
                    })
                    .collect();
                let values = serde_json::to_string(&values).map_err(json_error)?;
                Cached::<UpdateCells>::new(vec![&values]).execute(sqlite)?;
            }
        }
    }
    Ok(())
}

/// The cells of `dimensions` in `scope` for `coalition` (or all, `*`).
pub fn read(
    conn: &mut DbConnection,
    scope: Scope,
    coalition: &str,
    dimensions: &[Dimension],
) -> QueryResult<Vec<(Cell, Figures)>> {
    let names: Vec<&str> = dimensions.iter().map(|d| d.as_str()).collect();
    stat_cells::table
        .filter(stat_cells::scope.eq(scope.as_str()))
        .filter(stat_cells::coalition.eq(coalition))
        .filter(stat_cells::dimension.eq_any(names))
        .filter(stat_cells::commitments.gt(0))
        .order((stat_cells::dimension, stat_cells::key))
        .select(StatCellRow::as_select())
        .load(conn)?
        .iter()
        .map(|row| Ok((row.cell()?, row.figures()?)))
        .collect()
}

/// Every stored cell that counts a commitment.
pub fn stored(conn: &mut DbConnection) -> QueryResult<BTreeMap<Cell, Figures>> {
    stat_cells::table
        .filter(stat_cells::commitments.gt(0))
        .select(StatCellRow::as_select())
        .load(conn)?
        .iter()
        .map(|row| Ok((row.cell()?, row.figures()?)))
        .collect()
}

/// The figures counted afresh from every commitment, a batch at a time.
pub fn recount(conn: &mut DbConnection) -> QueryResult<BTreeMap<Cell, Figures>> {
    let mut makers: BTreeMap<Cell, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut cells: BTreeMap<Cell, Figures> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut query = commitments::table
            .filter(commitments::submitted_at.is_not_null())
            .select(commitments::id)
            .order(commitments::id)
            .limit(1000)
            .into_boxed();
        if let Some(after) = &after {
            query = query.filter(commitments::id.gt(after.clone()));
        }
        let ids: Vec<String> = query.load(conn)?;
        let Some(last) = ids.last().cloned() else {
            break;
        };
        for facts in facts_of(conn, &ids)?.values() {
            let measures = facts.measures();
            for cell in facts.cells() {
                makers
                    .entry(cell.clone())
                    .or_default()
                    .insert(facts.organization_id.clone());
                cells.entry(cell).or_default().measures.add(&measures);
            }
        }
        after = Some(last);
    }
    for (cell, figures) in &mut cells {
        figures.makers = makers.get(cell).map_or(0, |m| m.len() as i64);
    }
    Ok(cells)
}

/// Replaces every counter with a recount; returns how many cells there are.
///
/// Organizations are taken a few hundred at a time, so that each one's
/// commitments are all counted together: its per-cell counts are then
/// complete, written, and forgotten. Memory stays bounded by the cells and
/// one batch of organizations, whatever the number of commitments. Cells
/// are created empty as their first organizations are written (the
/// organizations' rows refer to them) and given their figures at the end.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<i64> {
    const ORGANIZATIONS: i64 = 200;
    const FACTS: usize = 1000;
    const ROWS: usize = 5000;
    // What was held back is in the count; only what follows is to add.
    HELD.with_borrow_mut(|held| {
        if let Some(held) = held.as_mut() {
            held.write.clear();
            held.recounted = true;
        }
    });
    known::forget();
    diesel::delete(stat_cell_makers::table).execute(conn)?;
    diesel::delete(stat_cells::table).execute(conn)?;
    let mut cells: BTreeMap<Cell, Figures> = BTreeMap::new();
    let mut created: std::collections::BTreeSet<Cell> = std::collections::BTreeSet::new();
    let mut makers: Vec<StatMakerRow> = Vec::new();
    let mut after = String::new();
    loop {
        let batch: Vec<String> = organizations::table
            .filter(organizations::id.gt(&after))
            .order(organizations::id)
            .select(organizations::id)
            .limit(ORGANIZATIONS)
            .load(conn)?;
        let Some(last) = batch.last().cloned() else {
            break;
        };
        let ids: Vec<String> = commitments::table
            .filter(commitments::organization_id.eq_any(&batch))
            .filter(commitments::submitted_at.is_not_null())
            .select(commitments::id)
            .load(conn)?;
        let mut per_organization: BTreeMap<String, BTreeMap<Cell, i64>> = BTreeMap::new();
        for chunk in ids.chunks(FACTS) {
            for facts in facts_of(conn, chunk)?.into_values() {
                let measures = facts.measures();
                let counts = per_organization
                    .entry(facts.organization_id.clone())
                    .or_default();
                for cell in facts.cells() {
                    cells
                        .entry(cell.clone())
                        .or_default()
                        .measures
                        .add(&measures);
                    *counts.entry(cell).or_default() += 1;
                }
            }
        }
        let new: Vec<StatCellRow> = per_organization
            .values()
            .flat_map(BTreeMap::keys)
            .filter(|cell| !created.contains(*cell))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(StatCellRow::zero)
            .collect();
        for chunk in new.chunks(2000) {
            crate::insert_rows!(conn, stat_cells::table, chunk.to_vec())?;
        }
        for row in &new {
            created.insert(row.cell()?);
        }
        for (organization, counts) in per_organization {
            for (cell, commitments) in counts {
                if let Some(figures) = cells.get_mut(&cell) {
                    figures.makers += 1;
                }
                makers.push(StatMakerRow {
                    cell_id: cell.id(),
                    organization_id: organization.clone(),
                    commitments,
                });
            }
            if makers.len() >= ROWS {
                crate::insert_rows!(conn, stat_cell_makers::table, std::mem::take(&mut makers))?;
            }
        }
        after = last;
    }
    for chunk in makers.chunks(ROWS) {
        crate::insert_rows!(conn, stat_cell_makers::table, chunk.to_vec())?;
    }
    for (cell, figures) in &cells {
        let row = StatCellRow::of(cell, figures);
        diesel::update(stat_cells::table.find(&row.id))
            .set((
                stat_cells::commitments.eq(row.commitments),
                stat_cells::makers.eq(row.makers),
                stat_cells::pledged_usd_minor.eq(row.pledged_usd_minor),
                stat_cells::disbursed_usd_minor.eq(row.disbursed_usd_minor),
                stat_cells::percent_sum.eq(row.percent_sum),
                stat_cells::percent_n.eq(row.percent_n),
            ))
            .execute(conn)?;
    }
    Ok(cells.len() as i64)
}

/// Counts the figures of a database that has commitments but no counters
/// yet (one from before they existed); true when it did.
pub fn rebuild_if_missing(conn: &mut DbConnection) -> QueryResult<bool> {
    let submitted = diesel::select(diesel::dsl::exists(
        commitments::table.filter(commitments::submitted_at.is_not_null()),
    ))
    .get_result::<bool>(conn)?;
    if !submitted || !is_empty(conn)? {
        return Ok(false);
    }
    conn.transaction(rebuild)?;
    Ok(true)
}

/// Whether no counter is kept yet (a database from before the figures).
pub fn is_empty(conn: &mut DbConnection) -> QueryResult<bool> {
    let any: Option<String> = stat_cells::table
        .select(stat_cells::id)
        .first(conn)
        .optional()?;
    Ok(any.is_none())
}
