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
    assert_eq!(
        crate::helpers::own_tag(&etag),
        format!("\"{}-green\"", approved["version"])
    );
    app.clock.set("2099-06-01");
    app.open_cycle_today(2024).await;
    app.clock.set("2100-06-01");
    let (status, later, _) = revalidate(&app, &one, &etag).await;
    assert_eq!(
        (status, crate::helpers::own_tag(&later)),
        (200, format!("\"{}-amber\"", approved["version"]))
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

/// One answer to a GET, as a cache sees it.
struct Seen {
    status: u16,
    etag: Option<String>,
    vary: String,
    public: bool,
    body: Vec<u8>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ETag {:?}, Vary {:?}, public {}, {} bytes",
            self.status,
            self.etag,
            self.vary,
            self.public,
            self.body.len()
        )
    }
}

async fn seen(
    app: &crate::helpers::TestApp,
    url: &str,
    caller: Option<&crate::helpers::Caller>,
    language: Option<&str>,
) -> Seen {
    let mut request = app.request(Method::GET, url, caller);
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, etag, vary) = (
        response.status().as_u16(),
        header("etag"),
        header("vary").unwrap_or_default().to_lowercase(),
    );
    let public = header("cache-control").is_some_and(|c| c.contains("public"));
    Seen {
        status,
        etag,
        vary,
        public,
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// The GET operations of the spec, each with a URL to try it on.
fn sample_urls(spec: &serde_json::Value, ids: &[(&str, String)]) -> Vec<String> {
    let mut urls = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if item.get("get").is_none() || path.starts_with("/health/") || path == "/metrics" {
            continue;
        }
        let mut url = path.clone();
        for (parameter, value) in ids {
            url = url.replace(parameter, value);
        }
        assert!(
            !url.contains('{'),
            "no sample for a parameter of GET {path}: add one to this test"
        );
        if path == "/api/v1/stats/breakdown" {
            url.push_str("?by=country");
        }
        urls.push(url);
    }
    urls
}

/// Every GET operation of the spec, as every kind of caller in several
/// languages, before and after a change: an answer that depends on a
/// request header says `Vary` on it, and two different answers to one URL
/// never carry the same `ETag`.
#[actix_web::test]
async fn every_get_varies_on_what_it_reads_and_tags_its_whole_body() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let approved = app
        .commitment_in(&ti, Stage::Approved, "Coding clubs")
        .await;
    app.commitment_in(&ti, Stage::Draft, "Only ours").await;
    app.open_cycle_today(2024).await;
    let id = approved["id"].as_str().unwrap().to_owned();
    let report = app
        .request(
            Method::PUT,
            &format!("/api/v1/commitments/{id}/progress/2024"),
            Some(&ti.maker),
        )
        .json(&json!({"status": "in_progress", "percent_complete": 30,
                      "narrative": "Ten clubs ran."}))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 201);
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let expressions: serde_json::Value = app
        .request(
            Method::GET,
            "/api/v1/expressions-of-interest",
            Some(&ti.maker),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let spec: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let ids = [
        ("{slug}", "technology-innovation".to_owned()),
        ("{file}", "dashboard.js".to_owned()),
        ("/commitments/{id}", format!("/commitments/{id}")),
        (
            "/organizations/{id}",
            format!("/organizations/{}", ti.organization),
        ),
        ("/users/{id}", format!("/users/{}", ti.maker.id)),
        (
            "/expressions-of-interest/{id}",
            format!(
                "/expressions-of-interest/{}",
                expressions["items"][0]["id"].as_str().unwrap()
            ),
        ),
        ("{year}", "2024".to_owned()),
    ];
    let mut urls = sample_urls(&spec, &ids);
    // A list that a signed-in maker sees more of.
    urls.push(format!(
        "/api/v1/commitments?organization={}",
        ti.organization
    ));
    let callers = [
        None,
        Some(&ti.maker),
        Some(&ti.lead),
        Some(&viewer),
        Some(&admin),
    ];
    let languages = [None, Some("fr"), Some("km, en;q=0.5")];
    // Every answer: (url, caller, language) → what was seen.
    let round = |label: &'static str| {
        let app = &app;
        let urls = urls.clone();
        async move {
            let mut all: Vec<((String, usize, usize), Seen)> = Vec::new();
            for url in &urls {
                for (c, caller) in callers.iter().enumerate() {
                    for (l, language) in languages.iter().enumerate() {
                        let answer = seen(app, url, *caller, *language).await;
                        all.push(((url.clone(), c, l), answer));
                    }
                }
            }
            let find = |url: &str, c: usize, l: usize| {
                all.iter()
                    .find(|((u, ci, li), _)| u == url && *ci == c && *li == l)
                    .map(|(_, s)| s)
                    .unwrap()
            };
            for ((url, c, l), answer) in &all {
                // Another language, the same caller.
                let plain = find(url, *c, 0);
                if *l > 0 && plain.status == 200 && answer.body != plain.body {
                    for one in [plain, answer] {
                        assert!(
                            one.vary.contains("accept-language"),
                            "{label}: GET {url} changes with Accept-Language \
                             without saying Vary: {one:?}"
                        );
                    }
                }
                // Another caller, the same language: a public answer that
                // differs for signed-in callers must say so, or a shared
                // cache hands it to them.
                let anonymous = find(url, 0, *l);
                if *c > 0 && anonymous.public && answer.body != anonymous.body {
                    assert!(
                        anonymous.vary.contains("authorization"),
                        "{label}: GET {url} differs for a signed-in caller \
                         without Vary: {anonymous:?}"
                    );
                }
            }
            all
        }
    };
    let before = round("before").await;
    // A change every answer about the organization shows.
    let profile = app
        .get(&format!("/api/v1/organizations/{}", ti.organization))
        .await;
    let tag = profile.headers()["etag"].to_str().unwrap().to_owned();
    let renamed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", ti.organization),
            Some(&ti.maker),
        )
        .header("If-Match", tag)
        .json(&json!({"name": "Digital Sisters Cambodia"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status().as_u16(), 200);
    let after = round("after").await;
    let all: Vec<&((String, usize, usize), Seen)> = before.iter().chain(&after).collect();
    let mut checked = 0;
    for (i, ((url, _, _), one)) in all.iter().enumerate() {
        for ((other_url, _, _), other) in &all[i + 1..] {
            if url == other_url
                && one.status == 200
                && other.status == 200
                && one.body != other.body
                && one.etag.is_some()
            {
                checked += 1;
                assert_ne!(
                    one.etag, other.etag,
                    "GET {url}: two different answers with one ETag"
                );
            }
        }
    }
    assert!(checked > 100, "only {checked} pairs of different answers");
    // The commitment's own answers changed with its organization's name.
    let changed = after
        .iter()
        .any(|((url, _, _), s)| url.ends_with(&id) && s.body.windows(8).any(|w| w == b"Cambodia"));
    assert!(changed);
}
