//! Keyset pagination: `?limit=` (default 50, at most 200) and an opaque,
//! tamper-evident `cursor` (the last key of the page, signed with HMAC-SHA256
//! and bound to the list it came from). Answers carry `next_cursor` and a
//! `Link: <…>; rel="next"` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponseBuilder};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use utoipa::IntoParams;

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

/// A page request, checked: the number of rows to fetch and where to start.
#[derive(Debug)]
pub struct Page {
    pub limit: u32,
    pub after: Option<String>,
}

impl Page {
    /// Rows to load: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }
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

    /// Checks `?limit=` and `?cursor=` for the list named `list`.
    pub fn page(&self, list: &str, query: &PageQuery) -> Result<Page, ApiError> {
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
        Ok(Page { limit, after })
    }

    /// The next cursor of a page already trimmed to its limit: `more` says
    /// whether the extra row was there.
    pub fn finish_page<T>(
        &self,
        list: &str,
        (items, more): (Vec<T>, bool),
        key: impl Fn(&T) -> String,
    ) -> (Vec<T>, Option<String>) {
        let next = items
            .last()
            .filter(|_| more)
            .map(|last| self.encode(list, &key(last)));
        (items, next)
    }

    /// Trims the extra row and returns the page's items with the next cursor.
    pub fn finish<T>(
        &self,
        list: &str,
        page: &Page,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> String,
    ) -> (Vec<T>, Option<String>) {
        let limit = page.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        self.finish_page(list, (rows, more), key)
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
