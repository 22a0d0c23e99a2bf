//! Online backups of a SQLite database: `VACUUM INTO` copies one consistent
//! snapshot (a read transaction, so writers go on meanwhile under WAL) into a
//! new, compacted file, then the copy is checked before it is called a backup.
//! PostgreSQL is backed up with its own tools (`pg_dump`; see docs/OPERATIONS.md).

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
///
/// The file is created here, exclusively (`O_CREAT | O_EXCL`), before
/// SQLite writes into it: any existing path is refused, a symbolic link
/// included, even one that points nowhere (SQLite would follow it and
/// write at its target). After the copy the path must still be that file.
pub fn vacuum_into(source: &mut SqliteConnection, to: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::MetadataExt;
    let shown = to.display().to_string();
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::Exists(shown.clone()),
            _ => BackupError::Open {
                path: shown.clone(),
                reason: e.to_string(),
            },
        })?;
    let identity = |m: &std::fs::Metadata| (m.dev(), m.ino());
    let ours = created
        .metadata()
        .map(|m| identity(&m))
        .map_err(|e| BackupError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    drop(created);
    // An empty file is one VACUUM INTO may write.
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(to.to_string_lossy())
        .execute(source)
        .map_err(BackupError::Copy)?;
    let now = std::fs::symlink_metadata(to).ok();
    if !now.is_some_and(|m| m.file_type().is_file() && identity(&m) == ours) {
        return Err(BackupError::Open {
            path: shown,
            reason: "the file was replaced while the copy was written".into(),
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(dir: &Path) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(&dir.join("live.db").to_string_lossy()).unwrap();
        diesel::sql_query("CREATE TABLE t (x INTEGER)")
            .execute(&mut conn)
            .unwrap();
        conn
    }

    #[test]
    fn a_backup_refuses_every_existing_path_links_included() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = source(dir.path());
        // A link that points nowhere: nothing is written at its target.
        let target = dir.path().join("target.db");
        let dangling = dir.path().join("dangling.db");
        std::os::unix::fs::symlink(&target, &dangling).unwrap();
        assert!(matches!(
            vacuum_into(&mut live, &dangling),
            Err(BackupError::Exists(_))
        ));
        assert!(!target.exists());
        // A link to an empty file, and an empty file: refused, untouched.
        std::fs::write(&target, b"").unwrap();
        assert!(matches!(
            vacuum_into(&mut live, &dangling),
            Err(BackupError::Exists(_))
        ));
        assert!(matches!(
            vacuum_into(&mut live, &target),
            Err(BackupError::Exists(_))
        ));
        assert_eq!(std::fs::read(&target).unwrap(), b"");
        // A new path is a checked copy.
        let copy = dir.path().join("copy.db");
        vacuum_into(&mut live, &copy).unwrap();
        assert!(std::fs::metadata(&copy).unwrap().len() > 0);
    }
}
