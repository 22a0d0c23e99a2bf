//! `GET /metrics`: Prometheus text for the operators, and who may read it.

use gef_commitments::db::Backend;

use crate::helpers::{Stage, fresh_database, spawn_app, spawn_app_configured};

/// The value of the first sample line starting with `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[actix_web::test]
async fn requests_are_counted_by_route_pattern_and_commitments_by_status() {
    let app = spawn_app().await;
    let org = app
        .accepted("Metric Makers", "technology-innovation", None)
        .await;
    app.commitment_in(&org, Stage::Draft, "Counted draft").await;
    app.commitment_in(&org, Stage::Submitted, "Counted submission")
        .await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/coalitions").await.status().as_u16(), 200);
    }
    for id in [
        "0190a0a0-0000-7000-8000-000000000001",
        "0190a0a0-0000-7000-8000-000000000002",
    ] {
        let response = app.get(&format!("/api/v1/commitments/{id}")).await;
        assert_eq!(response.status().as_u16(), 404);
    }
    app.get("/wp-admin/setup.php").await;
    app.get("/.env").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    assert_eq!(
        sample(
            &text,
            r#"gef_http_requests_total{method="GET",route="/api/v1/coalitions",status="200"}"#
        ),
        Some(3.0),
        "{text}"
    );
    // By pattern, never by path: both ids in one series.
    assert_eq!(
        sample(
            &text,
            r#"gef_http_requests_total{method="GET",route="/api/v1/commitments/{id}",status="404"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert!(!text.contains("0190a0a0"), "no path in a label");
    assert!(!text.contains("wp-admin") && !text.contains(".env"));
    assert_eq!(
        sample(
            &text,
            r#"gef_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"gef_http_request_duration_seconds_count{method="GET",route="/api/v1/coalitions",status="200"}"#
        ),
        Some(3.0)
    );
    assert!(text.contains(r#"gef_http_request_duration_seconds_bucket{method="GET",route="/api/v1/coalitions",status="200",le="0.005"}"#));
    assert_eq!(
        sample(&text, r#"gef_commitments{status="draft"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"gef_commitments{status="submitted"}"#),
        Some(1.0)
    );
    assert!(sample(&text, r#"gef_db_pool_connections{state="idle"}"#).is_some());
    assert!(sample(&text, r#"gef_db_pool_connections{state="in_use"}"#).is_some());
    // SQLite's writer counts its batches and the writes in them.
    let batches = sample(&text, "gef_sqlite_write_batches_total");
    let writes = sample(&text, "gef_sqlite_writes_total");
    if app.backend() == Backend::Sqlite {
        let (batches, writes) = (batches.unwrap(), writes.unwrap());
        assert!(
            writes >= 4.0,
            "the setup wrote, then created and submitted: {text}"
        );
        assert!((1.0..=writes).contains(&batches), "{text}");
    } else {
        assert_eq!((batches, writes), (Some(0.0), Some(0.0)), "{text}");
    }
}

#[actix_web::test]
async fn only_loopback_allowed_addresses_and_the_token_read_the_metrics() {
    let token = "a metrics token of some length";
    let (database, dir) = fresh_database();
    let app = spawn_app_configured(database, dir, |s| {
        // The test client is loopback: a trusted proxy lets it speak for others.
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        s.metrics_allow = vec!["192.0.2.0/24".parse().unwrap()];
        s.metrics_token = Some(gef_commitments::config::Secret::new(token));
    })
    .await;
    let from = |address: &str, bearer: Option<&str>| {
        let mut request = app
            .client
            .get(app.url("/metrics"))
            .header("x-forwarded-for", address);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send()
    };
    assert_eq!(
        from("127.0.0.1", None).await.unwrap().status().as_u16(),
        200
    );
    assert_eq!(
        from("192.0.2.44", None).await.unwrap().status().as_u16(),
        200
    );
    let stranger = from("203.0.113.5", None).await.unwrap();
    crate::helpers::assert_problem(stranger, 403, "forbidden").await;
    // A hop that does not parse is an unknown client, never the proxy;
    // ports are read past.
    for unknown in [
        "nonsense, 203.0.113.7",
        "unknown",
        "127.0.0.1, nonsense",
        "203.0.113.7:4711",
        "[2001:db8::7]:443",
    ] {
        let answer = from(unknown, None).await.unwrap();
        assert_eq!(answer.status().as_u16(), 403, "X-Forwarded-For: {unknown}");
    }
    assert_eq!(
        from("192.0.2.44:8080", None)
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        from("203.0.113.5", Some("a wrong token of some length"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        from("203.0.113.5", Some(token))
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn invented_methods_share_one_label() {
    let app = spawn_app().await;
    for i in 0..60 {
        let method = reqwest::Method::from_bytes(format!("SCAN{i:03}").as_bytes()).unwrap();
        let answer = app
            .client
            .request(method, app.url("/health/live"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 405);
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("SCAN"), "no invented method in a label");
    assert_eq!(
        sample(
            &text,
            r#"gef_http_requests_total{method="other",route="/health/live",status="405"}"#
        ),
        Some(60.0),
        "{text}"
    );
}
