//! Settings from the environment (12-factor), with safe embedded defaults.
//! Secrets (database passwords) never reach a log line: `DatabaseUrl`'s
//! `Display` hides them.

use std::fmt;
use std::net::ToSocketAddrs;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/gef.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Where the data lives: a SQLite file (the embedded default) or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl DatabaseUrl {
    /// `sqlite:PATH` (also `sqlite://PATH`) or `postgres://…` / `postgresql://…`.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::new("DATABASE_URL", reason);
        let (scheme, rest) = value.split_once(':').ok_or_else(|| {
            invalid(format!(
                "{value:?} has no scheme: use sqlite:PATH or postgres://USER@HOST/DB"
            ))
        })?;
        match scheme {
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.is_empty() || path == ":memory:" {
                    return Err(invalid(
                        "sqlite: needs a file path, e.g. sqlite:data/gef.db".into(),
                    ));
                }
                Ok(Self::Sqlite {
                    path: PathBuf::from(path),
                })
            }
            "postgres" | "postgresql" if rest.starts_with("//") => Ok(Self::Postgres {
                url: value.to_owned(),
            }),
            other => Err(invalid(format!(
                "unsupported scheme {other:?}: use sqlite:PATH or postgres://USER@HOST/DB"
            ))),
        }
    }

    /// The folder that holds the SQLite file (and the generated secrets), if any.
    pub fn data_dir(&self) -> Option<PathBuf> {
        match self {
            Self::Sqlite { path } => Some(
                path.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), PathBuf::from),
            ),
            Self::Postgres { .. } => None,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite:{}", path.display()),
            Self::Postgres { url } => {
                // postgres://user:secret@host/db → postgres://user:***@host/db
                match (url.find("://"), url.rfind('@')) {
                    (Some(start), Some(at)) if at > start => {
                        let userinfo = &url[start + 3..at];
                        let user = userinfo.split(':').next().unwrap_or_default();
                        let masked = if userinfo.contains(':') { ":***" } else { "" };
                        write!(f, "{}{user}{masked}{}", &url[..start + 3], &url[at..])
                    }
                    _ => f.write_str(url),
                }
            }
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A setting that cannot be used, named so that the one line printed at
/// start-up tells the operator what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub fn new(name: &'static str, reason: impl Into<String>) -> Self {
        Self {
            name,
            reason: reason.into(),
        }
    }
}

/// A secret value: shown as `***` in logs and debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    /// `HOST:PORT` to listen on; port 0 picks a free one.
    pub bind: String,
    /// Origins allowed by CORS; empty means no cross-origin access.
    pub cors_origins: Vec<String>,
    /// `GEF_JWT_SECRET`; when absent on SQLite, one is generated in the data folder.
    pub jwt_secret: Option<Secret>,
    /// `GEF_HSTS_MAX_AGE`: seconds of `Strict-Transport-Security` to send, for a
    /// deployment served over HTTPS only; none by default.
    pub hsts_max_age: Option<u64>,
    /// `GEF_RATE_LIMIT`: requests a second per client address (after a burst
    /// of twice that); `off` for none.
    pub rate_limit: Option<u32>,
    /// `GEF_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `GEF_METRICS_ALLOW`: addresses besides loopback that may read `/metrics`.
    pub metrics_allow: Vec<ipnet::IpNet>,
    /// `GEF_METRICS_TOKEN`: a bearer token that opens `/metrics` from anywhere.
    pub metrics_token: Option<Secret>,
}

/// Requests a second per client address unless `GEF_RATE_LIMIT` says
/// otherwise: far above what a person or a polling dashboard sends, far below
/// what a flood from one address does.
pub const DEFAULT_RATE_LIMIT: u32 = 100;

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database = DatabaseUrl::parse(
            &lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
        )?;
        let bind = lookup("GEF_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        parse_bind(&bind)?;
        let cors_origins = parse_cors_origins(&lookup("GEF_CORS_ORIGINS").unwrap_or_default())?;
        let jwt_secret = lookup("GEF_JWT_SECRET").map(Secret::new);
        let hsts_max_age = lookup("GEF_HSTS_MAX_AGE")
            .map(|value| {
                value.trim().parse::<u64>().map_err(|_| {
                    ConfigError::new(
                        "GEF_HSTS_MAX_AGE",
                        format!("{value:?} is not a number of seconds (e.g. 31536000)"),
                    )
                })
            })
            .transpose()?;
        let rate_limit = parse_rate_limit(lookup("GEF_RATE_LIMIT").as_deref())?;
        let trusted_proxies = parse_networks(
            "GEF_TRUSTED_PROXIES",
            &lookup("GEF_TRUSTED_PROXIES").unwrap_or_default(),
        )?;
        let metrics_allow = parse_networks(
            "GEF_METRICS_ALLOW",
            &lookup("GEF_METRICS_ALLOW").unwrap_or_default(),
        )?;
        let metrics_token = match lookup("GEF_METRICS_TOKEN") {
            Some(token) if token.len() < 16 => {
                return Err(ConfigError::new(
                    "GEF_METRICS_TOKEN",
                    "must be at least 16 characters",
                ));
            }
            token => token.map(Secret::new),
        };
        Ok(Self {
            database,
            bind,
            cors_origins,
            jwt_secret,
            hsts_max_age,
            rate_limit,
            trusted_proxies,
            metrics_allow,
            metrics_token,
        })
    }
}

