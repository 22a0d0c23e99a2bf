//! Optimistic concurrency: every resource that changes carries a version,
//! and a change states the version it saw (`If-Match`). The one way to
//! change such a resource: check the precondition, write the next version
//! only if the current one is still there, read the result back.

use diesel::QueryResult;

use super::{AppError, AppResult};
use crate::db::DbConnection;

/// The version a change says it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// None was stated: a change needs one (428).
    Missing,
    /// Any version will do (`If-Match: *`).
    Any,
    /// One of these; tags that name no version match nothing.
    Versions(Vec<i32>),
}

impl Precondition {
    /// Whether a change may go ahead on a resource at `version`.
    pub fn check(&self, version: i32) -> AppResult<Checked> {
        match self {
            Self::Missing => Err(AppError::PreconditionRequired),
            Self::Any => Ok(Checked { current: version }),
            Self::Versions(seen) if seen.contains(&version) => Ok(Checked { current: version }),
            Self::Versions(_) => Err(AppError::PreconditionFailed(format!(
                "If-Match does not match the current version (ETag \"{version}\"): reload and retry"
            ))),
        }
    }
}

/// A precondition that held for the version read; the only way to write.
#[must_use = "a checked precondition is for writing the next version"]
#[derive(Debug)]
pub struct Checked {
    current: i32,
}

impl Checked {
    /// Runs `update(conn, current, next)`, which must write version `next`
    /// only where the version is still `current` and say whether it did;
    /// then `reread`. A writer that got there first is a 412.
    pub fn write<T>(
        self,
        conn: &mut DbConnection,
        what: &str,
        update: impl FnOnce(&mut DbConnection, i32, i32) -> QueryResult<bool>,
        reread: impl FnOnce(&mut DbConnection) -> AppResult<T>,
    ) -> AppResult<T> {
        if !update(conn, self.current, self.current + 1)? {
            return Err(AppError::PreconditionFailed(format!(
                "{what} changed meanwhile: reload and retry"
            )));
        }
        reread(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_version_seen_may_change() {
        assert!(matches!(
            Precondition::Missing.check(3),
            Err(AppError::PreconditionRequired)
        ));
        assert!(Precondition::Any.check(3).is_ok());
        assert!(Precondition::Versions(vec![2, 3]).check(3).is_ok());
        assert!(matches!(
            Precondition::Versions(vec![2]).check(3),
            Err(AppError::PreconditionFailed(_))
        ));
        assert!(Precondition::Versions(Vec::new()).check(3).is_err());
    }
}
