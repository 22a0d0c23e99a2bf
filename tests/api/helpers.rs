use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use gef_commitments::app::accounts;
use gef_commitments::app::{Clock, SystemClock};
use gef_commitments::config::{DatabaseUrl, Secret, Settings};
use gef_commitments::db::{Backend, Db, DbError};
use gef_commitments::domain::account::NewAccount;
use gef_commitments::domain::account::Role;
use gef_commitments::startup::Application;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The signing secret of test servers, so tests can forge tokens an attacker might.
pub const TEST_JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database: DatabaseUrl,
    /// The server's clock: tests move today's date with it.
    pub clock: Arc<TestClock>,
    /// What the exchanges of this server broke of the committed spec.
    pub contract: Arc<crate::contract::Contract>,
    /// Keeps the database alive as long as the app.
    pub _scratch: Option<Scratch>,
}

impl Drop for TestApp {
    /// A test fails when any of its exchanges broke the spec.
    fn drop(&mut self) {
        let breaks = self.contract.take_breaks();
        if !breaks.is_empty() && !std::thread::panicking() {
            panic!(
                "{} exchanges broke openapi/openapi.json:\n{}",
                breaks.len(),
                breaks.join("\n")
            );
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// `DATABASE_URL` for this app's database, password and all (for the CLI).
    pub fn database_url(&self) -> String {
        match &self.database {
            DatabaseUrl::Sqlite { path } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres { url } => url.clone(),
        }
    }

    /// Creates an account the way `gef-commitments user add` does; returns its id.
    pub async fn create_account(
        &self,
        email: &str,
        role: Role,
        organization: Option<&str>,
        coalitions: &[&str],
    ) -> String {
        let account = NewAccount::parse(
            email,
            PASSWORD,
            "Test account",
            role,
            organization.map(str::to_owned),
            coalitions.iter().map(|c| (*c).to_owned()).collect(),
        )
        .expect("valid account");
        accounts::create_account(&self.db, account)
            .await
            .expect("account created")
            .user
            .id
    }

    /// Signs in over HTTP and returns the access token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "sign-in of {email}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// An account of `role` (created directly) and its token.
    pub async fn signed_in(
        &self,
        email: &str,
        role: Role,
        organization: Option<&str>,
        coalitions: &[&str],
    ) -> Caller {
        let id = self
            .create_account(email, role, organization, coalitions)
            .await;
        let token = self.sign_in(email, PASSWORD).await;
        Caller { id, token }
    }

    /// Registers an organization over HTTP with its first maker, signed in.
    pub async fn register(&self, name: &str, email: &str) -> (String, Caller) {
        let response = self
            .client
            .post(self.url("/api/v1/organizations"))
            .json(&json!({
                "organization": {"name": name, "constituency": "civil_society", "country": "KH"},
                "account": {"email": email, "password": PASSWORD, "display_name": name}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "registration of {name}");
        let body: Value = response.json().await.unwrap();
        let organization = body["organization"]["id"].as_str().unwrap().to_owned();
        let id = body["account"]["id"].as_str().unwrap().to_owned();
        let token = self.sign_in(email, PASSWORD).await;
        (organization, Caller { id, token })
    }

    /// A request with `caller`'s bearer token (or none).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        caller: Option<&Caller>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match caller {
            Some(caller) => request.bearer_auth(&caller.token),
            None => request,
        }
    }

    /// Rows in `table`, straight from the database.
    pub async fn count(&self, table: &'static str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.db
            .run(move |conn| -> Result<i64, DbError> {
                Ok(
                    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
                        .get_result::<Count>(conn)?
                        .n,
                )
            })
            .await
            .unwrap()
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "Correct horse 42";

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    pub token: String,
}

/// Starts the service on a random port with a database of its own.
pub async fn spawn_app() -> TestApp {
    let (database, dir) = fresh_database();
    spawn_app_on(database, dir).await
}

pub async fn spawn_app_on(database: DatabaseUrl, dir: Option<Scratch>) -> TestApp {
    spawn_app_configured(database, dir, |_| {}).await
}

/// Starts the service with the test settings as `configure` changes them.
pub async fn spawn_app_configured(
    database: DatabaseUrl,
    dir: Option<Scratch>,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = Settings {
        database: database.clone(),
        bind: "127.0.0.1:0".into(),
        cors_origins: vec!["https://dashboard.example.org".into()],
        jwt_secret: Some(Secret::new(TEST_JWT_SECRET)),
        hsts_max_age: None,
        // Tests send many requests from one address; the limit has tests of its own.
        rate_limit: None,
        trusted_proxies: Vec::new(),
        metrics_allow: Vec::new(),
        metrics_token: None,
    };
    configure(&mut settings);
    let clock = Arc::new(TestClock::default());
    let contract = Arc::new(crate::contract::Contract::default());
    let app = Application::build_observed(&settings, clock.clone(), Some(contract.clone()))
        .expect("the test app failed to start");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        clock,
        contract,
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        database,
        _scratch: dir,
    }
}

/// A clock whose date a test sets; until then, the system's date.
#[derive(Debug, Default)]
pub struct TestClock {
    today: Mutex<Option<NaiveDate>>,
}

impl TestClock {
    pub fn set(&self, day: &str) {
        *self.today.lock().unwrap() = Some(day.parse().expect("a date such as 2026-01-15"));
    }
}

impl Clock for TestClock {
    fn today(&self) -> NaiveDate {
        self.today
            .lock()
            .unwrap()
            .unwrap_or_else(|| SystemClock.today())
    }
}

/// The backend the tests run on, from `TEST_DATABASE_URL`.
pub fn expected_backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(_) => Backend::Postgres,
        Err(_) => Backend::Sqlite,
    }
}

