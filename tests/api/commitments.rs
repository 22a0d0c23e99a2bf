//! The commitment lifecycle over HTTP: creation, validation, every move per
//! role, visibility, optimistic concurrency, idempotency, lists.

use chrono::{Datelike, Utc};
use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Caller, Stage, TestApp, all_at_once, assert_problem, commitment_body, spawn_app,
};

fn path(commitment: &Value) -> String {
    format!("/api/v1/commitments/{}", commitment["id"].as_str().unwrap())
}

async fn get(app: &TestApp, caller: Option<&Caller>, path: &str) -> reqwest::Response {
    app.request(Method::GET, path, caller).send().await.unwrap()
}

async fn json_ok(response: reqwest::Response) -> Value {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

#[actix_web::test]
async fn a_maker_creates_a_draft_with_a_numbered_reference() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let response = app
        .request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
        .json(&commitment_body("Coding clubs"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        crate::helpers::own_tag(response.headers()["etag"].to_str().unwrap()),
        "\"1\""
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, path(&created));
    let year = Utc::now().year();
    assert_eq!(created["reference"], format!("TI-{year}-0001"));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version"], 1);
    assert_eq!(created["organization"]["id"], ti.organization);
    assert_eq!(created["organization"]["name"], "Digital Sisters");
    assert_eq!(created["action_areas"], json!([1, 4]));
    assert_eq!(created["types"], json!(["financial", "programmatic"]));
    assert_eq!(
        created["pledge"],
        json!({"amount": "250000.00", "currency": "EUR", "amount_usd": "270000.00"})
    );
    assert_eq!(created["countries"], json!(["KH", "LA"]));
    assert_eq!(created["indicators"][0]["target"], 10000.0);
    let fetched = json_ok(get(&app, Some(&ti.maker), &location).await).await;
    assert_eq!(fetched, created);

    let second = app
        .create_commitment(&ti.maker, &commitment_body("Second"))
        .await;
    assert_eq!(second["reference"], format!("TI-{year}-0002"));
    // Each coalition counts on its own.
    let cj = app.accepted("Green Sisters", "climate-justice", None).await;
    let mut body = commitment_body("Solar kiosks");
    body["coalition"] = json!("climate-justice");
    assert_eq!(
        app.create_commitment(&cj.maker, &body).await["reference"],
        format!("CJ-{year}-0001")
    );
}

#[actix_web::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_stored() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let body = json!({
        "coalition": "technology-innovation",
        "action_areas": [9],
        "title": "ab",
        "description": "x".repeat(20_001),
        "types": [],
        "countries": ["XX"],
        "start_year": 2019,
        "end_year": 2018,
        "indicators": [{"name": "", "unit": "people"}]
    });
    let response = app
        .request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "action_areas[0]",
            "title",
            "description",
            "types",
            "countries[0]",
            "start_year",
            "end_year",
            "end_year",
            "indicators[0].name"
        ]
    );

    for (pledge, field, code) in [
        (json!(null), "pledge", "required"),
        (
            json!({"amount": "-5.00", "currency": "EUR", "amount_usd": "1"}),
            "pledge.amount",
            "invalid_amount",
        ),
        (
            json!({"amount": "5.001", "currency": "EUR", "amount_usd": "1"}),
            "pledge.amount",
            "invalid_amount",
        ),
        (
            json!({"amount": "five", "currency": "EUR", "amount_usd": "1"}),
            "pledge.amount",
            "invalid_amount",
        ),
        (
            json!({"amount": "1000000000000000.01", "currency": "EUR", "amount_usd": "1"}),
            "pledge.amount",
            "invalid_amount",
        ),
        (
            json!({"amount": "5", "currency": "EUX", "amount_usd": "1"}),
            "pledge.currency",
            "unknown_currency",
        ),
        (
            json!({"amount": "5", "currency": "EUR"}),
            "pledge.amount_usd",
            "required",
        ),
    ] {
        let mut body = commitment_body("Pledges");
        body["pledge"] = pledge.clone();
        let response = app
            .request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(
            (
                problem["errors"][0]["field"].as_str(),
                problem["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{pledge}"
        );
    }
    // Server-owned fields cannot be sent.
    for (field, value) in [
        ("status", json!("approved")),
        ("organization", json!("x")),
        ("reference", json!("TI-2021-9999")),
        ("version", json!(7)),
        ("id", json!("x")),
        ("created_at", json!("2021-01-01T00:00:00Z")),
    ] {
        let mut body = commitment_body("Sneaky");
        body[field] = value;
        let response = app
            .request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    // A year outside a period the admin narrowed.
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let response = app
        .request(
            Method::PATCH,
            "/api/v1/coalitions/technology-innovation",
            Some(&admin),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"period_end_year": 2023}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = app
        .request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
        .json(&commitment_body("Late"))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "outside_period");
    assert_eq!(app.count("commitments").await, 0);
}

#[actix_web::test]
async fn the_whole_lifecycle_with_every_refused_move() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let other = app
        .accepted("Other Org", "technology-innovation", Some(&ti.lead))
        .await;
    let cj_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let c = app
        .create_commitment(&ti.maker, &commitment_body("Lifecycle"))
        .await;
    let p = path(&c);
    let v = |body: &Value| body["version"].clone();
    let review = |decision: &str, comment: &str| json!({"decision": decision, "comment": comment});

    // Draft: only its makers act; a lead cannot review a draft.
    assert_problem(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&c),
            review("approve", ""),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.act(&other.maker, &format!("{p}/submit"), &v(&c), json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    let submitted = json_ok(
        app.act(&ti.maker, &format!("{p}/submit"), &v(&c), json!({}))
            .await,
    )
    .await;
    assert_eq!(submitted["status"], "submitted");
    assert!(submitted["submitted_at"].is_string());

    // Submitted: not editable; the maker cannot approve; other coalitions' leads do not see it.
    let response = app
        .request(Method::PATCH, &p, Some(&ti.maker))
        .header("If-Match", "\"2\"")
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 409, "not_editable").await;
    assert_problem(
        app.act(
            &ti.maker,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("approve", ""),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.act(
            &cj_lead,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("approve", ""),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.act(
            &viewer,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("approve", ""),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.act(&ti.lead, &format!("{p}/submit"), &v(&submitted), json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let problem = assert_problem(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("request_changes", " "),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "comment");
    let problem = assert_problem(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("verify_completion", ""),
        )
        .await,
        409,
        "invalid_transition",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("submitted"),
        "{problem}"
    );

    // Sent back, edited, submitted again, approved.
    let back = json_ok(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&submitted),
            review("request_changes", "Add a baseline"),
        )
        .await,
    )
    .await;
    assert_eq!(back["status"], "changes_requested");
    let edited = json_ok(
        app.request(Method::PATCH, &p, Some(&ti.maker))
            .header("If-Match", format!("\"{}\"", back["version"]))
            .json(&json!({"title": "Lifecycle, revised", "pledge": null, "types": ["policy"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            edited["title"].as_str(),
            edited["pledge"].is_null(),
            edited["status"].as_str()
        ),
        (Some("Lifecycle, revised"), true, Some("changes_requested"))
    );
    let resubmitted = json_ok(
        app.act(&ti.maker, &format!("{p}/submit"), &v(&edited), json!({}))
            .await,
    )
    .await;
    assert_problem(get(&app, None, &p).await, 404, "not_found").await;
    let approved = json_ok(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&resubmitted),
            review("approve", "Great"),
        )
        .await,
    )
    .await;
    assert_eq!(approved["status"], "approved");
    assert!(approved["approved_at"].is_string());

    // Public now: anyone reads it; nobody reviews it again; anonymous callers act on nothing.
    assert_eq!(
        json_ok(get(&app, None, &p).await).await["status"],
        "approved"
    );
    assert_eq!(
        json_ok(get(&app, Some(&other.maker), &p).await).await["status"],
        "approved"
    );
    assert_problem(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &v(&approved),
            review("reject", "No"),
        )
        .await,
        409,
        "invalid_transition",
    )
    .await;
    assert_problem(
        app.act(
            &cj_lead,
            &format!("{p}/reviews"),
            &v(&approved),
            review("reject", "No"),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.act(
            &other.maker,
            &format!("{p}/withdraw"),
            &v(&approved),
            json!({"reason": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let anonymous = app
        .client
        .post(app.url(&format!("{p}/withdraw")))
        .header("If-Match", "\"1\"")
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "unauthorized").await;
    assert_problem(
        app.act(
            &ti.maker,
            &format!("{p}/withdraw"),
            &v(&approved),
            json!({"reason": " "}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let withdrawn = json_ok(
        app.act(
            &ti.maker,
            &format!("{p}/withdraw"),
            &v(&approved),
            json!({"reason": "Funding fell through"}),
        )
        .await,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_problem(get(&app, None, &p).await, 404, "not_found").await;

    // The trail: every transition with its actor and reason, in order.
    let events = json_ok(get(&app, Some(&ti.maker), &format!("{p}/events")).await).await;
    let trail: Vec<(String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["to_status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("create", "draft"),
        ("submit", "submitted"),
        ("request_changes", "changes_requested"),
        ("update", "changes_requested"),
        ("submit", "submitted"),
        ("approve", "approved"),
        ("withdraw", "withdrawn"),
    ];
    assert_eq!(trail, expected.map(|(a, s)| (a.to_owned(), s.to_owned())));
    let items = events["items"].as_array().unwrap();
    assert_eq!(items[2]["actor_id"], ti.lead.id);
    assert_eq!(items[2]["reason"], "Add a baseline");
    assert_eq!(items[6]["reason"], "Funding fell through");
    let reviews = json_ok(get(&app, Some(&ti.lead), &format!("{p}/reviews")).await).await;
    let decisions: Vec<&str> = reviews["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["request_changes", "approve"]);
    assert_problem(
        get(&app, Some(&other.maker), &format!("{p}/events")).await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn rejection_is_final_and_completion_is_verified_by_the_lead() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let s = app.commitment_in(&ti, Stage::Submitted, "To reject").await;
    let p = path(&s);
    let problem = assert_problem(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &s["version"],
            json!({"decision": "reject"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "comment");
    let r = app.commitment_in(&ti, Stage::Rejected, "Rejected").await;
    assert_eq!(r["status"], "rejected");
    for (action, body) in [("submit", json!({})), ("withdraw", json!({"reason": "x"}))] {
        assert_problem(
            app.act(
                &ti.maker,
                &format!("{}/{action}", path(&r)),
                &r["version"],
                body,
            )
            .await,
            409,
            "invalid_transition",
        )
        .await;
    }
    let back = app
        .commitment_in(&ti, Stage::ChangesRequested, "Sent back")
        .await;
    assert_eq!(back["status"], "changes_requested");

    // Approved, a commitment is not yet complete.
    let a = app.commitment_in(&ti, Stage::Approved, "To complete").await;
    assert_problem(
        app.act(
            &ti.lead,
            &format!("{}/reviews", path(&a)),
            &a["version"],
            json!({"decision": "verify_completion"}),
        )
        .await,
        409,
        "invalid_transition",
    )
    .await;
    // A completion claim (filed with progress reports) is verified by the lead only.
    let claimed = app
        .commitment_in(&ti, Stage::CompletionClaimed, "Claimed")
        .await;
    let p = path(&claimed);
    assert_eq!(claimed["status"], "completion_claimed");
    assert_problem(
        app.act(
            &ti.maker,
            &format!("{p}/reviews"),
            &claimed["version"],
            json!({"decision": "verify_completion"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let done = json_ok(
        app.act(
            &ti.lead,
            &format!("{p}/reviews"),
            &claimed["version"],
            json!({"decision": "verify_completion"}),
        )
        .await,
    )
    .await;
    assert_eq!(done["status"], "completed");
    let completed = app.commitment_in(&ti, Stage::Completed, "Done").await;
    for c in [&done, &completed] {
        assert_problem(
            app.act(
                &ti.maker,
                &format!("{}/withdraw", path(c)),
                &c["version"],
                json!({"reason": "x"}),
            )
            .await,
            409,
            "invalid_transition",
        )
        .await;
    }
}

#[actix_web::test]
async fn submission_outside_the_window_is_refused_naming_it() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let c = app
        .create_commitment(&ti.maker, &commitment_body("Late"))
        .await;
    let patch = |etag: &str, body: Value| {
        app.request(
            Method::PATCH,
            "/api/v1/coalitions/technology-innovation",
            Some(&admin),
        )
        .header("If-Match", etag.to_owned())
        .json(&body)
        .send()
    };
    assert_problem(
        app.request(
            Method::PATCH,
            "/api/v1/coalitions/technology-innovation",
            Some(&ti.lead),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"submissions_close_on": "2022-12-31"}))
        .send()
        .await
        .unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        patch("\"1\"", json!({"submissions_close_on": "2020-01-01"}))
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let closed = json_ok(
        patch("\"1\"", json!({"submissions_close_on": "2022-12-31"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            closed["submissions_open"].as_bool(),
            closed["version"].as_i64()
        ),
        (Some(false), Some(2))
    );
    let problem = assert_problem(
        app.act(
            &ti.maker,
            &format!("{}/submit", path(&c)),
            &c["version"],
            json!({}),
        )
        .await,
        409,
        "submission_window_closed",
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("2021-03-01") && detail.contains("2022-12-31"),
        "{detail}"
    );
    json_ok(
        patch("\"2\"", json!({"submissions_close_on": null}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        json_ok(
            app.act(
                &ti.maker,
                &format!("{}/submit", path(&c)),
                &c["version"],
                json!({})
            )
            .await
        )
        .await["status"],
        "submitted"
    );
}

#[actix_web::test]
async fn twelve_racing_edits_with_one_etag_give_one_success() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let c = app
        .create_commitment(&ti.maker, &commitment_body("Raced"))
        .await;
    let p = path(&c);
    let requests = (0..12).map(|i| {
        app.request(Method::PATCH, &p, Some(&ti.maker))
            .header("If-Match", "\"1\"")
            .json(&json!({"title": format!("Edit number {i}")}))
    });
    let statuses = all_at_once(requests).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        11,
        "{statuses:?}"
    );
    let now = json_ok(get(&app, Some(&ti.maker), &p).await).await;
    assert_eq!(now["version"], 2);
    // Without If-Match: 428; a stale one on a move: 412.
    assert_problem(
        app.request(Method::PATCH, &p, Some(&ti.maker))
            .json(&json!({"title": "No etag"}))
            .send()
            .await
            .unwrap(),
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        app.act(&ti.maker, &format!("{p}/submit"), &json!(1), json!({}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
}

#[actix_web::test]
async fn an_idempotency_key_replays_the_first_response() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let build = |key: &str, title: &str| {
        app.request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
            .header("Idempotency-Key", key.to_owned())
            .json(&commitment_body(title))
    };
    let send = |key: &str, title: &str| build(key, title).send();
    let first = send("key-1", "Once").await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first_location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let replay = send("key-1", "Once").await.unwrap();
    assert_eq!(replay.status().as_u16(), 201);
    assert_eq!(replay.headers()["location"], first_location);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), first);
    assert_eq!(app.count("commitments").await, 1);
    assert_problem(
        send("key-1", "Another body").await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(send("key-2", "Twice").await.unwrap().status().as_u16(), 201);
    assert_problem(
        send("bad key with spaces", "x").await.unwrap(),
        400,
        "bad_request",
    )
    .await;
    assert_eq!(app.count("commitments").await, 2);
    // Racing replays of one key create one commitment.
    let statuses = all_at_once((0..6).map(|_| build("key-3", "Raced"))).await;
    assert_eq!(statuses, [201; 6]);
    assert_eq!(app.count("commitments").await, 3);
}

#[actix_web::test]
async fn each_caller_sees_exactly_what_the_rules_allow() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let other = app
        .accepted("Other Org", "technology-innovation", Some(&ti.lead))
        .await;
    let cj_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let stages = [
        Stage::Draft,
        Stage::WithdrawnDraft,
        Stage::Submitted,
        Stage::ChangesRequested,
        Stage::Rejected,
        Stage::Approved,
    ];
    let mut commitments = Vec::new();
    for stage in stages {
        commitments.push(app.commitment_in(&ti, stage, &format!("{stage:?}")).await);
    }
    // Draft, withdrawn draft, submitted, sent back, rejected, approved:
    let callers: [(&str, Option<&Caller>, [bool; 6]); 7] = [
        ("anonymous", None, [false, false, false, false, false, true]),
        ("its maker", Some(&ti.maker), [true; 6]),
        (
            "another maker",
            Some(&other.maker),
            [false, false, false, false, false, true],
        ),
        (
            "its lead",
            Some(&ti.lead),
            [false, false, true, true, true, true],
        ),
        (
            "another lead",
            Some(&cj_lead),
            [false, false, false, false, false, true],
        ),
        (
            "viewer",
            Some(&viewer),
            [false, false, true, true, true, true],
        ),
        ("admin", Some(&admin), [true; 6]),
    ];
    for (who, caller, sees) in callers {
        for (commitment, seen) in commitments.iter().zip(sees) {
            let status = get(&app, caller, &path(commitment)).await.status().as_u16();
            assert_eq!(
                status,
                if seen { 200 } else { 404 },
                "{who} / {}",
                commitment["title"]
            );
        }
        let list = json_ok(get(&app, caller, "/api/v1/commitments").await).await;
        let titles: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = stages
            .iter()
            .zip(sees)
            .rev()
            .filter(|(_, s)| *s)
            .map(|(stage, _)| format!("{stage:?}"))
            .collect();
        assert_eq!(titles, expected, "{who}");
    }
}

#[actix_web::test]
async fn lists_filter_and_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    for i in 0..7 {
        let mut body = commitment_body(&format!("Commitment {i}"));
        if i % 2 == 0 {
            body["countries"] = json!(["FR"]);
            body["types"] = json!(["advocacy"]);
            body["action_areas"] = json!([2]);
            body.as_object_mut().unwrap().remove("pledge");
            body["description"] = json!("Mentoring WOMEN founders");
        }
        app.create_commitment(&ti.maker, &body).await;
    }
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/commitments?limit=3".to_owned());
    while let Some(p) = next.take() {
        let response = get(&app, Some(&admin), &p).await;
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let body = json_ok(response).await;
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["title"].as_str().unwrap().to_owned()),
        );
        next = link.map(|l| {
            l.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        assert_eq!(next.is_some(), body["next_cursor"].is_string());
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("Commitment {i}")).collect();
    assert_eq!(seen, expected);

    let count = |query: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            json_ok(get(app, Some(admin), &format!("/api/v1/commitments?{query}")).await).await["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("country=FR").await, 4);
    assert_eq!(count("type=financial").await, 3);
    assert_eq!(
        count("coalition=technology-innovation&action_area=2").await,
        4
    );
    assert_eq!(count("action_area=4").await, 3);
    assert_eq!(count("q=women").await, 4);
    assert_eq!(count("q=100%25").await, 0);
    assert_eq!(count("status=draft&constituency=civil_society").await, 7);
    assert_eq!(count("constituency=government").await, 0);
    assert_eq!(
        count(Box::leak(
            format!("organization={}", ti.organization).into_boxed_str()
        ))
        .await,
        7
    );
    assert_eq!(count("region=Asia%20and%20the%20Pacific").await, 7);
    assert_eq!(count("updated_since=2999-01-01T00:00:00Z").await, 0);
    assert_eq!(count("updated_since=2000-01-01T00:00:00Z").await, 7);
    for bad in [
        "status=lost",
        "type=charity",
        "country=kh",
        "limit=500",
        "cursor=abc",
        "updated_since=yesterday",
        "action_area=0",
    ] {
        assert_problem(
            get(&app, Some(&admin), &format!("/api/v1/commitments?{bad}")).await,
            400,
            "bad_request",
        )
        .await;
    }
}

#[actix_web::test]
async fn racing_creators_get_distinct_consecutive_references() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let requests = (0..6).map(|i| {
        app.request(Method::POST, "/api/v1/commitments", Some(&ti.maker))
            .json(&commitment_body(&format!("Racer {i}")))
    });
    assert_eq!(all_at_once(requests).await, [201; 6]);
    let list = json_ok(get(&app, Some(&ti.maker), "/api/v1/commitments").await).await;
    let mut references: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap().to_owned())
        .collect();
    references.sort();
    let year = Utc::now().year();
    let expected: Vec<String> = (1..=6).map(|n| format!("TI-{year}-{n:04}")).collect();
    assert_eq!(references, expected);
}

#[actix_web::test]
async fn a_commitment_never_submitted_stays_private_to_its_organization_and_admins() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let hidden = app
        .commitment_in(&ti, Stage::WithdrawnDraft, "Never sent")
        .await;
    assert_eq!(hidden["status"], "withdrawn");
    // Withdrawn after submission: the coalition saw it, so it still may.
    let seen = app
        .commitment_in(&ti, Stage::Withdrawn, "Sent, then withdrawn")
        .await;
    let listed = |caller: &Caller| {
        let request = app.request(
            Method::GET,
            "/api/v1/commitments?coalition=technology-innovation&status=withdrawn",
            Some(caller),
        );
        async move {
            let body = json_ok(request.send().await.unwrap()).await;
            let mut titles: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["title"].as_str().unwrap().to_owned())
                .collect();
            titles.sort();
            titles
        }
    };
    for caller in [&ti.lead, &viewer] {
        for suffix in ["", "/events", "/reviews"] {
            let response = get(&app, Some(caller), &format!("{}{suffix}", path(&hidden))).await;
            let problem = assert_problem(response, 404, "not_found").await;
            assert!(!problem.to_string().contains("Changed our plans"));
        }
        assert_eq!(listed(caller).await, ["Sent, then withdrawn"]);
        json_ok(get(&app, Some(caller), &path(&seen)).await).await;
    }
    for caller in [&ti.maker, &admin] {
        let body = json_ok(get(&app, Some(caller), &path(&hidden)).await).await;
        assert_eq!(body["status"], "withdrawn");
        let events =
            json_ok(get(&app, Some(caller), &format!("{}/events", path(&hidden))).await).await;
        assert_eq!(events["items"][1]["reason"], "Changed our plans");
        assert_eq!(listed(caller).await, ["Never sent", "Sent, then withdrawn"]);
    }
}

#[actix_web::test]
async fn text_search_ignores_case_beyond_ascii_on_every_backend() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let mut body = commitment_body("ÉGALITÉ NUMÉRIQUE pour toutes");
    body["description"] = json!("Des clubs de code à Phnom Penh; ΣΧΟΛΕΊΑ για κορίτσια.");
    app.create_commitment(&ti.maker, &body).await;
    app.create_commitment(&ti.maker, &commitment_body("Coding clubs"))
        .await;
    for (q, found) in [
        ("égalité", 1),
        ("ÉGALITÉ", 1),
        ("Numérique", 1),
        ("σχολεία", 1),
        ("ΣΧΟΛΕΊΑ", 1),
        ("clubs", 2),
        ("égalite", 0),
    ] {
        let response = get(
            &app,
            Some(&ti.maker),
            &format!("/api/v1/commitments?q={}", urlencode(q)),
        )
        .await;
        let items = json_ok(response).await["items"].as_array().unwrap().len();
        assert_eq!(items, found, "q={q}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
