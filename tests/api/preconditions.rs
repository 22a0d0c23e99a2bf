//! Every operation that takes `If-Match` answers in one order (RFC 9110
//! §13.2.1, DESIGN.md §2): 401, then 404 (invisible) or 403 (not allowed),
//! then 409 (state), then 428/412 (preconditions), then 422 (content).

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Caller, Stage, TestApp, assert_problem, spawn_app};

/// Sends `method path` as `caller` with `body` and, when given, `If-Match`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    caller: Option<&Caller>,
    if_match: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = app.request(method, path, caller).json(&body);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.unwrap()
}

#[actix_web::test]
async fn who_may_act_is_answered_before_any_precondition() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let other = app
        .accepted("Other Org", "technology-innovation", Some(&ti.lead))
        .await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let draft = app.commitment_in(&ti, Stage::Draft, "A draft").await;
    let submitted = app.commitment_in(&ti, Stage::Submitted, "Sent").await;
    let commitment = |c: &Value| format!("/api/v1/commitments/{}", c["id"].as_str().unwrap());
    let users = format!("/api/v1/users/{}", admin.id);
    let organization = format!("/api/v1/organizations/{}", ti.organization);
    let coalition = "/api/v1/coalitions/technology-innovation";
    let review = json!({"decision": "approve", "comment": ""});
    let withdraw = json!({"reason": "x"});
    let cases: Vec<(Method, String, Option<&Caller>, Value, u16)> = vec![
        // Not signed in: 401 first.
        (
            Method::PATCH,
            users.clone(),
            None,
            json!({"active": false}),
            401,
        ),
        (
            Method::PATCH,
            commitment(&draft),
            None,
            json!({"title": "x"}),
            401,
        ),
        // Not allowed: 403, whatever the body and the missing If-Match.
        (
            Method::PATCH,
            users.clone(),
            Some(&ti.maker),
            json!({"role": "viewer"}),
            403,
        ),
        (
            Method::PATCH,
            users.clone(),
            Some(&viewer),
            json!({"bogus": 1}),
            403,
        ),
        (
            Method::PATCH,
            coalition.into(),
            Some(&ti.lead),
            json!({"period_end_year": 2030}),
            403,
        ),
        (
            Method::PATCH,
            coalition.into(),
            Some(&ti.maker),
            json!({"period_end_year": "soon"}),
            403,
        ),
        (
            Method::PATCH,
            organization.clone(),
            Some(&other.maker),
            json!({"name": "Taken over"}),
            403,
        ),
        (
            Method::PATCH,
            organization.clone(),
            Some(&ti.lead),
            json!({"name": ""}),
            403,
        ),
        (
            Method::PATCH,
            commitment(&submitted),
            Some(&ti.lead),
            json!({"title": "x"}),
            403,
        ),
        (
            Method::POST,
            format!("{}/submit", commitment(&submitted)),
            Some(&ti.lead),
            json!({}),
            403,
        ),
        (
            Method::POST,
            format!("{}/withdraw", commitment(&submitted)),
            Some(&ti.lead),
            withdraw.clone(),
            403,
        ),
        (
            Method::POST,
            format!("{}/reviews", commitment(&submitted)),
            Some(&ti.maker),
            review.clone(),
            403,
        ),
        (
            Method::POST,
            format!("{}/reviews", commitment(&submitted)),
            Some(&viewer),
            review.clone(),
            403,
        ),
        // Invisible: 404.
        (
            Method::PATCH,
            commitment(&draft),
            Some(&other.maker),
            json!({"title": "x"}),
            404,
        ),
        (
            Method::PATCH,
            commitment(&draft),
            Some(&ti.lead),
            json!({"title": 5}),
            404,
        ),
        (
            Method::POST,
            format!("{}/reviews", commitment(&draft)),
            Some(&ti.lead),
            review.clone(),
            404,
        ),
        (
            Method::PATCH,
            "/api/v1/users/nobody".into(),
            Some(&admin),
            json!({}),
            404,
        ),
        (
            Method::PATCH,
            "/api/v1/coalitions/nowhere".into(),
            Some(&admin),
            json!({}),
            404,
        ),
        // The state forbids it: 409 before asking for If-Match.
        (
            Method::PATCH,
            commitment(&submitted),
            Some(&ti.maker),
            json!({"title": "x"}),
            409,
        ),
        (
            Method::POST,
            format!("{}/submit", commitment(&submitted)),
            Some(&ti.maker),
            json!({}),
            409,
        ),
        (
            Method::POST,
            format!("{}/reviews", commitment(&draft)),
            Some(&admin),
            review.clone(),
            409,
        ),
        // Allowed: now If-Match is required, before the content is judged.
        (
            Method::PATCH,
            users.clone(),
            Some(&admin),
            json!({"bogus": 1}),
            428,
        ),
        (
            Method::PATCH,
            coalition.into(),
            Some(&admin),
            json!({"period_end_year": 1900}),
            428,
        ),
        (
            Method::PATCH,
            organization.clone(),
            Some(&ti.maker),
            json!({"name": ""}),
            428,
        ),
        (
            Method::PATCH,
            commitment(&draft),
            Some(&ti.maker),
            json!({"title": 5}),
            428,
        ),
        (
            Method::POST,
            format!("{}/withdraw", commitment(&draft)),
            Some(&ti.maker),
            json!({}),
            428,
        ),
        (
            Method::POST,
            format!("{}/reviews", commitment(&submitted)),
            Some(&ti.lead),
            json!({"decision": "reject"}),
            428,
        ),
    ];
    for (method, path, caller, body, status) in cases {
        let label = format!("{method} {path} {body}");
        let response = send(&app, method.clone(), &path, caller, None, body.clone()).await;
        assert_eq!(
            response.status().as_u16(),
            status,
            "{label} without If-Match"
        );
        if status != 428 {
            // A stale ETag changes nothing: the same answer.
            let response = send(&app, method, &path, caller, Some("\"99\""), body).await;
            assert_eq!(
                response.status().as_u16(),
                status,
                "{label} with a stale If-Match"
            );
        }
    }
    // With a stale If-Match the allowed callers get 412, still before 422.
    for (path, caller, body) in [
        (users.clone(), &admin, json!({"bogus": 1})),
        (organization.clone(), &ti.maker, json!({"name": ""})),
        (commitment(&draft), &ti.maker, json!({"title": 5})),
    ] {
        let response = send(
            &app,
            Method::PATCH,
            &path,
            Some(caller),
            Some("\"99\""),
            body,
        )
        .await;
        assert_problem(response, 412, "precondition_failed").await;
    }
    // With the right one, the content is judged.
    let response = send(
        &app,
        Method::PATCH,
        &commitment(&draft),
        Some(&ti.maker),
        Some("\"1\""),
        json!({"title": 5}),
    )
    .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "title");
    // Nothing of this changed anything.
    for c in [&draft, &submitted] {
        let response = app
            .request(Method::GET, &commitment(c), Some(&ti.maker))
            .send()
            .await
            .unwrap();
        let now: Value = response.json().await.unwrap();
        assert_eq!(
            (&now["version"], &now["title"]),
            (&c["version"], &c["title"])
        );
    }
}
