//! `Idempotency-Key` on creating POSTs: the first response is kept with the
//! key (in the same transaction as what it created), and a replay with the
//! same body gets it back and creates nothing. The same key with another
//! body is a 422.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::db::idempotency::{self, IdempotencyKeyRow};
use crate::db::{self, DbConnection};
use crate::domain::validation::FieldError;
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

/// A response worth keeping: status, `Location`, `ETag`, JSON body.
#[derive(Debug, Clone)]
pub struct Kept {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
    pub replayed: bool,
}

impl Kept {
    pub fn into_response(self) -> HttpResponse {
        let mut response =
            HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK));
        response.content_type("application/json");
        if let Some(location) = self.location {
            response.insert_header(("Location", location));
        }
        if let Some(etag) = self.etag {
            response.insert_header(("ETag", etag));
        }
        if self.replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(self.body)
    }
}

/// The fingerprint of a request body, canonical JSON of the parsed request.
pub fn fingerprint(body: &impl serde::Serialize) -> String {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The kept response for `key`, if any; a key used for another request is a 422.
pub fn replay(
    conn: &mut DbConnection,
    owner: &str,
    key: &str,
    path: &str,
    hash: &str,
) -> Result<Option<Kept>, ApiError> {
    let Some(row) = idempotency::find_key(conn, owner, key)? else {
        return Ok(None);
    };
    if row.request_hash != hash || row.request_path != path {
        return Err(ApiError::Validation(vec![FieldError::new(
            "Idempotency-Key",
            "key_reused",
            "this Idempotency-Key was used for a different request",
        )]));
    }
    let headers: serde_json::Value =
        serde_json::from_str(&row.response_headers).unwrap_or_default();
    Ok(Some(Kept {
        status: u16::try_from(row.response_status).unwrap_or(200),
        location: headers["location"].as_str().map(str::to_owned),
        etag: headers["etag"].as_str().map(str::to_owned),
        body: row.response_body,
        replayed: true,
    }))
}

/// Keeps `kept` under `key`, inside the transaction that created it.
pub fn keep(
    conn: &mut DbConnection,
    owner: &str,
    key: &str,
    path: &str,
    hash: &str,
    kept: &Kept,
) -> Result<(), ApiError> {
    let headers = serde_json::json!({"location": kept.location, "etag": kept.etag});
    idempotency::insert_key(
        conn,
        &IdempotencyKeyRow {
            owner: owner.to_owned(),
            idempotency_key: key.to_owned(),
            request_method: "POST".into(),
            request_path: path.to_owned(),
            request_hash: hash.to_owned(),
            response_status: i32::from(kept.status),
            response_headers: headers.to_string(),
            response_body: kept.body.clone(),
            created_at: db::now(),
        },
    )?;
    Ok(())
}
