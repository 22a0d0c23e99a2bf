//! The committed OpenAPI document as a contract every test keeps: each
//! exchange a test server sees (`Application::build_observed`) is checked
//! against it, and a test whose exchanges broke it fails when its server
//! goes (`TestApp`'s drop), naming each break.
//!
//! - The status answered is one the operation declares.
//! - A JSON answer validates against the schema declared for its status
//!   and media type; an answer of a media type the operation does not
//!   declare for that status is a break.
//! - A request the server accepted (2xx) validates against the operation's
//!   request body schema: a client generated from the spec can send it.
//!   (Requests the server refused are the tests' own bad input.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use gef_commitments::routes::http::exchanges::{Exchange, ExchangeObserver};
use serde_json::Value;

/// The breaks one server saw.
#[derive(Default)]
pub struct Contract {
    breaks: Mutex<Vec<String>>,
    /// How many exchanges were checked.
    seen: std::sync::atomic::AtomicUsize,
}

impl Contract {
    /// What broke the contract so far, and forgets it.
    pub fn take_breaks(&self) -> Vec<String> {
        std::mem::take(&mut *self.breaks.lock().unwrap())
    }
}

struct Spec {
    document: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
                .expect("openapi/openapi.json");
        Spec {
            document: serde_json::from_str(&text).expect("the committed spec is JSON"),
            validators: Mutex::default(),
        }
    })
}

/// A JSON pointer's reference token, as it goes in a URI fragment.
fn token(raw: &str) -> String {
    let escaped = raw.replace('~', "~0").replace('/', "~1");
    let mut out = String::new();
    for byte in escaped.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn pointer(tokens: &[&str]) -> String {
    let mut out = String::from("#");
    for t in tokens {
        out.push('/');
        out.push_str(&token(t));
    }
    out
}

impl Spec {
    /// The errors of `instance` against the schema at `at` (a fragment).
    fn errors(&self, at: &str, instance: &Value) -> Vec<String> {
        let validator = {
            let mut validators = self.validators.lock().unwrap();
            validators
                .entry(at.to_owned())
                .or_insert_with(|| {
                    let mut root = self.document.clone();
                    root["$ref"] = Value::String(at.to_owned());
                    Arc::new(
                        jsonschema::draft202012::new(&root)
                            .unwrap_or_else(|e| panic!("the schema at {at} compiles: {e}")),
                    )
                })
                .clone()
        };
        validator
            .iter_errors(instance)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// What `reference` (`#/components/…`) points at, and its pointer
    /// tokens; or the value itself.
    fn resolve<'a>(&'a self, value: &'a Value, tokens: Vec<String>) -> (&'a Value, Vec<String>) {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let path = reference.trim_start_matches('#');
                let target = self
                    .document
                    .pointer(path)
                    .unwrap_or_else(|| panic!("{reference} resolves"));
                let tokens = path
                    .split('/')
                    .skip(1)
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect();
                (target, tokens)
            }
            None => (value, tokens),
        }
    }
}

fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

fn json_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| {
        let t = essence(t);
        t == "application/json" || t.ends_with("+json")
    })
}

impl ExchangeObserver for Contract {
    fn observe(&self, exchange: &Exchange<'_>) {
        self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let found = check(exchange);
        if !found.is_empty() {
            let what = format!(
                "{} {} ({}) answered {}",
                exchange.method,
                exchange.path,
                exchange.pattern.unwrap_or("no route"),
                exchange.status
            );
            let mut breaks = self.breaks.lock().unwrap();
            breaks.extend(found.into_iter().map(|b| format!("{what}: {b}")));
        }
    }
}

