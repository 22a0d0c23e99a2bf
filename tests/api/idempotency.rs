//! `Idempotency-Key` on every creating POST: a retry gets the first answer
//! and creates nothing; the same key with another body is a 422; keys are
//! per caller (per address for anonymous callers), never hold a password,
//! and expire after `RETENTION`.

use gef_commitments::app::idempotency::{RETENTION, sweep};
use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Caller, PASSWORD, TestApp, assert_problem, spawn_app};

/// Sends `body` to `path` as `caller` under `key`, twice, and checks the
/// second answer is the first, replayed; then the key with `other` is a 422.
/// Answers the first answer's body.
async fn replays(
    app: &TestApp,
    caller: Option<&Caller>,
    path: &str,
    key: &str,
    body: &Value,
    other: &Value,
) -> Value {
    let send = |body: &Value| {
        app.request(Method::POST, path, caller)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
    };
    let first = send(body).await.unwrap();
    assert_eq!(first.status().as_u16(), 201, "{path}");
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let (location, etag) = (
        first.headers()["location"].clone(),
        first.headers()["etag"].clone(),
    );
    let first: Value = first.json().await.unwrap();
    let again = send(body).await.unwrap();
    assert_eq!(again.status().as_u16(), 201, "{path}");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_problem(send(other).await.unwrap(), 422, "validation_failed").await;
    first
}

#[actix_web::test]
async fn every_creating_post_replays_its_first_answer() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;

    // Registration (anonymous: keyed per address).
    let registration = |name: &str, email: &str| {
        json!({
            "organization": {"name": name, "constituency": "civil_society", "country": "KH"},
            "account": {"email": email, "password": PASSWORD, "display_name": name}
        })
    };
    let organizations = app.count("organizations").await;
    let registered = replays(
        &app,
        None,
        "/api/v1/organizations",
        "register-1",
        &registration("Key Holders", "maker@keyholders.example.org"),
        &registration("Key Holders Two", "maker@two.example.org"),
    )
    .await;
    assert_eq!(app.count("organizations").await, organizations + 1);

    // An account, by an admin.
    let users = app.count("users").await;
    let user = |email: &str| {
        json!({"email": email, "password": PASSWORD, "display_name": "Viewer",
               "role": "viewer"})
    };
    replays(
        &app,
        Some(&admin),
        "/api/v1/users",
        "user-1",
        &user("viewer@example.org"),
        &user("another@example.org"),
    )
    .await;
    assert_eq!(app.count("users").await, users + 1);

    // A reporting cycle.
    let cycle = |closes: &str| json!({"year": 2024, "opens_on": "2025-01-15", "closes_on": closes});
    replays(
        &app,
        Some(&admin),
        "/api/v1/reporting-cycles",
        "cycle-1",
        &cycle("2025-03-31"),
        &cycle("2025-04-30"),
    )
    .await;
    assert_eq!(app.count("reporting_cycles").await, 1);

    // An expression of interest, by the registered maker.
    let maker = Caller {
        id: registered["account"]["id"].as_str().unwrap().to_owned(),
        token: app.sign_in("maker@keyholders.example.org", PASSWORD).await,
    };
    let expression =
        |motivation: &str| json!({"coalition": "climate-justice", "motivation": motivation});
    let expressed = replays(
        &app,
        Some(&maker),
        "/api/v1/expressions-of-interest",
        "interest-1",
        &expression("We plant mangroves."),
        &expression("Something else."),
    )
    .await;
    assert_eq!(app.count("expressions_of_interest").await, 1);
    assert_eq!(expressed["coalition"], "climate-justice");

    // Keys are the caller's own: another caller's same key is a new request.
    let other = app
        .signed_in("admin2@example.org", Role::Admin, None, &[])
        .await;
    let theirs = app
        .request(Method::POST, "/api/v1/users", Some(&other))
        .header("Idempotency-Key", "user-1")
        .json(&user("third@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status().as_u16(), 201);
    assert!(!theirs.headers().contains_key("idempotent-replayed"));
}

#[actix_web::test]
async fn a_password_is_never_part_of_what_is_kept() {
    let app = spawn_app().await;
    let body = |password: &str| {
        json!({
            "organization": {"name": "Secret Keepers", "constituency": "youth_led", "country": "KH"},
            "account": {"email": "maker@secret.example.org", "password": password,
                        "display_name": "Maker"}
        })
    };
    let send = |body: Value| {
        app.client
            .post(app.url("/api/v1/organizations"))
            .header("Idempotency-Key", "secret-1")
            .json(&body)
            .send()
    };
    assert_eq!(
        send(body("A first password 1"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        201
    );
    // Another password, the rest the same: the same request (the password
    // is left out of the fingerprint), so the first answer again.
    let again = send(body("Another password 2")).await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let kept = kept_rows(&app).await;
    assert_eq!(kept.len(), 1);
    for secret in ["A first password 1", "Another password 2"] {
        assert!(!kept[0].contains(secret), "{}", kept[0]);
    }
}

/// Makes every kept answer `hours` old.
async fn age_every_key(app: &TestApp, hours: i64) {
    app.db
        .run(move |conn| -> Result<usize, gef_commitments::db::DbError> {
            use diesel::RunQueryDsl;
            let older = gef_commitments::db::now() - chrono::Duration::hours(hours);
            Ok(
                diesel::sql_query("UPDATE idempotency_keys SET created_at = $1")
                    .bind::<diesel::sql_types::Timestamp, _>(older)
                    .execute(conn)?,
            )
        })
        .await
        .unwrap();
}

/// Every kept row, its columns joined.
async fn kept_rows(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::Text)]
        row: String,
    }
    app.db
        .run(
            |conn| -> Result<Vec<String>, gef_commitments::db::DbError> {
                use diesel::RunQueryDsl;
                let rows: Vec<Kept> = diesel::sql_query(
                    "SELECT owner || ' ' || idempotency_key || ' ' || request_path || ' ' || \
                 request_hash || ' ' || response_headers || ' ' || response_body AS row \
                 FROM idempotency_keys",
                )
                .load(conn)?;
                Ok(rows.into_iter().map(|k| k.row).collect())
            },
        )
        .await
        .unwrap()
}

