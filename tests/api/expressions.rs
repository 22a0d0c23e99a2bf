//! Expressions of interest: who may express, see, decide and withdraw.

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, commitment_body, spawn_app};

#[actix_web::test]
async fn an_organization_commits_only_after_its_interest_is_accepted() {
    let app = spawn_app().await;
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let lead = app
        .signed_in(
            "lead@ti.example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    let other_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;

    let response = app
        .request(Method::POST, "/api/v1/commitments", Some(&maker))
        .json(&commitment_body("Too early"))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 403, "forbidden").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("expression of interest"),
        "{problem}"
    );

    let response = app
        .request(Method::POST, "/api/v1/expressions-of-interest", Some(&maker))
        .json(&json!({"coalition": "technology-innovation", "action_areas": [1, 4, 4], "motivation": "Coding clubs."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let expression: Value = response.json().await.unwrap();
    assert_eq!(expression["status"], "pending");
    assert_eq!(expression["action_areas"], json!([1, 4]));
    assert_eq!(expression["contact_email"], "maker@ds.example.org");
    let path = format!(
        "/api/v1/expressions-of-interest/{}",
        expression["id"].as_str().unwrap()
    );

    // A second open one in the same coalition is a conflict.
    let again = app
        .request(
            Method::POST,
            "/api/v1/expressions-of-interest",
            Some(&maker),
        )
        .json(&json!({"coalition": "technology-innovation"}))
        .send()
        .await
        .unwrap();
    assert_problem(again, 409, "already_expressed").await;

    // Another coalition's lead does not even see it; the maker cannot decide.
    let decide = |caller, decision: &str| {
        app.request(Method::POST, &format!("{path}/decision"), Some(caller))
            .json(&json!({"decision": decision}))
            .send()
    };
    assert_problem(
        decide(&other_lead, "accept").await.unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_problem(decide(&maker, "accept").await.unwrap(), 403, "forbidden").await;

    let response = app
        .request(Method::POST, &format!("{path}/decision"), Some(&lead))
        .json(&json!({"decision": "accept", "note": "Welcome aboard"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decided_by"], lead.id);
    assert_eq!(accepted["decision_note"], "Welcome aboard");
    assert_problem(
        decide(&lead, "decline").await.unwrap(),
        409,
        "invalid_transition",
    )
    .await;
    let withdraw = app
        .request(Method::POST, &format!("{path}/withdraw"), Some(&maker))
        .send()
        .await
        .unwrap();
    assert_problem(withdraw, 409, "invalid_transition").await;

    let created = app
        .create_commitment(&maker, &commitment_body("Now it works"))
        .await;
    assert_eq!(created["status"], "draft");
}

#[actix_web::test]
async fn expressions_are_seen_by_their_organization_their_coalitions_leads_and_admins_only() {
    let app = spawn_app().await;
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let (_, other_maker) = app.register("Other Org", "maker@other.example.org").await;
    let lead = app
        .signed_in(
            "lead@ti.example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    let other_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let created: Value = app
        .request(
            Method::POST,
            "/api/v1/expressions-of-interest",
            Some(&maker),
        )
        .json(&json!({"coalition": "technology-innovation"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/v1/expressions-of-interest/{}",
        created["id"].as_str().unwrap()
    );

    for (caller, seen) in [
        (&maker, true),
        (&lead, true),
        (&admin, true),
        (&viewer, true),
        (&other_maker, false),
        (&other_lead, false),
    ] {
        let response = app
            .request(Method::GET, &path, Some(caller))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), if seen { 200 } else { 404 });
        let list: Value = app
            .request(Method::GET, "/api/v1/expressions-of-interest", Some(caller))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), usize::from(seen));
    }
    assert_problem(app.get(&path).await, 401, "unauthorized").await;
    assert_problem(
        app.get("/api/v1/expressions-of-interest").await,
        401,
        "unauthorized",
    )
    .await;

    // Only makers express interest; only its makers withdraw it.
    for caller in [&lead, &viewer, &admin] {
        let response = app
            .request(
                Method::POST,
                "/api/v1/expressions-of-interest",
                Some(caller),
            )
            .json(&json!({"coalition": "technology-innovation"}))
            .send()
            .await
            .unwrap();
        assert_problem(response, 403, "forbidden").await;
    }
    assert_problem(
        app.request(Method::POST, &format!("{path}/withdraw"), Some(&lead))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    let response = app
        .request(Method::POST, &format!("{path}/withdraw"), Some(&maker))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap()["status"],
        "withdrawn"
    );
    // Withdrawn, the organization may express interest again.
    let again = app
        .request(
            Method::POST,
            "/api/v1/expressions-of-interest",
            Some(&maker),
        )
        .json(&json!({"coalition": "technology-innovation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 201);
}

#[actix_web::test]
async fn invalid_expressions_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    for (body, field) in [
        (json!({"coalition": "space-exploration"}), "coalition"),
        (
            json!({"coalition": "technology-innovation", "action_areas": [5]}),
            "action_areas[0]",
        ),
        (
            json!({"coalition": "technology-innovation", "contact_email": "nope"}),
            "contact_email",
        ),
        (
            json!({"coalition": "technology-innovation", "motivation": "x".repeat(5001)}),
            "motivation",
        ),
        (
            json!({"coalition": "technology-innovation", "status": "accepted"}),
            "status",
        ),
    ] {
        let response = app
            .request(
                Method::POST,
                "/api/v1/expressions-of-interest",
                Some(&maker),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    assert_eq!(app.count("expressions_of_interest").await, 0);
    assert_eq!(app.count("events").await, 0);
}

#[actix_web::test]
async fn dashboards_read_expressions_without_personal_data() {
    let app = spawn_app().await;
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let lead = app
        .signed_in(
            "lead@ti.example.org",
            Role::CoalitionLead,
            None,
            &["technology-innovation"],
        )
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let created: Value = app
        .request(Method::POST, "/api/v1/expressions-of-interest", Some(&maker))
        .json(&json!({"coalition": "technology-innovation", "contact_email": "Sokha.Chan@ds.example.org"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/v1/expressions-of-interest/{}",
        created["id"].as_str().unwrap()
    );
    for (caller, sees_contact) in [
        (&maker, true),
        (&lead, true),
        (&admin, true),
        (&viewer, false),
    ] {
        let one: Value = app
            .request(Method::GET, &path, Some(caller))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list: Value = app
            .request(Method::GET, "/api/v1/expressions-of-interest", Some(caller))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for body in [&one, &list["items"][0]] {
            assert_eq!(body["id"], created["id"]);
            if sees_contact {
                assert_eq!(body["contact_email"], "sokha.chan@ds.example.org");
            } else {
                assert!(body["contact_email"].is_null(), "{body}");
                assert!(!body.to_string().contains("@"), "no email at all: {body}");
            }
        }
    }
}
