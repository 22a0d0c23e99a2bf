//! HTTP caching of what GET answers: every 200 carries a validator (the
//! resource's own `ETag`, or a weak one hashed from the body) and a
//! `Cache-Control`; a request whose `If-None-Match` names it gets a 304
//! with no body. Streamed answers (exports) are left alone.
//!
//! Anonymous answers are public data: shared caches may keep them for
//! `PUBLIC_MAX_AGE` seconds, so a public figure is at most that stale.
//! Answers to signed-in callers are private and revalidated every time.

use actix_web::HttpResponse;
use actix_web::body::{BodySize, BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use sha2::{Digest, Sha256};

/// Seconds a shared cache may serve an anonymous answer without asking again.
pub const PUBLIC_MAX_AGE: u32 = 60;

pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.path().starts_with("/health/")
        && !req.path().starts_with("/metrics");
    let signed_in = req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(req).await?.map_into_boxed_body();
    if !cacheable
        || response.status() != StatusCode::OK
        || matches!(response.response().body().size(), BodySize::Stream)
    {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("the answer could not be read"))?;
    let etag = match head.headers().get(header::ETAG) {
        Some(tag) => tag.to_str().unwrap_or_default().to_owned(),
        None => {
            let digest = Sha256::digest(&bytes);
            let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            let tag = format!("W/\"{hex}\"");
            head.headers_mut().insert(
                header::ETAG,
                header::HeaderValue::from_str(&tag).unwrap_or(header::HeaderValue::from_static("")),
            );
            tag
        }
    };
    if !head.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if signed_in {
            "private, no-cache".to_owned()
        } else {
            format!("public, max-age={PUBLIC_MAX_AGE}")
        };
        head.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_str(&policy)
                .unwrap_or(header::HeaderValue::from_static("no-cache")),
        );
    }
    if if_none_match.is_some_and(|list| matches_any(&list, &etag)) {
        let mut not_modified = HttpResponse::NotModified();
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_LANGUAGE,
        ] {
            if let Some(value) = head.headers().get(&name) {
                not_modified.insert_header((name, value.clone()));
            }
        }
        return Ok(ServiceResponse::new(request, not_modified.finish()));
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(request, response))
}

/// RFC 9110 §13.1.2: `If-None-Match` compares weakly; `*` matches anything.
fn matches_any(list: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    list.split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(matches_any("\"7-green\"", "\"7-green\""));
        assert!(matches_any("W/\"ab12\"", "W/\"ab12\""));
        assert!(matches_any("\"x\", W/\"ab12\"", "\"ab12\""));
        assert!(matches_any("*", "\"1\""));
        assert!(!matches_any("\"7\"", "\"7-green\""));
    }
}
