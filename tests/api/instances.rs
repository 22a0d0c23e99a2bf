//! Several instances on one database (PostgreSQL in production; the same
//! rules hold for two processes on one SQLite file): reads agree, optimistic
//! concurrency and idempotency keys hold across them, each one's figures
//! show the others' writes within seconds, and instances
//! starting together migrate once.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, commitment_body, fresh_database, spawn_app, spawn_app_on};

async fn two_instances() -> (TestApp, TestApp) {
    let first = spawn_app().await;
    let second = spawn_app_on(first.database.clone(), None).await;
    (first, second)
}

/// Sends every request at once and answers the statuses, in order.
async fn statuses(requests: Vec<reqwest::RequestBuilder>) -> Vec<u16> {
    crate::helpers::all_at_once(requests.into_iter()).await
}

#[actix_web::test]
async fn racing_edits_through_two_instances_give_one_success() {
    let (a, b) = two_instances().await;
    let org = a
        .accepted("Twin Servers", "technology-innovation", None)
        .await;
    let created = a
        .create_commitment(&org.maker, &commitment_body("Raced twice"))
        .await;
    let path = format!("/api/v1/commitments/{}", created["id"].as_str().unwrap());
    // Both instances read the same commitment.
    let read = |app: &TestApp| app.request(Method::GET, &path, Some(&org.maker)).send();
    let from_a: Value = read(&a).await.unwrap().json().await.unwrap();
    let from_b: Value = read(&b).await.unwrap().json().await.unwrap();
    assert_eq!(from_a, from_b);
    let requests = (0..12)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            app.request(Method::PATCH, &path, Some(&org.maker))
                .header("If-Match", "\"1\"")
                .json(&json!({"title": format!("Edit number {i}")}))
        })
        .collect();
    let answers = statuses(requests).await;
    assert_eq!(
        answers.iter().filter(|s| **s == 200).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 412).count(),
        11,
        "{answers:?}"
    );
    // Each instance reads the one edit that won, at version 2.
    for app in [&a, &b] {
        let now: Value = read(app).await.unwrap().json().await.unwrap();
        assert_eq!(now["version"], 2);
        let winner = answers.iter().position(|s| *s == 200).unwrap();
        assert_eq!(now["title"], format!("Edit number {winner}"));
    }
}

#[actix_web::test]
async fn one_idempotency_key_through_two_instances_creates_once() {
    let (a, b) = two_instances().await;
    let org = a.accepted("Twin Keys", "technology-innovation", None).await;
    let requests = (0..8)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            app.request(Method::POST, "/api/v1/commitments", Some(&org.maker))
                .header("Idempotency-Key", "twin-key-1")
                .json(&commitment_body("Created once"))
        })
        .collect();
    assert_eq!(statuses(requests).await, [201; 8]);
    assert_eq!(a.count("commitments").await, 1);
    // The same key with another body is refused by either instance.
    for app in [&a, &b] {
        let other = app
            .request(Method::POST, "/api/v1/commitments", Some(&org.maker))
            .header("Idempotency-Key", "twin-key-1")
            .json(&commitment_body("Another body"))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status().as_u16(), 422);
    }
    assert_eq!(b.count("commitments").await, 1);
}

#[actix_web::test]
async fn instances_starting_together_migrate_once() {
    let (database, _dir) = fresh_database();
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let database = database.clone();
            std::thread::spawn(move || gef_commitments::startup::open_database(&database))
        })
        .collect();
    for start in starts {
        let started = start.join().unwrap();
        assert!(
            started.is_ok(),
            "an instance failed to start: {:?}",
            started.err()
        );
    }
    let app = spawn_app_on(database, None).await;
    let body: Value = app.get("/api/v1/coalitions").await.json().await.unwrap();
    assert_eq!(
        body["items"].as_array().unwrap().len(),
        7,
        "reference data once"
    );
}

#[actix_web::test]
async fn a_review_retried_while_the_first_runs_gets_the_first_answer() {
    let (a, b) = two_instances().await;
    for round in 0..3 {
        let org = a
            .accepted(
                &format!("Twin Review {round}"),
                "technology-innovation",
                None,
            )
            .await;
        let submitted = a
            .commitment_in(&org, crate::helpers::Stage::Submitted, "Reviewed once")
            .await;
        let path = format!(
            "/api/v1/commitments/{}/reviews",
            submitted["id"].as_str().unwrap()
        );
        let requests: Vec<reqwest::RequestBuilder> = (0..6)
            .map(|i| {
                let app = if i % 2 == 0 { &a } else { &b };
                app.request(Method::POST, &path, Some(&org.lead))
                    .header("Idempotency-Key", format!("review-{round}"))
                    .header("If-Match", format!("\"{}\"", submitted["version"]))
                    .json(&json!({"decision": "approve", "comment": "Fine"}))
            })
            .collect();
        let handles: Vec<_> = requests
            .into_iter()
            .map(|r: reqwest::RequestBuilder| actix_web::rt::spawn(r.send()))
            .collect();
        let mut answers = Vec::new();
        for handle in handles {
            let answer = handle.await.unwrap().unwrap();
            answers.push((answer.status().as_u16(), answer.text().await.unwrap()));
        }
        let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
        assert_eq!(statuses, [200; 6], "round {round}: {answers:?}");
        let reviews: Value = a
            .request(Method::GET, &path, Some(&org.lead))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            reviews["items"].as_array().unwrap().len(),
            1,
            "reviewed once"
        );
    }
}

/// The public figures `app` answers for `filter`: total commitments.
async fn public_total(app: &TestApp, filter: &str) -> i64 {
    let summary: Value = app
        .get(&format!("/api/v1/stats/summary?{filter}"))
        .await
        .json()
        .await
        .unwrap();
    summary["commitments"]["total"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_write_through_one_instance_shows_in_the_others_figures_within_seconds() {
    let (a, b) = two_instances().await;
    assert_eq!(public_total(&b, "country=KH").await, 0);
    let org = a
        .accepted("Twin Counters", "technology-innovation", None)
        .await;
    a.commitment_in(&org, crate::helpers::Stage::Approved, "Counted twice")
        .await;
    // The instance that wrote shows it at once.
    assert_eq!(public_total(&a, "country=KH").await, 1);
    // The other never wrote: it sees the write by following the database.
    let began = std::time::Instant::now();
    while public_total(&b, "country=KH").await != 1 {
        assert!(
            began.elapsed() < std::time::Duration::from_secs(5),
            "the other instance's figures never showed the write"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(public_total(&b, "").await, 1);
}
