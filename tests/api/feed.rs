//! The public change feed: public events only, in commit order, resumable
//! without gaps or repeats while many writers commit at once.

use std::sync::mpsc;
use std::time::Duration;

use diesel::Connection;
use gef_commitments::db::ConnectionManager;
use gef_commitments::db::events::{NewEvent, insert_events};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Stage, TestApp, all_at_once, spawn_app};

async fn read(app: &TestApp, after: Option<&str>, limit: u32) -> Value {
    let url = match after {
        Some(cursor) => format!("/api/v1/events?limit={limit}&after={cursor}"),
        None => format!("/api/v1/events?limit={limit}"),
    };
    let response = app.get(&url).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_feed_tells_what_happens_to_public_commitments_only() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    assert_eq!(read(&app, None, 50).await["items"], json!([]));
    app.commitment_in(&ti, Stage::Draft, "A draft").await;
    app.commitment_in(&ti, Stage::Rejected, "Rejected").await;
    app.commitment_in(&ti, Stage::ChangesRequested, "Sent back")
        .await;
    app.commitment_in(&ti, Stage::WithdrawnDraft, "Never sent")
        .await;
    let approved = app.commitment_in(&ti, Stage::Approved, "Approved").await;
    let path = format!("/api/v1/commitments/{}", approved["id"].as_str().unwrap());
    app.open_cycle_today(2025).await;
    let response = app
        .request(
            Method::PUT,
            &format!("{path}/progress/2025"),
            Some(&ti.maker),
        )
        .json(&json!({"status": "in_progress", "percent_complete": 10, "narrative": "Started."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let response = app
        .request(
            Method::POST,
            &format!("{path}/progress/2025/validation"),
            Some(&ti.lead),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"decision": "query", "note": "Which schools, Sokha?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let withdrawn = app
        .act(
            &ti.maker,
            &format!("{path}/withdraw"),
            &approved["version"],
            json!({"reason": "Funding lost"}),
        )
        .await;
    assert_eq!(withdrawn.status().as_u16(), 200);
    app.commitment_in(&ti, Stage::Completed, "Completed").await;

    let page = read(&app, None, 50).await;
    assert_eq!(
        actions(&page),
        [
            ("commitment", "approve"),
            ("progress_report", "file_report"),
            ("commitment", "withdraw"),
            ("commitment", "approve"),
            ("progress_report", "file_report"),
            ("commitment", "claim_completion"),
            ("commitment", "verify_completion"),
        ]
        .map(|(s, a)| (s.to_owned(), a.to_owned()))
    );
    let text = page.to_string();
    for private in [
        "Funding lost",
        "Which schools",
        "Sokha",
        "maker@",
        "actor",
        "reason",
    ] {
        assert!(
            !text.contains(private),
            "the feed shows {private:?}: {text}"
        );
    }
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // Read on from the cursor: nothing new, and the cursor stays to poll with.
    let next = page["next_cursor"].as_str().unwrap();
    let later = read(&app, Some(next), 50).await;
    assert_eq!(
        (later["items"].clone(), later["next_cursor"].as_str()),
        (json!([]), Some(next))
    );
    // Small pages walk the same events.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = read(&app, cursor.as_deref(), 2).await;
        walked.extend(actions(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if !page["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(walked, actions(&read(&app, None, 50).await));
    let forged = app
        .get("/api/v1/events?after=MTA.AAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(forged.status().as_u16(), 400);
}

#[actix_web::test]
async fn a_reader_resuming_while_many_writers_commit_sees_every_event_once() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let mut submitted = Vec::new();
    for i in 0..24 {
        submitted.push(
            app.commitment_in(&ti, Stage::Submitted, &format!("Sent {i}"))
                .await,
        );
    }
    // A reader polls from its cursor while every approval runs at once.
    let reader = {
        let address = app.address.clone();
        actix_web::rt::spawn(async move {
            let client = reqwest::Client::new();
            let mut seen: Vec<i64> = Vec::new();
            let mut cursor: Option<String> = None;
            while seen.len() < 24 {
                let url = match &cursor {
                    Some(c) => format!("{address}/api/v1/events?limit=3&after={c}"),
                    None => format!("{address}/api/v1/events?limit=3"),
                };
                let page: Value = client.get(url).send().await.unwrap().json().await.unwrap();
                seen.extend(
                    page["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["id"].as_i64().unwrap()),
                );
                cursor = page["next_cursor"].as_str().map(str::to_owned);
            }
            seen
        })
    };
    let statuses = all_at_once(submitted.iter().map(|c| {
        app.request(
            Method::POST,
            &format!("/api/v1/commitments/{}/reviews", c["id"].as_str().unwrap()),
            Some(&ti.lead),
        )
        .header("If-Match", format!("\"{}\"", c["version"]))
        .json(&json!({"decision": "approve"}))
    }))
    .await;
    assert_eq!(statuses, [200; 24]);
    let seen = actix_web::rt::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("the reader saw every approval")
        .unwrap();
    let all: Vec<i64> = read(&app, None, 200).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, all, "every event once, in order, no gap");
}

/// One public event of `organization`, about `subject`, in coalition T&I.
fn event(organization: &str, subject: &str) -> NewEvent {
    NewEvent {
        subject_type: "commitment".into(),
        subject_id: subject.into(),
        commitment_id: None,
        coalition_slug: "technology-innovation".into(),
        organization_id: organization.into(),
        actor_id: None,
        action: "test".into(),
        from_status: None,
        to_status: None,
        reason: None,
        is_public: true,
        created_at: gef_commitments::db::now(),
    }
}

const FIRST: &str = "00000000-0000-4000-8000-000000000001";
const SECOND: &str = "00000000-0000-4000-8000-000000000002";

/// The subjects of the test events of a page of the feed.
fn subjects(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "test")
        .map(|e| e["subject_id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn an_event_that_commits_late_is_read_late_never_skipped_and_no_writer_waits() {
    let app = spawn_app().await;
    let (organization, _) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let manager = ConnectionManager::new(app.database.clone());
    // The first writer inserts an event and holds its transaction open.
    let (inserted, holding) = (mpsc::channel::<()>(), mpsc::channel::<()>());
    let (first_inserted, first_waits) = (inserted.0, holding.1);
    let (wait_inserted, release_first) = (inserted.1, holding.0);
    let first = {
        let (manager, organization) = (manager.clone(), organization.clone());
        std::thread::spawn(move || {
            let mut conn = manager.establish().unwrap();
            conn.transaction(|conn| {
                insert_events(conn, &[event(&organization, FIRST)])?;
                first_inserted.send(()).unwrap();
                first_waits.recv().unwrap();
                diesel::QueryResult::Ok(())
            })
            .unwrap();
        })
    };
    wait_inserted.recv().unwrap();
    // The second writer, meanwhile, writes its own and commits.
    let (second_done_tx, second_done) = mpsc::channel::<()>();
    let second = std::thread::spawn(move || {
        let mut conn = manager.establish().unwrap();
        conn.transaction(|conn| insert_events(conn, &[event(&organization, SECOND)]))
            .unwrap();
        second_done_tx.send(()).unwrap();
    });
    let mut seen = Vec::new();
    let mut cursor = None;
    if app.backend() == gef_commitments::db::Backend::Postgres {
        // On PostgreSQL it does not wait for the first to commit, and the
        // feed shows it at once, the first's event not yet.
        second_done
            .recv_timeout(Duration::from_secs(5))
            .expect("the second writer waited for the first");
        let page = read(&app, None, 200).await;
        assert_eq!(subjects(&page), [SECOND]);
        seen.extend(subjects(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    release_first.send(()).unwrap();
    first.join().unwrap();
    second.join().unwrap();
    // A reader resuming from its cursor reads the late one: nothing skipped.
    let page = read(&app, cursor.as_deref(), 200).await;
    seen.extend(subjects(&page));
    let from_start = subjects(&read(&app, None, 200).await);
    assert_eq!(seen, from_start, "every event once, in order, no gap");
    let mut both = from_start.clone();
    both.sort();
    assert_eq!(both, [FIRST, SECOND]);
}
