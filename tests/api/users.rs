//! Accounts managed by admins, and what everyone else may not do (OWASP API5).

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Caller, PASSWORD, TestApp, all_at_once, assert_problem, spawn_app};

async fn create(app: &TestApp, admin: &Caller, body: Value) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/users", Some(admin))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn admins_create_read_and_list_accounts_of_every_role() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let (organization, _) = app.register("Digital Sisters", "maker@example.org").await;

    let response = create(&app, &admin, json!({
        "email": "Lead@UNWomen.example.org", "password": PASSWORD, "display_name": "TI lead",
        "role": "coalition_lead", "coalitions": ["technology-innovation", "climate-justice", "climate-justice"]
    })).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        crate::helpers::own_tag(response.headers()["etag"].to_str().unwrap()),
        "\"1\""
    );
    let lead: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", lead["id"].as_str().unwrap())
    );
    assert_eq!(lead["email"], "lead@unwomen.example.org");
    assert_eq!(lead["role"], "coalition_lead");
    assert_eq!(
        lead["coalitions"],
        json!(["climate-justice", "technology-innovation"])
    );
    assert!(lead.get("password_hash").is_none() && lead.get("password").is_none());

    let response = create(&app, &admin, json!({
        "email": "second.maker@example.org", "password": PASSWORD, "display_name": "Second maker",
        "role": "maker", "organization_id": organization
    })).await;
    assert_eq!(response.status().as_u16(), 201);
    let maker: Value = response.json().await.unwrap();
    assert_eq!(maker["organization_id"], organization);

    let fetched: Value = app
        .request(Method::GET, &location, Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, lead);
    // The new lead can sign in.
    app.sign_in("lead@unwomen.example.org", PASSWORD).await;

    let list: Value = app
        .request(Method::GET, "/api/v1/users?role=maker", Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["maker@example.org", "second.maker@example.org"]);
}

#[actix_web::test]
async fn account_lists_page_with_signed_cursors() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    for i in 0..6 {
        app.create_account(&format!("viewer{i}@example.org"), Role::Viewer, None, &[])
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=3&role=viewer".to_owned();
    let mut pages = 0;
    loop {
        let response = app
            .request(Method::GET, &path, Some(&admin))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        pages += 1;
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header with the next page");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(
                    link.contains(cursor)
                        && link.contains("role=viewer")
                        && link.contains("limit=3"),
                    "{link}"
                );
                path = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            None => {
                assert!(link.is_none());
                break;
            }
        }
    }
    let expected: Vec<String> = (0..6).map(|i| format!("viewer{i}@example.org")).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        pages, 2,
        "six items at three a page, the second page knowing it is the last"
    );

    for bad in [
        "cursor=nope",
        "cursor=AAAA.BBBB",
        "limit=0",
        "limit=201",
        "limit=many",
    ] {
        let response = app
            .request(Method::GET, &format!("/api/v1/users?{bad}"), Some(&admin))
            .send()
            .await
            .unwrap();
        assert_problem(response, 400, "bad_request").await;
    }
    // A cursor from another list is refused.
    let orgs: Value = app
        .request(Method::GET, "/api/v1/users?limit=1", Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = orgs["next_cursor"].as_str().unwrap();
    let response = app
        .get(&format!("/api/v1/organizations?cursor={cursor}"))
        .await;
    assert_problem(response, 400, "bad_request").await;
}

