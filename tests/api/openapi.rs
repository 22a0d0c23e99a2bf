//! The committed spec is the code's spec, and it documents what the server does.

use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn committed_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
}

#[test]
fn committed_spec_matches_the_code() {
    let generated = gef_commitments::openapi::to_json(&gef_commitments::openapi::spec()).unwrap();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code's spec: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[actix_web::test]
async fn the_served_spec_is_the_committed_one() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: Value = response.json().await.unwrap();
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(committed_path()).unwrap()).unwrap();
    assert!(
        served == committed,
        "the served spec differs from openapi/openapi.json"
    );
}

#[test]
fn every_operation_is_named_and_documents_its_failures_as_problems() {
    let spec: Value = serde_json::from_str(
        &gef_commitments::openapi::to_json(&gef_commitments::openapi::spec()).unwrap(),
    )
    .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["bearerFormat"],
        "JWT"
    );
    let paths = spec["paths"].as_object().unwrap();
    for expected in [
        "/health/live",
        "/health/ready",
        "/api/v1/openapi.json",
        "/api/v1/coalitions",
        "/api/v1/coalitions/{slug}",
        "/api/v1/coalitions/{slug}/action-areas",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/expressions-of-interest",
        "/api/v1/expressions-of-interest/{id}",
        "/api/v1/expressions-of-interest/{id}/decision",
        "/api/v1/expressions-of-interest/{id}/withdraw",
        "/api/v1/commitments",
        "/api/v1/commitments/{id}",
        "/api/v1/commitments/{id}/submit",
        "/api/v1/commitments/{id}/withdraw",
        "/api/v1/commitments/{id}/reviews",
        "/api/v1/commitments/{id}/events",
        "/api/v1/reporting-cycles",
        "/api/v1/reporting-cycles/{year}",
        "/api/v1/commitments/{id}/progress",
        "/api/v1/commitments/{id}/progress/{year}",
        "/api/v1/commitments/{id}/progress/{year}/validation",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    let mut ids = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            ids.push(id.to_owned());
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{id}: no 2xx");
            assert!(responses.contains_key("500"), "{id}: no 500");
            let secured = operation["security"].to_string().contains("\"bearer\"");
            assert_eq!(
                secured,
                responses.contains_key("401") && id != "create_token",
                "{id}: bearer and 401 go together"
            );
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{id} takes a body but documents no {status}"
                    );
                }
            }
            let params = operation["parameters"].to_string();
            if params.contains("\"If-Match\"") {
                for status in ["412", "428"] {
                    assert!(
                        responses.contains_key(status),
                        "{id} needs If-Match but documents no {status}"
                    );
                }
            }
            // Failures (4xx, 5xx) are problems; successes and 304 are not.
            for (status, response) in responses
                .iter()
                .filter(|(s, _)| s.starts_with('4') || s.starts_with('5'))
            {
                let described = if let Some(reference) = response["$ref"].as_str() {
                    let name = reference.rsplit('/').next().unwrap();
                    spec["components"]["responses"][name].clone()
                } else {
                    response.clone()
                };
                // The dashboard's pages answer a missing commitment with a
                // page a browser shows; every other failure is a problem.
                let page = operation["tags"] == json!(["page"])
                    && described["content"]["text/html"].is_object();
                assert!(
                    described["content"]["application/problem+json"].is_object() || page,
                    "{id}: {status} is not documented as problem+json"
                );
            }
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "operation ids repeat: {ids:?}");
}

