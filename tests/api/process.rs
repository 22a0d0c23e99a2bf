//! The real binary under faults: killed mid-load, stopped with SIGTERM,
//! backed up while writing, held by slow clients; and what it logs.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gef_commitments::app::{Clock, stats, synthetic};
use serde_json::{Value, json};

use crate::helpers::{Running, TEST_JWT_SECRET, TestApp, spawn_app, start_binary};

/// A world of synthetic organizations (makers accepted into a coalition
/// each), and the binary serving it.
struct World {
    app: TestApp,
    password: String,
    maker_email: String,
    coalitions: Vec<String>,
    dir: tempfile::TempDir,
}

impl World {
    async fn new() -> Self {
        let app = spawn_app().await;
        let today = app.clock.today();
        let options = synthetic::Options {
            count: 100,
            seed: 11,
            append: false,
        };
        let made = synthetic::seed(&app.db, today, options, Arc::new(|_| {}))
            .await
            .expect("seeded");
        let body: Value = app.get("/api/v1/coalitions").await.json().await.unwrap();
        let coalitions = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect();
        Self {
            app,
            password: made.password,
            maker_email: made.maker_email,
            coalitions,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn start(&self) -> Running {
        self.start_with(&[])
    }

    fn start_with(&self, more: &[(&str, &str)]) -> Running {
        let url = self.app.database_url();
        let mut vars = vec![
            ("DATABASE_URL", url.as_str()),
            ("GEF_JWT_SECRET", TEST_JWT_SECRET),
            ("RUST_LOG", "info"),
        ];
        vars.extend_from_slice(more);
        start_binary(self.dir.path(), &vars)
    }

    fn maker(&self, i: usize) -> String {
        self.maker_email.replace("{i}", &i.to_string())
    }

    async fn sign_in(&self, address: &str, i: usize) -> String {
        self.sign_in_via(&reqwest::Client::new(), address, i).await
    }

    async fn sign_in_via(&self, client: &reqwest::Client, address: &str, i: usize) -> String {
        let response = client
            .post(format!("{address}/api/v1/auth/token"))
            .json(&json!({"email": self.maker(i), "password": self.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "maker {i} signs in");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A commitment body for maker `i` (accepted into coalition i mod 7).
    fn commitment(&self, i: usize, title: &str) -> Value {
        let mut body = crate::helpers::commitment_body(title);
        body["coalition"] = json!(self.coalitions[i % self.coalitions.len()]);
        body
    }
}

/// What a writer had acknowledged: commitment id → (maker, title, status).
type Acknowledged = Arc<Mutex<BTreeMap<String, (usize, String, &'static str)>>>;

/// Creates then submits commitments as maker `i` until `stop`, recording
/// each write the server acknowledged.
async fn write_until(
    world: &World,
    address: String,
    token: String,
    i: usize,
    stop: Arc<AtomicBool>,
    acknowledged: Acknowledged,
) {
    let client = reqwest::Client::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let title = format!("Crash test {i}.{n}");
        let Ok(created) = client
            .post(format!("{address}/api/v1/commitments"))
            .bearer_auth(&token)
            .json(&world.commitment(i, &title))
            .send()
            .await
        else {
            break;
        };
        if created.status().as_u16() != 201 {
            break;
        }
        let Ok(body) = created.json::<Value>().await else {
            break;
        };
        let id = body["id"].as_str().unwrap().to_owned();
        let version = body["version"].as_i64().unwrap();
        acknowledged
            .lock()
            .unwrap()
            .insert(id.clone(), (i, title.clone(), "draft"));
        let Ok(submitted) = client
            .post(format!("{address}/api/v1/commitments/{id}/submit"))
            .bearer_auth(&token)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({}))
            .send()
            .await
        else {
            break;
        };
        if submitted.status().as_u16() != 200 {
            break;
        }
        acknowledged
            .lock()
            .unwrap()
            .insert(id, (i, title, "submitted"));
    }
}

fn integrity_check(path: &Path) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query("PRAGMA integrity_check")
        .load::<Check>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| c.integrity_check)
        .collect()
}

fn sqlite_path(app: &TestApp) -> Option<std::path::PathBuf> {
    app.database_url()
        .strip_prefix("sqlite:")
        .map(std::path::PathBuf::from)
}

#[actix_web::test]
async fn every_acknowledged_write_survives_a_sigkill_mid_load() {
    let world = World::new().await;
    let mut server = world.start();
    let makers = 4;
    let mut tokens = Vec::new();
    for i in 0..makers {
        tokens.push(world.sign_in(&server.address, i).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Acknowledged = Arc::default();
    let writers = (0..makers * 2).map(|w| {
        write_until(
            &world,
            server.address.clone(),
            tokens[w % makers].clone(),
            w % makers,
            stop.clone(),
            acknowledged.clone(),
        )
    });
    let kill = async {
        // Kill once a good number of writes were acknowledged, mid-stream.
        let started = Instant::now();
        while acknowledged.lock().unwrap().len() < 40 && started.elapsed() < Duration::from_secs(60)
        {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
    };
    futures_util::join!(futures_util::future::join_all(writers), kill);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40, "{} writes", acknowledged.len());

    let restarted = world.start();
    let client = reqwest::Client::new();
    for (id, (maker, title, status)) in &acknowledged {
        let response = client
            .get(format!("{}/api/v1/commitments/{id}", restarted.address))
            .bearer_auth(&tokens[*maker])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{title} was acknowledged");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["title"], json!(title));
        // Acknowledged as submitted: submitted. Acknowledged as a draft: a
        // draft, or submitted if the submit went through unanswered.
        if *status == "submitted" {
            assert_eq!(body["status"], "submitted", "{title}");
        } else {
            assert!(["draft", "submitted"].contains(&body["status"].as_str().unwrap()));
        }
    }
    drop(restarted);
    assert!(
        stats::verify(&world.app.db).await.unwrap(),
        "the figures' counters equal a recount after the crash"
    );
    if let Some(path) = sqlite_path(&world.app) {
        assert_eq!(integrity_check(&path), ["ok"]);
    }
}

#[actix_web::test]
async fn sigterm_lets_requests_in_flight_finish_then_exits_0() {
    let world = World::new().await;
    let mut server = world.start();
    let address = server.address.clone();
    // Six clients, connected beforehand (so that their requests reach the
    // server at once), sign in together: each hashes a password, a few at a
    // time, so they are still in flight when the signal comes.
    let clients: Vec<reqwest::Client> = (0..6).map(|_| reqwest::Client::new()).collect();
    for client in &clients {
        let live = client
            .get(format!("{address}/health/live"))
            .send()
            .await
            .unwrap();
        assert_eq!(live.status().as_u16(), 200);
    }
    let sign_ins = clients
        .iter()
        .enumerate()
        .map(|(i, client)| world.sign_in_via(client, &address, i));
    let stop = async {
        actix_web::rt::time::sleep(Duration::from_millis(40)).await;
        let signalled = Instant::now();
        let pid = libc::pid_t::try_from(server.child.id()).unwrap();
        // SAFETY: sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        signalled
    };
    let (tokens, signalled) = futures_util::join!(futures_util::future::join_all(sign_ins), stop);
    assert_eq!(tokens.len(), 6, "every sign-in in flight was answered");
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let log = server.log.lock().unwrap().join("\n");
    assert!(log.contains("SIGTERM received"), "{log}");
    // Stopped: nothing answers any more.
    assert!(
        reqwest::get(format!("{address}/health/live"))
            .await
            .is_err()
    );
}

#[actix_web::test]
async fn a_backup_taken_during_writes_starts_as_a_working_service() {
    let world = World::new().await;
    let server = world.start();
    let Some(_) = sqlite_path(&world.app) else {
        // PostgreSQL is backed up with pg_dump: the command says so.
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_gef-commitments"))
            .args(["backup", "/tmp/never-written.db"])
            .env("DATABASE_URL", world.app.database_url())
            .output()
            .unwrap();
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        assert!(!Path::new("/tmp/never-written.db").exists());
        return;
    };
    let mut tokens = Vec::new();
    for i in 0..2 {
        tokens.push(world.sign_in(&server.address, i).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Acknowledged = Arc::default();
    let writers = (0..4).map(|w| {
        write_until(
            &world,
            server.address.clone(),
            tokens[w % 2].clone(),
            w % 2,
            stop.clone(),
            acknowledged.clone(),
        )
    });
    let backups = tempfile::tempdir().unwrap();
    let copy = backups.path().join("copy.db");
    let back_up = async {
        while acknowledged.lock().unwrap().len() < 10 {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let before = acknowledged.lock().unwrap().clone();
        // Off this thread, so that the writers go on meanwhile.
        let backup = |to: std::path::PathBuf, url: String| {
            actix_web::rt::task::spawn_blocking(move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_gef-commitments"))
                    .arg("backup")
                    .arg(&to)
                    .env("DATABASE_URL", url)
                    .output()
                    .unwrap()
            })
        };
        let output = backup(copy.clone(), world.app.database_url())
            .await
            .unwrap();
        // A second backup to the same file is refused, the first one untouched.
        let again = backup(copy.clone(), world.app.database_url())
            .await
            .unwrap();
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        stop.store(true, Ordering::Relaxed);
        (output, before, again)
    };
    let (_, (output, before, again)) =
        futures_util::join!(futures_util::future::join_all(writers), back_up);
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("integrity checked"), "{said}");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let total = acknowledged.lock().unwrap().len();
    assert!(
        total > before.len(),
        "the load went on while the backup ran ({} then {total})",
        before.len()
    );
    assert_eq!(integrity_check(&copy), ["ok"]);

    // The copy starts as a service and holds everything acknowledged before it began.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = start_binary(
        restored_dir.path(),
        &[
            ("DATABASE_URL", &format!("sqlite:{}", copy.display())),
            ("GEF_JWT_SECRET", TEST_JWT_SECRET),
        ],
    );
    let client = reqwest::Client::new();
    for (id, (maker, title, status)) in &before {
        let body: Value = client
            .get(format!("{}/api/v1/commitments/{id}", restored.address))
            .bearer_auth(&tokens[*maker])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["title"], json!(title));
        if *status == "submitted" {
            assert_eq!(body["status"], "submitted");
        }
    }
    let summary = client
        .get(format!("{}/api/v1/stats/summary", restored.address))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.status().as_u16(), 200);
}

#[actix_web::test]
async fn three_hundred_slow_clients_do_not_keep_others_out() {
    raise_open_file_limit();
    let app = spawn_app().await;
    // The server is up (its workers run on threads of their own) before this
    // thread blocks on the connections below.
    assert_eq!(app.get("/health/live").await.status().as_u16(), 200);
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow: Vec<std::net::TcpStream> = (0..300)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            // A request head that never ends.
            stream
                .write_all(b"GET /api/v1/coalitions HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(app.url("/health/live"))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .expect("a normal request answers while 300 clients dawdle");
    assert_eq!(response.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(3));

    // Past the request timeout the server has answered 408 and hung up.
    let timeout = gef_commitments::startup::CLIENT_REQUEST_TIMEOUT;
    actix_web::rt::time::sleep(timeout + Duration::from_secs(1)).await;
    for stream in slow.iter_mut().take(20) {
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut answer = [0_u8; 256];
        let read = stream
            .read(&mut answer)
            .expect("the server answered or hung up");
        let answer = String::from_utf8_lossy(&answer[..read]);
        assert!(read == 0 || answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
}

#[actix_web::test]
async fn deeply_nested_json_is_refused_without_harm() {
    let app = spawn_app().await;
    let (_, maker) = app
        .register("Nesting Ltd", "maker@nesting.example.org")
        .await;
    // 100,000 levels where a string belongs, at the top, and where any
    // JSON is read (a field nobody declared).
    let open = "[".repeat(100_000);
    let close = "]".repeat(100_000);
    for deep in [
        format!("{{\"title\": {open}1{close}}}"),
        format!("{open}{close}"),
        format!("{{\"surprise\": {open}{close}}}"),
        format!("{{\"title\": {}", "{\"a\": ".repeat(100_000)),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/commitments"))
            .bearer_auth(&maker.token)
            .header("content-type", "application/json")
            .body(deep)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!([400, 422].contains(&status), "{status}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let answer = response.text().await.unwrap();
        assert!(answer.len() < 4096, "{} bytes", answer.len());
    }
    assert_eq!(app.count("commitments").await, 0);
    assert_eq!(app.get("/health/live").await.status().as_u16(), 200);
}

#[actix_web::test]
async fn the_json_log_names_each_request_and_never_a_secret() {
    let world = World::new().await;
    let server = world.start_with(&[("GEF_LOG_FORMAT", "json")]);
    let token = world.sign_in(&server.address, 0).await;
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/api/v1/commitments", server.address))
        .bearer_auth(&token)
        .header("x-request-id", "trace-me-0042")
        .json(&world.commitment(0, "Logged commitment"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    // A failed sign-in with a wrong password, and an anonymous miss.
    let refused = client
        .post(format!("{}/api/v1/auth/token", server.address))
        .json(&json!({"email": world.maker(1), "password": "Not the password 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    client
        .get(format!("{}/api/v1/nowhere", server.address))
        .send()
        .await
        .unwrap();
    // Access lines are written as answers go out; give the last one a moment.
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().join("\n");
    let events: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let access = events
        .iter()
        .find(|e| e["target"] == "access" && e["method"] == "POST" && e["status"] == 201)
        .unwrap_or_else(|| panic!("no access event for the creation:\n{log}"));
    assert_eq!(access["route"], "/api/v1/commitments");
    assert_eq!(access["request_id"], "trace-me-0042");
    assert_eq!(access["level"], "INFO");
    assert!(access["latency_ms"].as_f64().is_some(), "{access}");
    // Every request has its line, each with an id of its own.
    let ids: Vec<&str> = events
        .iter()
        .filter(|e| e["target"] == "access")
        .map(|e| e["request_id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");
    let distinct: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
    for secret in [
        world.password.as_str(),
        "Not the password 1",
        token.as_str(),
        TEST_JWT_SECRET,
        &world.maker(0),
        &world.maker(1),
        "$argon2",
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}

/// 300 clients and their server ends need some 600 descriptors; a default
/// soft limit of 1024 is shared with the tests running beside this one.
fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: reads and raises this process's own soft limit to its hard limit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
