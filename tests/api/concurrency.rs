//! Different organizations acting at the same moment, through two
//! instances on one database: every use case succeeds for each of them
//! (no deadlock, no lost write), round after round, the figures equal
//! a recount afterwards, and a dashboard following the feed meanwhile saw
//! every public event once, with no gap. This is what happens at a submission or a
//! reporting deadline.

use gef_commitments::app::stats as figures;
use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Accepted, TestApp, commitment_body, completed_report, spawn_app, spawn_app_on,
};

const ORGANIZATIONS: usize = 8;
const ROUNDS: usize = 3;

/// The instance the `i`th organization's requests go through.
fn through(apps: &[TestApp; 2], i: usize) -> &TestApp {
    &apps[i % 2]
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// Sends one request per organization at once; asserts that each answered
/// `status`, and returns their bodies in order.
async fn each_at_once(
    what: &str,
    status: u16,
    requests: impl Iterator<Item = reqwest::RequestBuilder>,
) -> Vec<Value> {
    let handles: Vec<_> = requests.map(|r| actix_web::rt::spawn(r.send())).collect();
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(handle.await.unwrap().unwrap());
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(statuses, vec![status; statuses.len()], "{what} at once");
    let mut bodies = Vec::new();
    for answer in answers {
        bodies.push(answer.json().await.unwrap_or(Value::Null));
    }
    bodies
}

fn if_match(body: &Value) -> String {
    format!("\"{}\"", body["version"])
}

#[actix_web::test]
async fn different_organizations_acting_at_once_all_succeed() {
    let first = spawn_app().await;
    let second = spawn_app_on(first.database.clone(), None).await;
    let apps = [first, second];
    let lead = apps[0]
        .signed_in(
            "lead@deadline.example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    apps[0].clock.set("2026-02-01");
    apps[1].clock.set("2026-02-01");
    apps[0].open_cycle_today(2025).await;
    // A dashboard follows the feed through the second instance while
    // everyone writes.
    let following = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let follower = actix_web::rt::spawn(follow_feed(
        apps[1].client.clone(),
        apps[1].url("/api/v1/events"),
        following.clone(),
    ));
    for round in 0..ROUNDS {
        // Organizations register at once, and express interest at once.
        let registrations = (0..ORGANIZATIONS).map(|i| {
            through(&apps, i)
                .request(Method::POST, "/api/v1/organizations", None)
                .json(&json!({
                    "organization": {"name": format!("Deadline {round}-{i}"),
                                     "constituency": "civil_society", "country": "KH"},
                    "account": {"email": format!("maker{round}-{i}@deadline.example.org"),
                                "password": crate::helpers::PASSWORD,
                                "display_name": "Focal point"}
                }))
        });
        let registered = each_at_once("registrations", 201, registrations).await;
        let mut orgs: Vec<Accepted> = Vec::new();
        for (i, body) in registered.iter().enumerate() {
            let email = body["account"]["email"].as_str().unwrap();
            let token = through(&apps, i)
                .sign_in(email, crate::helpers::PASSWORD)
                .await;
            orgs.push(Accepted {
                organization: body["organization"]["id"].as_str().unwrap().to_owned(),
                maker: crate::helpers::Caller {
                    id: body["account"]["id"].as_str().unwrap().to_owned(),
                    token,
                },
                lead: lead.clone(),
            });
        }
        let interest = orgs.iter().enumerate().map(|(i, org)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    "/api/v1/expressions-of-interest",
                    Some(&org.maker),
                )
                .json(&json!({"coalition": "technology-innovation", "motivation": "Deadline."}))
        });
        let expressions = each_at_once("expressions of interest", 201, interest).await;
        // The lead accepts them all at once.
        let decisions = expressions.iter().enumerate().map(|(i, eoi)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!(
                        "/api/v1/expressions-of-interest/{}/decision",
                        eoi["id"].as_str().unwrap()
                    ),
                    Some(&lead),
                )
                .json(&json!({"decision": "accept"}))
        });
        each_at_once("decisions", 200, decisions).await;
        // Each creates two commitments at once: one to take to completion,
        // one to withdraw after approval.
        let mut commitments = Vec::new();
        for kept in ["delivered", "withdrawn"] {
            let creations = orgs.iter().enumerate().map(|(i, org)| {
                through(&apps, i)
                    .request(Method::POST, "/api/v1/commitments", Some(&org.maker))
                    .json(&commitment_body(&format!("Deadline {round}-{i} {kept}")))
            });
            commitments.push(each_at_once("creations", 201, creations).await);
        }
        for set in &mut commitments {
            let submissions = set.iter().enumerate().map(|(i, c)| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!("/api/v1/commitments/{}/submit", c["id"].as_str().unwrap()),
                        Some(&orgs[i].maker),
                    )
                    .header("If-Match", if_match(c))
            });
            *set = each_at_once("first submissions", 200, submissions).await;
            let approvals = set.iter().enumerate().map(|(i, c)| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!("/api/v1/commitments/{}/reviews", c["id"].as_str().unwrap()),
                        Some(&lead),
                    )
                    .header("If-Match", if_match(c))
                    .json(&json!({"decision": "approve", "comment": "Fine"}))
            });
            *set = each_at_once("approvals", 200, approvals).await;
        }
        // First progress reports at once, then their validation at once.
        let reports = commitments[0].iter().enumerate().map(|(i, c)| {
            let mut report = completed_report();
            report["status"] = json!("in_progress");
            report["percent_complete"] = json!(10 + i);
            through(&apps, i)
                .request(
                    Method::PUT,
                    &format!(
                        "/api/v1/commitments/{}/progress/2025",
                        c["id"].as_str().unwrap()
                    ),
                    Some(&orgs[i].maker),
                )
                .json(&report)
        });
        let filed = each_at_once("first progress reports", 201, reports).await;
        let validations = commitments[0]
            .iter()
            .zip(&filed)
            .enumerate()
            .map(|(i, (c, r))| {
                through(&apps, i)
                    .request(
                        Method::POST,
                        &format!(
                            "/api/v1/commitments/{}/progress/2025/validation",
                            c["id"].as_str().unwrap()
                        ),
                        Some(&lead),
                    )
                    .header("If-Match", if_match(r))
                    .json(&json!({"decision": "validate"}))
            });
        let validated = each_at_once("validations", 200, validations).await;
        // Completion claimed at once (a replaced report), then verified at once.
        let claims = commitments[0]
            .iter()
            .zip(&validated)
            .enumerate()
            .map(|(i, (c, r))| {
                through(&apps, i)
                    .request(
                        Method::PUT,
                        &format!(
                            "/api/v1/commitments/{}/progress/2025",
                            c["id"].as_str().unwrap()
                        ),
                        Some(&orgs[i].maker),
                    )
                    .header("If-Match", format!("\"{}\"", r["version"]))
                    .json(&completed_report())
            });
        each_at_once("completion claims", 200, claims).await;
        let mut claimed = Vec::new();
        for (i, c) in commitments[0].iter().enumerate() {
            let path = format!("/api/v1/commitments/{}", c["id"].as_str().unwrap());
            let now = json_of(
                through(&apps, i)
                    .request(Method::GET, &path, Some(&orgs[i].maker))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(now["status"], "completion_claimed");
            claimed.push(now);
        }
        let verifications = claimed.iter().enumerate().map(|(i, c)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!("/api/v1/commitments/{}/reviews", c["id"].as_str().unwrap()),
                    Some(&lead),
                )
                .header("If-Match", if_match(c))
                .json(&json!({"decision": "verify_completion"}))
        });
        each_at_once("verifications", 200, verifications).await;
        // Withdrawals of public commitments at once.
        let withdrawals = commitments[1].iter().enumerate().map(|(i, c)| {
            through(&apps, i)
                .request(
                    Method::POST,
                    &format!("/api/v1/commitments/{}/withdraw", c["id"].as_str().unwrap()),
                    Some(&orgs[i].maker),
                )
                .header("If-Match", if_match(c))
                .json(&json!({"reason": "Merged into another"}))
        });
        each_at_once("withdrawals", 200, withdrawals).await;
        // Profiles edited at once (a constituency moves the figures).
        let mut profiles = Vec::new();
        for (i, org) in orgs.iter().enumerate() {
            profiles.push(
                json_of(
                    through(&apps, i)
                        .get(&format!("/api/v1/organizations/{}", org.organization))
                        .await,
                )
                .await,
            );
        }
        let edits = orgs.iter().zip(&profiles).enumerate().map(|(i, (org, p))| {
            through(&apps, i)
                .request(
                    Method::PATCH,
                    &format!("/api/v1/organizations/{}", org.organization),
                    Some(&org.maker),
                )
                .header("If-Match", if_match(p))
                .json(&json!({"constituency": "youth_led"}))
        });
        each_at_once("profile edits", 200, edits).await;
    }
    // Each instance's figures, once it followed the others' writes, equal
    // the facts read afresh: no change was skipped however they committed.
    for app in &apps {
        assert!(
            figures::verify(&app.db).await.unwrap(),
            "the figures equal the facts read afresh"
        );
    }
    // Everything each instance answered is stored, and counted once.
    let expected = (ROUNDS * ORGANIZATIONS) as i64;
    let summary = json_of(apps[1].get("/api/v1/stats/summary").await).await;
    assert_eq!(summary["commitments"]["total"], expected, "{summary}");
    assert_eq!(summary["commitments"]["by_status"]["completed"], expected);
    assert_eq!(summary["makers"], expected);
    assert_eq!(apps[0].count("commitments").await, 2 * expected);
    assert_eq!(apps[0].count("progress_reports").await, expected);
    // The follower saw every public event once, in the feed's order, with
    // no gap: what a read from the start gives now. And each commitment's
    // events came in the order they happened.
    following.store(false, std::sync::atomic::Ordering::Release);
    let followed = follower.await.unwrap();
    let from_start = follow_feed(
        apps[0].client.clone(),
        apps[0].url("/api/v1/events"),
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )
    .await;
    let ids = |events: &[Value]| -> Vec<i64> {
        events.iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&followed), ids(&from_start));
    let public = apps[0]
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use gef_commitments::db::schema::events;
            events::table
                .filter(events::is_public.eq(true))
                .count()
                .get_result::<i64>(conn)
                .map_err(gef_commitments::db::DbError::from)
        })
        .await
        .unwrap();
    let mut once = ids(&from_start);
    once.sort_unstable();
    once.dedup();
    assert_eq!(
        (once.len() as i64, from_start.len() as i64),
        (public, public)
    );
    assert!(public >= expected * 3, "{public}");
    let mut by_commitment: std::collections::HashMap<&str, Vec<i64>> = Default::default();
    for event in &from_start {
        if let Some(c) = event["commitment_id"].as_str() {
            by_commitment
                .entry(c)
                .or_default()
                .push(event["id"].as_i64().unwrap());
        }
    }
    for (commitment, events) in by_commitment {
        assert!(
            events.windows(2).all(|w| w[0] < w[1]),
            "{commitment}: {events:?}"
        );
    }
}

/// Reads the feed page after page from the start, polling while
/// `following` holds, then to its end; every event read, in order.
async fn follow_feed(
    client: reqwest::Client,
    url: String,
    following: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let still = following.load(std::sync::atomic::Ordering::Acquire);
        let mut request = client.get(&url).query(&[("limit", "50")]);
        if let Some(after) = &cursor {
            request = request.query(&[("after", after)]);
        }
        let page: Value = request.send().await.unwrap().json().await.unwrap();
        let items = page["items"].as_array().unwrap().clone();
        cursor = page["next_cursor"].as_str().map(str::to_owned).or(cursor);
        let more = page["more"].as_bool().unwrap();
        let empty = items.is_empty();
        events.extend(items);
        if !still && !more {
            return events;
        }
        if empty {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
