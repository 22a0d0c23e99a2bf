//! The means of performance, checked for correctness (their speed is for
//! `bench/`): synthetic data at scale, and the read cache's freshness, on
//! one instance and across two instances on one database.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use gef_commitments::app::{Clock, stats, synthetic};
use gef_commitments::db::cache::FRESH_FOR;
use serde_json::{Value, json};

use crate::helpers::{Stage, spawn_app, spawn_app_on};

fn options(count: u64, seed: u64, append: bool) -> synthetic::Options {
    synthetic::Options {
        count,
        seed,
        append,
    }
}

fn quiet() -> Arc<dyn Fn(u64) + Send + Sync> {
    Arc::new(|_| {})
}

async fn json_of(app: &crate::helpers::TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

#[actix_web::test]
async fn synthetic_data_is_whole_counted_and_the_same_for_the_same_seed() {
    let app = spawn_app().await;
    let today = app.clock.today();
    let made = synthetic::seed(&app.db, today, options(1200, 5, false), quiet())
        .await
        .expect("seeded");
    assert_eq!(made.commitments, 1200);
    assert_eq!(app.count("commitments").await, 1200);
    // The figures' counters are those a recount gives.
    assert!(
        stats::verify(&app.db).await.unwrap(),
        "counters equal a recount"
    );
    // Every state, most of them public, every coalition and constituency.
    let summary = json_of(&app, "/api/v1/stats/summary").await;
    let public = summary["commitments"]["total"].as_i64().unwrap();
    assert!(public > 900 && public < 1200, "most are public: {public}");
    let by_coalition = json_of(&app, "/api/v1/stats/breakdown?by=coalition").await;
    assert_eq!(by_coalition["rows"].as_array().unwrap().len(), 7);
    let by_constituency = json_of(&app, "/api/v1/stats/breakdown?by=constituency").await;
    assert_eq!(by_constituency["rows"].as_array().unwrap().len(), 11);
    for colour in ["green", "amber", "red"] {
        assert!(
            summary["reporting_health"][colour].as_i64().unwrap() > 0,
            "{summary}"
        );
    }
    // Its makers sign in with the password it printed, and may write.
    let token = app
        .sign_in(&made.maker_email.replace("{i}", "3"), &made.password)
        .await;
    assert!(!token.is_empty());

    // The same seed gives the same commitments (but for ids and times).
    let other = spawn_app().await;
    synthetic::seed(&other.db, today, options(1200, 5, false), quiet())
        .await
        .unwrap();
    let by_country = "/api/v1/stats/breakdown?by=country";
    assert_eq!(
        json_of(&app, by_country).await["rows"],
        json_of(&other, by_country).await["rows"]
    );
    let page = "/api/v1/commitments?limit=50&coalition=climate-justice";
    let shown = |page: Value| -> Vec<(Value, Value, Value)> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["reference"].clone(),
                    c["title"].clone(),
                    c["pledge"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        shown(json_of(&app, page).await),
        shown(json_of(&other, page).await)
    );

    // A database that holds commitments is refused, unless appending.
    let refused = synthetic::seed(&app.db, today, options(10, 6, false), quiet()).await;
    let message = refused.expect_err("refused").to_string();
    assert!(
        message.contains("1200 commitments") && message.contains("--append"),
        "{message}"
    );
    assert_eq!(app.count("commitments").await, 1200);
    synthetic::seed(&app.db, today, options(300, 6, true), quiet())
        .await
        .expect("appended");
    assert_eq!(app.count("commitments").await, 1500);
    assert!(
        stats::verify(&app.db).await.unwrap(),
        "still equal a recount"
    );
    // Another instance starting on this database reads the facts with two
    // connections, over halves of the ids: the index one connection reads.
    let reopened = gef_commitments::db::Db::connect(&app.database).expect("opens");
    // (Never-submitted drafts are left out of the index.)
    let submitted = app
        .count("commitments WHERE submitted_at IS NOT NULL")
        .await;
    assert!(submitted > 1000, "{submitted}");
    assert_eq!(reopened.figures().read().len(), submitted as u64);
    assert!(
        stats::verify(&reopened).await.unwrap(),
        "two readers read what one does"
    );
    let references: BTreeSet<String> = {
        let page = json_of(&app, "/api/v1/commitments?limit=200").await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(references.len(), 200, "references stay unique");
}

#[actix_web::test]
async fn a_change_shows_at_once_on_the_instance_that_made_it() {
    let app = spawn_app().await;
    let org = app
        .accepted("Fresh Org", "technology-innovation", None)
        .await;
    let approved = app
        .commitment_in(&org, Stage::Approved, "Cached commitment")
        .await;
    let id = approved["id"].as_str().unwrap();
    let path = format!("/api/v1/commitments/{id}");
    let list = "/api/v1/commitments?coalition=technology-innovation";
    // Read twice: the second comes from the cache.
    for _ in 0..2 {
        assert_eq!(
            json_of(&app, &path).await["organization"]["name"],
            "Fresh Org"
        );
        assert_eq!(json_of(&app, list).await["items"][0]["id"], json!(id));
    }
    // A change of the organization's name shows in the commitment at once.
    let response = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/organizations/{}", org.organization),
            Some(&org.maker),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "Renamed Org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
    assert_eq!(
        json_of(&app, &path).await["organization"]["name"],
        "Renamed Org"
    );
    assert_eq!(
        json_of(&app, list).await["items"][0]["organization"]["name"],
        "Renamed Org"
    );
    // Withdrawing it hides it at once, alone and in the list.
    let current = json_of(&app, &path).await;
    let response = app
        .act(
            &org.maker,
            &format!("{path}/withdraw"),
            &current["version"],
            json!({"reason": "Ended"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.get(&path).await.status().as_u16(), 404);
    assert!(
        json_of(&app, list).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn another_instance_sees_a_change_within_the_staleness_bound() {
    let first = spawn_app().await;
    let org = first
        .accepted("Two Instances", "climate-justice", None)
        .await;
    let approved = first
        .commitment_in(&org, Stage::Approved, "Seen by two")
        .await;
    let id = approved["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/commitments/{id}");
    // A second instance on the same database reads it, and keeps it.
    let second = spawn_app_on(first.database.clone(), None).await;
    assert_eq!(second.get(&path).await.status().as_u16(), 200);
    // The first withdraws it: gone there at once.
    let response = first
        .act(
            &org.maker,
            &format!("{path}/withdraw"),
            &approved["version"],
            json!({"reason": "Ended"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(first.get(&path).await.status().as_u16(), 404);
    // The second may show it for at most FRESH_FOR, then no more.
    actix_web::rt::time::sleep(FRESH_FOR + Duration::from_millis(300)).await;
    assert_eq!(
        second.get(&path).await.status().as_u16(),
        404,
        "stale past the bound"
    );
}