/// A number of requests a second (1 or more), or `off`.
fn parse_rate_limit(value: Option<&str>) -> Result<Option<u32>, ConfigError> {
    match value.map(str::trim) {
        None | Some("") => Ok(Some(DEFAULT_RATE_LIMIT)),
        Some("off") => Ok(None),
        Some(value) => value
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                ConfigError::new(
                    "GEF_RATE_LIMIT",
                    format!("{value:?} is not a number of requests a second (e.g. 100) or off"),
                )
            }),
    }
}

/// Comma-separated addresses or networks: `10.0.0.5, 10.1.0.0/16, fd00::/8`.
fn parse_networks(name: &'static str, value: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError::new(
                        name,
                        format!("{item:?} is not an address or network like 10.0.0.0/8"),
                    )
                })
        })
        .collect()
}

fn parse_bind(value: &str) -> Result<(), ConfigError> {
    let resolves = value
        .to_socket_addrs()
        .map(|mut addrs| addrs.next().is_some())
        .unwrap_or(false);
    if resolves {
        Ok(())
    } else {
        Err(ConfigError::new(
            "GEF_BIND",
            format!("{value:?} is not HOST:PORT (e.g. 127.0.0.1:8080)"),
        ))
    }
}

/// Comma-separated origins such as `https://dash.example.org`, or `*`.
fn parse_cors_origins(value: &str) -> Result<Vec<String>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let is_origin = origin == "*"
                || ((origin.starts_with("http://") || origin.starts_with("https://"))
                    && !origin.trim_end_matches('/').contains(['?', '#', ' '])
                    && origin.split('/').count() == 3);
            if is_origin {
                Ok(origin.to_owned())
            } else {
                Err(ConfigError::new(
                    "GEF_CORS_ORIGINS",
                    format!("{origin:?} is not an origin like https://dashboard.example.org"),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_are_the_embedded_sqlite_file_on_localhost() {
        let s = settings(&[]).unwrap();
        assert_eq!(
            s.database,
            DatabaseUrl::Sqlite {
                path: "data/gef.db".into()
            }
        );
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database.data_dir(), Some(PathBuf::from("data")));
    }

    #[test]
    fn unsupported_schemes_name_the_variable() {
        for url in [
            "mysql://x/y",
            "data/gef.db",
            "sqlite:",
            "postgres:x",
            "sqlite::memory:",
        ] {
            let err = settings(&[("DATABASE_URL", url)]).unwrap_err();
            assert_eq!(err.name, "DATABASE_URL", "{url}");
        }
    }

    #[test]
    fn postgres_passwords_are_masked_when_displayed() {
        let url = DatabaseUrl::parse("postgres://gef:s3cret@db:5432/gef").unwrap();
        assert_eq!(url.to_string(), "postgres://gef:***@db:5432/gef");
        assert!(!format!("{url:?}").contains("s3cret"));
    }

    #[test]
    fn bind_and_cors_are_checked() {
        assert_eq!(
            settings(&[("GEF_BIND", "nonsense")]).unwrap_err().name,
            "GEF_BIND"
        );
        assert_eq!(
            settings(&[("GEF_CORS_ORIGINS", "ftp://x")])
                .unwrap_err()
                .name,
            "GEF_CORS_ORIGINS"
        );
        let s = settings(&[("GEF_CORS_ORIGINS", "https://a.org, http://localhost:3000")]).unwrap();
        assert_eq!(s.cors_origins, ["https://a.org", "http://localhost:3000"]);
    }

    #[test]
    fn the_request_limit_and_the_trusted_proxies_are_checked() {
        assert_eq!(settings(&[]).unwrap().rate_limit, Some(DEFAULT_RATE_LIMIT));
        assert_eq!(
            settings(&[("GEF_RATE_LIMIT", "off")]).unwrap().rate_limit,
            None
        );
        assert_eq!(
            settings(&[("GEF_RATE_LIMIT", "250")]).unwrap().rate_limit,
            Some(250)
        );
        for bad in ["0", "-1", "lots"] {
            assert_eq!(
                settings(&[("GEF_RATE_LIMIT", bad)]).unwrap_err().name,
                "GEF_RATE_LIMIT"
            );
        }
        let s = settings(&[("GEF_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16,fd00::/8")]).unwrap();
        let shown: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.5/32", "10.1.0.0/16", "fd00::/8"]);
        assert_eq!(
            settings(&[("GEF_TRUSTED_PROXIES", "10.0.0.0/33")])
                .unwrap_err()
                .name,
            "GEF_TRUSTED_PROXIES"
        );
    }

    #[test]
    fn hsts_is_off_unless_a_number_of_seconds_is_given() {
        assert_eq!(settings(&[]).unwrap().hsts_max_age, None);
        assert_eq!(
            settings(&[("GEF_HSTS_MAX_AGE", "31536000")])
                .unwrap()
                .hsts_max_age,
            Some(31_536_000)
        );
        assert_eq!(
            settings(&[("GEF_HSTS_MAX_AGE", "a year")])
                .unwrap_err()
                .name,
            "GEF_HSTS_MAX_AGE"
        );
    }
}
