use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gef_commitments::app::progress::NewCycle;
use gef_commitments::app::synthetic::Options as SyntheticOptions;
use gef_commitments::commands::{self, AddUser};
use gef_commitments::config::{ConfigError, Settings};
use gef_commitments::domain::account::Role;
use gef_commitments::exports::Format;
use gef_commitments::startup::{Application, open_database};
use gef_commitments::telemetry;
use gef_commitments::wire::commitment::CommitmentQuery;

/// Tracks commitments to the Generation Equality Forum's Action Coalitions.
///
/// Settings come from the environment: DATABASE_URL (default sqlite:data/gef.db),
/// GEF_BIND (default 127.0.0.1:8080), GEF_JWT_SECRET, GEF_CORS_ORIGINS, RUST_LOG.
#[derive(Parser)]
#[command(name = "gef-commitments", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Create or upgrade the database schema and reference data, then exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print a long-lived access token for a viewer account (dashboards).
    Token {
        #[arg(long)]
        email: String,
        /// Lifetime: 30d, 12h, 90m or 3600s.
        #[arg(long, default_value = "30d", value_parser = commands::parse_ttl)]
        ttl: chrono::Duration,
    },
    /// Write the commitments as CSV, JSON or NDJSON to standard output,
    /// with a progress bar on standard error: public ones, or with --all
    /// every one ever submitted. Takes the list filters.
    Export {
        /// csv, json or ndjson.
        #[arg(long, default_value = "csv", value_parser = parse_format)]
        format: Format,
        #[arg(long)]
        coalition: Option<String>,
        #[arg(long)]
        action_area: Option<i32>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long = "type")]
        commitment_type: Option<String>,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        constituency: Option<String>,
        #[arg(long)]
        organization: Option<String>,
        /// Text in the title or description.
        #[arg(long)]
        q: Option<String>,
        /// Every commitment ever submitted, not only public ones.
        #[arg(long)]
        all: bool,
    },
    /// Fill a database: --demo, the demo world (organizations of every
    /// constituency, commitments in every coalition reviewed to every state,
    /// five reporting cycles and their reports; its accounts and passwords
    /// are printed once); or --synthetic N, N synthetic commitments for
    /// benchmarks, with a progress bar. Both refuse a database that holds
    /// commitments (--append lets --synthetic add to them).
    #[command(group(clap::ArgGroup::new("what").required(true).args(["demo", "synthetic"])))]
    Seed {
        #[arg(long)]
        demo: bool,
        /// How many synthetic commitments to write.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        synthetic: Option<u64>,
        /// The synthetic data's seed: the same N and seed give the same data.
        #[arg(long, default_value_t = 1, requires = "synthetic")]
        seed: u64,
        /// Add synthetic data to a database that already holds commitments.
        #[arg(long, requires = "synthetic")]
        append: bool,
    },
    /// Copy the live SQLite database into a new file at PATH: one consistent
    /// snapshot taken while the service keeps serving and writing, checked
    /// before it is reported. PostgreSQL: use pg_dump (see docs/OPERATIONS.md).
    Backup {
        /// Where to write the copy; must not exist yet.
        path: std::path::PathBuf,
    },
    /// Manage reporting cycles.
    Cycle {
        #[command(subcommand)]
        command: CycleCommand,
    },
}

#[derive(Subcommand)]
enum CycleCommand {
    /// Open the reporting cycle of a year: reports on it are filed from
    /// --opens-on to --closes-on (dates as 2026-01-15, both included).
    Open {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        opens_on: chrono::NaiveDate,
        #[arg(long)]
        closes_on: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// admin, coalition_lead, maker or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The organization id (makers only).
        #[arg(long)]
        organization: Option<String>,
        /// A coalition slug (coalition leads; repeat for several).
        #[arg(long = "coalition")]
        coalitions: Vec<String>,
        /// Defaults to the part of the email before the @.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_format(value: &str) -> Result<Format, String> {
    Format::parse(value).ok_or_else(|| "expected csv, json or ndjson".into())
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| "expected admin, coalition_lead, maker or viewer".into())
}

fn main() -> ExitCode {
    gef_commitments::memory::tune();
    let cli = Cli::parse();
    telemetry::init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().map_err(|e| e.to_string()),
        Command::Migrate => migrate().map_err(|e| e.to_string()),
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    organization,
                    coalitions,
                    display_name,
                    ..
                },
        } => settings().and_then(|settings| {
            let args = AddUser {
                email,
                role,
                organization,
                coalitions,
                display_name,
            };
            commands::add_user(&settings, args, std::io::stdin().lock())
                .map(|id| println!("created {} account {id}", role.as_str()))
                .map_err(|e| e.to_string())
        }),
        Command::Cycle {
            command:
                CycleCommand::Open {
                    year,
                    opens_on,
                    closes_on,
                },
        } => settings().and_then(|settings| {
            let cycle = NewCycle {
                year,
                opens_on,
                closes_on,
            };
            commands::open_cycle(&settings, cycle)
                .map(|()| println!("opened the {year} reporting cycle: {opens_on} to {closes_on}"))
                .map_err(|e| e.to_string())
        }),
        Command::Export {
            format,
            coalition,
            action_area,
            status,
            commitment_type,
            country,
            region,
            constituency,
            organization,
            q,
            all,
        } => settings().and_then(|settings| {
            let query = CommitmentQuery {
                coalition,
                action_area,
                status,
                commitment_type,
                country,
                region,
                constituency,
                organization,
                q,
                updated_since: None,
                reporting_health: None,
            };
            commands::export(&settings, query, format, all).map_err(|e| e.to_string())
        }),
        Command::Seed {
            synthetic: None, ..
        } => settings().and_then(|settings| {
            commands::seed_demo(&settings)
                .map(|accounts| print!("{accounts}"))
                .map_err(|e| e.to_string())
        }),
        Command::Seed {
            synthetic: Some(count),
            seed,
            append,
            ..
        } => settings().and_then(|settings| {
            let options = SyntheticOptions {
                count,
                seed,
                append,
            };
            commands::seed_synthetic(&settings, options)
                .map(|made| print!("{made}"))
                .map_err(|e| e.to_string())
        }),
        Command::Backup { path } => settings().and_then(|settings| {
            commands::backup(&settings, &path)
                .map(|bytes| {
                    println!(
                        "backed up {} to {} ({bytes} bytes, integrity checked)",
                        settings.database,
                        path.display()
                    );
                })
                .map_err(|e| e.to_string())
        }),
        Command::Token { email, ttl } => settings().and_then(|settings| {
            commands::issue_token(&settings, &email, ttl)
                .map(|token| println!("{token}"))
                .map_err(|e| e.to_string())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gef-commitments: {error}");
            ExitCode::from(2)
        }
    }
}

fn settings() -> Result<Settings, String> {
    Settings::from_env().map_err(|e| e.to_string())
}

fn serve() -> Result<(), ConfigError> {
    let settings = Settings::from_env()?;
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async {
        let app = Application::build(&settings)?;
        tracing::info!(
            database = %settings.database,
            "listening on http://{}:{}",
            host_of(&settings.bind),
            app.port()
        );
        app.run_until_stopped()
            .await
            .map_err(|e| ConfigError::new("GEF_BIND", format!("the server stopped: {e}")))
    })
}

fn migrate() -> Result<(), ConfigError> {
    let settings = Settings::from_env()?;
    open_database(&settings.database)?;
    tracing::info!(database = %settings.database, "database is up to date");
    Ok(())
}

fn host_of(bind: &str) -> &str {
    bind.rsplit_once(':').map_or(bind, |(host, _)| host)
}
