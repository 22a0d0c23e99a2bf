//! The figures for dashboards: every figure of the summary and of each
//! breakdown against a data set counted by hand, public against
//! `scope=all`, every filter against sums over the export of what it
//! matches, and a property: after any sequence of changes, the figures
//! held in memory equal the facts read afresh.

use gef_commitments::app::Clock;
use gef_commitments::app::stats as figures;
use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Accepted, Caller, Stage, TestApp, assert_problem, commitment_body, spawn_app,
};

fn path(c: &Value) -> String {
    format!("/api/v1/commitments/{}", c["id"].as_str().unwrap())
}

async fn get_json(app: &TestApp, caller: Option<&Caller>, url: &str) -> Value {
    let response = app.request(Method::GET, url, caller).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{url}: {body}");
    body
}

async fn put_report(app: &TestApp, org: &Accepted, c: &Value, body: Value) -> Value {
    let url = format!("{}/progress/2025", path(c));
    let response = app
        .request(Method::PUT, &url, Some(&org.maker))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        201,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

/// The rows of a breakdown as (key, commitments, makers, pledged, disbursed).
fn rows(answer: &Value) -> Vec<(String, i64, i64, String, String)> {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["commitments"].as_i64().unwrap(),
                r["makers"].as_i64().unwrap(),
                r["pledged_usd"].as_str().unwrap().to_owned(),
                r["disbursed_usd"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(
    key: &str,
    commitments: i64,
    makers: i64,
    pledged: &str,
    disbursed: &str,
) -> (String, i64, i64, String, String) {
    (
        key.into(),
        commitments,
        makers,
        pledged.into(),
        disbursed.into(),
    )
}

#[actix_web::test]
async fn every_figure_matches_a_data_set_counted_by_hand() {
    let app = spawn_app().await;
    let a = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let b = app.accepted("Green Sisters", "climate-justice", None).await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    // c1: A, T&I areas 1 and 4, EUR 250,000 (USD 270,000), Cambodia and Laos, Asia.
    let c1 = app.commitment_in(&a, Stage::Approved, "Coding clubs").await;
    // c2: A, T&I area 2, KHR 4,000,000 (USD 1,000), Cambodia, no region.
    let mut body = commitment_body("Policy reform");
    body["action_areas"] = json!([2]);
    body["types"] = json!(["policy", "financial"]);
    body["pledge"] = json!({"amount": "4000000.00", "currency": "KHR", "amount_usd": "1000.00"});
    body["countries"] = json!(["KH"]);
    body["regions"] = json!([]);
    app.commitment_from(&a, Stage::Approved, &body).await;
    // c3: B, Climate Justice area 1, USD 100,000, France, from 2023; completed.
    let mut body = commitment_body("Solar kiosks");
    body["coalition"] = json!("climate-justice");
    body["action_areas"] = json!([1]);
    body["types"] = json!(["financial"]);
    body["pledge"] = json!({"amount": "100000.00", "currency": "USD"});
    body["countries"] = json!(["FR"]);
    body["regions"] = json!(["Europe"]);
    body["start_year"] = json!(2023);
    let c3 = app.commitment_from(&b, Stage::Approved, &body).await;
    // c4: B, submitted only, USD 5,000; c5: A, a draft.
    let mut body = commitment_body("Not yet reviewed");
    body["coalition"] = json!("climate-justice");
    body["action_areas"] = json!([3]);
    body["pledge"] = json!({"amount": "5000.00", "currency": "USD"});
    body["countries"] = json!(["FR"]);
    app.commitment_from(&b, Stage::Submitted, &body).await;
    app.commitment_in(&a, Stage::Draft, "A draft").await;
    // Reports: c1 40% with EUR 50,000 (USD 54,000); c3 completed, USD 100,000, verified.
    app.open_cycle_today(2025).await;
    let mut report = json!({"status": "in_progress", "percent_complete": 40, "narrative": "Forty clubs.",
        "disbursed": {"amount": "50000.00", "currency": "EUR", "amount_usd": "54000.00"}});
    put_report(&app, &a, &c1, report.clone()).await;
    report["status"] = json!("completed");
    report["percent_complete"] = json!(100);
    report["disbursed"] = json!({"amount": "100000.00", "currency": "USD"});
    put_report(&app, &b, &c3, report).await;
    let claimed = get_json(&app, Some(&b.maker), &path(&c3)).await;
    let verify = app
        .act(
            &b.lead,
            &format!("{}/reviews", path(&c3)),
            &claimed["version"],
            json!({"decision": "verify_completion"}),
        )
        .await;
    assert_eq!(verify.status().as_u16(), 200);
    // B speaks for a government now: its commitments move with it.
    let org = get_json(
        &app,
        None,
        &format!("/api/v1/organizations/{}", b.organization),
    )
    .await;
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", b.organization),
            Some(&b.maker),
        )
        .header("If-Match", format!("\"{}\"", org["version"]))
        .json(&json!({"constituency": "government"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    let summary = get_json(&app, None, "/api/v1/stats/summary").await;
    assert_eq!(summary["source"], "index");
    assert_eq!(
        summary["commitments"],
        json!({"total": 3, "by_status": {"approved": 2, "completion_claimed": 0, "completed": 1}})
    );
    assert_eq!(
        (
            summary["makers"].as_i64(),
            summary["pledged_usd"].as_str(),
            summary["disbursed_usd"].as_str()
        ),
        (Some(2), Some("371000.00"), Some("154000.00"))
    );
    assert_eq!(
        summary["implementation"],
        json!({"not_started": 0, "in_progress": 1, "completed": 1, "stalled": 0, "cancelled": 0, "not_reported": 1})
    );
    assert_eq!(
        summary["reporting_health"],
        json!({"green": 3, "amber": 0, "red": 0})
    );
    assert_eq!(summary["mean_percent_complete"], 70.0);

    // Viewers and admins may count every commitment ever submitted.
    for caller in [&viewer, &admin] {
        let all = get_json(&app, Some(caller), "/api/v1/stats/summary?scope=all").await;
        assert_eq!(all["commitments"]["total"], 4);
        assert_eq!(all["commitments"]["by_status"]["submitted"], 1);
        assert_eq!(all["commitments"]["by_status"]["draft"], Value::Null);
        assert_eq!(
            (all["pledged_usd"].as_str(), all["makers"].as_i64()),
            (Some("376000.00"), Some(2))
        );
        assert_eq!(all["implementation"]["not_reported"], 2);
    }
    assert_problem(
        app.get("/api/v1/stats/summary?scope=all").await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.request(
            Method::GET,
            "/api/v1/stats/summary?scope=all",
            Some(&a.maker),
        )
        .send()
        .await
        .unwrap(),
        403,
        "forbidden",
    )
    .await;

    // Every filter the index holds is answered from it; text from a search.
    let ti = get_json(
        &app,
        None,
        "/api/v1/stats/summary?coalition=technology-innovation",
    )
    .await;
    assert_eq!(
        (ti["source"].as_str(), ti["commitments"]["total"].as_i64()),
        (Some("index"), Some(2))
    );
    assert_eq!(
        (
            ti["makers"].as_i64(),
            ti["pledged_usd"].as_str(),
            ti["mean_percent_complete"].as_f64()
        ),
        (Some(1), Some("271000.00"), Some(40.0))
    );
    let kh = get_json(&app, None, "/api/v1/stats/summary?country=KH").await;
    assert_eq!(
        (kh["source"].as_str(), kh["commitments"]["total"].as_i64()),
        (Some("index"), Some(2))
    );
    assert_eq!(
        (kh["pledged_usd"].as_str(), kh["disbursed_usd"].as_str()),
        (Some("271000.00"), Some("54000.00"))
    );
    let done = get_json(
        &app,
        Some(&viewer),
        "/api/v1/stats/summary?scope=all&constituency=government",
    )
    .await;
    assert_eq!(
        (
            done["commitments"]["total"].as_i64(),
            done["pledged_usd"].as_str()
        ),
        (Some(2), Some("105000.00"))
    );

    // Breakdowns: a row per key; a commitment counts in each of its keys' rows.
    let by = |dimension: &str| {
        let url = format!("/api/v1/stats/breakdown?by={dimension}");
        let app = &app;
        async move { get_json(app, None, &url).await }
    };
    let areas = by("action_area").await;
    assert!(areas["counting"].as_str().unwrap().contains("once in each"));
    assert_eq!(
        rows(&areas),
        [
            row("climate-justice:1", 1, 1, "100000.00", "100000.00"),
            row("technology-innovation:1", 1, 1, "270000.00", "54000.00"),
            row("technology-innovation:2", 1, 1, "1000.00", "0.00"),
            row("technology-innovation:4", 1, 1, "270000.00", "54000.00"),
        ]
    );
    let labels: Vec<&str> = areas["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels[1],
        "Bridge the gender gap in digital access and competencies."
    );
    assert_eq!(
        rows(&by("country").await),
        [
            row("KH", 2, 1, "271000.00", "54000.00"),
            row("FR", 1, 1, "100000.00", "100000.00"),
            row("LA", 1, 1, "270000.00", "54000.00"),
        ]
    );
    assert_eq!(
        rows(&by("type").await),
        [
            row("financial", 3, 2, "371000.00", "154000.00"),
            row("policy", 1, 1, "1000.00", "0.00"),
            row("programmatic", 1, 1, "270000.00", "54000.00"),
        ]
    );
    assert_eq!(
        rows(&by("constituency").await),
        [
            row("civil_society", 2, 1, "271000.00", "54000.00"),
            row("government", 1, 1, "100000.00", "100000.00")
        ]
    );
    assert_eq!(
        rows(&by("coalition").await),
        [
            row("technology-innovation", 2, 1, "271000.00", "54000.00"),
            row("climate-justice", 1, 1, "100000.00", "100000.00"),
        ]
    );
    assert_eq!(
        rows(&by("year").await),
        [
            row("2022", 2, 1, "271000.00", "54000.00"),
            row("2023", 1, 1, "100000.00", "100000.00")
        ]
    );
    assert_eq!(
        rows(&by("status").await),
        [
            row("approved", 2, 1, "271000.00", "54000.00"),
            row("completed", 1, 1, "100000.00", "100000.00")
        ]
    );
    assert_eq!(
        rows(&by("region").await),
        [
            row("Asia and the Pacific", 1, 1, "270000.00", "54000.00"),
            row("Europe", 1, 1, "100000.00", "100000.00")
        ]
    );
    let french = app
        .request(
            Method::GET,
            "/api/v1/stats/breakdown?by=coalition&lang=fr",
            None,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(french.headers()["content-language"], "fr");
    let french: Value = french.json().await.unwrap();
    assert_eq!(
        french["rows"][1]["label"],
        "Action féministe pour la justice climatique"
    );
    let filtered = get_json(
        &app,
        None,
        "/api/v1/stats/breakdown?by=country&coalition=technology-innovation",
    )
    .await;
    assert_eq!(filtered["source"], "index");
    assert_eq!(
        rows(&filtered),
        [
            row("KH", 2, 1, "271000.00", "54000.00"),
            row("LA", 1, 1, "270000.00", "54000.00")
        ]
    );
    let queried = get_json(&app, None, "/api/v1/stats/breakdown?by=country&type=policy").await;
    assert_eq!(
        (queried["source"].as_str(), rows(&queried)),
        (Some("index"), vec![row("KH", 1, 1, "1000.00", "0.00")])
    );

    // Malformed requests are 422 problems.
    for url in [
        "/api/v1/stats/breakdown?by=colour",
        "/api/v1/stats/breakdown",
        "/api/v1/stats/summary?status=bogus",
        "/api/v1/stats/summary?updated_since=yesterday",
        "/api/v1/stats/summary?scope=everyone",
        "/api/v1/stats/breakdown?by=country&country=XX",
    ] {
        assert_problem(app.get(url).await, 422, "validation_failed").await;
    }
    assert!(
        figures::verify(&app.db).await.unwrap(),
        "the figures equal the facts read afresh"
    );
}

/// A small deterministic generator, so that a failing sequence replays.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

#[actix_web::test]
async fn after_any_sequence_of_changes_the_figures_equal_a_recount() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let cj = app.accepted("Green Sisters", "climate-justice", None).await;
    let other_ti = app
        .accepted("Other Org", "technology-innovation", Some(&ti.lead))
        .await;
    let orgs = [ti, cj, other_ti];
    app.open_cycle_today(2025).await;
    let countries = ["KH", "LA", "FR", "KE", "BR"];
    let mut live: Vec<(usize, Value)> = Vec::new();
    for seed in [7_u64, 1234, 99_991] {
        let mut rng = Xorshift(seed);
        for step in 0..40 {
            let op = rng.next(10);
            if op < 3 || live.is_empty() {
                let o = rng.next(orgs.len());
                let mut body = commitment_body(&format!("Seed {seed} step {step}"));
                body["coalition"] = json!(if o == 1 {
                    "climate-justice"
                } else {
                    "technology-innovation"
                });
                body["action_areas"] = json!([1 + rng.next(3), 4]);
                let mut places = vec![countries[rng.next(5)], countries[rng.next(5)]];
                places.dedup();
                body["countries"] = json!(places);
                body["pledge"]["amount_usd"] =
                    json!(format!("{}.{:02}", rng.next(1_000_000), rng.next(100)));
                body["start_year"] = json!(2022 + rng.next(3) as i32);
                let stage = [
                    Stage::Draft,
                    Stage::Submitted,
                    Stage::Approved,
                    Stage::Rejected,
                    Stage::ChangesRequested,
                    Stage::Withdrawn,
                ][rng.next(6)];
                let c = app.commitment_from(&orgs[o], stage, &body).await;
                live.push((o, c));
                continue;
            }
            let (o, c) = live[rng.next(live.len())].clone();
            let org = &orgs[o];
            let now = get_json(&app, Some(&org.maker), &path(&c)).await;
            let version = now["version"].clone();
            let act = |caller: &Caller, what: &str, body: Value| {
                let url = format!("{}/{what}", path(&c));
                let caller = caller.clone();
                let version = version.clone();
                let app = &app;
                async move {
                    app.act(&caller, &url, &version, body)
                        .await
                        .status()
                        .as_u16()
                }
            };
            let _ = match (now["status"].as_str().unwrap(), op) {
                ("draft" | "changes_requested", 3..=5) => {
                    act(&org.maker, "submit", json!({})).await
                }
                ("draft" | "changes_requested", _) => {
                    let response = app
                        .request(Method::PATCH, &path(&c), Some(&org.maker))
                        .header("If-Match", format!("\"{version}\""))
                        .json(&json!({"countries": [countries[rng.next(5)]], "types": ["policy"], "pledge": null}))
                        .send()
                        .await
                        .unwrap();
                    response.status().as_u16()
                }
                ("submitted", 3..=6) => {
                    act(&org.lead, "reviews", json!({"decision": "approve"})).await
                }
                ("submitted", 7) => {
                    act(
                        &org.lead,
                        "reviews",
                        json!({"decision": "request_changes", "comment": "More"}),
                    )
                    .await
                }
                ("submitted", _) => {
                    act(
                        &org.lead,
                        "reviews",
                        json!({"decision": "reject", "comment": "No"}),
                    )
                    .await
                }
                ("approved", 3..=7) => {
                    let status =
                        ["in_progress", "stalled", "completed", "not_started"][rng.next(4)];
                    let percent = if status == "completed" {
                        100
                    } else {
                        rng.next(100) as i32
                    };
                    let url = format!("{}/progress/2025", path(&c));
                    let existing = app.request(Method::GET, &url, None).send().await.unwrap();
                    let etag = existing
                        .headers()
                        .get("etag")
                        .map(|v| v.to_str().unwrap().to_owned());
                    let mut request = app.request(Method::PUT, &url, Some(&org.maker)).json(&json!({
                        "status": status, "percent_complete": percent, "narrative": "Progress.",
                        "disbursed": {"amount": format!("{}.00", rng.next(50_000)), "currency": "USD"}
                    }));
                    if let Some(etag) = etag {
                        request = request.header("If-Match", etag);
                    }
                    request.send().await.unwrap().status().as_u16()
                }
                ("approved", _) => {
                    act(&org.maker, "withdraw", json!({"reason": "Changed plans"})).await
                }
                ("completion_claimed", 3..=6) => {
                    act(
                        &org.lead,
                        "reviews",
                        json!({"decision": "verify_completion"}),
                    )
                    .await
                }
                ("completion_claimed", _) => {
                    act(
                        &org.lead,
                        "reviews",
                        json!({"decision": "request_changes", "comment": "Not yet"}),
                    )
                    .await
                }
                _ => {
                    // Settled ones: move their organization to another constituency instead.
                    let profile = get_json(
                        &app,
                        None,
                        &format!("/api/v1/organizations/{}", org.organization),
                    )
                    .await;
                    let constituency = ["government", "youth_led", "civil_society"][rng.next(3)];
                    app.request(
                        Method::PATCH,
                        &format!("/api/v1/organizations/{}", org.organization),
                        Some(&org.maker),
                    )
                    .header("If-Match", format!("\"{}\"", profile["version"]))
                    .json(&json!({"constituency": constituency}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
                }
            };
        }
        assert!(
            figures::verify(&app.db).await.unwrap(),
            "after seed {seed}, the figures differ from a recount"
        );
    }
    // Rebuilt from scratch, they are the same again.
    assert!(figures::rebuild(&app.db).await.unwrap() > 0);
    assert!(figures::verify(&app.db).await.unwrap());
}

/// Hundredths of a decimal string such as `"270000.00"`.
fn cents(text: &str) -> i128 {
    let (whole, part) = text.split_once('.').unwrap_or((text, "0"));
    whole.parse::<i128>().unwrap() * 100 + format!("{part:0<2}")[..2].parse::<i128>().unwrap()
}

fn usd(cents: i128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The keys a commitment of the export counts under along `by`.
fn export_keys(c: &Value, by: &str) -> Vec<String> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    match by {
        "country" => strings(&c["countries"]),
        "region" => strings(&c["regions"]),
        "type" => strings(&c["types"]),
        "coalition" => vec![c["coalition"].as_str().unwrap().to_owned()],
        "status" => vec![c["status"].as_str().unwrap().to_owned()],
        "constituency" => vec![
            c["organization"]["constituency"]
                .as_str()
                .unwrap()
                .to_owned(),
        ],
        "year" => vec![c["start_year"].to_string()],
        "action_area" => c["action_areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| format!("{}:{n}", c["coalition"].as_str().unwrap()))
            .collect(),
        other => panic!("no such dimension {other}"),
    }
}

/// (commitments, makers, pledged) of some commitments of the export.
fn export_sums<'a>(commitments: impl IntoIterator<Item = &'a Value>) -> (i64, i64, String) {
    let mut makers = std::collections::BTreeSet::new();
    let (mut n, mut pledged) = (0, 0);
    for c in commitments {
        n += 1;
        makers.insert(c["organization"]["id"].as_str().unwrap().to_owned());
        pledged += c["pledge"]["amount_usd"].as_str().map_or(0, cents);
    }
    (n, makers.len() as i64, usd(pledged))
}

#[actix_web::test]
async fn under_every_filter_the_figures_equal_sums_over_the_export() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let cj = app.accepted("Green Sisters", "climate-justice", None).await;
    let other = app
        .accepted("Ministry Of Play", "technology-innovation", Some(&ti.lead))
        .await;
    let profile = get_json(
        &app,
        Some(&other.maker),
        &format!("/api/v1/organizations/{}", other.organization),
    )
    .await;
    let changed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", other.organization),
            Some(&other.maker),
        )
        .header("If-Match", format!("\"{}\"", profile["version"]))
        .json(&json!({"constituency": "government"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    let orgs = [&ti, &cj, &other];
    let countries = [vec!["KH"], vec!["KH", "LA"], vec!["FR"], vec!["KE", "KH"]];
    let types = [
        vec!["financial"],
        vec!["policy"],
        vec!["programmatic", "financial"],
    ];
    let stages = [
        Stage::Approved,
        Stage::Completed,
        Stage::Submitted,
        Stage::CompletionClaimed,
        Stage::Draft,
        Stage::Approved,
    ];
    for i in 0..14_usize {
        let o = i % 3;
        let mut body = commitment_body(&format!("Commitment {i} with clubs"));
        if i % 4 == 0 {
            body["title"] = json!(format!("Commitment {i} for girls"));
        }
        body["coalition"] = json!(if o == 1 {
            "climate-justice"
        } else {
            "technology-innovation"
        });
        body["countries"] = json!(countries[i % 4]);
        body["types"] = json!(types[i % 3]);
        body["action_areas"] = json!([1 + i % 3]);
        body["regions"] = json!(if i % 2 == 0 {
            vec!["Asia and the Pacific"]
        } else {
            vec![]
        });
        body["start_year"] = json!(2021 + (i % 4) as i32);
        body["pledge"]["amount_usd"] = json!(format!("{}.{:02}", 1000 * (i + 1), i * 7 % 100));
        app.commitment_from(orgs[o], stages[i % 6], &body).await;
    }

    let filters = [
        String::new(),
        "country=KH".into(),
        "constituency=government".into(),
        "type=financial".into(),
        "action_area=1".into(),
        "status=approved".into(),
        "region=Asia%20and%20the%20Pacific".into(),
        "reporting_health=green".into(),
        "reporting_health=red".into(),
        "q=girls".into(),
        "coalition=technology-innovation&country=KH&type=financial".into(),
        format!("organization={}", cj.organization),
        "country=BR".into(),
    ];
    let mut nonempty = 0;
    for filter in &filters {
        let export = get_json(
            &app,
            None,
            &format!("/api/v1/exports/commitments?format=json&{filter}"),
        )
        .await;
        let export = export.as_array().unwrap();
        nonempty += usize::from(!export.is_empty());
        let summary = get_json(&app, None, &format!("/api/v1/stats/summary?{filter}")).await;
        let searched = filter.starts_with("q=");
        assert_eq!(
            summary["source"],
            if searched { "search" } else { "index" },
            "{filter}"
        );
        let (n, makers, pledged) = export_sums(export);
        assert_eq!(
            (
                summary["commitments"]["total"].as_i64(),
                summary["makers"].as_i64(),
                summary["pledged_usd"].as_str()
            ),
            (Some(n), Some(makers), Some(pledged.as_str())),
            "{filter}"
        );
        for (status, count) in summary["commitments"]["by_status"].as_object().unwrap() {
            let counted = export.iter().filter(|c| c["status"] == *status).count();
            assert_eq!(count.as_i64(), Some(counted as i64), "{filter}: {status}");
        }
        for (health, count) in summary["reporting_health"].as_object().unwrap() {
            let counted = export
                .iter()
                .filter(|c| c["reporting_health"] == *health)
                .count();
            assert_eq!(count.as_i64(), Some(counted as i64), "{filter}: {health}");
        }
        for by in [
            "country",
            "region",
            "type",
            "coalition",
            "status",
            "constituency",
            "year",
            "action_area",
        ] {
            let breakdown = get_json(
                &app,
                None,
                &format!("/api/v1/stats/breakdown?by={by}&{filter}"),
            )
            .await;
            let mut keys: Vec<String> = export.iter().flat_map(|c| export_keys(c, by)).collect();
            keys.sort();
            keys.dedup();
            let mut expected: Vec<(String, i64, i64, String)> = keys
                .into_iter()
                .map(|key| {
                    let (n, makers, pledged) =
                        export_sums(export.iter().filter(|c| export_keys(c, by).contains(&key)));
                    (key, n, makers, pledged)
                })
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let got: Vec<(String, i64, i64, String)> = rows(&breakdown)
                .into_iter()
                .map(|(key, n, makers, pledged, _)| (key, n, makers, pledged))
                .collect();
            assert_eq!(got, expected, "{filter}, by {by}");
        }
    }
    // The data set is not so thin that empty answers could pass.
    assert!(nonempty >= 10, "{nonempty}");
}

/// Figures are kept once rendered, until they change. Each language and
/// each scope still gets its own answer, a kept `scope=all` is still
/// refused to the public and to makers, and a change shows at once: a review (a change
/// to the figures) and a reporting cycle (a change to what reporting
/// health is judged by, the figures themselves unchanged).
#[actix_web::test]
async fn kept_figures_are_each_askers_own_and_move_with_every_change() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    app.commitment_in(&ti, Stage::Approved, "Coding clubs")
        .await;
    let sent = app.commitment_in(&ti, Stage::Submitted, "Waiting").await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let url = "/api/v1/stats/breakdown?by=coalition";
    let en = get_json(&app, None, &format!("{url}&lang=en")).await;
    let fr = get_json(&app, None, &format!("{url}&lang=fr")).await;
    assert_ne!(en["rows"][0]["label"], fr["rows"][0]["label"]);
    assert_eq!(get_json(&app, None, &format!("{url}&lang=en")).await, en);
    assert_eq!(get_json(&app, None, &format!("{url}&lang=fr")).await, fr);
    assert_eq!(en["rows"][0]["commitments"], 1);

    let all = get_json(&app, Some(&viewer), "/api/v1/stats/summary?scope=all").await;
    assert_eq!(all["commitments"]["total"], 2);
    for (caller, status, code) in [
        (None, 401, "unauthorized"),
        (Some(&ti.maker), 403, "forbidden"),
    ] {
        let refused = app
            .request(Method::GET, "/api/v1/stats/summary?scope=all", caller)
            .send()
            .await
            .unwrap();
        assert_problem(refused, status, code).await;
    }

    let before = get_json(&app, None, "/api/v1/stats/summary").await;
    assert_eq!(before["commitments"]["total"], 1);
    let approve = app
        .act(
            &ti.lead,
            &format!("{}/reviews", path(&sent)),
            &sent["version"],
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(approve.status().as_u16(), 200);
    let after = get_json(&app, None, "/api/v1/stats/summary").await;
    assert_eq!(after["commitments"]["total"], 2);
    let en = get_json(&app, None, &format!("{url}&lang=en")).await;
    assert_eq!(en["rows"][0]["commitments"], 2);

    // A search kept across changes: asked again about what changed alone.
    let q = "/api/v1/stats/summary?scope=all&q=reading";
    let clubs = |v: Value| v["commitments"]["total"].clone();
    assert_eq!(clubs(get_json(&app, Some(&viewer), q).await), 0);
    app.commitment_in(&ti, Stage::Submitted, "Reading clubs")
        .await;
    app.commitment_in(&ti, Stage::Submitted, "Tea parties")
        .await;
    assert_eq!(clubs(get_json(&app, Some(&viewer), q).await), 1);

    // A cycle that closed before today, its reports never filed: both
    // commitments missed one, on the same day as before.
    assert_eq!(after["reporting_health"]["amber"], 0);
    let today = app.clock.today();
    let year = chrono::Datelike::year(&today) - 1;
    let cycle = gef_commitments::app::progress::NewCycle {
        year: 2024,
        opens_on: chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        closes_on: chrono::NaiveDate::from_ymd_opt(year, 2, 1).unwrap(),
    };
    gef_commitments::app::progress::open_cycle(&app.db, cycle)
        .await
        .unwrap();
    let later = get_json(&app, None, "/api/v1/stats/summary").await;
    assert_eq!(later["as_of"], after["as_of"]);
    assert_eq!(later["reporting_health"]["amber"], 2, "{later}");
    assert_eq!(clubs(get_json(&app, Some(&viewer), q).await), 1);
}
