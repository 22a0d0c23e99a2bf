use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use gef_commitments::config::{DatabaseUrl, Settings};
use gef_commitments::db::{Backend, Db};
use gef_commitments::startup::Application;
use serde_json::Value;
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// Keeps the SQLite folder alive as long as the app.
    pub _dir: Option<TempDir>,
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
}

/// Starts the service on a random port with a database of its own.
pub async fn spawn_app() -> TestApp {
    let (database, dir) = fresh_database();
    spawn_app_on(database, dir).await
}

pub async fn spawn_app_on(database: DatabaseUrl, dir: Option<TempDir>) -> TestApp {
    let settings = Settings {
        database,
        bind: "127.0.0.1:0".into(),
        cors_origins: vec!["https://dashboard.example.org".into()],
    };
    let app = Application::build(&settings).expect("the test app failed to start");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        _dir: dir,
    }
}

/// The backend the tests run on, from `TEST_DATABASE_URL`.
pub fn expected_backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(_) => Backend::Postgres,
        Err(_) => Backend::Sqlite,
    }
}

/// A new empty database: a SQLite file in a temp dir, or, with
/// `TEST_DATABASE_URL=postgres://…/postgres`, a new database on that server.
pub fn fresh_database() -> (DatabaseUrl, Option<TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) => (fresh_postgres_database(&admin_url), None),
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("gef.db");
            (DatabaseUrl::Sqlite { path }, Some(dir))
        }
    }
}

fn fresh_postgres_database(admin_url: &str) -> DatabaseUrl {
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
    DatabaseUrl::parse(&format!("{prefix}/{name}{query}")).expect("test database url")
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