#[actix_web::test]
async fn invalid_accounts_are_refused_whole_and_nothing_is_stored() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let before = app.count("users").await;
    let cases = [
        (
            json!({"email": "m@example.org", "password": PASSWORD, "display_name": "M", "role": "maker"}),
            vec!["organization_id"],
        ),
        (
            json!({"email": "m@example.org", "password": PASSWORD, "display_name": "M", "role": "maker",
                "organization_id": "0193a1c4-0000-7000-8000-000000000000"}),
            vec!["organization_id"],
        ),
        (
            json!({"email": "l@example.org", "password": PASSWORD, "display_name": "L", "role": "coalition_lead"}),
            vec!["coalitions"],
        ),
        (
            json!({"email": "l@example.org", "password": PASSWORD, "display_name": "L", "role": "coalition_lead",
                "coalitions": ["space-exploration"]}),
            vec!["coalitions[0]"],
        ),
        (
            json!({"email": "v@example.org", "password": PASSWORD, "display_name": "V", "role": "viewer",
                "coalitions": ["climate-justice"]}),
            vec!["coalitions"],
        ),
        (
            json!({"email": "bad", "password": "short", "display_name": " ", "role": "viewer"}),
            vec!["email", "password", "display_name"],
        ),
        (
            json!({"email": "v@example.org", "password": "onlylowercaseletters", "display_name": "V", "role": "viewer"}),
            vec!["password"],
        ),
        (
            json!({"email": "v@example.org", "password": PASSWORD, "display_name": "V", "role": "viewer", "active": false}),
            vec!["active"],
        ),
    ];
    for (body, fields) in cases {
        let problem = assert_problem(
            create(&app, &admin, body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        let got: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(got, fields, "{body}");
    }
    let response = create(&app, &admin, json!({"email": "ADMIN@example.org", "password": PASSWORD, "display_name": "Twin", "role": "viewer"})).await;
    assert_problem(response, 409, "email_taken").await;
    assert_eq!(app.count("users").await, before);
}

#[actix_web::test]
async fn account_changes_need_a_current_if_match_and_keep_one_admin() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .create_account("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let patch = |id: String, etag: Option<&'static str>, body: Value| {
        let mut request = app
            .request(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin))
            .json(&body);
        if let Some(etag) = etag {
            request = request.header("If-Match", etag);
        }
        request.send()
    };
    assert_problem(
        patch(viewer.clone(), None, json!({"display_name": "V"}))
            .await
            .unwrap(),
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        patch(viewer.clone(), Some("\"7\""), json!({"display_name": "V"}))
            .await
            .unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let response = patch(
        viewer.clone(),
        Some("\"1\""),
        json!({"display_name": "Dashboard"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        crate::helpers::own_tag(response.headers()["etag"].to_str().unwrap()),
        "\"2\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["display_name"].as_str(), body["version"].as_i64()),
        (Some("Dashboard"), Some(2))
    );
    // The ETag it replaced is stale now.
    assert_problem(
        patch(viewer.clone(), Some("\"1\""), json!({"active": false}))
            .await
            .unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    // A lead needs coalitions; a viewer cannot have an organization.
    let problem = assert_problem(
        patch(
            viewer.clone(),
            Some("\"2\""),
            json!({"role": "coalition_lead"}),
        )
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "coalitions");

    // The only admin cannot step down.
    let problem = assert_problem(
        patch(admin.id.clone(), Some("\"1\""), json!({"role": "viewer"}))
            .await
            .unwrap(),
        409,
        "last_admin",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("last active admin")
    );
    assert_problem(
        patch(admin.id.clone(), Some("\"1\""), json!({"active": false}))
            .await
            .unwrap(),
        409,
        "last_admin",
    )
    .await;
    let response = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{}", admin.id),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::helpers::own_tag(response.headers()["etag"].to_str().unwrap()),
        "\"1\"",
        "the refused changes changed nothing"
    );
}

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let app = spawn_app().await;
    let (organization, maker) = app.register("Digital Sisters", "maker@example.org").await;
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
    let new_account = json!({"email": "x@example.org", "password": PASSWORD, "display_name": "X", "role": "admin"});
    for caller in [&maker, &lead, &viewer] {
        let calls = [
            app.request(Method::POST, "/api/v1/users", Some(caller))
                .json(&new_account),
            app.request(Method::GET, "/api/v1/users", Some(caller)),
            app.request(
                Method::GET,
                &format!("/api/v1/users/{}", caller.id),
                Some(caller),
            ),
            app.request(
                Method::PATCH,
                &format!("/api/v1/users/{}", caller.id),
                Some(caller),
            )
            .header("If-Match", "\"1\"")
            .json(&json!({"role": "admin"})),
        ];
        for call in calls {
            assert_problem(call.send().await.unwrap(), 403, "forbidden").await;
        }
    }
    for call in [
        app.request(Method::POST, "/api/v1/users", None)
            .json(&new_account),
        app.request(Method::GET, "/api/v1/users", None),
        app.request(Method::GET, &format!("/api/v1/users/{}", maker.id), None),
    ] {
        assert_problem(call.send().await.unwrap(), 401, "unauthorized").await;
    }
    // Nobody became an admin, and the maker is still a maker of its organization.
    let me: Value = app
        .request(Method::GET, "/api/v1/me", Some(&maker))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["role"].as_str(), me["organization"]["id"].as_str()),
        (Some("maker"), Some(organization.as_str()))
    );
    assert_eq!(app.count("users").await, 3);
}

#[actix_web::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let app = spawn_app().await;
    let mut survivor = app
        .signed_in("admin0@example.org", Role::Admin, None, &[])
        .await;
    for round in 1..=8 {
        let rival = app
            .signed_in(&format!("admin{round}@example.org"), Role::Admin, None, &[])
            .await;
        // Each demotes the other (one by role, one by deactivation), at once.
        let statuses = all_at_once(
            [
                (&rival, &survivor, json!({"role": "viewer"})),
                (&survivor, &rival, json!({"active": false})),
            ]
            .into_iter()
            .map(|(by, whom, body)| {
                app.request(
                    Method::PATCH,
                    &format!("/api/v1/users/{}", whom.id),
                    Some(by),
                )
                .header("If-Match", "*")
                .json(&body)
            }),
        )
        .await;
        let mut left = Vec::new();
        for caller in [&survivor, &rival] {
            let me = app
                .request(Method::GET, "/api/v1/me", Some(caller))
                .send()
                .await
                .unwrap();
            if me.status().as_u16() == 200 {
                let body: Value = me.json().await.unwrap();
                if body["role"] == "admin" && body["active"] == true {
                    left.push(caller.clone());
                }
            }
        }
        assert_eq!(
            left.len(),
            1,
            "round {round}: {statuses:?} left {} admins",
            left.len()
        );
        // The loser was refused as the last admin, or lost its token with its role.
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert!(
            sorted == [200, 401] || sorted == [200, 409],
            "round {round}: {statuses:?}"
        );
        survivor = left.remove(0);
    }
}
