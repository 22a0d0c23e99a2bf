//! PostgreSQL: a commitment's seven lists read in one statement and written
//! in one, with its own row and event when it is new.
//!
//! Every statement is a round trip to the server, and on the write path
//! those trips were most of what both sides spent (perf on a create-and-
//! submit load: the server parsing, planning and switching tasks per
//! statement, the service in `send`/`recv`): a create took twelve
//! statements, a submit thirteen. SQLite runs in process, where a
//! statement is a function call, and keeps a prepared statement per list
//! (`write.rs`).

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamp};

use super::rows::*;
use crate::db::cached::{PgKept, Statement};
use crate::db::events::NewEvent;
use crate::domain::commitment::CommitmentType;

/// The lists' rows as columns, 21 arrays (`bind_lists`).
macro_rules! insert_lists {
    () => {
        "WITH aa AS (INSERT INTO commitment_action_areas (commitment_id, coalition_slug, number) \
              SELECT * FROM unnest(?::text[], ?::text[], ?::int4[])), \
         ty AS (INSERT INTO commitment_types (commitment_id, commitment_type) \
              SELECT * FROM unnest(?::text[], ?::text[])), \
         co AS (INSERT INTO commitment_countries (commitment_id, country) \
              SELECT * FROM unnest(?::text[], ?::text[])), \
         re AS (INSERT INTO commitment_regions (commitment_id, region) \
              SELECT * FROM unnest(?::text[], ?::text[])), \
         pa AS (INSERT INTO commitment_partners (commitment_id, position, name) \
              SELECT * FROM unnest(?::text[], ?::int4[], ?::text[])), \
         tg AS (INSERT INTO commitment_target_groups (commitment_id, position, name) \
              SELECT * FROM unnest(?::text[], ?::int4[], ?::text[])), \
         ind AS (INSERT INTO commitment_indicators \
                     (commitment_id, position, name, unit, baseline, target) \
              SELECT * FROM unnest(?::text[], ?::int4[], ?::text[], ?::text[], \
                                   ?::float8[], ?::float8[]))"
    };
}

crate::kept_statements! {
    /// Every list of the commitments in the array bound to each `?` (seven times),
    /// tagged by kind, in each list's order.
    ReadLists = "\
    SELECT 0 AS kind, commitment_id, number AS position, coalition_slug AS text, \
           NULL::text AS unit, NULL::float8 AS baseline, NULL::float8 AS target \
      FROM commitment_action_areas WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 1, commitment_id, 0, commitment_type, NULL, NULL, NULL \
      FROM commitment_types WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 2, commitment_id, 0, country, NULL, NULL, NULL \
      FROM commitment_countries WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 3, commitment_id, 0, region, NULL, NULL, NULL \
      FROM commitment_regions WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 4, commitment_id, position, name, NULL, NULL, NULL \
      FROM commitment_partners WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 5, commitment_id, position, name, NULL, NULL, NULL \
      FROM commitment_target_groups WHERE commitment_id = ANY(?) \
    UNION ALL SELECT 6, commitment_id, position, name, unit, baseline, target \
      FROM commitment_indicators WHERE commitment_id = ANY(?) \
    ORDER BY kind, commitment_id, position, text";
    /// The lists of `insert_lists!`.
    InsertLists = concat!(insert_lists!(), " SELECT 1");
    /// A new commitment's lists, then its row (19 values) and its event (12):
    /// foreign keys are checked once the whole statement ran.
    InsertCreated = concat!(
        insert_lists!(),
        ", cm AS (INSERT INTO commitments (id, reference, organization_id, coalition_slug, \
             status, title, description, pledge_amount_minor, pledge_currency, pledge_usd_minor, \
             start_year, end_year, version, created_by, submitted_at, approved_at, created_at, \
             updated_at, search_text) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                 ?, ?, ?, ?)), \
         ev AS (INSERT INTO events (subject_type, subject_id, commitment_id, coalition_slug, \
             organization_id, actor_id, action, from_status, to_status, reason, is_public, \
             created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) \
         SELECT 1"
    );
    /// Deletes every list of the commitment bound to each `?` (seven times).
    DeleteLists = "\
        WITH aa AS (DELETE FROM commitment_action_areas WHERE commitment_id = ?), \
             ty AS (DELETE FROM commitment_types WHERE commitment_id = ?), \
             co AS (DELETE FROM commitment_countries WHERE commitment_id = ?), \
             re AS (DELETE FROM commitment_regions WHERE commitment_id = ?), \
             pa AS (DELETE FROM commitment_partners WHERE commitment_id = ?), \
             tg AS (DELETE FROM commitment_target_groups WHERE commitment_id = ?), \
             ind AS (DELETE FROM commitment_indicators WHERE commitment_id = ?) \
        SELECT 1";
}

