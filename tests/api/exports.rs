//! Exports: every visible commitment in CSV (RFC 4180), JSON or NDJSON,
//! streamed in constant memory; and the command line's export.

use gef_commitments::db::commitments::{CommitmentRow, insert_commitment};
use gef_commitments::db::events::NewEvent;
use gef_commitments::domain::commitment::{CommitmentStatus, CommitmentType};
use gef_commitments::domain::commitment_content::Content;
use gef_commitments::domain::country::CountryCode;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Stage, TestApp, commitment_body, spawn_app, start_binary};

#[actix_web::test]
async fn exports_hold_every_visible_commitment_in_each_format() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let mut tricky = commitment_body("Clubs, \"coding\" and\nrobots");
    tricky["partners"] = json!([
        "=HYPERLINK(\"http://evil.example\")",
        "Ministry; of Education"
    ]);
    tricky["target_groups"] = json!(["Girls \\ young women", "'Quoted'", "Rural; remote"]);
    tricky["indicators"] = json!([
        {"name": "Girls; trained", "unit": "people", "baseline": 0, "target": 10000},
        {"name": "Clubs", "unit": "clubs"},
        {"name": "Share", "unit": "%", "baseline": 12.5}
    ]);
    tricky["description"] = json!("-5% dropout, +20% girls");
    let tricky = app.commitment_from(&ti, Stage::Approved, &tricky).await;
    app.commitment_in(&ti, Stage::Approved, "Second").await;
    let mut third = commitment_body("Third");
    third["coalition"] = json!("technology-innovation");
    third["countries"] = json!(["FR"]);
    app.commitment_from(&ti, Stage::Completed, &third).await;
    app.commitment_in(&ti, Stage::Draft, "Private draft").await;

    let response = app.get("/api/v1/exports/commitments?format=csv").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(".csv"),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, gef_commitments::exports::CSV_COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3, "public commitments only");
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = records
        .iter()
        .find(|r| r[column("id")] == *tricky["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(&row[column("title")], "Clubs, \"coding\" and\nrobots");
    assert_eq!(&row[column("action_areas")], "1; 4");
    assert_eq!(&row[column("types")], "financial; programmatic");
    assert_eq!(&row[column("countries")], "KH; LA");
    assert_eq!(
        (
            &row[column("pledge_amount")],
            &row[column("pledge_currency")],
            &row[column("pledge_usd")]
        ),
        ("250000.00", "EUR", "270000.00")
    );
    // What a spreadsheet would run as a formula is defused; an item's own
    // semicolon is escaped, so the list reads back whole.
    assert_eq!(
        &row[column("partners")],
        "'=HYPERLINK(\"http://evil.example\"); Ministry\\; of Education"
    );
    assert_eq!(
        gef_commitments::exports::list_items(&row[column("partners")]),
        tricky["partners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(&row[column("description")], "'-5% dropout, +20% girls");
    assert_eq!(&row[column("status")], "approved");
    assert!(text.contains("\r\n"), "CRLF line ends");

    // JSON and NDJSON hold the same commitments as the list.
    let list: Value = app.get("/api/v1/commitments").await.json().await.unwrap();
    // Every CSV row says what the JSON says: lists item for item (the
    // indicators as four parallel lists), times spelled alike.
    use gef_commitments::exports::{cell_text, list_items};
    for record in &records {
        let c = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == record[column("id")])
            .unwrap();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect()
        };
        for field in [
            "action_areas",
            "types",
            "countries",
            "regions",
            "partners",
            "target_groups",
        ] {
            assert_eq!(
                list_items(&record[column(field)]),
                strings(&c[field]),
                "{field}"
            );
        }
        let indicators = c["indicators"].as_array().unwrap();
        let part = |key: &str| -> Vec<String> {
            indicators
                .iter()
                .map(|i| match &i[key] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    number => number.as_f64().unwrap().to_string(),
                })
                .collect()
        };
        for (column_name, key) in [
            ("indicator_names", "name"),
            ("indicator_units", "unit"),
            ("indicator_baselines", "baseline"),
            ("indicator_targets", "target"),
        ] {
            let items = list_items(&record[column(column_name)]);
            assert_eq!(items, part(key), "{column_name}");
        }
        assert_eq!(cell_text(&record[column("title")]), c["title"]);
        for time in ["submitted_at", "approved_at", "created_at", "updated_at"] {
            assert_eq!(
                &record[column(time)],
                c[time].as_str().unwrap_or_default(),
                "{time}"
            );
        }
    }
    let ids = |items: &[Value]| {
        items
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let json_export: Value = app
        .get("/api/v1/exports/commitments?format=json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(json_export.as_array().unwrap()),
        ids(list["items"].as_array().unwrap())
    );
    assert_eq!(json_export[0], list["items"][0]);
    let ndjson = app.get("/api/v1/exports/commitments?format=ndjson").await;
    assert_eq!(ndjson.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = ndjson
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ids(&lines), ids(list["items"].as_array().unwrap()));
    // Filters and visibility as in lists.
    let france: Value = app
        .get("/api/v1/exports/commitments?format=json&country=FR")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(france.as_array().unwrap().len(), 1);
    let mine: Value = app
        .request(
            Method::GET,
            "/api/v1/exports/commitments?format=json",
            Some(&ti.maker),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine.as_array().unwrap().len(),
        4,
        "a maker exports its own draft too"
    );
    let empty: Value = app
        .get("/api/v1/exports/commitments?format=json&country=BR")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty, json!([]));
    let problem = app.get("/api/v1/exports/commitments?format=xml").await;
    assert_eq!(problem.status().as_u16(), 400);
    assert_eq!(
        app.get("/api/v1/exports/commitments?status=bogus")
            .await
            .status()
            .as_u16(),
        400
    );
}

