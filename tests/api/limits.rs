//! The limit on requests per client address, and whose address counts
//! behind a proxy.

use crate::helpers::{assert_problem, fresh_database, spawn_app_configured};

async fn coalitions(
    app: &crate::helpers::TestApp,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/v1/coalitions"));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

#[actix_web::test]
async fn past_the_limit_an_address_gets_429_and_the_probes_still_answer() {
    let (database, dir) = fresh_database();
    let app = spawn_app_configured(database, dir, |s| s.rate_limit = Some(5)).await;
    // A burst of twice the rate, then refused; every answer says how much
    // is left (IETF RateLimit headers).
    for i in 0..10 {
        let answer = coalitions(&app, None).await;
        assert_eq!(answer.status().as_u16(), 200, "request {i}");
        assert_eq!(
            answer.headers()["ratelimit-policy"],
            "\"requests\";q=10;w=2"
        );
        let now = answer.headers()["ratelimit"].to_str().unwrap().to_owned();
        assert!(
            now.starts_with(&format!("\"requests\";r={};t=", 9 - i)),
            "{i}: {now}"
        );
    }
    let refused = coalitions(&app, None).await;
    assert!(
        refused.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"requests\";r=0;t=")
    );
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(refused.headers().contains_key("x-request-id"));
    assert_problem(refused, 429, "rate_limited").await;
    assert_eq!(app.get("/health/live").await.status().as_u16(), 200);
    assert_eq!(app.get("/health/ready").await.status().as_u16(), 200);
    // A forwarded address is not believed from an untrusted peer.
    assert_eq!(
        coalitions(&app, Some("198.51.100.7"))
            .await
            .status()
            .as_u16(),
        429
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_apart() {
    let (database, dir) = fresh_database();
    let app = spawn_app_configured(database, dir, |s| {
        s.rate_limit = Some(2);
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    for _ in 0..4 {
        let response = coalitions(&app, Some("198.51.100.1")).await;
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(
        coalitions(&app, Some("198.51.100.1"))
            .await
            .status()
            .as_u16(),
        429
    );
    // Another client behind the same proxy is not held up.
    assert_eq!(
        coalitions(&app, Some("198.51.100.2"))
            .await
            .status()
            .as_u16(),
        200
    );
    // A client cannot pick its address by writing the header itself: the
    // proxy appends the address it saw, and that is the one counted.
    assert_eq!(
        coalitions(&app, Some("198.51.100.99, 198.51.100.1"))
            .await
            .status()
            .as_u16(),
        429
    );
}
