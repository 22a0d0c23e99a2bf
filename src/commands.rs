//! The command line's account commands: `user add` and `token`. They read
//! the same environment as the server and open the same database.

use std::io::{BufRead, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chrono::Duration;

use crate::app::progress::{self, NewCycle};
use crate::app::{AppError, accounts, demo, synthetic};
use crate::app::{Clock, SystemClock, commitments};
use crate::auth::jwt::JwtKeys;
use crate::auth::secret::jwt_secret;
use crate::config::{DatabaseUrl, Secret, Settings};
use crate::db::{ConnectionManager, DbConnection};
use crate::domain::account::{Email, NewAccount, Role};
use crate::domain::policy::Visibility;
use crate::exports::{Export, Format};
use crate::startup::open_database;
use crate::wire::commitment::CommitmentQuery;

/// What a command prints when it fails: one line, or one per invalid field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(pub String);

impl From<crate::config::ConfigError> for CommandError {
    fn from(error: crate::config::ConfigError) -> Self {
        Self(error.to_string())
    }
}

impl From<AppError> for CommandError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => Self(
                errors
                    .iter()
                    .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::Internal(cause) => Self(format!("internal error: {cause:#}")),
            other => Self(other.to_string()),
        }
    }
}

pub struct AddUser {
    pub email: String,
    pub role: Role,
    pub organization: Option<String>,
    pub coalitions: Vec<String>,
    pub display_name: Option<String>,
}

/// Creates an account, the password read from the first line of `stdin`.
/// Prints the new account's id.
pub fn add_user(
    settings: &Settings,
    args: AddUser,
    stdin: impl BufRead,
) -> Result<String, CommandError> {
    let password = stdin
        .lines()
        .next()
        .transpose()
        .map_err(|e| CommandError(format!("cannot read the password from standard input: {e}")))?
        .ok_or_else(|| {
            CommandError("give the password on standard input (--password-stdin)".into())
        })?;
    let display_name = args
        .display_name
        .unwrap_or_else(|| args.email.split('@').next().unwrap_or_default().to_owned());
    let account = NewAccount::parse(
        &args.email,
        &password,
        &display_name,
        args.role,
        args.organization,
        args.coalitions,
    )
    .map_err(AppError::Invalid)?;
    let db = open_database(&settings.database)?;
    let created = block_on(accounts::create_account(&db, account))??;
    Ok(created.user.id)
}

/// A long-lived token for a viewer account (dashboards), valid for `ttl`.
pub fn issue_token(
    settings: &Settings,
    email: &str,
    ttl: Duration,
) -> Result<String, CommandError> {
    let email = Email::parse(email).map_err(|e| CommandError(format!("--email: {}", e.message)))?;
    let secret = jwt_secret(
        settings.jwt_secret.as_ref().map(Secret::expose),
        &settings.database,
    )?;
    let db = open_database(&settings.database)?;
    let keys = JwtKeys::new(&secret);
    let issued =
        block_on(accounts::viewer_token(&db, &keys, email, ttl))?.map_err(|e| match e {
            AppError::Invalid(errors) => CommandError(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => other.into(),
        })?;
    Ok(issued.token)
}

/// Opens a reporting cycle, as `POST /reporting-cycles` does for admins.
pub fn open_cycle(settings: &Settings, cycle: NewCycle) -> Result<(), CommandError> {
    let db = open_database(&settings.database)?;
    block_on(progress::open_cycle(&db, cycle))??;
    Ok(())
}

/// Seeds the demo world into an empty database and answers the table of
/// accounts made, passwords included, to print once.
pub fn seed_demo(settings: &Settings) -> Result<String, CommandError> {
    let db = open_database(&settings.database)?;
    let today = SystemClock.today();
    let accounts = block_on(demo::seed(&db, today))??;
    let mut table = format!(
        "seeded the demo world into {}; its accounts (the passwords are shown only now):\n",
        settings.database
    );
    for account in accounts {
        table.push_str(&format!(
            "  {:<42} {:<24} {}  ({})\n",
            account.email,
            account.password,
            account.role.as_str(),
            account.note
        ));
    }
    Ok(table)
}

/// Seeds `options.count` synthetic commitments with a progress bar on
/// standard error; answers what was made and how to sign in, to print.
pub fn seed_synthetic(
    settings: &Settings,
    options: synthetic::Options,
) -> Result<String, CommandError> {
    let db = open_database(&settings.database)?;
    let today = SystemClock.today();
    let bar = ProgressBar::with_draw_target(Some(options.count), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} commitments, {per_sec}, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let shown = bar.clone();
    let progress = std::sync::Arc::new(move |done: u64| shown.set_position(done));
    let started = std::time::Instant::now();
    let made = block_on(synthetic::seed(&db, today, options, progress))??;
    bar.finish_and_clear();
    Ok(format!(
        "seeded {} synthetic commitments ({} reports, {} organizations) into {} in {:.0} s \
         ({:.0} s writing, {:.0} s counting the figures)\n\
         makers sign in as {} (i from 0 to {}), leads as {}, all with the password {}\n",
        made.commitments,
        made.reports,
        made.organizations,
        settings.database,
        started.elapsed().as_secs_f64(),
        made.writing.as_secs_f64(),
        made.counting.as_secs_f64(),
        made.maker_email,
        made.organizations - 1,
        made.lead_emails.join(", "),
        made.password
    ))
}

/// Writes the commitments `query` selects to standard output in `format`,
/// with a progress bar on standard error; `all` exports every commitment
/// ever submitted, not only public ones.
pub fn export(
    settings: &Settings,
    query: CommitmentQuery,
    format: Format,
    all: bool,
) -> Result<(), CommandError> {
    let today = SystemClock.today();
    let filter = query
        .into_filter(today)
        .map_err(|e| CommandError(format!("--{}: {}", e.field.replace('_', "-"), e.message)))?;
    let visibility = if all {
        Visibility::AllSubmitted
    } else {
        Visibility::of(None)
    };
    let db = open_database(&settings.database)?;
    block_on(async move {
        let total = commitments::count_visible(&db, visibility.clone(), filter.clone()).await?;
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(0)),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} commitments, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let mut export = Export::new(db, today, visibility, filter, format);
        let mut written = 0_u64;
        while let Some(chunk) = export.next_chunk().await {
            let (bytes, rows) = chunk?;
            out.write_all(&bytes)
                .map_err(|e| CommandError(format!("cannot write the export: {e}")))?;
            written += rows as u64;
            bar.inc(rows as u64);
        }
        out.flush()
            .map_err(|e| CommandError(format!("cannot write the export: {e}")))?;
        bar.finish_and_clear();
        eprintln!("exported {written} commitments");
        Ok(())
    })?
}