#[derive(QueryableByName)]
struct ListItem {
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Text)]
    commitment_id: String,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    text: String,
    #[diesel(sql_type = Nullable<Text>)]
    unit: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    baseline: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    target: Option<f64>,
}

/// The lists of these commitments, in one statement.
pub(super) fn read_lists(conn: &mut PgConnection, ids: &[String]) -> QueryResult<CommitmentLists> {
    let mut read = PgKept::<ReadLists>::new();
    for _ in 0..7 {
        read = read.bind::<Array<Text>, _>(ids.to_vec());
    }
    let items: Vec<ListItem> = read.load(conn)?;
    let mut lists = CommitmentLists::default();
    for item in items {
        let ListItem {
            commitment_id,
            position,
            text,
            ..
        } = item;
        match item.kind {
            0 => lists.action_areas.push(CommitmentActionAreaRow {
                commitment_id,
                coalition_slug: text,
                number: position,
            }),
            1 => lists.types.push(CommitmentTypeRow {
                commitment_id,
                commitment_type: CommitmentType::try_from(text)
                    .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?,
            }),
            2 => lists.countries.push(CommitmentCountryRow {
                commitment_id,
                country: text,
            }),
            3 => lists.regions.push(CommitmentRegionRow {
                commitment_id,
                region: text,
            }),
            4 => lists.partners.push(CommitmentPartnerRow {
                commitment_id,
                position,
                name: text,
            }),
            5 => lists.target_groups.push(CommitmentTargetGroupRow {
                commitment_id,
                position,
                name: text,
            }),
            _ => lists.indicators.push(CommitmentIndicatorRow {
                commitment_id,
                position,
                name: text,
                unit: item.unit.unwrap_or_default(),
                baseline: item.baseline,
                target: item.target,
            }),
        }
    }
    Ok(lists)
}

/// Writes `lists` in one statement.
pub(super) fn insert_lists(conn: &mut PgConnection, lists: &CommitmentLists) -> QueryResult<()> {
    bind_lists(PgKept::<InsertLists>::new(), lists).execute(conn)?;
    Ok(())
}

/// Writes a new commitment's lists, row and event in one statement.
pub(super) fn insert_created(
    conn: &mut PgConnection,
    row: &CommitmentRow,
    search_text: &str,
    lists: &CommitmentLists,
    event: &NewEvent,
) -> QueryResult<()> {
    let query = bind_lists(PgKept::<InsertCreated>::new(), lists)
        .bind::<Text, _>(&row.id)
        .bind::<Text, _>(&row.reference)
        .bind::<Text, _>(&row.organization_id)
        .bind::<Text, _>(&row.coalition_slug)
        .bind::<Text, _>(row.status.as_str())
        .bind::<Text, _>(&row.title)
        .bind::<Text, _>(&row.description)
        .bind::<Nullable<BigInt>, _>(row.pledge_amount_minor)
        .bind::<Nullable<Text>, _>(&row.pledge_currency)
        .bind::<Nullable<BigInt>, _>(row.pledge_usd_minor)
        .bind::<Integer, _>(row.start_year)
        .bind::<Integer, _>(row.end_year)
        .bind::<Integer, _>(row.version)
        .bind::<Text, _>(&row.created_by)
        .bind::<Nullable<Timestamp>, _>(row.submitted_at)
        .bind::<Nullable<Timestamp>, _>(row.approved_at)
        .bind::<Timestamp, _>(row.created_at)
        .bind::<Timestamp, _>(row.updated_at)
        .bind::<Nullable<Text>, _>(Some(search_text));
    event.bind_pg(query).execute(conn)?;
    Ok(())
}

/// Deletes every list of commitment `id` in one statement.
pub(super) fn delete_lists(conn: &mut PgConnection, id: &str) -> QueryResult<()> {
    let mut delete = PgKept::<DeleteLists>::new();
    for _ in 0..7 {
        delete = delete.bind::<Text, _>(id.to_owned());
    }
    delete.execute(conn)?;
    Ok(())
}

