//! `JsonBody<T>`: the JSON request body, refused whole when any string in it
//! holds a NUL character (PostgreSQL cannot store one, and no field of this
//! API has a use for it), and with the path of a field of the wrong type.
//! Content type, size limit and syntax are checked by actix's `Json` and its
//! `JsonConfig` first.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, body::MessageBody, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::validation::FieldError;
use crate::error::{ApiError, field_error_from_serde};

pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            if let Some(path) = nul_at(&value, String::new()) {
                return Err(ApiError::Validation(vec![FieldError::new(
                    if path.is_empty() {
                        "body".to_owned()
                    } else {
                        path
                    },
                    "nul_character",
                    "text must not contain NUL characters",
                )])
                .into());
            }
            serde_json::from_value(value)
                .map(JsonBody)
                .map_err(|e| ApiError::Validation(vec![field_error_from_serde(&e)]).into())
        })
    }
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
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.to_ascii_lowercase().contains("%00") {
        return Err(
            ApiError::BadRequest("the URL must not contain NUL characters (%00)".into()).into(),
        );
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
