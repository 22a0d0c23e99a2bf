//! Statements SQLite keeps prepared. On SQLite diesel prepares again, on
//! every call, each `UPDATE`, each `IN (…)` list and each raw query: on the
//! write path that was the largest part of the writer's time (`perf`:
//! `sqlite3Prepare`). A `Cached` statement is prepared once per connection,
//! keyed by its type, and only bound again. A list is bound as one JSON
//! array and read with `json_each`.

use std::marker::PhantomData;

use chrono::NaiveDateTime;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{QueryResult, RunQueryDsl};

/// One statement's text, with a `?` for each value.
pub trait Statement: 'static {
    const SQL: &'static str;
}

/// A statement that answers rows of `SqlType`, to `load` them.
pub trait Rows: Statement {
    type SqlType;
}

/// One value bound to a `?`.
pub enum Value<'a> {
    Text(&'a str),
    Integer(i64),
    /// A moment, written as diesel writes timestamps; `None` is `NULL`.
    Time(Option<NaiveDateTime>),
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

impl From<Option<NaiveDateTime>> for Value<'_> {
    fn from(time: Option<NaiveDateTime>) -> Self {
        Self::Time(time)
    }
}

impl From<NaiveDateTime> for Value<'_> {
    fn from(time: NaiveDateTime) -> Self {
        Self::Time(Some(time))
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
                Value::Time(time) => {
                    out.push_bind_param::<Nullable<Timestamp>, Option<NaiveDateTime>>(time)?;
                }
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
