use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gef_commitments::config::{ConfigError, Settings};
use gef_commitments::startup::{Application, open_database};
use gef_commitments::telemetry;

/// Tracks commitments to the Generation Equality Forum's Action Coalitions.
///
/// Settings come from the environment: DATABASE_URL (default sqlite:data/gef.db),
/// GEF_BIND (default 127.0.0.1:8080), GEF_CORS_ORIGINS, RUST_LOG.
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gef-commitments: {error}");
            ExitCode::from(2)
        }
    }
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
