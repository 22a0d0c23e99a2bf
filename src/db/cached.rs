//! Statements SQLite keeps prepared. On SQLite diesel prepares again, on
//! every call, each `UPDATE`, each `IN (…)` list and each raw query: on the
//! write path that was the largest part of the writer's time (`perf`:
//! `sqlite3Prepare`). A `Cached` statement is prepared once per connection,
//! keyed by its type, and only bound again. A list is bound as one JSON
//! array and read with `json_each`.
//!
//! The write path's inserts are kept here too: diesel walks a typed insert
//! twice on every call (to decide whether it may keep it, then to bind it)
//! and, for some, writes its SQL out again to find it among those kept;
//! that was a tenth of the writer's time.

use std::marker::PhantomData;

use chrono::NaiveDateTime;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{QueryResult, RunQueryDsl};

/// One statement's text, with a `?` for each value.
pub trait Statement: 'static {
    const SQL: &'static str;
}

/// Declares statements: `kept_statements! { /// doc  pub(super) Name = "SQL"; ... }`.
#[macro_export]
macro_rules! kept_statements {
    ($($(#[$doc:meta])* $vis:vis $name:ident = $sql:expr;)+) => {
        $(
            $(#[$doc])*
            $vis struct $name;

            impl $crate::db::cached::Statement for $name {
                const SQL: &'static str = $sql;
            }
        )+
    };
}

/// A statement that answers rows of `SqlType`, to `load` them.
pub trait Rows: Statement {
    type SqlType;
}

/// One value bound to a `?`.
pub enum Value<'a> {
    Text(&'a str),
    Integer(i64),
    Real(f64),
    Null,
    /// A moment, written as diesel writes timestamps.
    Time(NaiveDateTime),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(text)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(text: &'a String) -> Self {
        Self::Text(text)
    }
}

impl From<i32> for Value<'_> {
    fn from(n: i32) -> Self {
        Self::Integer(n.into())
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl From<f64> for Value<'_> {
    fn from(x: f64) -> Self {
        Self::Real(x)
    }
}

/// SQLite keeps booleans as integers, as diesel writes them.
impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Self::Integer(b.into())
    }
}

/// `None` is `NULL`.
impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

impl From<NaiveDateTime> for Value<'_> {
    fn from(time: NaiveDateTime) -> Self {
        Self::Time(time)
    }
}

/// Statement `S` with its values, in the order of its `?`s.
pub struct Cached<'a, S> {
    values: Vec<Value<'a>>,
    statement: PhantomData<S>,
}

impl<'a, S: Statement> Cached<'a, S> {
    pub fn new<V: Into<Value<'a>>>(values: impl IntoIterator<Item = V>) -> Self {
        let values: Vec<Value<'a>> = values.into_iter().map(Into::into).collect();
        debug_assert_eq!(
            S::SQL.matches('?').count(),
            values.len(),
            "one value for each ? of {}",
            S::SQL
        );
        Self {
            values,
            statement: PhantomData,
        }
    }

    /// Runs it on SQLite; answers the rows it changed.
    pub fn execute(self, conn: &mut SqliteConnection) -> QueryResult<usize> {
        RunQueryDsl::execute(self, conn)
    }
}

impl<S: Statement> QueryId for Cached<'_, S> {
    type QueryId = S;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<S: Statement> QueryFragment<Sqlite> for Cached<'_, S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        let mut parts = S::SQL.split('?');
        out.push_sql(parts.next().unwrap_or_default());
        for (value, part) in self.values.iter().zip(parts) {
            match value {
                Value::Text(text) => out.push_bind_param::<Text, str>(*text)?,
                Value::Integer(n) => out.push_bind_param::<BigInt, i64>(n)?,
                Value::Real(x) => out.push_bind_param::<Double, f64>(x)?,
                Value::Null => out.push_bind_param::<Nullable<Text>, Option<&str>>(&None)?,
                Value::Time(time) => out.push_bind_param::<Timestamp, NaiveDateTime>(time)?,
            }
            out.push_sql(part);
        }
        Ok(())
    }
}

impl<S> RunQueryDsl<SqliteConnection> for Cached<'_, S> {}

impl<S: Rows> Query for Cached<'_, S> {
    type SqlType = S::SqlType;
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::Statement;
    use crate::app::AppError;
    use crate::config::DatabaseUrl;
    use crate::db::commitments::{
        InsertActionArea, InsertCommitment, InsertCountry, InsertIndicator, InsertPartner,
        InsertRegion, InsertTargetGroup, InsertType,
    };
    use crate::db::events::InsertEvent;
    use crate::db::{Db, DbConnection};

    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        name: String,
    }

    /// The table an `INSERT INTO table (a, b, …) VALUES …` writes, and its columns.
    fn written(sql: &str) -> (String, Vec<String>) {
        let rest = sql.strip_prefix("INSERT INTO ").unwrap();
        let (table, rest) = rest.split_once(" (").unwrap();
        let (columns, _) = rest.split_once(')').unwrap();
        let mut columns: Vec<String> = columns.split(',').map(|c| c.trim().to_owned()).collect();
        columns.sort();
        (table.to_owned(), columns)
    }

    fn columns_of(conn: &mut DbConnection, table: &str) -> Vec<String> {
        let mut names: Vec<String> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<Column>(conn)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect();
        names.sort();
        names
    }

    /// The write path's inserts are written out by hand (not by diesel), so a
    /// column a migration adds must be added to them too, or SQLite would
    /// leave it empty where PostgreSQL fills it: each insert writes every
    /// column of its table, save the event's number.
    #[actix_web::test]
    async fn kept_inserts_write_every_column_of_their_table() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DatabaseUrl::Sqlite {
            path: dir.path().join("inserts.db"),
        })
        .unwrap();
        let inserts = [
            InsertCommitment::SQL,
            InsertActionArea::SQL,
            InsertType::SQL,
            InsertCountry::SQL,
            InsertRegion::SQL,
            InsertPartner::SQL,
            InsertTargetGroup::SQL,
            InsertIndicator::SQL,
            InsertEvent::SQL,
        ];
        db.run(move |conn| {
            for sql in inserts {
                let (table, mut columns) = written(sql);
                if table == "events" {
                    columns.push("id".into());
                    columns.sort();
                }
                assert_eq!(columns, columns_of(conn, &table), "{sql}");
                assert_eq!(
                    sql.matches('?').count(),
                    columns.len() - usize::from(table == "events")
                );
            }
            Ok::<_, AppError>(())
        })
        .await
        .unwrap();
    }
}
