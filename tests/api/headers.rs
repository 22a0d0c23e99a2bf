//! Headers every answer carries: the request id, and browser hardening.

use crate::helpers::{fresh_database, spawn_app, spawn_app_configured};

const HARDENING: [(&str, &str); 3] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

#[actix_web::test]
async fn every_answer_gets_an_id_of_its_own_unless_the_caller_sent_a_good_one() {
    let app = spawn_app().await;
    let first = app.get("/health/live").await;
    let second = app.get("/health/live").await;
    let first_id = header(&first, "x-request-id").expect("an id").to_owned();
    let second_id = header(&second, "x-request-id").expect("an id").to_owned();
    assert!(uuid::Uuid::parse_str(&first_id).is_ok(), "{first_id}");
    assert_ne!(first_id, second_id);

    let mine = "edge-4bf92f3577b34da6.01:7";
    let echoed = app
        .client
        .get(app.url("/api/v1/coalitions"))
        .header("x-request-id", mine)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&echoed, "x-request-id"), Some(mine));

    // Too long, or with characters that do not belong in a log line: replaced.
    for bad in ["a".repeat(200), "two words".to_owned(), "a\"b".to_owned()] {
        let response = app
            .client
            .get(app.url("/health/live"))
            .header("x-request-id", &bad)
            .send()
            .await
            .unwrap();
        let id = header(&response, "x-request-id").unwrap();
        assert_ne!(id, bad);
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
}

#[actix_web::test]
async fn answers_and_errors_carry_the_hardening_headers_and_no_banner() {
    let app = spawn_app().await;
    let answers = [
        app.get("/api/v1/coalitions").await,
        app.get("/api/v1/no-such-thing").await,
        app.get("/api/v1/me").await,
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
        app.get("/").await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 404, 401, 400, 200]);
    for response in &answers {
        for (name, value) in HARDENING {
            assert_eq!(
                header(response, name),
                Some(value),
                "{name} on {}",
                response.url()
            );
        }
        assert!(header(response, "x-request-id").is_some());
        assert_eq!(header(response, "server"), None);
        assert_eq!(header(response, "strict-transport-security"), None);
    }
}

#[actix_web::test]
async fn hsts_is_sent_only_when_configured() {
    let (database, dir) = fresh_database();
    let app = spawn_app_configured(database, dir, |settings| {
        settings.hsts_max_age = Some(31_536_000);
    })
    .await;
    for path in ["/health/live", "/api/v1/nothing-here"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains")
        );
    }
}

/// What answers GET answers HEAD: the same status and headers, no body.
#[actix_web::test]
async fn head_answers_what_get_answers_without_the_body() {
    let app = spawn_app().await;
    let org = app
        .accepted("Head Start", "technology-innovation", None)
        .await;
    let approved = app
        .commitment_in(&org, crate::helpers::Stage::Approved, "Heads up")
        .await;
    let one = format!("/api/v1/commitments/{}", approved["id"].as_str().unwrap());
    let page = format!("/commitments/{}", approved["id"].as_str().unwrap());
    for url in [
        "/health/live",
        "/health/ready",
        "/",
        "/docs/",
        "/api/v1/openapi.json",
        "/api/v1/coalitions",
        "/api/v1/stats/summary?country=KH",
        &one,
        &page,
        "/api/v1/commitments/01a20000-0000-7000-8000-000000000000",
        "/nothing/here",
    ] {
        let get = app.get(url).await;
        let head = app.client.head(app.url(url)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {url}");
        for name in [
            "content-type",
            "content-length",
            "etag",
            "cache-control",
            "vary",
        ] {
            assert_eq!(
                header(&head, name),
                header(&get, name),
                "HEAD {url}: {name}"
            );
        }
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {url} has no body"
        );
    }
    // A path that only takes POST says HEAD is not one of its methods.
    let refused = app
        .client
        .head(app.url("/api/v1/auth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 405);
    assert_eq!(header(&refused, "allow"), Some("POST"));
    // And HEAD is allowed wherever GET is.
    let allow = app
        .client
        .delete(app.url("/api/v1/coalitions"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&allow, "allow"), Some("GET, HEAD"));
}

/// Answers are compressed (gzip or brotli) when the client asks, streamed
/// exports included, and decompress to what an uncompressed answer holds.
#[actix_web::test]
async fn answers_are_compressed_when_the_client_asks() {
    use std::io::Read;
    let app = spawn_app().await;
    let org = app
        .accepted("Squeezed Tight", "technology-innovation", None)
        .await;
    app.commitment_in(&org, crate::helpers::Stage::Approved, "Packed")
        .await;
    for url in [
        "/",
        "/assets/dashboard.js",
        "/api/v1/openapi.json",
        "/api/v1/commitments",
        "/api/v1/stats/breakdown?by=country",
        "/api/v1/exports/commitments?format=csv",
        "/api/v1/exports/commitments?format=ndjson",
    ] {
        let plain = app.get(url).await;
        assert_eq!(header(&plain, "content-encoding"), None, "{url}");
        let plain = plain.bytes().await.unwrap();
        for coding in ["gzip", "br"] {
            let packed = app
                .client
                .get(app.url(url))
                .header("Accept-Encoding", coding)
                .send()
                .await
                .unwrap();
            assert_eq!(packed.status().as_u16(), 200, "{url}");
            assert_eq!(header(&packed, "content-encoding"), Some(coding), "{url}");
            let vary: Vec<String> = packed
                .headers()
                .get_all("vary")
                .iter()
                .map(|v| v.to_str().unwrap().to_lowercase())
                .collect();
            assert!(
                vary.iter().any(|v| v.contains("accept-encoding")),
                "{url}: {vary:?}"
            );
            let bytes = packed.bytes().await.unwrap();
            let mut unpacked = Vec::new();
            match coding {
                "gzip" => flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut unpacked)
                    .unwrap(),
                _ => brotli_decompressor::Decompressor::new(&bytes[..], 4096)
                    .read_to_end(&mut unpacked)
                    .unwrap(),
            };
            assert_eq!(unpacked, plain, "{url} in {coding}");
            if plain.len() > 4096 {
                assert!(bytes.len() < plain.len() / 2, "{url} in {coding}");
            }
        }
    }
    // A coding the service does not have gets the answer as it is; one
    // that refuses even that is a problem.
    for asked in ["identity;q=0", "*;q=0"] {
        let answer = app
            .client
            .get(app.url("/api/v1/coalitions"))
            .header("Accept-Encoding", asked)
            .send()
            .await
            .unwrap();
        crate::helpers::assert_problem(answer, 406, "not_acceptable").await;
    }
    for asked in ["xyz", "compress"] {
        let answer = app
            .client
            .get(app.url("/api/v1/coalitions"))
            .header("Accept-Encoding", asked)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200, "Accept-Encoding: {asked}");
        assert_eq!(header(&answer, "content-type"), Some("application/json"));
    }
}
