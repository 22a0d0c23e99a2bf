//! Statements SQLite and PostgreSQL keep prepared. On SQLite diesel prepares again, on
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
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Double, HasSqlType, Nullable, Text, Untyped};
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
    Time(TimeText),
}

/// A moment as diesel writes a `Timestamp` on SQLite (chrono's
/// `%F %T%.f`), written out by hand: chrono's formatting machinery was a
/// fiftieth of the writer's time. Moments chrono writes otherwise (years
/// outside 0–9999, leap seconds) are written by chrono.
pub struct TimeText {
    bytes: [u8; 40],
    len: usize,
}

impl TimeText {
    fn of(time: NaiveDateTime) -> Self {
        use chrono::{Datelike, Timelike};
        use std::fmt::Write;
        let mut text = Self {
            bytes: [0; 40],
            len: 0,
        };
        let nanos = time.nanosecond();
        if (0..=9999).contains(&time.year()) && nanos < 1_000_000_000 {
            let _ = write!(
                text,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                time.year(),
                time.month(),
                time.day(),
                time.hour(),
                time.minute(),
                time.second()
            );
            // As chrono's `%.f`: none, or 3, 6 or 9 digits, as few as exact.
            let _ = match nanos {
                0 => Ok(()),
                _ if nanos.is_multiple_of(1_000_000) => write!(text, ".{:03}", nanos / 1_000_000),
                _ if nanos.is_multiple_of(1_000) => write!(text, ".{:06}", nanos / 1_000),
                _ => write!(text, ".{nanos:09}"),
            };
        } else {
            let _ = write!(text, "{}", time.format("%F %T%.f"));
        }
        text
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for TimeText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
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
        Self::Time(TimeText::of(time))
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
                Value::Time(time) => out.push_bind_param::<Text, str>(time.as_str())?,
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

/// Statement `S` (its text with a `?` for each value) as PostgreSQL keeps
/// it prepared, once per connection, keyed by its type: diesel prepares a
/// raw query, an `UPDATE` and a typed insert again on every call, so the
/// server parsed, analysed and planned each of them anew. Values are bound
/// in the order of the `?`s, each with its SQL type (a value used twice is
/// bound twice); rows are read by name (`QueryableByName`).
pub struct PgKept<'a, S> {
    values: Vec<Box<dyn PgValue + Send + 'a>>,
    statement: PhantomData<S>,
}

/// A value bound with its SQL type.
trait PgValue {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Typed<T, V> {
    value: V,
    sql_type: PhantomData<T>,
}

impl<T, V> PgValue for Typed<T, V>
where
    Pg: HasSqlType<T>,
    V: ToSql<T, Pg>,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<T, V>(&self.value)
    }
}

impl<S: Statement> Default for PgKept<'_, S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, S: Statement> PgKept<'a, S> {
    pub fn new() -> Self {
        Self {
            values: Vec::new(),
            statement: PhantomData,
        }
    }

    /// Binds the next `?`.
    pub fn bind<T, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<T>,
        V: ToSql<T, Pg> + Send + 'a,
        T: Send + 'a,
    {
        self.values.push(Box::new(Typed {
            value,
            sql_type: PhantomData::<T>,
        }));
        self
    }
}

impl<S: Statement> QueryId for PgKept<'_, S> {
    type QueryId = S;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<S: Statement> QueryFragment<Pg> for PgKept<'_, S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        debug_assert_eq!(
            S::SQL.matches('?').count(),
            self.values.len(),
            "one value for each ? of {}",
            S::SQL
        );
        let mut parts = S::SQL.split('?');
        out.push_sql(parts.next().unwrap_or_default());
        for (value, part) in self.values.iter().zip(parts) {
            value.push(&mut out)?;
            out.push_sql(part);
        }
        Ok(())
    }
}

impl<S: Statement> Query for PgKept<'_, S> {
    type SqlType = Untyped;
}

impl<S> RunQueryDsl<PgConnection> for PgKept<'_, S> {}

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

    /// Moments are written exactly as diesel (chrono's `%F %T%.f`) writes
    /// them, which is how they are read back and compared.
    #[test]
    fn moments_are_written_as_diesel_writes_them() {
        use chrono::{NaiveDate, NaiveDateTime};
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut moments: Vec<NaiveDateTime> = vec![
            day(2026, 11, 28).and_hms_opt(0, 0, 0).unwrap(),
            day(2026, 1, 2).and_hms_milli_opt(3, 4, 5, 60).unwrap(),
            day(2026, 12, 31)
                .and_hms_micro_opt(23, 59, 59, 999_999)
                .unwrap(),
            day(2000, 2, 29).and_hms_nano_opt(12, 30, 1, 7).unwrap(),
            day(2024, 6, 1).and_hms_nano_opt(8, 0, 0, 120_000).unwrap(),
            day(2024, 6, 1)
                .and_hms_nano_opt(8, 0, 0, 120_000_001)
                .unwrap(),
            day(999, 6, 1).and_hms_opt(8, 0, 0).unwrap(),
            day(12_345, 6, 1).and_hms_opt(8, 0, 0).unwrap(),
            day(-44, 3, 15).and_hms_opt(8, 0, 0).unwrap(),
            day(2016, 12, 31)
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap(),
            crate::db::now(),
        ];
        moments.extend((0..1_000).map(|n| {
            day(2020 + n % 7, 1 + (n % 12) as u32, 1 + (n % 28) as u32)
                .and_hms_nano_opt(
                    (n % 24) as u32,
                    (n % 60) as u32,
                    (n * 7 % 60) as u32,
                    (n as u32).pow(3) % 1_000_000_000,
                )
                .unwrap()
        }));
        for moment in moments {
            assert_eq!(
                super::TimeText::of(moment).as_str(),
                moment.format("%F %T%.f").to_string()
            );
        }
    }

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
    /// column of its table, save the event's number (the event's position
    /// is worked out by the statement itself).
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
                    columns.len() - 2 * usize::from(table == "events")
                );
            }
            Ok::<_, AppError>(())
        })
        .await
        .unwrap();
    }
}