/// `n` approved commitments of `organization`, written straight to the
/// database in one transaction, each with a description of `size` characters;
/// the first `in_climate` in Climate Justice, the rest in Technology and Innovation.
async fn many_public(
    app: &TestApp,
    organization: &str,
    maker: &str,
    n: usize,
    in_climate: usize,
    size: usize,
) {
    let (organization, maker) = (organization.to_owned(), maker.to_owned());
    app.db
        .write(move |conn| -> Result<(), gef_commitments::db::DbError> {
            let now = gef_commitments::db::now();
            for i in 0..n {
                let coalition = if i < in_climate {
                    "climate-justice"
                } else {
                    "technology-innovation"
                };
                let content = Content {
                    action_areas: vec![1],
                    title: format!("Commitment {i}"),
                    description: "x".repeat(size),
                    types: vec![CommitmentType::Policy],
                    pledge: None,
                    countries: vec![CountryCode::parse("KH").unwrap()],
                    regions: vec![],
                    start_year: 2022,
                    end_year: 2025,
                    partners: vec![],
                    target_groups: vec![],
                    indicators: vec![],
                };
                let row = CommitmentRow {
                    id: gef_commitments::db::new_id(),
                    reference: format!("XX-2026-{i:06}"),
                    organization_id: organization.clone(),
                    coalition_slug: coalition.into(),
                    status: CommitmentStatus::Approved,
                    title: content.title.clone(),
                    description: content.description.clone(),
                    pledge_amount_minor: None,
                    pledge_currency: None,
                    pledge_usd_minor: None,
                    start_year: 2022,
                    end_year: 2025,
                    version: 3,
                    created_by: maker.clone(),
                    submitted_at: Some(now),
                    approved_at: Some(now),
                    created_at: now,
                    updated_at: now,
                };
                let created = NewEvent {
                    subject_type: "commitment".into(),
                    subject_id: row.id.clone(),
                    commitment_id: Some(row.id.clone()),
                    coalition_slug: row.coalition_slug.clone(),
                    organization_id: row.organization_id.clone(),
                    actor_id: Some(maker.clone()),
                    action: "create".into(),
                    from_status: None,
                    to_status: Some("approved".into()),
                    reason: None,
                    is_public: false,
                    created_at: now,
                };
                insert_commitment(conn, &row, &content, &created)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// Downloads `url`, counting its bytes without keeping them.
async fn download(url: &str) -> usize {
    let mut response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut size = 0;
    while let Some(chunk) = response.chunk().await.unwrap() {
        size += chunk.len();
    }
    size
}

#[actix_web::test]
async fn a_large_export_streams_in_constant_memory() {
    let app = spawn_app().await;
    let (organization, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    many_public(&app, &organization, &maker.id, 8_000, 200, 4_000).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start_binary(
        dir.path(),
        &[
            ("DATABASE_URL", &app.database_url()),
            ("GEF_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
            ("RUST_LOG", "warn,gef_commitments=info"),
        ],
    );
    let export = |filter: &str| {
        format!(
            "{}/api/v1/exports/commitments?format=json{filter}",
            server.address
        )
    };
    // Warm up, then measure the peak after a small export and after a large one.
    download(&export("&coalition=climate-justice")).await;
    let small = download(&export("&coalition=climate-justice")).await;
    let after_small = server.peak_memory_kib();
    let large = download(&export("")).await;
    let after_large = server.peak_memory_kib();
    assert!(
        large > 30 * small && large > 30_000_000,
        "{small} then {large} bytes"
    );
    // The large export reads pages the small one never touched, and each
    // reader's page cache may fill up to 8 MiB on the way (measured: 9 to
    // 17 MiB of growth over repeated runs); an export held in memory
    // would add its 37 MB and more.
    let grew = after_large.saturating_sub(after_small);
    assert!(
        grew < 24 * 1024,
        "a {large}-byte export raised the peak by {grew} KiB (from {after_small} KiB)"
    );
}
