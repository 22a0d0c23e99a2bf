//! Registration, the public directory, and who may edit an organization
//! (OWASP API1 object level, API3 mass assignment, API5 function level).

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_app};

fn registration(email: &str) -> Value {
    json!({
        "organization": {"name": "Women in Tech Phnom Penh", "constituency": "womens_rights_org",
                         "country": "KH", "un_region": "asia_pacific", "website": "https://wit.example.org"},
        "account": {"email": email, "password": PASSWORD, "display_name": "Sreymom"}
    })
}

async fn register(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/organizations"))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn registration_creates_the_organization_and_its_first_maker() {
    let app = spawn_app().await;
    let response = register(&app, &registration("Sreymom@WIT.example.org")).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["organization"]["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/organizations/{id}"));
    assert_eq!(body["organization"]["constituency"], "womens_rights_org");
    assert_eq!(body["organization"]["un_region"], "asia_pacific");
    assert_eq!(body["account"]["role"], "maker");
    assert_eq!(body["account"]["email"], "sreymom@wit.example.org");

    let token = app.sign_in("sreymom@wit.example.org", PASSWORD).await;
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "maker");
    assert_eq!(me["organization"]["id"], id);
    assert_eq!(me["organization"]["name"], "Women in Tech Phnom Penh");

    let fetched = app.get(&location).await;
    assert_eq!(
        crate::helpers::own_tag(fetched.headers()["etag"].to_str().unwrap()),
        "\"1\""
    );
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched, body["organization"]);
}

