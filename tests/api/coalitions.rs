use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

const SLUGS_AND_KINDS: [(&str, &str); 7] = [
    ("gender-based-violence", "action_coalition"),
    ("economic-justice-rights", "action_coalition"),
    ("bodily-autonomy-srhr", "action_coalition"),
    ("climate-justice", "action_coalition"),
    ("technology-innovation", "action_coalition"),
    ("feminist-movements-leadership", "action_coalition"),
    ("women-peace-security-humanitarian", "compact"),
];

const TI_TITLES: [&str; 4] = [
    "Bridge the gender gap in digital access and competencies.",
    "Invest in feminist technology and innovation.",
    "Build inclusive, transformative and accountable innovation ecosystems.",
    "Prevent and eliminate online and tech-facilitated gender-based violence and discrimination.",
];

async fn json(response: reqwest::Response) -> Value {
    assert_eq!(response.status().as_u16(), 200, "{}", response.url());
    response.json().await.unwrap()
}

#[actix_web::test]
async fn the_six_coalitions_and_the_compact_are_seeded_in_order() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/coalitions").await;
    assert_eq!(response.headers()["content-language"], "en");
    let body = json(response).await;
    let items = body["items"].as_array().unwrap();
    let got: Vec<(&str, &str)> = items
        .iter()
        .map(|c| (c["slug"].as_str().unwrap(), c["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(got, SLUGS_AND_KINDS);
    for coalition in items {
        assert_eq!(coalition["period_start_year"], 2021);
        assert_eq!(coalition["period_end_year"], 2025);
        assert_eq!(coalition["submissions_open_on"], "2021-03-01");
        assert_eq!(coalition["submissions_close_on"], Value::Null);
        assert_eq!(coalition["submissions_open"], true);
        assert!(!coalition["action_areas"].as_array().unwrap().is_empty());
    }
}

#[actix_web::test]
async fn technology_and_innovation_has_its_four_exact_action_areas() {
    let app = spawn_app().await;
    let body = json(
        app.get("/api/v1/coalitions/technology-innovation/action-areas")
            .await,
    )
    .await;
    let items = body["items"].as_array().unwrap();
    let numbers: Vec<i64> = items
        .iter()
        .map(|a| a["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let titles: Vec<&str> = items.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, TI_TITLES);
    assert_eq!(
        items[0]["target"],
        "By 2026, reduce by half the gender digital divide across generations"
    );
    assert!(
        items
            .iter()
            .all(|a| a["coalition"] == "technology-innovation")
    );

    let coalition = json(app.get("/api/v1/coalitions/technology-innovation").await).await;
    assert_eq!(coalition["reference_prefix"], "TI");
    assert_eq!(coalition["action_areas"], body["items"]);
}

#[actix_web::test]
async fn economic_justice_has_care_economy_first() {
    let app = spawn_app().await;
    let body = json(
        app.get("/api/v1/coalitions/economic-justice-rights/action-areas")
            .await,
    )
    .await;
    let titles: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 4);
    assert!(titles[0].contains("care economy"), "{titles:?}");
    assert!(titles[1].contains("decent work"), "{titles:?}");
    assert!(titles[2].contains("productive resources"), "{titles:?}");
    assert!(titles[3].contains("stimulus"), "{titles:?}");
}

#[actix_web::test]
async fn labels_follow_lang_then_accept_language_and_fall_back_to_english() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/coalitions?lang=km").await;
    assert_eq!(response.headers()["content-language"], "km");
    let body = json(response).await;
    let by_slug = |slug: &str| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == slug)
            .cloned()
            .unwrap()
    };
    let ti = by_slug("technology-innovation");
    assert_eq!(ti["lang"], "km");
    assert_eq!(ti["name"], "បច្ចេកវិទ្យា និងនវានុវត្តន៍ ដើម្បីសមភាពយេនឌ័រ");
    // Every coalition and action area is labelled in the six languages.
    for coalition in body["items"].as_array().unwrap() {
        assert_eq!(coalition["lang"], "km", "{}", coalition["slug"]);
        for area in coalition["action_areas"].as_array().unwrap() {
            assert_eq!(area["lang"], "km", "{area}");
        }
    }
    let gbv = by_slug("gender-based-violence");
    assert_eq!(gbv["name"], "អំពើហិង្សាផ្អែកលើយេនឌ័រ");

    let response = app
        .client
        .get(app.url("/api/v1/coalitions/technology-innovation"))
        .header("Accept-Language", "de-DE, fr;q=0.8, en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "fr");
    assert!(
        response.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let body = json(response).await;
    assert_eq!(
        body["name"],
        "Technologie et innovation pour l'égalité des genres"
    );
    assert_eq!(body["action_areas"][0]["lang"], "fr");

    // ?lang= wins over the header; a tag we do not keep falls back to English.
    let response = app
        .client
        .get(app.url("/api/v1/coalitions/technology-innovation?lang=de"))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "en");
    assert_eq!(
        json(response).await["name"],
        "Technology and Innovation for Gender Equality"
    );

    let body = json(
        app.get("/api/v1/coalitions/technology-innovation/action-areas?lang=zh-Hans")
            .await,
    )
    .await;
    assert_eq!(body["items"][0]["lang"], "zh");
    assert_eq!(
        body["items"][0]["title"],
        "弥合数字接入和数字能力方面的性别差距。"
    );
    // A label missing in the language asked for falls back to English, and says so.
    app.db
        .run(|conn| -> Result<usize, gef_commitments::db::DbError> {
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query(
                "DELETE FROM action_area_translations WHERE coalition_slug = 'technology-innovation' \
                 AND number = 1 AND lang = 'zh'",
            )
            .execute(conn)?)
        })
        .await
        .unwrap();
    let body = json(
        app.get("/api/v1/coalitions/technology-innovation/action-areas?lang=zh")
            .await,
    )
    .await;
    assert_eq!(body["items"][0]["lang"], "en");
    assert_eq!(body["items"][0]["title"], TI_TITLES[0]);
    assert_eq!(body["items"][1]["lang"], "zh");
}

#[actix_web::test]
async fn a_malformed_lang_is_a_400_problem() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/coalitions?lang=english%20please",
        "/api/v1/coalitions/technology-innovation?lang=",
        "/api/v1/coalitions/technology-innovation/action-areas?lang=f",
    ] {
        let body = assert_problem(app.get(path).await, 400, "bad_request").await;
        assert!(body["detail"].as_str().unwrap().contains("lang"), "{body}");
    }
}

#[actix_web::test]
async fn an_unknown_coalition_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/coalitions/space-exploration").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/coalitions/space-exploration/action-areas")
            .await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn a_single_coalition_carries_its_version_as_etag() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/coalitions/climate-justice").await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body = json(response).await;
    assert_eq!(
        crate::helpers::own_tag(&etag),
        format!("\"{}\"", body["version"])
    );
}
