//! HTTP caching and CORS for browser dashboards: validators on what GET
//! answers, 304s for what did not change, and cross-origin access for the
//! configured origins only.

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Stage, spawn_app};

/// `url` fetched with `If-None-Match: etag`: its status and its ETag.
async fn revalidate(app: &crate::helpers::TestApp, url: &str, etag: &str) -> (u16, String, usize) {
    let response = app
        .client
        .get(app.url(url))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body = response.bytes().await.unwrap().len();
    (status, etag, body)
}

#[actix_web::test]
async fn what_did_not_change_is_a_304_without_a_body() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let approved = app
        .commitment_in(&ti, Stage::Approved, "Coding clubs")
        .await;
    let sent = app.commitment_in(&ti, Stage::Submitted, "Waiting").await;
    let one = format!("/api/v1/commitments/{}", approved["id"].as_str().unwrap());
    for url in [
        "/api/v1/stats/summary",
        "/api/v1/stats/breakdown?by=country",
        "/api/v1/commitments",
        "/api/v1/events",
        "/api/v1/coalitions",
        "/api/v1/coalitions/technology-innovation",
        &one,
        "/api/v1/reporting-cycles",
    ] {
        let response = app.get(url).await;
        assert_eq!(response.status().as_u16(), 200, "{url}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=60",
            "{url}"
        );
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let (status, again, body) = revalidate(&app, url, &etag).await;
        assert_eq!(
            (status, again.as_str(), body),
            (304, etag.as_str(), 0),
            "{url}"
        );
        let (status, _, body) = revalidate(&app, url, "W/\"something else\"").await;
        assert!(status == 200 && body > 0, "{url}");
    }
    // A change shows: the figures' validator moves on.
    let before = app.get("/api/v1/stats/summary").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let approve = app
        .act(
            &ti.lead,
            &format!(
                "/api/v1/commitments/{}/reviews",
                sent["id"].as_str().unwrap()
            ),
            &sent["version"],
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(approve.status().as_u16(), 200);
    let (status, after, _) = revalidate(&app, "/api/v1/stats/summary", &before).await;
    assert_eq!(status, 200);
    assert_ne!(after, before);
    // A commitment's validator names its version and its reporting health,
    // which the date alone can change; If-Match reads the version.
    let etag = app.get(&one).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(etag, format!("\"{}-green\"", approved["version"]));
    app.clock.set("2099-06-01");
    app.open_cycle_today(2024).await;
    app.clock.set("2100-06-01");
    let (status, later, _) = revalidate(&app, &one, &etag).await;
    assert_eq!(
        (status, later.as_str()),
        (200, format!("\"{}-amber\"", approved["version"]).as_str())
    );
    let withdrawn = app
        .request(Method::POST, &format!("{one}/withdraw"), Some(&ti.maker))
        .header("If-Match", later)
        .json(&json!({"reason": "Over"}))
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status().as_u16(), 200);
    // Signed-in answers are private; errors and exports are not cached.
    let mine = app
        .request(Method::GET, "/api/v1/commitments", Some(&ti.maker))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["cache-control"], "private, no-cache");
    let missing = app.get("/api/v1/commitments/nothing").await;
    assert!(missing.headers().get("etag").is_none());
    let export = app.get("/api/v1/exports/commitments").await;
    assert_eq!(export.headers()["cache-control"], "no-store");
    assert!(export.headers().get("etag").is_none());
    let health = app.get("/health/live").await;
    assert!(health.headers().get("cache-control").is_none());
}

#[actix_web::test]
async fn browser_dashboards_of_configured_origins_may_read_and_change() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let preflight = |origin: &'static str, method: &'static str, headers: &'static str| {
        app.client
            .request(
                Method::OPTIONS,
                app.url("/api/v1/coalitions/technology-innovation"),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    let allowed = preflight(
        "https://dashboard.example.org",
        "PATCH",
        "authorization, if-match, content-type",
    )
    .await
    .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dashboard.example.org"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_uppercase();
    for method in ["GET", "POST", "PUT", "PATCH"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in ["authorization", "if-match", "content-type"] {
        assert!(headers.contains(header), "{headers}");
    }
    let conditional = preflight("https://dashboard.example.org", "GET", "if-none-match")
        .await
        .unwrap();
    assert_eq!(conditional.status().as_u16(), 200);
    // A real cross-origin read exposes what scripts need.
    let read = app
        .client
        .get(app.url("/api/v1/coalitions/technology-innovation"))
        .header("Origin", "https://dashboard.example.org")
        .send()
        .await
        .unwrap();
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in ["etag", "link", "location"] {
        assert!(exposed.contains(header), "{exposed}");
    }
    let change = app
        .request(
            Method::PATCH,
            "/api/v1/coalitions/technology-innovation",
            Some(&admin),
        )
        .header("Origin", "https://dashboard.example.org")
        .header("If-Match", read.headers()["etag"].to_str().unwrap())
        .json(&json!({"period_end_year": 2026}))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status().as_u16(), 200);
    assert_eq!(
        change.headers()["access-control-allow-origin"],
        "https://dashboard.example.org"
    );
    // Other origins get no CORS headers at all.
    let other = app
        .client
        .get(app.url("/api/v1/coalitions"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        other
            .headers()
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-"))
    );
    let refused = preflight("https://evil.example", "PATCH", "if-match")
        .await
        .unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
