//! The demo world, the dashboard page and its six languages: the page's
//! HTTP answers, then the page itself in a real browser.

use std::collections::BTreeSet;

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use gef_commitments::app::demo;
use gef_commitments::domain::account::Role;
use gef_commitments::domain::organization::Constituency;
use serde_json::{Value, json};

use crate::browser::with_browser;
use crate::helpers::{Stage, TestApp, spawn_app};

const TODAY: &str = "2026-06-01";

/// An app holding the demo world, on a fixed date.
async fn demo_app() -> (TestApp, Vec<demo::DemoAccount>) {
    let app = spawn_app().await;
    app.clock.set(TODAY);
    let today = TODAY.parse().unwrap();
    let accounts = demo::seed(&app.db, today).await.expect("the demo seeds");
    (app, accounts)
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

#[derive(diesel::QueryableByName)]
struct Tally {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `key, count` rows of `sql`, as a set of keys.
async fn keys(app: &TestApp, sql: &'static str) -> BTreeSet<String> {
    app.db
        .run(
            move |conn| -> Result<Vec<Tally>, gef_commitments::db::DbError> {
                Ok(diesel::sql_query(sql).load::<Tally>(conn)?)
            },
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.n > 0)
        .map(|t| t.key)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[actix_web::test]
async fn the_demo_holds_every_state_every_coalition_and_every_constituency() {
    let (app, accounts) = demo_app().await;

    let statuses = keys(
        &app,
        "SELECT status AS key, COUNT(*) AS n FROM commitments GROUP BY status",
    )
    .await;
    let every_status = set(&[
        "draft",
        "submitted",
        "changes_requested",
        "approved",
        "rejected",
        "completion_claimed",
        "completed",
        "withdrawn",
    ]);
    assert_eq!(statuses, every_status);
    let reports = keys(
        &app,
        "SELECT status AS key, COUNT(*) AS n FROM progress_reports GROUP BY status",
    )
    .await;
    assert_eq!(
        reports,
        set(&[
            "not_started",
            "in_progress",
            "stalled",
            "completed",
            "cancelled"
        ])
    );
    let checks = keys(
        &app,
        "SELECT validation_status AS key, COUNT(*) AS n FROM progress_reports GROUP BY validation_status",
    )
    .await;
    assert_eq!(checks, set(&["pending", "validated", "queried"]));
    let expressions = keys(
        &app,
        "SELECT status AS key, COUNT(*) AS n FROM expressions_of_interest GROUP BY status",
    )
    .await;
    assert_eq!(expressions, set(&["pending", "accepted", "declined"]));
    let currencies = keys(&app, "SELECT pledge_currency AS key, COUNT(*) AS n FROM commitments WHERE pledge_currency IS NOT NULL GROUP BY pledge_currency").await;
    assert!(currencies.len() >= 8, "several currencies: {currencies:?}");

    // What the public sees: every coalition, every constituency, the four
    // Technology and Innovation action areas, every reporting health.
    let by = |dimension: &str| format!("/api/v1/stats/breakdown?by={dimension}");
    let coalitions = json_of(&app, &by("coalition")).await;
    assert_eq!(coalitions["rows"].as_array().unwrap().len(), 7);
    let constituencies = json_of(&app, &by("constituency")).await;
    assert_eq!(
        constituencies["rows"].as_array().unwrap().len(),
        Constituency::ALL.len(),
        "{constituencies}"
    );
    let areas = json_of(
        &app,
        &format!("{}&coalition=technology-innovation", by("action_area")),
    )
    .await;
    let numbers: BTreeSet<String> = areas["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        numbers,
        set(&[
            "technology-innovation:1",
            "technology-innovation:2",
            "technology-innovation:3",
            "technology-innovation:4"
        ])
    );
    let summary = json_of(&app, "/api/v1/stats/summary").await;
    for colour in ["green", "amber", "red"] {
        assert!(
            summary["reporting_health"][colour].as_i64().unwrap() > 0,
            "{colour}: {summary}"
        );
    }
    assert!(summary["disbursed_usd"].as_str().unwrap() != "0.00");

    // An account for every role, each password good for signing in, once printed.
    let roles: BTreeSet<&str> = accounts.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(
        roles,
        BTreeSet::from(["admin", "coalition_lead", "maker", "viewer"])
    );
    let passwords: BTreeSet<&str> = accounts.iter().map(|a| a.password.as_str()).collect();
    assert_eq!(
        passwords.len(),
        accounts.len(),
        "every account its own password"
    );
    let viewer = accounts.iter().find(|a| a.role == Role::Viewer).unwrap();
    let token = app.sign_in(&viewer.email, &viewer.password).await;
    assert!(!token.is_empty());
}

#[actix_web::test]
async fn the_demo_refuses_a_database_that_holds_commitments_and_names_how_many() {
    let (app, _) = demo_app().await;
    let before = app.count("commitments").await;
    let users = app.count("users").await;
    let refused = demo::seed(&app.db, TODAY.parse().unwrap()).await;
    let error = refused.expect_err("a second seed is refused").to_string();
    assert!(error.contains(&format!("{before} commitments")), "{error}");
    assert_eq!(app.count("commitments").await, before);
    assert_eq!(app.count("users").await, users, "nothing was added");
}

/// The JSON the page arrived with.
fn state_of(html: &str) -> Value {
    let start = html
        .find(r#"<script type="application/json" id="state">"#)
        .expect("the state")
        + 43;
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("the state is JSON")
}

#[actix_web::test]
async fn the_page_arrives_with_the_public_apis_own_answers() {
    let (app, _) = demo_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-language"], "en");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert!(
        headers["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched from elsewhere"
    );
    let state = state_of(&html);
    assert_eq!(
        state["data"]["summary"],
        json_of(&app, "/api/v1/stats/summary").await
    );
    assert_eq!(
        state["data"]["by_coalition"],
        json_of(&app, "/api/v1/stats/breakdown?by=coalition&lang=en").await
    );
    assert_eq!(
        state["data"]["by_action_area"],
        json_of(
            &app,
            "/api/v1/stats/breakdown?by=action_area&coalition=technology-innovation&lang=en"
        )
        .await
    );
    let listed = json_of(&app, "/api/v1/commitments?limit=20").await;
    assert_eq!(state["data"]["commitments"]["items"], listed["items"]);

    // A filter in the address gives the filtered answers.
    let filtered = app
        .get("/?coalition=climate-justice&country=SN")
        .await
        .text()
        .await
        .unwrap();
    let state = state_of(&filtered);
    let expected = json_of(
        &app,
        "/api/v1/stats/summary?coalition=climate-justice&country=SN",
    )
    .await;
    assert_eq!(state["data"]["summary"], expected);
    assert_ne!(expected["commitments"]["total"], json!(0));
    assert_eq!(
        state["data"]["by_action_area"],
        json_of(
            &app,
            "/api/v1/stats/breakdown?by=action_area&coalition=climate-justice&country=SN&lang=en"
        )
        .await
    );
    // A malformed filter leaves the figures to the API, which says what is wrong.
    let malformed = state_of(&app.get("/?country=Cambodia").await.text().await.unwrap());
    assert!(malformed["data"].get("summary").is_none());
    assert_eq!(
        malformed["data"]["coalitions"]["items"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    // Its script and style are served from here.
    for (asset, kind) in [
        ("dashboard.js", "text/javascript"),
        ("dashboard.css", "text/css"),
    ] {
        let response = app.get(&format!("/assets/{asset}")).await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(html.contains(&format!("/assets/{asset}?v=")));
    }
    crate::helpers::assert_problem(app.get("/assets/../Cargo.toml").await, 404, "not_found").await;
    crate::helpers::assert_problem(app.get("/assets/evil.js").await, 404, "not_found").await;
}

#[actix_web::test]
async fn the_page_speaks_the_readers_language() {
    let app = spawn_app().await;
    let cases = [
        (
            None,
            Some("fr-CA, fr;q=0.9, en;q=0.8"),
            "fr",
            "Engagements Génération Égalité",
        ),
        (None, Some("de, km;q=0.7, zh;q=0.9"), "zh", "“平等一代”承诺"),
        (Some("id"), Some("fr"), "id", "Komitmen Generation Equality"),
        (Some("km"), None, "km", "ការប្តេជ្ញាចិត្តជំនាន់សមភាព"),
        (
            Some("es-MX"),
            None,
            "es",
            "Compromisos de Generación Igualdad",
        ),
        // An unknown or malformed ?lang= falls back to Accept-Language, then English.
        (
            Some("<script>"),
            Some("es"),
            "es",
            "Compromisos de Generación Igualdad",
        ),
        (Some("de"), None, "en", "Generation Equality commitments"),
    ];
    for (lang, accept, expected, title) in cases {
        let path = lang.map_or("/".to_owned(), |l| format!("/?lang={}", urlencode(l)));
        let mut request = app.client.get(app.url(&path));
        if let Some(accept) = accept {
            request = request.header("Accept-Language", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["content-language"],
            expected,
            "{lang:?} {accept:?}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{expected}\">")));
        assert!(
            html.contains(&format!("<title>{title}</title>")),
            "{lang:?} {accept:?}"
        );
        let state = state_of(&html);
        assert_eq!(state["words"]["page"]["title"], title);
        let coalition = &state["data"]["coalitions"]["items"][0];
        assert_eq!(
            coalition["lang"], expected,
            "coalitions come in the page's language"
        );
    }
}

#[actix_web::test]
async fn a_commitment_page_shows_public_commitments_only_and_cannot_be_scripted() {
    let app = spawn_app().await;
    let org = app
        .accepted("Page Org", "technology-innovation", None)
        .await;
    let mut body = crate::helpers::commitment_body("</script><script>alert(1)</script>");
    body["coalition"] = json!("technology-innovation");
    let public = app.commitment_from(&org, Stage::Approved, &body).await;
    let draft = app
        .commitment_in(&org, Stage::Draft, "A secret draft")
        .await;
    let submitted = app
        .commitment_in(&org, Stage::Submitted, "Under review")
        .await;

    let response = app
        .get(&format!("/commitments/{}", public["id"].as_str().unwrap()))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script>alert"),
        "the title is data, not markup"
    );
    let state = state_of(&html);
    assert_eq!(state["view"], "commitment");
    assert_eq!(
        state["data"]["commitment"]["title"],
        "</script><script>alert(1)</script>"
    );
    assert_eq!(state["data"]["commitment"]["id"], public["id"]);

    for hidden in [&draft, &submitted] {
        let response = app
            .get(&format!("/commitments/{}", hidden["id"].as_str().unwrap()))
            .await;
        assert_eq!(response.status().as_u16(), 404);
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        let html = response.text().await.unwrap();
        assert_eq!(state_of(&html)["view"], "not_found");
        assert!(
            !html.contains(hidden["title"].as_str().unwrap()),
            "nothing of it shows"
        );
    }
    let html = app.get("/").await.text().await.unwrap();
    assert!(!html.contains("A secret draft") && !html.contains("Under review"));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the page shows, read from its DOM.
const READ_PAGE: &str = r#"(() => {
  const text = (selector) => document.querySelector(selector)?.textContent.trim() ?? null;
  const digits = (selector) => (text(selector) || "").replace(/[^0-9]/g, "");
  const rows = (id) => [...document.querySelectorAll(`[data-testid="${id}"] .bar-row`)].map((row) => ({
    key: row.dataset.key,
    label: row.querySelector(".bar-label").textContent,
    value: Number(row.querySelector(".bar-value").textContent.replace(/[^0-9]/g, "")),
  }));
  return {
    lang: document.documentElement.lang,
    h1: text("h1"),
    commitments: digits('[data-testid="total-commitments"] .kpi-value'),
    makers: digits('[data-testid="total-makers"] .kpi-value'),
    pledged: digits('[data-testid="total-pledged"] .exact'),
    disbursed: digits('[data-testid="total-disbursed"] .exact'),
    progress: digits('[data-testid="mean-progress"] .kpi-value'),
    health: rows("chart-health"),
    status: rows("chart-status"),
    coalitions: rows("chart-coalition"),
    areas: [...document.querySelectorAll('.area')].map((a) => ({
      number: a.dataset.testid,
      commitments: Number(a.querySelector(".area-commitments").textContent.replace(/[^0-9]/g, "")),
      title: a.querySelector("h3").textContent,
    })),
    listed: [...document.querySelectorAll('[data-testid="list"] > li')].map((li) => li.dataset.id),
    search: location.search,
  };
})()"#;

/// The figures of a summary as the page shows them (whole dollars, percent).
fn shown(summary: &Value) -> Value {
    let whole = |money: &Value| {
        money
            .as_str()
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_owned()
    };
    json!({
        "commitments": summary["commitments"]["total"].to_string(),
        "makers": summary["makers"].to_string(),
        "pledged": whole(&summary["pledged_usd"]),
        "disbursed": whole(&summary["disbursed_usd"]),
        // Rounded half away from zero, as Intl.NumberFormat does.
        "progress": format!("{}", summary["mean_percent_complete"].as_f64().unwrap().round()),
    })
}

fn picked(page: &Value) -> Value {
    json!({
        "commitments": page["commitments"], "makers": page["makers"], "pledged": page["pledged"],
        "disbursed": page["disbursed"], "progress": page["progress"],
    })
}

fn bars(breakdown: &Value) -> Vec<(String, String, i64)> {
    breakdown["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = r["key"].as_str().unwrap().to_owned();
            (
                key,
                r["label"].as_str().unwrap().to_owned(),
                r["commitments"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn page_bars(page: &Value, chart: &str) -> Vec<(String, String, i64)> {
    page[chart]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = r["key"].as_str().unwrap().to_owned();
            (
                key,
                r["label"].as_str().unwrap().to_owned(),
                r["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn in_a_real_browser_the_page_shows_the_apis_figures_in_the_chosen_language_and_filters_them()
{
    let (app, _) = demo_app().await;
    let address = app.address.clone();
    let summary = json_of(&app, "/api/v1/stats/summary").await;
    let coalitions_en = json_of(&app, "/api/v1/stats/breakdown?by=coalition&lang=en").await;
    let coalitions_fr = json_of(&app, "/api/v1/stats/breakdown?by=coalition&lang=fr").await;
    let areas = json_of(
        &app,
        "/api/v1/stats/breakdown?by=action_area&coalition=technology-innovation",
    )
    .await;
    let filtered = json_of(
        &app,
        "/api/v1/stats/summary?coalition=economic-justice-rights",
    )
    .await;
    let found = json_of(
        &app,
        "/api/v1/commitments?limit=20&q=childcare&coalition=economic-justice-rights",
    )
    .await;
    let titles_fr = json_of(&app, "/api/v1/coalitions/technology-innovation?lang=fr").await;

    let Some((english, french, after_filter, after_search, screenshot)) = with_browser(move |browser| {
        browser.open(&format!("{address}/?lang=en"));
        let english = browser.eval(READ_PAGE);
        let screenshot = browser.screenshot(2300);
        browser.open(&format!("{address}/?lang=fr"));
        let french = browser.eval(READ_PAGE);
        // Choose a coalition as a reader would: the page asks the API again.
        browser.open(&format!("{address}/?lang=en"));
        let before = browser.renders();
        browser.eval(
            "(() => { const s = document.getElementById('filter-coalition'); s.focus(); \
             s.value = 'economic-justice-rights'; s.dispatchEvent(new Event('change', { bubbles: true })); })()",
        );
        browser.wait_for(&format!("Number(document.getElementById('app').dataset.rendered) > {before}"));
        let after_filter = browser.eval(READ_PAGE);
        let before = browser.renders();
        browser.eval(
            "(() => { document.getElementById('search').value = 'childcare'; \
             document.querySelector('form.search button').click(); })()",
        );
        browser.wait_for(&format!("Number(document.getElementById('app').dataset.rendered) > {before}"));
        let after_search = browser.eval(READ_PAGE);
        (english, french, after_filter, after_search, screenshot)
    })
    .await
    else {
        return;
    };

    // The numbers the page shows are the API's.
    assert_eq!(picked(&english), shown(&summary), "{english}");
    assert_eq!(page_bars(&english, "coalitions"), bars(&coalitions_en));
    let page_areas: Vec<(String, i64)> = english["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["number"].as_str().unwrap().to_owned(),
                a["commitments"].as_i64().unwrap(),
            )
        })
        .collect();
    let api_areas: Vec<(String, i64)> = areas["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let number = r["key"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .to_owned();
            (format!("area-{number}"), r["commitments"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(page_areas, api_areas);
    let health: Vec<i64> = english["health"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_i64().unwrap())
        .collect();
    let api_health: Vec<i64> = ["green", "amber", "red"]
        .iter()
        .map(|c| summary["reporting_health"][c].as_i64().unwrap())
        .collect();
    assert_eq!(health, api_health);

    // Another language changes the words, not the numbers.
    assert_eq!(french["lang"], "fr");
    assert_eq!(french["h1"], "Engagements Génération Égalité");
    assert_eq!(page_bars(&french, "coalitions"), bars(&coalitions_fr));
    assert_ne!(
        bars(&coalitions_fr),
        bars(&coalitions_en),
        "the labels differ"
    );
    assert_eq!(french["commitments"], english["commitments"]);
    let french_area = &titles_fr["action_areas"][0]["title"];
    assert_eq!(&french["areas"][0]["title"], french_area);
    let statuses: Vec<&str> = french["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"Approuvé"), "{statuses:?}");

    // A filter changes the figures, to the API's for that filter, and the address.
    assert_eq!(picked(&after_filter), shown(&filtered));
    assert_ne!(after_filter["commitments"], english["commitments"]);
    assert!(
        after_filter["search"]
            .as_str()
            .unwrap()
            .contains("coalition=economic-justice-rights")
    );
    // The search lists what the API finds.
    let found: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!found.is_empty());
    let listed: Vec<&str> = after_search["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, found);

    assert!(screenshot.starts_with(b"\x89PNG"), "a PNG");
    if std::env::var("UPDATE_SCREENSHOT").is_ok() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/dashboard.png");
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &screenshot).unwrap();
    }
}

/// What overflows at this width, once every table is open: the page's own
/// width, and each card whose content is wider than the card.
const OVERFLOW: &str = r#"(() => {
    document.querySelectorAll('details').forEach((d) => { d.open = true; });
    const wide = [];
    const page = document.documentElement.scrollWidth;
    if (page > window.innerWidth) wide.push('page ' + page + 'px');
    document.querySelectorAll('.panel, .kpi, .area, .item, .facts, .filters, .masthead, .report')
      .forEach((el) => {
        if (el.scrollWidth > el.clientWidth + 0.5) {
          wide.push((el.dataset.testid || el.className) + ' ' + el.scrollWidth + '>' + el.clientWidth);
        }
      });
    document.querySelectorAll('*').forEach((el) => {
      const right = el.getBoundingClientRect().right;
      if (right > window.innerWidth + 0.5 && !el.closest('.table-scroll')) {
        wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ends at ' + right);
      }
    });
    return wide.slice(0, 12);
})()"#;

#[actix_web::test]
async fn on_a_phone_no_page_is_wider_than_the_screen_and_the_totals_show_first() {
    let (app, _) = demo_app().await;
    let org = app
        .accepted("Longwords Org", "technology-innovation", None)
        .await;
    let mut body = crate::helpers::commitment_body(
        "Interdisciplinarygenderresponsivedigitalcompetencyprogrammesforruralsecondaryschools",
    );
    body["partners"] =
        json!(["https://www.example.org/a/very/long/address/without/any/spaces/at/all"]);
    body["indicators"] = json!([{"name": "Girlsandyoungwomencompletingadvancedcodingcertification",
        "unit": "people", "baseline": 1234567, "target": 7654321}]);
    let long = app.commitment_from(&org, Stage::Approved, &body).await;
    let address = app.address.clone();
    let page = format!("{address}/commitments/{}", long["id"].as_str().unwrap());
    let missing = format!("{address}/commitments/01a20000-0000-7000-8000-000000000000");
    let Some(seen) = with_browser(move |browser| {
        browser.phone(390, 844);
        let mut seen = Vec::new();
        for lang in ["en", "fr", "km", "zh"] {
            browser.open(&format!("{address}/?lang={lang}"));
            let top = browser.eval(
                "document.querySelector('[data-testid=total-commitments], .kpi').getBoundingClientRect().top",
            );
            seen.push((format!("/?lang={lang}"), browser.eval(OVERFLOW), top));
        }
        for url in [page, missing] {
            browser.open(&url);
            seen.push((url, browser.eval(OVERFLOW), json!(0)));
        }
        seen
    })
    .await
    else {
        return;
    };
    for (url, wide, top) in seen {
        assert_eq!(wide, json!([]), "{url} at 390 px");
        let top = top.as_f64().unwrap();
        assert!(top < 844.0 * 0.75, "{url}: the totals start {top} px down");
    }
    // The page says what it is to search engines and shows an icon.
    let html = app.get("/?lang=fr").await.text().await.unwrap();
    assert!(html.contains(r#"<meta name="description" content="Ce que les institutions"#));
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status().as_u16(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
}
