//! The binary as an operator meets it: defaults, restarts, and bad settings.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::helpers::Running;

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

/// Starts the binary with no DATABASE_URL (the embedded default) in `dir`.
fn start_default(dir: &Path) -> Running {
    crate::helpers::start_binary(dir, &[("RUST_LOG", "info")])
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
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .count() as i64
    );
}

/// Runs the binary against `app`'s database with `stdin` as input.
fn run_cli(app: &crate::helpers::TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("GEF_JWT_SECRET", crate::helpers::TEST_JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn user_add_creates_the_first_admin_who_can_sign_in() {
    use crate::helpers::PASSWORD;
    let app = crate::helpers::spawn_app().await;
    let args = [
        "user",
        "add",
        "--email",
        "Root@Example.org",
        "--role",
        "admin",
        "--password-stdin",
    ];
    let output = run_cli(&app, &args, &format!("{PASSWORD}\n"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("created admin account "), "{stdout}");
    assert!(
        !stdout.contains(PASSWORD) && !String::from_utf8_lossy(&output.stderr).contains(PASSWORD)
    );

    let token = app.sign_in("root@example.org", PASSWORD).await;
    let response = app
        .client
        .get(app.url("/api/v1/users"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // A weak password, a lead without coalitions, no --password-stdin: refused, nothing stored.
    let weak = run_cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            "b@example.org",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "password\n",
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("--password"));
    let lead = run_cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            "l@example.org",
            "--role",
            "coalition_lead",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(lead.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&lead.stderr).contains("--coalitions"));
    let no_flag = run_cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            "c@example.org",
            "--role",
            "viewer",
        ],
        "",
    );
    assert_eq!(no_flag.status.code(), Some(2));
    assert_eq!(app.count("users").await, 1);
}

#[actix_web::test]
async fn token_prints_a_long_lived_token_for_viewer_accounts_only() {
    use gef_commitments::domain::account::Role;
    let app = crate::helpers::spawn_app().await;
    app.create_account("dashboard@example.org", Role::Viewer, None, &[])
        .await;
    app.create_account("admin@example.org", Role::Admin, None, &[])
        .await;

    let output = run_cli(
        &app,
        &["token", "--email", "dashboard@example.org", "--ttl", "30d"],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let part = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        30 * 24 * 3600
    );
    assert_eq!(claims["role"], "viewer");
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "dashboard@example.org");

    let refused = run_cli(&app, &["token", "--email", "admin@example.org"], "");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("viewer accounts only"));
    assert!(refused.stdout.is_empty());
    let bad_ttl = run_cli(
        &app,
        &[
            "token",
            "--email",
            "dashboard@example.org",
            "--ttl",
            "forever",
        ],
        "",
    );
    assert_eq!(bad_ttl.status.code(), Some(2));
}

#[actix_web::test]
async fn cycle_open_opens_a_reporting_cycle_as_the_api_does() {
    let app = crate::helpers::spawn_app().await;
    let open = |year: &str, opens: &str, closes: &str| {
        run_cli(
            &app,
            &[
                "cycle",
                "open",
                "--year",
                year,
                "--opens-on",
                opens,
                "--closes-on",
                closes,
            ],
            "",
        )
    };
    let output = open("2025", "2026-01-15", "2026-03-31");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "opened the 2025 reporting cycle: 2026-01-15 to 2026-03-31"
    );
    let cycles: serde_json::Value = app
        .get("/api/v1/reporting-cycles")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cycles["items"][0]["year"], 2025);
    assert_eq!(cycles["items"][0]["closes_on"], "2026-03-31");
    // The same rules: one cycle a year, inside a period, a sensible window.
    for (args, says) in [
        (("2025", "2026-01-15", "2026-03-31"), "exists"),
        (("2040", "2041-01-15", "2041-03-31"), "--year"),
        (("2024", "2025-03-31", "2025-01-15"), "--closes-on"),
    ] {
        let output = open(args.0, args.1, args.2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(says) && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
    let output = open("2024", "not a date", "2025-03-31");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(app.count("reporting_cycles").await, 1);
}

#[actix_web::test]
async fn export_writes_the_commitments_to_standard_output() {
    use crate::helpers::Stage;
    let app = crate::helpers::spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    app.commitment_in(&ti, Stage::Approved, "Public one").await;
    app.commitment_in(&ti, Stage::Approved, "Public two").await;
    app.commitment_in(&ti, Stage::Submitted, "Submitted").await;
    app.commitment_in(&ti, Stage::Draft, "Draft").await;
    let output = run_cli(&app, &["export", "--format", "ndjson"], "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let titles: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["title"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(titles, ["Public two", "Public one"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("exported 2 commitments"));
    let output = run_cli(
        &app,
        &[
            "export",
            "--all",
            "--format",
            "csv",
            "--status",
            "submitted",
        ],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "a header and the submitted one: {csv}"
    );
    assert!(csv.contains(",Submitted,"));
    let output = run_cli(&app, &["export", "--status", "bogus"], "");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--status") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[actix_web::test]
async fn seed_demo_prints_its_accounts_once_and_refuses_to_seed_twice() {
    let app = crate::helpers::spawn_app().await;
    let output = run_cli(&app, &["seed", "--demo"], "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("seeded the demo world into "),
        "{stdout}"
    );
    // Every printed account signs in with its printed password.
    let accounts: Vec<(&str, &str)> = stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    assert_eq!(accounts.len(), app.count("users").await as usize);
    let (email, password) = accounts[0];
    assert!(!app.sign_in(email, password).await.is_empty());
    assert!(app.count("commitments").await > 0);

    let again = run_cli(&app, &["seed", "--demo"], "");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    let held = app.count("commitments").await;
    assert!(
        stderr.contains(&format!("already holds {held} commitments"))
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    let bare = run_cli(&app, &["seed"], "");
    assert_eq!(bare.status.code(), Some(2), "seed says what it seeds");
}
