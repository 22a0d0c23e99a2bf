//! The figures' rows SQLite's writer knows: those it read or wrote in the
//! batches it committed, kept on its thread so that the next batch reads
//! only the rows it does not know yet. Reading the rows a batch touches was
//! 6 % of the writer's time (`perf`), and a batch mostly touches
//! the rows the one before it did.
//!
//! What is known is what the database holds as long as nothing else writes
//! the figures:
//! - another connection (the command line, a second instance): SQLite's
//!   `data_version` moves, and all is forgotten;
//! - a batch that does not commit: forgotten (`forget`), as when the
//!   writer's connection is opened again;
//! - a recount, or figures applied as they come: forgotten, by `stats`.
//!
//! At most `MOST_ROWS` organizations' rows are kept; past that all is
//! forgotten and read again.

use std::cell::RefCell;
use std::collections::HashMap;

use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

use super::{StatCellRow, StatMakerRow, TouchedCells, TouchedMakers, json_error};
use crate::db::cached::{Cached, Rows, Statement, Value};

const MOST_ROWS: usize = 50_000;

thread_local! {
    static KNOWN: RefCell<Known> = RefCell::new(Known::default());
}

#[derive(Default)]
struct Known {
    /// The `data_version` it is true at; `None` before anything is known.
    version: Option<i64>,
    /// Cells by id; `None`: known not to be stored.
    cells: HashMap<String, Option<StatCellRow>>,
    /// Organizations' counts by cell, then organization; 0: not stored.
    makers: HashMap<String, HashMap<String, i64>>,
    /// How many organizations' counts `makers` holds.
    maker_rows: usize,
}

struct DataVersion;

impl Statement for DataVersion {
    const SQL: &'static str = "PRAGMA data_version";
}

impl Rows for DataVersion {
    type SqlType = BigInt;
}

/// The stored rows of cells `ids` and of (cell, organization) `pairs`
/// (those stored), read from the database only where not known.
pub(super) fn read(
    sqlite: &mut SqliteConnection,
    ids: &[String],
    pairs: &[(&String, &String)],
) -> QueryResult<(Vec<StatCellRow>, Vec<StatMakerRow>)> {
    let version = Cached::<DataVersion>::new(std::iter::empty::<Value>())
        .load::<i64>(sqlite)?
        .pop()
        .unwrap_or_default();
    KNOWN.with_borrow_mut(|known| {
        if known.version != Some(version) {
            *known = Known {
                version: Some(version),
                ..Known::default()
            };
        }
        let mut cells = Vec::new();
        let mut unknown_cells = Vec::new();
        for id in ids {
            match known.cells.get(id) {
                Some(Some(row)) => cells.push(row.clone()),
                Some(None) => {}
                None => unknown_cells.push(id),
            }
        }
        let mut makers = Vec::new();
        let mut unknown_makers = Vec::new();
        for &(cell, organization) in pairs {
            let count = known
                .makers
                .get(cell)
                .and_then(|counts| counts.get(organization));
            match count {
                Some(0) => {}
                Some(&commitments) => makers.push(StatMakerRow {
                    cell_id: cell.clone(),
                    organization_id: organization.clone(),
                    commitments,
                }),
                None => unknown_makers.push((cell, organization)),
            }
        }
        if !unknown_cells.is_empty() {
            let ids = serde_json::to_string(&unknown_cells).map_err(json_error)?;
            let stored: Vec<StatCellRow> = Cached::<TouchedCells>::new(vec![&ids]).load(sqlite)?;
            for id in unknown_cells {
                known.cells.insert(id.clone(), None);
            }
            for row in &stored {
                known.cells.insert(row.id.clone(), Some(row.clone()));
            }
            cells.extend(stored);
        }
        if !unknown_makers.is_empty() {
            let pairs = serde_json::to_string(&unknown_makers).map_err(json_error)?;
            let stored: Vec<StatMakerRow> =
                Cached::<TouchedMakers>::new(vec![&pairs]).load(sqlite)?;
            for (cell, organization) in unknown_makers {
                known.count(cell, organization, 0);
            }
            for row in &stored {
                known.count(&row.cell_id, &row.organization_id, row.commitments);
            }
            makers.extend(stored);
        }
        Ok((cells, makers))
    })
}

/// What the batch running wrote: cells and organizations' counts (0 for
/// rows deleted). True once it commits; forgotten otherwise.
pub(super) fn wrote(
    cells: &[StatCellRow],
    makers: &[StatMakerRow],
    makers_gone: &[(String, String)],
) {
    KNOWN.with_borrow_mut(|known| {
        if known.version.is_none() {
            return;
        }
        for row in cells {
            known.cells.insert(row.id.clone(), Some(row.clone()));
        }
        for row in makers {
            known.count(&row.cell_id, &row.organization_id, row.commitments);
        }
        for (cell, organization) in makers_gone {
            known.count(cell, organization, 0);
        }
        if known.maker_rows > MOST_ROWS {
            forget_all(known);
        }
    });
}

/// Forgets all: the batch did not commit, or something else wrote.
pub fn forget() {
    KNOWN.with_borrow_mut(forget_all);
}

fn forget_all(known: &mut Known) {
    *known = Known::default();
}

impl Known {
    fn count(&mut self, cell: &str, organization: &str, commitments: i64) {
        if !self.makers.contains_key(cell) {
            self.makers.insert(cell.to_owned(), HashMap::new());
        }
        let Some(counts) = self.makers.get_mut(cell) else {
            return;
        };
        match counts.get_mut(organization) {
            Some(count) => *count = commitments,
            None => {
                counts.insert(organization.to_owned(), commitments);
                self.maker_rows += 1;
            }
        }
    }
}
