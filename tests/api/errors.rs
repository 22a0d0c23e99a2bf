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
        (reqwest::Method::POST, "/api/v1/coalitions", "GET"),
        (
            reqwest::Method::DELETE,
            "/api/v1/coalitions/climate-justice",
            "GET, PATCH",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/coalitions/climate-justice/action-areas",
            "GET",
        ),
        (reqwest::Method::POST, "/health/live", "GET"),
        (
            reqwest::Method::DELETE,
            "/api/v1/commitments/0193a1c4-0000-7000-8000-000000000000",
            "GET, PATCH",
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