/// A test's database, removed with it: a SQLite file's temp dir, or a
/// database made on the PostgreSQL server (dropped, whoever is still
/// connected, so that test runs do not leave one behind each).
pub enum Scratch {
    Dir { _dir: TempDir },
    Postgres { admin_url: String, name: String },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// A new empty database: a SQLite file in a temp dir, or, with
/// `TEST_DATABASE_URL=postgres://…/postgres`, a new database on that server.
pub fn fresh_database() -> (DatabaseUrl, Option<Scratch>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) => {
            let (url, name) = fresh_postgres_database(&admin_url);
            (url, Some(Scratch::Postgres { admin_url, name }))
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("gef.db");
            (
                DatabaseUrl::Sqlite { path },
                Some(Scratch::Dir { _dir: dir }),
            )
        }
    }
}

fn fresh_postgres_database(admin_url: &str) -> (DatabaseUrl, String) {
    let name = format!("gef_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(admin_url).expect("TEST_DATABASE_URL does not answer");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("CREATE DATABASE");
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    let url = DatabaseUrl::parse(&format!("{prefix}/{name}{query}")).expect("test database url");
    (url, name)
}

/// Asserts an RFC 9457 problem with this status and code, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["type"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    body
}

/// A valid Technology and Innovation commitment.
pub fn commitment_body(title: &str) -> Value {
    json!({
        "coalition": "technology-innovation",
        "action_areas": [4, 1],
        "title": title,
        "description": "Weekly coding clubs in 40 secondary schools.",
        "types": ["programmatic", "financial"],
        "pledge": {"amount": "250000.00", "currency": "EUR", "amount_usd": "270000.00"},
        "countries": ["LA", "KH"],
        "regions": ["Asia and the Pacific"],
        "start_year": 2022,
        "end_year": 2025,
        "partners": ["Ministry of Education"],
        "target_groups": ["Adolescent girls"],
        "indicators": [{"name": "Girls trained", "unit": "people", "baseline": 0, "target": 10000}]
    })
}

/// An organization whose interest in `coalition` was accepted by its lead.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub organization: String,
    pub maker: Caller,
    pub lead: Caller,
}

