//! Writing commitments: new ones with their lists, content replaced, moves,
//! plain column changes and the per-coalition reference counters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::one_trip;
use super::*;
use crate::db::DbConnection;
use crate::db::cached::{Cached, PgKept, Rows, Statement, Value};
use crate::db::events::NewEvent;
use crate::db::money::pledge_columns;
use crate::db::schema::{
    commitment_action_areas, commitment_countries, commitment_indicators, commitment_partners,
    commitment_regions, commitment_target_groups, commitment_types, commitments,
    reference_counters,
};
use crate::domain::commitment_content::{Content, search_text};
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

/// Inserts a new commitment with its content's lists, its search text and
/// the event of its creation.
pub fn insert_commitment(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    content: &Content,
    created: &NewEvent,
) -> QueryResult<()> {
    let search_text = search_text(&row.title, &row.description);
    let lists = CommitmentLists::of(&row.id, &row.coalition_slug, content);
    match conn {
        DbConnection::Sqlite(sqlite) => {
            Cached::<InsertCommitment>::new(row.values(&search_text)).execute(sqlite)?;
            lists.insert_kept(sqlite)?;
        }
        DbConnection::Postgresql(pg) => {
            return one_trip::insert_created(pg, row, &search_text, &lists, created);
        }
    }
    crate::db::events::insert_event(conn, created)
}

pub(super) fn insert_lists(conn: &mut DbConnection, lists: &CommitmentLists) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(sqlite) => lists.insert_kept(sqlite),
        DbConnection::Postgresql(pg) => one_trip::insert_lists(pg, lists),
    }
}

crate::kept_statements! {
    /// A commitment's row (SQLite, kept prepared).
    pub(in crate::db) InsertCommitment = "INSERT INTO commitments (id, reference, organization_id, \
        coalition_slug, status, title, description, pledge_amount_minor, pledge_currency, \
        pledge_usd_minor, start_year, end_year, version, created_by, submitted_at, approved_at, \
        created_at, updated_at, search_text) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    pub(in crate::db) InsertActionArea = "INSERT INTO commitment_action_areas \
        (commitment_id, coalition_slug, number) VALUES (?, ?, ?)";
    pub(in crate::db) InsertType = "INSERT INTO commitment_types (commitment_id, commitment_type) \
        VALUES (?, ?)";
    pub(in crate::db) InsertCountry = "INSERT INTO commitment_countries (commitment_id, country) \
        VALUES (?, ?)";
    pub(in crate::db) InsertRegion = "INSERT INTO commitment_regions (commitment_id, region) \
        VALUES (?, ?)";
    pub(in crate::db) InsertPartner = "INSERT INTO commitment_partners (commitment_id, position, name) \
        VALUES (?, ?, ?)";
    pub(in crate::db) InsertTargetGroup = "INSERT INTO commitment_target_groups \
        (commitment_id, position, name) VALUES (?, ?, ?)";
    pub(in crate::db) InsertIndicator = "INSERT INTO commitment_indicators \
        (commitment_id, position, name, unit, baseline, target) VALUES (?, ?, ?, ?, ?, ?)";
}

impl CommitmentRow {
    /// Its values and `search_text`, in `InsertCommitment`'s order.
    fn values<'a>(&'a self, search_text: &'a str) -> [Value<'a>; 19] {
        [
            (&self.id).into(),
            (&self.reference).into(),
            (&self.organization_id).into(),
            (&self.coalition_slug).into(),
            self.status.as_str().into(),
            (&self.title).into(),
            (&self.description).into(),
            self.pledge_amount_minor.into(),
            self.pledge_currency.as_ref().into(),
            self.pledge_usd_minor.into(),
            self.start_year.into(),
            self.end_year.into(),
            self.version.into(),
            (&self.created_by).into(),
            self.submitted_at.into(),
            self.approved_at.into(),
            self.created_at.into(),
            self.updated_at.into(),
            search_text.into(),
        ]
    }
}

