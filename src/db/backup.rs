//! Online backups of a SQLite database: `VACUUM INTO` copies one consistent
//! snapshot (a read transaction, so writers go on meanwhile under WAL) into a
//! new, compacted file, then the copy is checked before it is called a backup.
//! PostgreSQL is backed up with its own tools (`pg_dump`; see README).

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; a backup never overwrites a file")]
    Exists(String),
    #[error("cannot copy the database: {0}")]
    Copy(#[source] diesel::result::Error),
    #[error("the copy at {path} failed its integrity check: {report}")]
    Corrupt { path: String, report: String },
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the database `source` is connected to into `to` (a new file) and
/// checks the copy with `PRAGMA integrity_check`.
pub fn vacuum_into(source: &mut SqliteConnection, to: &Path) -> Result<(), BackupError> {
    let shown = to.display().to_string();
    if to.exists() {
        return Err(BackupError::Exists(shown));
    }
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(to.to_string_lossy())
        .execute(source)
        .map_err(BackupError::Copy)?;
    let mut copy =
        SqliteConnection::establish(&to.to_string_lossy()).map_err(|e| BackupError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    let report: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut copy)
        .map_err(|e| BackupError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    let report: Vec<String> = report.into_iter().map(|r| r.integrity_check).collect();
    if report != ["ok"] {
        return Err(BackupError::Corrupt {
            path: shown,
            report: report.join("; "),
        });
    }
    Ok(())
}
