//! The JWT signing secret: `GEF_JWT_SECRET` (at least 32 bytes), or on the
//! embedded default a random one generated once and kept in the data folder
//! (mode 0600). PostgreSQL deployments must set it: their instances share it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::config::{ConfigError, DatabaseUrl};

pub const MIN_SECRET_BYTES: usize = 32;
const SECRET_FILE: &str = "jwt-secret";

pub fn jwt_secret(
    configured: Option<&str>,
    database: &DatabaseUrl,
) -> Result<Vec<u8>, ConfigError> {
    if let Some(secret) = configured {
        return check_length("GEF_JWT_SECRET", secret.as_bytes());
    }
    let Some(dir) = database.data_dir() else {
        return Err(ConfigError::new(
            "GEF_JWT_SECRET",
            "must be set (at least 32 bytes) when DATABASE_URL is PostgreSQL: every instance signs with it",
        ));
    };
    read_or_create(&dir.join(SECRET_FILE))
}

fn check_length(name: &'static str, secret: &[u8]) -> Result<Vec<u8>, ConfigError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            name,
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes, got {}",
                secret.len()
            ),
        ));
    }
    Ok(secret.to_vec())
}

fn read_or_create(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let fail = |e: std::io::Error| {
        ConfigError::new(
            "GEF_JWT_SECRET",
            format!("cannot keep a secret in {}: {e}", path.display()),
        )
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut bytes = [0u8; 48];
    OsRng.fill_bytes(&mut bytes);
    let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(fresh.as_bytes()).map_err(fail)?;
            Ok(fresh.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let kept = fs::read_to_string(path).map_err(fail)?;
            check_length("GEF_JWT_SECRET", kept.trim().as_bytes())
        }
        Err(e) => Err(fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_short_secret_is_refused() {
        let db = DatabaseUrl::parse("sqlite:x/gef.db").unwrap();
        let error = jwt_secret(Some("too short"), &db).unwrap_err();
        assert_eq!(error.name, "GEF_JWT_SECRET");
    }

    #[test]
    fn postgres_needs_a_configured_secret() {
        let db = DatabaseUrl::parse("postgres://gef@db/gef").unwrap();
        assert_eq!(jwt_secret(None, &db).unwrap_err().name, "GEF_JWT_SECRET");
    }

    #[test]
    fn the_embedded_default_generates_once_and_keeps_it_private() {
        let dir = tempfile::tempdir().unwrap();
        let db = DatabaseUrl::Sqlite {
            path: dir.path().join("gef.db"),
        };
        let first = jwt_secret(None, &db).unwrap();
        assert_eq!(first.len(), 96);
        assert_eq!(jwt_secret(None, &db).unwrap(), first);
        let mode = fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