#[actix_web::test]
async fn keys_expire_after_the_retention_and_are_swept() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let send = |closes: &str, year: i32| {
        app.request(Method::POST, "/api/v1/reporting-cycles", Some(&admin))
            .header("Idempotency-Key", "cycle-key")
            .json(&json!({"year": year, "opens_on": "2025-01-15", "closes_on": closes}))
            .send()
    };
    assert_eq!(
        send("2025-03-31", 2024).await.unwrap().status().as_u16(),
        201
    );
    // Make the kept answer older than the retention.
    let hours = RETENTION.num_hours() + 1;
    age_every_key(&app, hours).await;
    // The key is free again: another body under it is a new request.
    let fresh = send("2025-03-31", 2025).await.unwrap();
    assert_eq!(fresh.status().as_u16(), 201);
    assert!(!fresh.headers().contains_key("idempotent-replayed"));
    assert_eq!(app.count("reporting_cycles").await, 2);
    // The sweep deletes what is past the retention, and only that.
    age_every_key(&app, hours).await;
    app.request(Method::POST, "/api/v1/users", Some(&admin))
        .header("Idempotency-Key", "recent-key")
        .json(&json!({"email": "recent@example.org", "password": PASSWORD,
                      "display_name": "Recent", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(app.count("idempotency_keys").await, 2);
    assert_eq!(sweep(&app.db).await.unwrap(), 1);
    assert_eq!(app.count("idempotency_keys").await, 1);
}

#[actix_web::test]
async fn a_retried_review_gets_its_first_answer_not_a_refusal() {
    let app = spawn_app().await;
    let org = app
        .accepted("Reviewed Twice", "technology-innovation", None)
        .await;
    let submitted = app
        .commitment_in(&org, crate::helpers::Stage::Submitted, "Reviewed once")
        .await;
    let path = format!(
        "/api/v1/commitments/{}/reviews",
        submitted["id"].as_str().unwrap()
    );
    let version = submitted["version"].as_i64().unwrap();
    let review = |key: Option<&str>| {
        let mut request = app
            .request(Method::POST, &path, Some(&org.lead))
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({"decision": "approve"}));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    let first = review(Some("review-1")).await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let etag = first.headers()["etag"].clone();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "approved");
    let again = review(Some("review-1")).await.unwrap();
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    // One review was recorded; without the key the retry is refused, as an
    // approval of an approved commitment (the state is judged before If-Match).
    assert_eq!(app.count("reviews").await, 1);
    assert_problem(review(None).await.unwrap(), 409, "invalid_transition").await;
    assert_eq!(app.count("reviews").await, 1);
}
