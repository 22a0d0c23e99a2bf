//! Request bodies. Content type (415), size (413) and syntax (400) are
//! checked by actix's `Json` and its `JsonConfig`; then the body is read
//! straight into its type (no intermediate tree), and a value of the wrong
//! shape, or any string holding a NUL character (PostgreSQL cannot store
//! one, and no field of this API has a use for it), is a 422 naming the field.
//!
//! `JsonBody<T>` answers those 422s at once; `JsonContent<T>` keeps them for
//! the use case, which answers them after authorization and preconditions.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, ResponseError, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::app::Sent;
use crate::domain::validation::FieldError;
use crate::error::{ApiError, field_error_from_serde};

/// A JSON body whose field errors are a 422 at once.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// A JSON body whose field errors wait for their turn (see `app::Sent`).
pub struct JsonContent<T>(pub Sent<T>);

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

fn read<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<Result<Sent<T>, actix_web::Error>> {
    let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
    Box::pin(async move { Ok(parse(raw.await?.get())) })
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content = read::<T>(req, payload);
        Box::pin(async move {
            content
                .await?
                .map(JsonBody)
                .map_err(|errors| ApiError::Validation(errors).into())
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonContent<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content = read::<T>(req, payload);
        Box::pin(async move { content.await.map(JsonContent) })
    }
}

/// Well-formed JSON `text` read as `T`.
fn parse<T: DeserializeOwned>(text: &str) -> Sent<T> {
    if holds_escaped_nul(text) {
        let value: Value = serde_json::from_str(text).unwrap_or_default();
        let path = nul_at(&value, String::new()).unwrap_or_default();
        return Err(vec![FieldError::new(
            if path.is_empty() {
                "body".to_owned()
            } else {
                path
            },
            "nul_character",
            "text must not contain NUL characters",
        )]);
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = error.path().to_string();
        let mut field = field_error_from_serde(error.inner());
        // Missing and unknown fields are named by serde itself; the path
        // names the value of the wrong type.
        if field.code == "invalid_type" && path != "." {
            field.field = path;
        }
        vec![field]
    })
}

/// Whether a JSON text holds `\u0000` in a string: the only way a NUL can
/// be in well-formed JSON. Escapes are skipped whole, so `\\u0000` (a
/// backslash, then text) is not one.
fn holds_escaped_nul(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u')
                && bytes.get(i + 2..i + 6).is_some_and(|hex| hex == b"0000")
            {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The path of the first string (or key) holding a NUL character.
fn nul_at(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                Some(here)
            } else {
                nul_at(item, here)
            }
        }),
        _ => None,
    }
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Middleware: a path or query string with an encoded NUL (`%00`) is a 400
/// before any handler sees it.
pub async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.to_ascii_lowercase().contains("%00") {
        // An answer rather than an error, so that the outer layers (headers,
        // metrics, the access log) see it like any other.
        let refusal = ApiError::BadRequest("the URL must not contain NUL characters (%00)".into());
        return Ok(req.into_response(refusal.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Sample {
        title: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Item {
        n: i32,
    }

    #[test]
    fn escaped_nuls_are_told_from_escaped_backslashes() {
        assert!(holds_escaped_nul(r#"{"a": "x\u0000y"}"#));
        assert!(!holds_escaped_nul(r#"{"a": "x\\u0000y"}"#));
        assert!(holds_escaped_nul(r#"{"a": "x\\\u0000y"}"#));
        assert!(!holds_escaped_nul(r#"{"a": "x\u0001"}"#));
    }

    #[test]
    fn errors_name_the_field() {
        let nul = parse::<Sample>(r#"{"title": "a\u0000", "items": []}"#).unwrap_err();
        assert_eq!(
            (nul[0].field.as_str(), nul[0].code.as_str()),
            ("title", "nul_character")
        );
        let wrong =
            parse::<Sample>(r#"{"title": "a", "items": [{"n": 1}, {"n": "two"}]}"#).unwrap_err();
        assert_eq!(
            (wrong[0].field.as_str(), wrong[0].code.as_str()),
            ("items[1].n", "invalid_type")
        );
        let unknown =
            parse::<Sample>(r#"{"title": "a", "items": [], "role": "admin"}"#).unwrap_err();
        assert_eq!(
            (unknown[0].field.as_str(), unknown[0].code.as_str()),
            ("role", "unknown_field")
        );
        let missing = parse::<Sample>(r#"{"items": []}"#).unwrap_err();
        assert_eq!(
            (missing[0].field.as_str(), missing[0].code.as_str()),
            ("title", "required")
        );
    }

    #[test]
    fn nul_characters_are_found_with_their_path() {
        assert_eq!(
            nul_at(&json!({"a": "ok", "b": ["x", "y\u{0}"]}), String::new()).as_deref(),
            Some("b[1]")
        );
        assert_eq!(
            nul_at(&json!({"a": {"b\u{0}": 1}}), String::new()).as_deref(),
            Some("a.b\u{0}")
        );
        assert_eq!(nul_at(&json!({"a": "fine", "n": 1}), String::new()), None);
    }
}