#[actix_web::test]
async fn a_body_cannot_choose_role_organization_or_server_fields() {
    let app = spawn_app().await;
    let mut attempts = Vec::new();
    for (part, field, value) in [
        ("account", "role", json!("admin")),
        (
            "account",
            "organization_id",
            json!("0193a1c4-0000-7000-8000-000000000000"),
        ),
        ("account", "active", json!(true)),
        (
            "organization",
            "id",
            json!("0193a1c4-0000-7000-8000-000000000000"),
        ),
        ("organization", "version", json!(99)),
        ("organization", "created_at", json!("2020-01-01T00:00:00Z")),
    ] {
        let mut body = registration("mallory@example.org");
        body[part][field] = value;
        attempts.push((field, body));
    }
    for (field, body) in attempts {
        let problem = assert_problem(register(&app, &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
        assert_eq!(problem["errors"][0]["code"], "unknown_field");
    }
    assert_eq!(app.count("organizations").await, 0);
    assert_eq!(app.count("users").await, 0);
}

#[actix_web::test]
async fn registration_is_validated_whole_and_atomic() {
    let app = spawn_app().await;
    let body = json!({
        "organization": {"name": "X", "constituency": "club", "country": "XX", "website": "javascript:alert(1)"},
        "account": {"email": "nope", "password": "aaaaaaaaaaaaaaa", "display_name": ""}
    });
    let problem = assert_problem(register(&app, &body).await, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "organization.name",
            "organization.constituency",
            "organization.country",
            "organization.website",
            "account.email",
            "account.password",
            "account.display_name",
        ]
    );
    assert_eq!(problem["errors"][1]["code"], "unknown_constituency");
    assert_eq!(problem["errors"][2]["code"], "unknown_country");

    // A taken email rolls back the organization too.
    assert_eq!(
        register(&app, &registration("first@example.org"))
            .await
            .status()
            .as_u16(),
        201
    );
    let response = register(&app, &registration("FIRST@example.org")).await;
    assert_problem(response, 409, "email_taken").await;
    assert_eq!(app.count("organizations").await, 1);
    assert_eq!(app.count("users").await, 1);
}

#[actix_web::test]
async fn the_directory_is_public_filtered_and_paged() {
    let app = spawn_app().await;
    for (i, (constituency, country)) in [
        ("government", "FR"),
        ("youth_led", "KH"),
        ("youth_led", "MX"),
        ("youth_led", "KH"),
    ]
    .iter()
    .enumerate()
    {
        let body = json!({
            "organization": {"name": format!("Organization {i}"), "constituency": constituency, "country": country},
            "account": {"email": format!("maker{i}@example.org"), "password": PASSWORD, "display_name": "M"}
        });
        assert_eq!(register(&app, &body).await.status().as_u16(), 201);
    }
    let body: Value = app
        .get("/api/v1/organizations?constituency=youth_led&country=KH")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Organization 1", "Organization 3"]);
    let first: Value = app
        .get("/api/v1/organizations?limit=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/api/v1/organizations?limit=3&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["name"], "Organization 3");
    assert_eq!(rest["next_cursor"], Value::Null);
    for bad in ["constituency=club", "country=kh", "country=XX"] {
        assert_problem(
            app.get(&format!("/api/v1/organizations?{bad}")).await,
            400,
            "bad_request",
        )
        .await;
    }
    assert_problem(
        app.get("/api/v1/organizations/0193a1c4-0000-7000-8000-000000000000")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn only_its_makers_and_admins_edit_an_organization() {
    let app = spawn_app().await;
    let (ours, maker) = app.register("Digital Sisters", "maker@example.org").await;
    let (_, other_maker) = app.register("Other Org", "other@example.org").await;
    let lead = app
        .signed_in(
            "lead@example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let path = format!("/api/v1/organizations/{ours}");
    let patch = |caller, etag: &str, body: Value| {
        app.request(Method::PATCH, &path, caller)
            .header("If-Match", etag)
            .json(&body)
            .send()
    };

    for caller in [&other_maker, &lead, &viewer] {
        let response = patch(Some(caller), "\"1\"", json!({"name": "Hijacked"}))
            .await
            .unwrap();
        assert_problem(response, 403, "forbidden").await;
    }
    assert_problem(
        patch(None, "\"1\"", json!({"name": "Hijacked"}))
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let unchanged: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        (unchanged["name"].as_str(), unchanged["version"].as_i64()),
        (Some("Digital Sisters"), Some(1))
    );

    let response = patch(
        Some(&maker),
        "\"1\"",
        json!({"name": "Digital Sisters Cambodia", "website": "https://ds.example.org"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        crate::helpers::own_tag(response.headers()["etag"].to_str().unwrap()),
        "\"2\""
    );
    let response = patch(
        Some(&admin),
        "\"2\"",
        json!({"website": null, "un_region": "asia_pacific"}),
    )
    .await
    .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Digital Sisters Cambodia");
    assert_eq!(body["website"], Value::Null);
    assert_eq!(body["un_region"], "asia_pacific");
    assert_eq!(body["version"], 3);

    let problem = assert_problem(
        patch(
            Some(&maker),
            "\"3\"",
            json!({"country": "ZZ", "constituency": "x"}),
        )
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    assert_problem(
        patch(Some(&maker), "\"2\"", json!({"name": "Late"}))
            .await
            .unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let response = app
        .request(Method::PATCH, &path, Some(&maker))
        .json(&json!({"name": "No etag"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 428, "precondition_required").await;
    let response = patch(Some(&maker), "\"3\"", json!({"version": 1}))
        .await
        .unwrap();
    assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        app.get(&path).await.json::<Value>().await.unwrap()["version"],
        3
    );
}

#[actix_web::test]
async fn registrations_are_rate_limited_per_address() {
    let app = spawn_app().await;
    for i in 0..30 {
        let mut body = registration(&format!("m{i}@example.org"));
        body["organization"]["country"] = json!("XX");
        let status = register(&app, &body).await.status().as_u16();
        assert_eq!(status, 422, "attempt {i}");
    }
    let response = register(&app, &registration("late@example.org")).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429, "rate_limited").await;
    assert_eq!(app.count("organizations").await, 0);
}

/// 254 characters that grow past 254 when lower-cased (`İ` → `i̇`).
fn growing_email() -> String {
    let domain = format!("{0}.{0}.{0}.{1}.org", "a".repeat(60), "b".repeat(45));
    let email = format!("{}@{domain}", "İ".repeat(21));
    assert_eq!(email.chars().count(), 254);
    assert!(email.to_lowercase().chars().count() > 254);
    email
}

#[actix_web::test]
async fn an_email_that_grows_when_lower_cased_is_a_422_not_a_500() {
    let app = spawn_app().await;
    let mut body = registration("x@example.org");
    body["account"]["email"] = json!(growing_email());
    let problem = assert_problem(register(&app, &body).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "account.email");
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let response = app
        .request(Method::POST, "/api/v1/users", Some(&admin))
        .json(&json!({"email": growing_email(), "password": PASSWORD, "display_name": "X", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "email");
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let response = app
        .request(
            Method::POST,
            "/api/v1/expressions-of-interest",
            Some(&maker),
        )
        .json(&json!({"coalition": "technology-innovation", "contact_email": growing_email()}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "contact_email");
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": growing_email(), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 422, "validation_failed").await;
    assert_eq!(app.count("users").await, 2);
    assert_eq!(app.count("expressions_of_interest").await, 0);
}
