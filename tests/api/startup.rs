//! The binary as an operator meets it: defaults, restarts, and bad settings.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gef-commitments");

fn command(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("GEF_BIND")
        .env_remove("GEF_CORS_ORIGINS")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    command
}

/// Runs the binary expecting it to refuse to start; returns its stderr lines.
fn refused_start(vars: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut command = command(dir.path());
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.args(["serve"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.lines().map(str::to_owned).collect()
}

fn assert_one_line_naming(lines: &[String], name: &str) {
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("gef-commitments: "), "{lines:?}");
    assert!(lines[0].contains(name), "{lines:?} should name {name}");
}

#[test]
fn an_unsupported_database_scheme_stops_start_up() {
    let lines = refused_start(&[("DATABASE_URL", "mysql://gef@localhost/gef")]);
    assert_one_line_naming(&lines, "DATABASE_URL");
    assert!(lines[0].contains("mysql"));
}

#[test]
fn an_unreachable_postgres_stops_start_up_with_the_real_reason() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://gef:secret@127.0.0.1:{port}/gef");
    let lines = refused_start(&[("DATABASE_URL", &url)]);
    assert_one_line_naming(&lines, "DATABASE_URL");
    assert!(lines[0].contains(&format!("127.0.0.1:{port}")), "{lines:?}");
    assert!(
        !lines[0].contains("secret"),
        "the password leaked: {lines:?}"
    );
    assert!(lines[0].to_lowercase().contains("refused"), "{lines:?}");
}

#[test]
fn an_unwritable_data_folder_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let url = format!("sqlite:{}/data/gef.db", file.display());
    let lines = refused_start(&[("DATABASE_URL", &url)]);
    assert_one_line_naming(&lines, "DATABASE_URL");
    assert!(lines[0].contains("data folder"), "{lines:?}");
}

#[test]
fn a_port_in_use_stops_start_up() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}/gef.db", dir.path().display());
    let lines = refused_start(&[("GEF_BIND", &address), ("DATABASE_URL", &url)]);
    assert_one_line_naming(&lines, "GEF_BIND");
    assert!(lines[0].contains(&address), "{lines:?}");
}

#[test]
fn a_malformed_bind_address_stops_start_up() {
    let lines = refused_start(&[("GEF_BIND", "everywhere")]);
    assert_one_line_naming(&lines, "GEF_BIND");
}

struct Running {
    child: Child,
    address: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with no DATABASE_URL (the embedded default) in `dir`,
/// and waits for the line that says where it listens.
fn start_default(dir: &Path) -> Running {
    let mut child = command(dir)
        .env("GEF_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let address = line[at + "listening on ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let _ = sender.send(address);
            }
        }
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the service never said where it listens");
    Running { child, address }
}

async fn coalition_count(address: &str) -> usize {
    let body: Value = reqwest::get(format!("{address}/api/v1/coalitions"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["items"].as_array().unwrap().len()
}

fn count(path: &Path, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

#[actix_web::test]
async fn the_embedded_default_creates_its_file_and_a_restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("data/gef.db");

    let first = start_default(dir.path());
    assert!(db_file.exists(), "data/gef.db was not created");
    assert_eq!(coalition_count(&first.address).await, 7);
    let ready: Value = reqwest::get(format!("{}/health/ready", first.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "sqlite");
    drop(first);

    // Data written between two starts survives the second one.
    {
        use diesel::prelude::*;
        let mut conn = diesel::SqliteConnection::establish(&db_file.to_string_lossy()).unwrap();
        diesel::sql_query(
            "INSERT INTO organizations (id, name, constituency, country, version, created_at, updated_at) \
             VALUES ('0190d7a4-0000-7000-8000-000000000001', 'Digital Sisters', 'youth_led', 'KH', 1, \
             '2026-11-27 00:00:00', '2026-11-27 00:00:00')",
        )
        .execute(&mut conn)
        .unwrap();
    }
    let areas_before = count(&db_file, "SELECT count(*) AS n FROM action_areas");

    let second = start_default(dir.path());
    assert_eq!(coalition_count(&second.address).await, 7);
    drop(second);
    assert_eq!(count(&db_file, "SELECT count(*) AS n FROM coalitions"), 7);
    assert_eq!(
        count(&db_file, "SELECT count(*) AS n FROM action_areas"),
        areas_before
    );
    assert_eq!(
        count(&db_file, "SELECT count(*) AS n FROM organizations"),
        1
    );
    assert_eq!(
        count(
            &db_file,
            "SELECT count(*) AS n FROM __diesel_schema_migrations"
        ),
        2
    );
}