/// What this exchange breaks.
fn check(exchange: &Exchange<'_>) -> Vec<String> {
    let spec = spec();
    let Some(pattern) = exchange.pattern else {
        return Vec::new();
    };
    let method = match exchange.method.as_str() {
        // HEAD answers what GET does, without the body.
        "HEAD" => "get".to_owned(),
        other => other.to_ascii_lowercase(),
    };
    let Some(operation) = spec
        .document
        .get("paths")
        .and_then(|p| p.get(pattern))
        .and_then(|p| p.get(&method))
    else {
        // No such operation: the fallback's 405 (or a preflight).
        return Vec::new();
    };
    let mut breaks = Vec::new();
    let status = exchange.status.to_string();
    let Some(response) = operation["responses"].get(&status) else {
        breaks.push(format!("status {status} is not declared"));
        return breaks;
    };
    let (response, tokens) = spec.resolve(
        response,
        ["paths", pattern, &method, "responses", &status]
            .map(str::to_owned)
            .to_vec(),
    );
    if let Some(body) = exchange.response_body.filter(|b| !b.is_empty()) {
        let media = essence(exchange.response_type.unwrap_or_default());
        match response.get("content").and_then(|c| c.get(media)) {
            None => breaks.push(format!("an answer of {media} is not declared")),
            Some(content) if content.get("schema").is_some() => {
                match serde_json::from_slice::<Value>(body) {
                    Ok(instance) => {
                        let mut at: Vec<&str> = tokens.iter().map(String::as_str).collect();
                        at.extend(["content", media, "schema"]);
                        for error in spec.errors(&pointer(&at), &instance) {
                            breaks.push(format!("the answer: {error}"));
                        }
                    }
                    Err(e) => breaks.push(format!("the answer is not JSON: {e}")),
                }
            }
            Some(_) => {}
        }
    }
    let accepted = (200..300).contains(&exchange.status);
    if accepted && !exchange.request_body.is_empty() && json_type(exchange.request_type) {
        let content = operation
            .get("requestBody")
            .and_then(|b| b.get("content"))
            .and_then(|c| c.get("application/json"));
        if let Some(content) = content
            && content.get("schema").is_some()
        {
            match serde_json::from_slice::<Value>(exchange.request_body) {
                Ok(instance) => {
                    let at = pointer(&[
                        "paths",
                        pattern,
                        &method,
                        "requestBody",
                        "content",
                        "application/json",
                        "schema",
                    ]);
                    for error in spec.errors(&at, &instance) {
                        breaks.push(format!("the accepted request: {error}"));
                    }
                }
                Err(_) => breaks.push("a request that is not JSON was accepted".into()),
            }
        }
    }
    breaks
}

#[actix_web::test]
async fn every_exchange_is_checked_and_a_break_is_named() {
    let app = crate::helpers::spawn_app().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status().as_u16(), 200);
    let _ = live.bytes().await;
    let coalitions = app.get("/api/v1/coalitions").await;
    let _ = coalitions.bytes().await;
    assert_eq!(
        app.contract.seen.load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    assert!(app.contract.take_breaks().is_empty());
    // What the checker says of exchanges that break the spec.
    let post = actix_web::http::Method::POST;
    let get = actix_web::http::Method::GET;
    let exchange = |method, pattern, status, request: &'static str, response: &'static str| {
        check(&Exchange {
            method,
            pattern: Some(pattern),
            path: pattern,
            request_type: Some("application/json"),
            request_body: request.as_bytes(),
            status,
            response_type: Some("application/json"),
            response_body: Some(response.as_bytes()),
        })
    };
    // An undeclared status.
    let undeclared = exchange(&get, "/health/live", 418, "", "{}");
    assert!(
        undeclared[0].contains("418 is not declared"),
        "{undeclared:?}"
    );
    // An answer that is not of its schema.
    let wrong = exchange(&get, "/api/v1/coalitions", 200, "", r#"{"items": 3}"#);
    assert!(
        wrong.iter().any(|b| b.starts_with("the answer:")),
        "{wrong:?}"
    );
    // An accepted request that the schema refuses (an unknown field).
    let request = r#"{"organization": {"name": "Aurora", "constituency": "civil_society",
        "country": "KH"}, "account": {"email": "a@example.org",
        "password": "Correct horse 42", "display_name": "A", "shoe_size": 42}}"#;
    let refused = exchange(&post, "/api/v1/organizations", 201, request, "");
    assert!(
        refused
            .iter()
            .any(|b| b.starts_with("the accepted request:")),
        "{refused:?}"
    );
    // The same request without it is what the spec describes.
    let fine = request.replace(r#", "shoe_size": 42"#, "");
    let fine: &'static str = Box::leak(fine.into_boxed_str());
    let fine = exchange(&post, "/api/v1/organizations", 201, fine, "");
    assert!(fine.is_empty(), "{fine:?}");
}