#[test]
fn every_reference_in_the_spec_resolves() {
    let text = gef_commitments::openapi::to_json(&gef_commitments::openapi::spec()).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(found.len() > 50);
    for target in found {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(spec.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

#[test]
fn every_string_the_api_reads_is_declared_nul_free() {
    let text = gef_commitments::openapi::to_json(&gef_commitments::openapi::spec()).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let nul_free = gef_commitments::openapi::NUL_FREE;
    let title = &spec["components"]["schemas"]["NewCommitment"]["properties"]["title"];
    assert_eq!(title["pattern"], nul_free);
    let id = &spec["paths"]["/api/v1/commitments/{id}"]["get"]["parameters"][0]["schema"];
    assert_eq!(id["pattern"], nul_free);
    // Strings with a format or an enumeration of their own keep it alone.
    let opens_on = &spec["components"]["schemas"]["NewReportingCycle"]["properties"]["opens_on"];
    assert_eq!(opens_on["format"], "date");
    assert!(opens_on.get("pattern").is_none());
}

#[test]
fn every_creation_links_to_the_operations_on_what_it_created() {
    let spec: Value = serde_json::from_str(
        &gef_commitments::openapi::to_json(&gef_commitments::openapi::spec()).unwrap(),
    )
    .unwrap();
    let operations: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let mut creations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(created) = item["post"]["responses"]["201"].as_object() else {
            continue;
        };
        creations += 1;
        let links = created["links"]
            .as_object()
            .unwrap_or_else(|| panic!("{path} has no links"));
        assert!(links.len() >= 2, "{path}: {links:?}");
        for (name, link) in links {
            assert!(
                operations.contains(&link["operationId"].as_str().unwrap()),
                "{name}"
            );
            let parameters = link["parameters"].as_object().unwrap();
            assert_eq!(parameters.len(), 1, "{path} → {name}");
            let value = parameters.values().next().unwrap().as_str().unwrap();
            assert!(value.starts_with("$response.body#/"), "{value}");
        }
    }
    assert_eq!(
        creations, 5,
        "commitments, organizations, users, expressions, cycles"
    );
    assert_eq!(
        spec["paths"]["/api/v1/organizations"]["post"]["responses"]["201"]["links"]["get_organization"]
            ["parameters"]["id"],
        "$response.body#/organization/id"
    );
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary_without_any_cdn() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status().as_u16(), 307);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let initializer = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("/api/v1/openapi.json"),
        "{initializer}"
    );
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css"] {
        let response = app.get(&format!("/docs/{asset}")).await;
        assert_eq!(response.status().as_u16(), 200, "{asset}");
    }
    for text in [&html, &initializer] {
        for cdn in ["unpkg.com", "cdn.jsdelivr", "cdnjs", "https://"] {
            assert!(!text.contains(cdn), "the docs page loads {cdn}");
        }
    }
}

/// Swagger UI draws every operation under its own Content-Security-Policy,
/// meeting no violation of it.
#[actix_web::test]
async fn the_docs_page_works_under_a_content_security_policy() {
    let app = crate::helpers::spawn_app().await;
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status().as_u16(), 200);
    let policy = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let address = app.address.clone();
    let Some((operations, violations)) = crate::browser::with_browser(move |browser| {
        browser.record_policy_violations();
        browser.open_until(
            &format!("{address}/docs/"),
            "document.querySelectorAll('.opblock').length > 40",
        );
        (
            browser.eval("document.querySelectorAll('.opblock').length"),
            browser.eval("window.violations"),
        )
    })
    .await
    else {
        return;
    };
    assert!(operations.as_u64().unwrap() > 40, "{operations}");
    assert_eq!(violations, serde_json::json!([]));
}

/// Every value the spec describes states its bounds, every operation its
/// security and every 2xx and 4xx answer its RateLimit headers: what the
/// OWASP ruleset asks (`.ci/spec/check` runs it too), checked here
/// without it.
#[test]
fn every_value_states_its_bounds() {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"),
        )
        .unwrap(),
    )
    .unwrap();
    fn walk(value: &Value, at: &str, unbounded: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let types: Vec<&str> = match map.get("type") {
                    Some(Value::String(t)) => vec![t.as_str()],
                    Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                let has = |key: &str| map.contains_key(key);
                if types.contains(&"string") && !(has("maxLength") || has("enum") || has("const")) {
                    unbounded.push(format!("{at}: a string without maxLength"));
                }
                if types.contains(&"integer") && !(has("minimum") && has("maximum")) {
                    unbounded.push(format!("{at}: an integer without minimum and maximum"));
                }
                if types.contains(&"array") && !has("maxItems") {
                    unbounded.push(format!("{at}: an array without maxItems"));
                }
                for (key, inner) in map {
                    // Examples are values, not schemas.
                    if key != "example" && key != "examples" {
                        walk(inner, &format!("{at}/{key}"), unbounded);
                    }
                }
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    walk(inner, &format!("{at}/{i}"), unbounded);
                }
            }
            _ => {}
        }
    }
    let mut unbounded = Vec::new();
    walk(&spec["paths"], "paths", &mut unbounded);
    walk(&spec["components"], "components", &mut unbounded);
    assert!(unbounded.is_empty(), "{}", unbounded.join("\n"));
    let resolve = |response: &Value| -> Value {
        match response["$ref"].as_str() {
            Some(r) => spec.pointer(r.trim_start_matches('#')).cloned().unwrap(),
            None => response.clone(),
        }
    };
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["security"].is_array(),
                "{method} {path} says nothing of its security"
            );
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('2') || status.starts_with('4') {
                    let headers = &resolve(response)["headers"];
                    for name in ["RateLimit", "RateLimit-Policy"] {
                        assert!(
                            headers.get(name).is_some(),
                            "{method} {path} {status} lacks {name}"
                        );
                    }
                }
            }
        }
    }
    assert!(spec["servers"].is_array());
}
