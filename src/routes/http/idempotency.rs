//! `Idempotency-Key` on creating POSTs, over HTTP: the header, the request's
//! fingerprint, and the kept answer as a response. What is kept and replayed
//! is `app::idempotency`'s.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::app::idempotency::{Kept, KeptForm, Replayable};
use crate::app::{AppError, AppResult, Sent};
use crate::error::ApiError;

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("Idempotency-Key") else {
            return ready(Ok(Self(None)));
        };
        ready(
            value
                .to_str()
                .ok()
                .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
                .map(|k| Self(Some(k.to_owned())))
                .ok_or_else(|| {
                    ApiError::BadRequest(
                        "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
                    )
                }),
        )
    }
}

impl IdempotencyKey {
    /// The request as replayable under this key: its path and the
    /// fingerprint of its parsed body. `None` without a key, or when the
    /// body did not parse (it creates nothing to replay).
    pub fn replayable<T: Serialize>(self, req: &HttpRequest, body: &Sent<T>) -> Option<Replayable> {
        let body = body.as_ref().ok()?;
        Some(Replayable {
            key: self.0?,
            path: req.path().to_owned(),
            fingerprint: fingerprint(body),
        })
    }
}

/// Serializes a field as nothing (`null`): a password stays out of a
/// request's fingerprint, so nothing derived from it is ever kept (a
/// replay with another password gets the first answer). Only fingerprints
/// serialize request bodies.
pub fn left_out<S: serde::Serializer, T>(_: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_none()
}

/// The fingerprint of a request body: SHA-256 of the parsed request's JSON.
fn fingerprint(body: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An answer as first given: status, `Location`, `ETag`, JSON body; kept
/// with its `Idempotency-Key` (the code is the status, the rest JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
    /// Whether this is a replay of an earlier answer.
    pub replayed: bool,
}

impl Kept for StoredAnswer {
    fn keep(&self) -> KeptForm {
        KeptForm {
            code: i32::from(self.status),
            meta: serde_json::json!({"location": self.location, "etag": self.etag}).to_string(),
            body: self.body.clone(),
        }
    }

    fn replay(kept: KeptForm) -> Self {
        let meta: serde_json::Value = serde_json::from_str(&kept.meta).unwrap_or_default();
        Self {
            status: u16::try_from(kept.code).unwrap_or(200),
            location: meta["location"].as_str().map(str::to_owned),
            etag: meta["etag"].as_str().map(str::to_owned),
            body: kept.body,
            replayed: true,
        }
    }
}

/// An answer to keep: `status`, `Location`, the `ETag` of `version`, `body` as JSON.
pub fn stored<T: Serialize>(
    status: StatusCode,
    location: Option<String>,
    version: i32,
    body: &T,
) -> AppResult<StoredAnswer> {
    Ok(StoredAnswer {
        status: status.as_u16(),
        location,
        etag: Some(format!("\"{version}\"")),
        body: serde_json::to_string(body).map_err(|e| AppError::Internal(e.into()))?,
        replayed: false,
    })
}

/// A kept answer as the response, marked `Idempotent-Replayed` when replayed.
pub fn answer(kept: StoredAnswer) -> HttpResponse {
    let mut response =
        HttpResponse::build(StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK));
    response.content_type("application/json");
    if let Some(location) = kept.location {
        response.insert_header(("Location", location));
    }
    if let Some(etag) = kept.etag {
        response.insert_header(("ETag", etag));
    }
    if kept.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(kept.body)
}