/// Binds the 21 arrays of `insert_lists!`: each list's rows as one array a column.
fn bind_lists<'a, S: Statement>(query: PgKept<'a, S>, lists: &CommitmentLists) -> PgKept<'a, S> {
    fn column<R, T>(rows: &[R], f: impl Fn(&R) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    let (aa, ty, co, re) = (
        &lists.action_areas,
        &lists.types,
        &lists.countries,
        &lists.regions,
    );
    let (pa, tg, ind) = (&lists.partners, &lists.target_groups, &lists.indicators);
    query
        .bind::<Array<Text>, _>(column(aa, |r| r.commitment_id.clone()))
        .bind::<Array<Text>, _>(column(aa, |r| r.coalition_slug.clone()))
        .bind::<Array<Integer>, _>(column(aa, |r| r.number))
        .bind::<Array<Text>, _>(column(ty, |r| r.commitment_id.clone()))
        .bind::<Array<Text>, _>(column(ty, |r| r.commitment_type.as_str().to_owned()))
        .bind::<Array<Text>, _>(column(co, |r| r.commitment_id.clone()))
        .bind::<Array<Text>, _>(column(co, |r| r.country.clone()))
        .bind::<Array<Text>, _>(column(re, |r| r.commitment_id.clone()))
        .bind::<Array<Text>, _>(column(re, |r| r.region.clone()))
        .bind::<Array<Text>, _>(column(pa, |r| r.commitment_id.clone()))
        .bind::<Array<Integer>, _>(column(pa, |r| r.position))
        .bind::<Array<Text>, _>(column(pa, |r| r.name.clone()))
        .bind::<Array<Text>, _>(column(tg, |r| r.commitment_id.clone()))
        .bind::<Array<Integer>, _>(column(tg, |r| r.position))
        .bind::<Array<Text>, _>(column(tg, |r| r.name.clone()))
        .bind::<Array<Text>, _>(column(ind, |r| r.commitment_id.clone()))
        .bind::<Array<Integer>, _>(column(ind, |r| r.position))
        .bind::<Array<Text>, _>(column(ind, |r| r.name.clone()))
        .bind::<Array<Text>, _>(column(ind, |r| r.unit.clone()))
        .bind::<Array<Nullable<Double>>, _>(column(ind, |r| r.baseline))
        .bind::<Array<Nullable<Double>>, _>(column(ind, |r| r.target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::commitments::write::{
        InsertActionArea, InsertCommitment, InsertCountry, InsertIndicator, InsertPartner,
        InsertRegion, InsertTargetGroup, InsertType,
    };
    use crate::db::events::{InsertEvent, InsertEventPg};

    fn spaced(sql: &str) -> String {
        sql.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// PostgreSQL's statements name, table by table and in the same order,
    /// the columns SQLite's kept inserts name (which a test of `cached.rs`
    /// compares with the tables), save the event's position, handed out
    /// later on PostgreSQL (as the event's own statement there does too); and
    /// have a `?` for each.
    #[test]
    fn a_new_commitment_writes_the_columns_sqlite_writes() {
        let lists = [
            InsertActionArea::SQL,
            InsertType::SQL,
            InsertCountry::SQL,
            InsertRegion::SQL,
            InsertPartner::SQL,
            InsertTargetGroup::SQL,
            InsertIndicator::SQL,
        ];
        // "INSERT INTO table (columns)", as SQLite's statement names them.
        let named = |sql: &str| {
            let sql = spaced(sql);
            format!("{})", sql.split_once(") VALUES").unwrap().0)
        };
        let (created, written) = (spaced(InsertCreated::SQL), spaced(InsertLists::SQL));
        for sql in lists {
            let named = named(sql);
            assert!(
                created.contains(&named) && written.contains(&named),
                "{named}"
            );
        }
        let commitment = named(InsertCommitment::SQL);
        let event = named(InsertEvent::SQL).replace(", created_at, position)", ", created_at)");
        assert_eq!(named(InsertEventPg::SQL), event);
        for named in [commitment, event] {
            assert!(created.contains(&named), "{named}");
        }
        assert_eq!(created.matches("INSERT INTO").count(), 9);
        assert_eq!(written.matches("INSERT INTO").count(), 7);
        let values = |sql: &str| sql.matches('?').count();
        let columns = |sql: &str| -> usize {
            sql.split("INSERT INTO ")
                .skip(1)
                .map(|insert| insert.split_once(')').unwrap().0.split(',').count())
                .sum()
        };
        assert_eq!(values(&created), columns(&created));
        assert_eq!(values(&written), columns(&written));
    }
}