impl TestApp {
    /// Registers `name`, has its maker express interest in `coalition`, and a
    /// lead of that coalition (created as `lead_email` unless it exists) accept.
    pub async fn accepted(&self, name: &str, coalition: &str, lead: Option<&Caller>) -> Accepted {
        let slug = name.to_lowercase().replace(' ', "-");
        let (organization, maker) = self
            .register(name, &format!("maker@{slug}.example.org"))
            .await;
        let lead = match lead {
            Some(lead) => lead.clone(),
            None => {
                self.signed_in(
                    &format!("lead@{slug}.example.org"),
                    Role::CoalitionLead,
                    None,
                    &[coalition],
                )
                .await
            }
        };
        let response = self
            .request(
                reqwest::Method::POST,
                "/api/v1/expressions-of-interest",
                Some(&maker),
            )
            .json(&json!({"coalition": coalition, "motivation": "We want to help."}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/expressions-of-interest/{id}/decision"),
                Some(&lead),
            )
            .json(&json!({"decision": "accept"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        Accepted {
            organization,
            maker,
            lead,
        }
    }

    /// Creates a commitment as `maker`; returns its body.
    pub async fn create_commitment(&self, maker: &Caller, body: &Value) -> Value {
        let response = self
            .request(reqwest::Method::POST, "/api/v1/commitments", Some(maker))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        response.json().await.unwrap()
    }

    /// POSTs `path` with If-Match `version` and `body` as `caller`.
    pub async fn act(
        &self,
        caller: &Caller,
        path: &str,
        version: &Value,
        body: Value,
    ) -> reqwest::Response {
        self.request(reqwest::Method::POST, path, Some(caller))
            .header("If-Match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

/// Where a test wants a commitment to stand; `WithdrawnDraft` was never submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    Rejected,
    CompletionClaimed,
    Completed,
    Withdrawn,
    WithdrawnDraft,
}

impl TestApp {
    /// A commitment of `org` walked over HTTP to `stage`, as its maker and
    /// lead would; returns its latest body.
    pub async fn commitment_in(&self, org: &Accepted, stage: Stage, title: &str) -> Value {
        let mut body = commitment_body(title);
        body["coalition"] = json!(self.coalition_of(org).await);
        self.commitment_from(org, stage, &body).await
    }

    /// A commitment of `body` walked over HTTP to `stage` (a completed report
    /// on 2025 claims completion).
    pub async fn commitment_from(&self, org: &Accepted, stage: Stage, body: &Value) -> Value {
        let mut c = self.create_commitment(&org.maker, body).await;
        let path = format!("/api/v1/commitments/{}", c["id"].as_str().unwrap());
        let moves: &[(&str, Value)] = match stage {
            Stage::Draft => &[],
            Stage::WithdrawnDraft => &[("withdraw", json!({"reason": "Changed our plans"}))],
            Stage::Submitted => &[("submit", json!({}))],
            Stage::ChangesRequested => &[
                ("submit", json!({})),
                ("request_changes", json!("Add a baseline")),
            ],
            Stage::Approved | Stage::CompletionClaimed | Stage::Completed => {
                &[("submit", json!({})), ("approve", json!("Fine"))]
            }
            Stage::Rejected => &[("submit", json!({})), ("reject", json!("Out of scope"))],
            Stage::Withdrawn => &[
                ("submit", json!({})),
                ("withdraw", json!({"reason": "Changed our plans"})),
            ],
        };
        for (step, payload) in moves {
            let (caller, url, body) = match *step {
                "submit" | "withdraw" => (&org.maker, format!("{path}/{step}"), payload.clone()),
                decision => (
                    &org.lead,
                    format!("{path}/reviews"),
                    json!({"decision": decision, "comment": payload}),
                ),
            };
            let response = self.act(caller, &url, &c["version"], body).await;
            assert_eq!(response.status().as_u16(), 200, "{step} to reach {stage:?}");
            c = response.json().await.unwrap();
        }
        if matches!(stage, Stage::CompletionClaimed | Stage::Completed) {
            // A report saying "completed" claims completion.
            self.open_cycle_today(2025).await;
            let response = self
                .request(
                    reqwest::Method::PUT,
                    &format!("{path}/progress/2025"),
                    Some(&org.maker),
                )
                .json(&completed_report())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 201, "a completed report");
            c = self.read_commitment(&org.maker, &path).await;
            assert_eq!(c["status"], "completion_claimed");
        }
        if stage == Stage::Completed {
            let response = self
                .act(
                    &org.lead,
                    &format!("{path}/reviews"),
                    &c["version"],
                    json!({"decision": "verify_completion"}),
                )
                .await;
            assert_eq!(response.status().as_u16(), 200);
            c = response.json().await.unwrap();
        }
        c
    }

    /// Opens the reporting cycle of `year`, for today (by the clock) and
    /// long after, as `gef-commitments cycle open` does, unless one exists.
    pub async fn open_cycle_today(&self, year: i32) {
        let today = self.clock.today();
        let cycle = gef_commitments::app::progress::NewCycle {
            year,
            opens_on: NaiveDate::from_ymd_opt(year, 1, 1).unwrap().max(today),
            closes_on: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        };
        match gef_commitments::app::progress::open_cycle(&self.db, cycle).await {
            Ok(_) | Err(gef_commitments::app::AppError::Conflict { .. }) => {}
            Err(other) => panic!("opening the {year} cycle: {other}"),
        }
    }

    async fn coalition_of(&self, org: &Accepted) -> String {
        let response = self
            .request(
                reqwest::Method::GET,
                &format!(
                    "/api/v1/expressions-of-interest?organization={}",
                    org.organization
                ),
                Some(&org.maker),
            )
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        body["items"][0]["coalition"].as_str().unwrap().to_owned()
    }

    async fn read_commitment(&self, caller: &Caller, path: &str) -> Value {
        let response = self
            .request(reqwest::Method::GET, path, Some(caller))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json().await.unwrap()
    }

    /// A client whose requests come from `ip` (any 127.0.0.0/8 address
    /// reaches the loopback server): another machine, as the server sees it.
    pub fn client_from(&self, ip: &str) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap()
    }
}

/// Sends all the requests at once and waits for every answer.
pub async fn all_at_once(requests: impl Iterator<Item = reqwest::RequestBuilder>) -> Vec<u16> {
    let handles: Vec<_> = requests.map(|r| actix_web::rt::spawn(r.send())).collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap().unwrap().status().as_u16());
    }
    statuses
}

/// A report that says the commitment is complete.
pub fn completed_report() -> Value {
    json!({
        "status": "completed",
        "percent_complete": 100,
        "narrative": "Every club ran; the last cohort graduated.",
        "indicators": [{"name": "Girls trained", "actual": 10000}]
    })
}

/// The service binary running in a process of its own.
pub struct Running {
    pub child: std::process::Child,
    pub address: String,
    /// Every line the process wrote to standard output so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// The process's peak resident memory so far, in KiB (`VmHWM`).
    pub fn peak_memory_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

/// Starts `gef-commitments serve` in `dir` with `vars` (and no other
/// DATABASE_URL, GEF_BIND or CORS setting than given), on a free port; waits
/// for the line that says where it listens.
pub fn start_binary(dir: &std::path::Path, vars: &[(&str, &str)]) -> Running {
    use std::io::{BufRead, BufReader};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gef-commitments"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("GEF_CORS_ORIGINS")
        .env("GEF_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let lines = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line.clone());
            if let Some(at) = line.find("listening on http://") {
                // A text line, or a JSON one (GEF_LOG_FORMAT=json).
                let address = line[at + "listening on ".len()..]
                    .split(|c: char| c.is_whitespace() || c == '"')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let _ = sender.send(address);
            }
        }
    });
    let address = receiver
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the service never said where it listens");
    Running {
        child,
        address,
        log,
    }
}

/// A resource's own tag in an `ETag` (`"7-green"` in `"7-green-1a2b…"`):
/// the digest of the body that the server adds after it left out.
pub fn own_tag(etag: &str) -> String {
    match etag.trim_end_matches('"').rsplit_once('-') {
        Some((own, digest))
            if digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            format!("{own}\"")
        }
        _ => etag.to_owned(),
    }
}
