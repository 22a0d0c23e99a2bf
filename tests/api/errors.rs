//! Every failure the server can produce today leaves it as RFC 9457 problem+json.

use crate::helpers::{assert_problem, spawn_app};

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    for path in [
        "/nothing",
        "/api/v1/commitmentz",
        "/api/v2/coalitions",
        "/api/v1/coalitions/",
    ] {
        assert_problem(app.get(path).await, 404, "not_found").await;
    }
}

#[actix_web::test]
async fn wrong_methods_are_405_problems_that_say_what_is_allowed() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (reqwest::Method::POST, "/api/v1/coalitions", "GET, HEAD"),
        (
            reqwest::Method::DELETE,
            "/api/v1/coalitions/climate-justice",
            "GET, HEAD, PATCH",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/coalitions/climate-justice/action-areas",
            "GET, HEAD",
        ),
        (reqwest::Method::POST, "/health/live", "GET, HEAD"),
        (
            reqwest::Method::DELETE,
            "/api/v1/commitments/0193a1c4-0000-7000-8000-000000000000",
            "GET, HEAD, PATCH",
        ),
    ] {
        let response = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], allow, "{path}");
        assert_problem(response, 405, "method_not_allowed").await;
    }
}

#[actix_web::test]
async fn swagger_ui_misses_are_problems_too() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/docs/no-such-file.js").await, 404, "not_found").await;
    assert_eq!(body["title"], "Not Found");
}

#[actix_web::test]
async fn cors_admits_configured_origins_only() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/coalitions"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let allowed = preflight("https://dashboard.example.org").await.unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dashboard.example.org"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_problem(refused, 400, "bad_request").await;
}

