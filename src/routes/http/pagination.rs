//! Keyset pagination: `?limit=` (default 50, at most 200) and an opaque,
//! tamper-evident `cursor` (the last key of the page, signed with HMAC-SHA256
//! and bound to the list it came from). Answers carry `next_cursor` and a
//! `Link: <…>; rel="next"` header.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::app::{Listing, PageRequest};
use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 512, pattern = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// Signs and checks cursors.
pub struct CursorCodec {
    mac: Hmac<Sha256>,
}

/// The shape of every list answer: a page of items and the cursor of the next.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An item of a paged list: the names of its list's schema and cursors.
pub trait Listed: ToSchema {
    /// The list answer's schema, e.g. `CommitmentList`.
    const SCHEMA: &'static str;
    /// The list its cursors are bound to, e.g. `commitments`.
    const CURSOR: &'static str;
}

impl<T: Listed> PartialSchema for Paged<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "items",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(T::name()))
                    .max_items(Some(MAX_LIMIT as usize)),
            )
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .max_length(Some(512))
                    .description(Some(
                        "Pass as `cursor` for the next page; `null` on the last page.",
                    )),
            )
            .into()
    }
}

impl<T: Listed> ToSchema for Paged<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::SCHEMA)
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// The list answer: the page, with `Link: <…>; rel="next"` when another follows.
pub fn paged<T: Listed + Serialize>(
    req: &HttpRequest,
    cursors: &CursorCodec,
    listing: Listing<T>,
) -> HttpResponse {
    let next_cursor = listing
        .next_after
        .map(|last| cursors.encode(T::CURSOR, &last));
    let mut response = HttpResponse::Ok();
    link_next(&mut response, req, next_cursor.as_deref());
    response.json(Paged {
        items: listing.items,
        next_cursor,
    })
}

impl CursorCodec {
    /// Derives the cursor key from the service secret, so cursors survive restarts
    /// and are shared by instances, yet differ from token signatures.
    pub fn new(secret: &[u8]) -> Result<Self, hmac::digest::InvalidLength> {
        let mut derive = <Hmac<Sha256> as Mac>::new_from_slice(secret)?;
        derive.update(b"gef-commitments cursor key");
        let key = derive.finalize().into_bytes();
        Ok(Self {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key)?,
        })
    }

    fn mac(&self, list: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(list.as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac
    }

    pub fn encode(&self, list: &str, last_key: &str) -> String {
        let tag = self.mac(list, last_key.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(last_key),
            URL_SAFE_NO_PAD.encode(&tag[..16])
        )
    }

    pub fn decode(&self, list: &str, cursor: &str) -> Result<String, ApiError> {
        let bad = || ApiError::BadRequest("cursor is not a cursor this list gave out".into());
        let (payload, tag) = cursor.split_once('.').ok_or_else(bad)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        self.mac(list, &payload)
            .verify_truncated_left(&tag)
            .map_err(|_| bad())?;
        if tag.len() != 16 {
            return Err(bad());
        }
        String::from_utf8(payload).map_err(|_| bad())
    }

    /// Checks `?limit=` and `?cursor=` for the list of `T`.
    pub fn page<T: Listed>(&self, query: &PageQuery) -> Result<PageRequest, ApiError> {
        let list = T::CURSOR;
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "limit must be 1 to {MAX_LIMIT}, got {limit}"
            )));
        }
        let after = query
            .cursor
            .as_deref()
            .map(|c| self.decode(list, c))
            .transpose()?;
        Ok(PageRequest { limit, after })
    }
}

/// Adds `Link: <this URL with cursor=next>; rel="next"` when there is a next page.
pub fn link_next(response: &mut HttpResponseBuilder, req: &HttpRequest, next: Option<&str>) {
    let Some(next) = next else { return };
    let mut query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("cursor="))
        .collect();
    let cursor = format!("cursor={next}");
    query.push(&cursor);
    response.insert_header((
        header::LINK,
        format!("<{}?{}>; rel=\"next\"", req.path(), query.join("&")),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_resist_tampering() {
        let codec = CursorCodec::new(b"a secret of at least thirty-two bytes").unwrap();
        let cursor = codec.encode("users", "0190d7a4-0000-7000-8000-000000000001");
        assert_eq!(
            codec.decode("users", &cursor).unwrap(),
            "0190d7a4-0000-7000-8000-000000000001"
        );
        assert!(
            codec.decode("organizations", &cursor).is_err(),
            "bound to its list"
        );
        let (_, tag) = cursor.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("0190d7a4-ffff"));
        assert!(codec.decode("users", &forged).is_err());
        assert!(codec.decode("users", "garbage").is_err());
        assert!(
            codec
                .decode("users", &format!("{}.", cursor.split('.').next().unwrap()))
                .is_err()
        );
        let other = CursorCodec::new(b"another secret of thirty-two bytes!!").unwrap();
        assert!(other.decode("users", &cursor).is_err());
    }
}