impl CommitmentLists {
    /// Inserts every row with statements SQLite keeps prepared.
    fn insert_kept(&self, conn: &mut SqliteConnection) -> QueryResult<()> {
        for r in &self.action_areas {
            let values = [
                (&r.commitment_id).into(),
                (&r.coalition_slug).into(),
                r.number.into(),
            ];
            Cached::<InsertActionArea>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.types {
            let values = [(&r.commitment_id).into(), r.commitment_type.as_str().into()];
            Cached::<InsertType>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.countries {
            Cached::<InsertCountry>::new([&r.commitment_id, &r.country]).execute(conn)?;
        }
        for r in &self.regions {
            Cached::<InsertRegion>::new([&r.commitment_id, &r.region]).execute(conn)?;
        }
        for r in &self.partners {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
            ];
            Cached::<InsertPartner>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.target_groups {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
            ];
            Cached::<InsertTargetGroup>::new::<Value>(values).execute(conn)?;
        }
        for r in &self.indicators {
            let values = [
                (&r.commitment_id).into(),
                r.position.into(),
                (&r.name).into(),
                (&r.unit).into(),
                r.baseline.into(),
                r.target.into(),
            ];
            Cached::<InsertIndicator>::new::<Value>(values).execute(conn)?;
        }
        Ok(())
    }
}

/// Replaces the content of commitment `row` (its text, pledge, years and
/// every list), if it is still at `row.version`; `false` when it moved on.
pub fn replace_content(
    conn: &mut DbConnection,
    row: &CommitmentRow,
    content: &Content,
    changes: &CommitmentChanges,
) -> QueryResult<bool> {
    let (amount, currency, usd) = pledge_columns(content.pledge.as_ref());
    let changes = CommitmentChanges {
        title: Some(content.title.clone()),
        description: Some(content.description.clone()),
        pledge_amount_minor: Some(amount),
        pledge_currency: Some(currency),
        pledge_usd_minor: Some(usd),
        start_year: Some(content.start_year),
        end_year: Some(content.end_year),
        search_text: Some(Some(search_text(&content.title, &content.description))),
        ..changes.clone()
    };
    if !update_commitment(conn, &row.id, row.version, &changes)? {
        return Ok(false);
    }
    let id = row.id.as_str();
    delete_lists(conn, id)?;
    insert_lists(conn, &CommitmentLists::of(id, &row.coalition_slug, content))?;
    Ok(true)
}

/// Deletes every list of the commitment: a statement a table on SQLite
/// (each kept prepared by SQLite's statement cache), one on PostgreSQL.
fn delete_lists(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        return one_trip::delete_lists(pg, id);
    }
    macro_rules! delete_of {
        ($($table:ident),+) => {
            $(diesel::delete($table::table.filter($table::commitment_id.eq(id))).execute(conn)?;)+
        };
    }
    delete_of!(
        commitment_action_areas,
        commitment_types,
        commitment_countries,
        commitment_regions,
        commitment_partners,
        commitment_target_groups,
        commitment_indicators
    );
    Ok(())
}

/// What a write changes in the commitment's own row.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = commitments)]
pub struct CommitmentChanges {
    pub status: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub pledge_amount_minor: Option<Option<i64>>,
    pub pledge_currency: Option<Option<String>>,
    pub pledge_usd_minor: Option<Option<i64>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub approved_at: Option<Option<NaiveDateTime>>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
    pub search_text: Option<Option<String>>,
}

/// Applies `changes` if the commitment is still at `version`; `false` when it moved on.
pub fn update_commitment(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &CommitmentChanges,
) -> QueryResult<bool> {
    let updated = crate::concrete!(conn, |conn| diesel::update(
        commitments::table
            .filter(commitments::id.eq(id))
            .filter(commitments::version.eq(version)),
    )
    .set(changes)
    .execute(conn))?;
    Ok(updated == 1)
}

/// A coalition's reference counter for a year, one up (kept prepared).
pub(super) struct BumpCounter;

impl Statement for BumpCounter {
    const SQL: &'static str = "UPDATE reference_counters SET last_number = last_number + 1 \
        WHERE coalition_slug = ? AND year = ? RETURNING last_number";
}

impl Rows for BumpCounter {
    type SqlType = diesel::sql_types::Integer;
}

#[derive(QueryableByName)]
struct Bumped {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    last_number: i32,
}

/// A commitment's state, stamps and version after a move (kept prepared).
pub(super) struct MoveCommitment;

impl Statement for MoveCommitment {
    const SQL: &'static str = "UPDATE commitments SET status = ?, submitted_at = ?, \
        approved_at = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?";
}

/// Writes `moved` (a row at `version` that a move changed: its state, stamps,
/// version and time) if the commitment is still at `version`; `false` when
/// it moved on.
pub fn move_commitment(
    conn: &mut DbConnection,
    moved: &CommitmentRow,
    version: i32,
) -> QueryResult<bool> {
    let updated = match conn {
        DbConnection::Sqlite(sqlite) => Cached::<MoveCommitment>::new([
            Value::from(moved.status.as_str()),
            moved.submitted_at.into(),
            moved.approved_at.into(),
            moved.version.into(),
            moved.updated_at.into(),
            (&moved.id).into(),
            version.into(),
        ])
        .execute(sqlite)?,
        DbConnection::Postgresql(pg) => PgKept::<MoveCommitment>::new()
            .bind::<Text, _>(moved.status.as_str())
            .bind::<Nullable<Timestamp>, _>(moved.submitted_at)
            .bind::<Nullable<Timestamp>, _>(moved.approved_at)
            .bind::<Integer, _>(moved.version)
            .bind::<Timestamp, _>(moved.updated_at)
            .bind::<Text, _>(&moved.id)
            .bind::<Integer, _>(version)
            .execute(pg)?,
    };
    Ok(updated == 1)
}

/// The next number of `coalition`'s references in `year`, counted inside the
/// caller's transaction (the row lock serialises concurrent creators).
pub fn next_reference_number(
    conn: &mut DbConnection,
    coalition: &str,
    year: i32,
) -> QueryResult<i32> {
    let bumped: Option<i32> = match conn {
        DbConnection::Sqlite(sqlite) => {
            Cached::<BumpCounter>::new([Value::from(coalition), year.into()])
                .get_result(sqlite)
                .optional()?
        }
        DbConnection::Postgresql(pg) => PgKept::<BumpCounter>::new()
            .bind::<Text, _>(coalition)
            .bind::<Integer, _>(year)
            .get_result::<Bumped>(pg)
            .optional()?
            .map(|b| b.last_number),
    };
    if let Some(number) = bumped {
        return Ok(number);
    }
    diesel::insert_into(reference_counters::table)
        .values(&ReferenceCounterRow {
            coalition_slug: coalition.to_owned(),
            year,
            last_number: 1,
        })
        .execute(conn)?;
    Ok(1)
}