#[actix_web::test]
async fn nul_characters_are_refused_before_they_reach_the_database() {
    use gef_commitments::domain::account::Role;
    let app = spawn_app().await;
    for path in [
        "/api/v1/commitments?q=a%00b",
        "/api/v1/commitments/abc%00",
        "/api/v1/coalitions/x%00y",
    ] {
        assert_problem(app.get(path).await, 400, "bad_request").await;
    }
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let response = app
        .request(
            reqwest::Method::POST,
            "/api/v1/expressions-of-interest",
            Some(&maker),
        )
        .json(&serde_json::json!({"coalition": "technology-innovation", "motivation": "a\u{0}b"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "motivation");
    assert_eq!(problem["errors"][0]["code"], "nul_character");
    let response = app
        .request(reqwest::Method::POST, "/api/v1/users", Some(&admin))
        .json(&serde_json::json!({"email": "l@example.org", "password": "Correct horse 42", "display_name": "L",
                                  "role": "coalition_lead", "coalitions": ["climate\u{0}justice"]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "coalitions[0]");
    assert_eq!(app.count("expressions_of_interest").await, 0);
    assert_eq!(app.count("users").await, 2);
}

/// Sends `body` (about 1 MiB) with `If-Match: *`; returns the status, the
/// answer's size in bytes and the problem it holds.
async fn answer_to(
    app: &crate::helpers::TestApp,
    method: reqwest::Method,
    path: &str,
    caller: &crate::helpers::Caller,
    body: String,
) -> (u16, usize, serde_json::Value) {
    let response = app
        .request(method, path, Some(caller))
        .header("content-type", "application/json")
        .header("If-Match", "*")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let problem = serde_json::from_slice(&bytes).unwrap_or_default();
    (status, bytes.len(), problem)
}

/// A valid commitment body with `field` set to the raw JSON `value`.
fn commitment_with(field: &str, value: &str) -> String {
    let mut body = crate::helpers::commitment_body("Hostile");
    body.as_object_mut().unwrap().remove(field);
    let mut text = body.to_string();
    text.pop();
    format!("{text},\"{field}\":{value}}}")
}

#[actix_web::test]
async fn a_hostile_megabyte_gets_a_short_answer_and_changes_nothing() {
    use crate::helpers::Stage;
    use gef_commitments::domain::account::Role;
    use gef_commitments::error::MAX_FIELD_ERRORS;
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let draft = app.commitment_in(&ti, Stage::Draft, "Target").await;
    let sent = app.commitment_in(&ti, Stage::Submitted, "Sent").await;
    let path = |c: &serde_json::Value| format!("/api/v1/commitments/{}", c["id"].as_str().unwrap());
    let huge_areas = format!("[{}1]", "1,".repeat(400_000));
    let long = |n: usize| serde_json::to_string(&"X".repeat(n)).unwrap();
    let new_commitment = "/api/v1/commitments".to_owned();
    // (method, path, caller, body, a field and code among the errors; "" for any)
    let cases = vec![
        // An array past its maxItems is one error for that field.
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with("action_areas", &huge_areas), "action_areas", "too_many"),
        (Method::PATCH, path(&draft), &ti.maker,
            format!("{{\"action_areas\":{huge_areas}}}"), "action_areas", "too_many"),
        (Method::POST, "/api/v1/expressions-of-interest".into(), &ti.maker,
            format!("{{\"coalition\":\"climate-justice\",\"action_areas\":{huge_areas}}}"),
            "action_areas", "too_many"),
        (Method::POST, "/api/v1/users".into(), &admin,
            format!("{{\"email\":\"a@b.org\",\"password\":\"Correct horse 42\",\"display_name\":\"A\",\
                \"role\":\"coalition_lead\",\"coalitions\":[{}\"x\"]}}", "\"x\",".repeat(150_000)),
            "coalitions", ""),
        // Hundreds of long, wrong items: a capped list of short errors.
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with("countries", &format!("[{}]", vec![long(3_000); 250].join(","))),
            "countries[0]", "unknown_country"),
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with("indicators", &serde_json::to_string(
                &vec![json!({"name": "", "unit": "U".repeat(15_000), "baseline": 1e300, "target": -1e300}); 50]).unwrap()),
            "indicators[0].name", "length"),
        // What the input said is echoed cut short, if at all.
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with("title", &format!("{{{}: 1}}", long(900_000))), "title", "invalid_type"),
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with(&"k".repeat(900_000), "1"), "", "unknown_field"),
        (Method::POST, format!("{}/reviews", path(&sent)), &ti.lead,
            format!("{{\"decision\":{}}}", long(900_000)), "decision", "invalid_type"),
        (Method::POST, new_commitment.clone(), &ti.maker,
            commitment_with("pledge", &format!("{{\"amount\":{},\"currency\":{}}}", long(400_000), long(400_000))),
            "pledge.currency", "unknown_currency"),
        (Method::POST, new_commitment, &ti.maker,
            commitment_with("countries", &format!("[{}]", long(900_000))), "countries[0]", "unknown_country"),
    ];
    for (method, path, caller, body, field, code) in cases {
        let label = format!("{method} {path} {field} {code}");
        assert!(
            body.len() > 500_000 && body.len() <= 1024 * 1024,
            "{label}: {}",
            body.len()
        );
        let (status, size, problem) = answer_to(&app, method, &path, caller, body).await;
        assert!(size <= 8 * 1024, "{label}: a {size}-byte answer");
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{label}: {problem}"
        );
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        assert!(
            errors.len() <= MAX_FIELD_ERRORS,
            "{label}: {} errors",
            errors.len()
        );
        assert!(
            errors.iter().any(|e| (code.is_empty() || e["code"] == code)
                && (field.is_empty() || e["field"] == field)),
            "{label}: {problem}"
        );
        if code == "too_many" || code.is_empty() {
            assert_eq!(
                errors.len(),
                1,
                "{label}: one error for the field: {problem}"
            );
        }
    }
    let (_, _, problem) = answer_to(
        &app,
        Method::POST,
        "/api/v1/commitments",
        &ti.maker,
        commitment_with(
            "countries",
            &format!("[{}]", vec![long(3_000); 250].join(",")),
        ),
    )
    .await;
    assert_eq!(
        problem["errors"].as_array().unwrap().len(),
        MAX_FIELD_ERRORS
    );
    assert_eq!(problem["truncated"], true, "{problem}");
    assert_eq!(app.count("commitments").await, 2);
    assert_eq!(app.count("expressions_of_interest").await, 1);
    assert_eq!(app.count("users").await, 3);
    for c in [&draft, &sent] {
        let response = app
            .request(Method::GET, &path(c), Some(&ti.maker))
            .send()
            .await
            .unwrap();
        let now: serde_json::Value = response.json().await.unwrap();
        assert_eq!(now["version"], c["version"], "unchanged");
    }
}