/// `backup PATH`: a consistent copy of the live SQLite database in a new
/// file at `to`, taken while the service goes on serving and writing; the
/// copy is integrity-checked and starts as a working service. Answers the
/// copy's size in bytes. PostgreSQL is backed up with `pg_dump`.
pub fn backup(settings: &Settings, to: &std::path::Path) -> Result<u64, CommandError> {
    let DatabaseUrl::Sqlite { path: from } = &settings.database else {
        return Err(CommandError(
            "backup copies the embedded SQLite database; back PostgreSQL up with \
             pg_dump (see docs/OPERATIONS.md, \"Backups\")"
                .into(),
        ));
    };
    if !from.exists() {
        return Err(CommandError(format!(
            "there is no database at {} to back up",
            from.display()
        )));
    }
    let mut source = ConnectionManager::new(settings.database.clone())
        .establish()
        .map_err(|e| CommandError(format!("cannot open {}: {e}", settings.database)))?;
    let DbConnection::Sqlite(source) = &mut source else {
        return Err(CommandError(format!(
            "{} did not open as SQLite",
            settings.database
        )));
    };
    crate::db::backup::vacuum_into(source, to).map_err(|e| CommandError(e.to_string()))?;
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|e| CommandError(format!("cannot read {}: {e}", to.display())))
}

/// `30d`, `12h`, `90m` or `3600s`: from a minute to ten years.
pub fn parse_ttl(value: &str) -> Result<Duration, String> {
    let (number, unit) = value.split_at(value.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{value:?} is not a duration such as 30d, 12h, 90m or 3600s"))?;
    let ttl = match unit {
        "d" => Duration::try_days(n),
        "h" => Duration::try_hours(n),
        "m" => Duration::try_minutes(n),
        "s" => Duration::try_seconds(n),
        _ => None,
    }
    .ok_or_else(|| format!("{value:?} is not a duration such as 30d, 12h, 90m or 3600s"))?;
    if ttl < Duration::minutes(1) || ttl > Duration::days(3650) {
        return Err(format!("{value:?} must be between 1 minute and 10 years"));
    }
    Ok(ttl)
}

/// Runs a use case to its end on a runtime of its own: the commands need no
/// HTTP server, and the use cases no actix.
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CommandError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError(format!("cannot start a runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_days_hours_minutes_seconds() {
        assert_eq!(parse_ttl("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_ttl("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_ttl("90m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_ttl("3600s"), Ok(Duration::hours(1)));
        for bad in ["", "d", "30", "30w", "-1d", "5s", "4000d"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
