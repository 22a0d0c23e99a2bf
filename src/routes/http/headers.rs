//! Headers on every answer, errors included: the request's id, and the
//! hardening an API and its dashboard page should carry in any browser.
//!
//! - `X-Request-Id`: the caller's own when well-formed (1 to 128 letters,
//!   digits or `-._:`), so that a proxy's or client's id follows the request;
//!   a new UUID otherwise. It is echoed on the answer, named in the access log
//!   line, and every log line written while the request is handled carries it
//!   (a `request` span).
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY` everywhere; the HTML pages add their own
//!   `Content-Security-Policy`.
//! - Swagger UI (`/docs/`) gets a `Content-Security-Policy` of its own: its
//!   scripts and style sheets from here only (it adds a `<style>` element
//!   of its own, hence inline styles), no framing, nothing from elsewhere.
//! - `Strict-Transport-Security` only when `GEF_HSTS_MAX_AGE` is set: the
//!   service itself speaks plain HTTP behind a TLS-terminating proxy, and
//!   HSTS on a host that is not served over HTTPS would lock browsers out.
//!
//! No `Server` header is sent (actix adds none).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being handled (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The `Strict-Transport-Security` value to send, when configured.
#[derive(Debug, Clone, Default)]
pub struct Hsts(pub Option<HeaderValue>);

impl Hsts {
    pub fn max_age(seconds: Option<u64>) -> Self {
        Self(
            seconds.and_then(|s| {
                HeaderValue::from_str(&format!("max-age={s}; includeSubDomains")).ok()
            }),
        )
    }
}

fn well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
}

/// Sent on every answer.
const HARDENING: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Swagger UI's policy: its own files, the styles it adds inline, images
/// and fonts it embeds as `data:`, and calls to this API only.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The caller's `X-Request-Id` when well-formed, a new UUID otherwise.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| well_formed(value))
        .map_or_else(crate::db::new_id, str::to_owned)
}

/// Every answer's headers: its request id, the hardening, HSTS when
/// configured, and Swagger UI's policy on its pages.
fn harden(headers: &mut header::HeaderMap, id: &str, hsts: Option<HeaderValue>, docs: bool) {
    if let Ok(value) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, value);
    }
    for (name, value) in HARDENING {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Some(hsts) = hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    if docs && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        );
    }
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let hsts = req
        .app_data::<web::Data<Hsts>>()
        .and_then(|hsts| hsts.0.clone());
    let docs = req.path() == "/docs" || req.path().starts_with("/docs/");
    let span = tracing::info_span!("request", id = %id);
    // Every layer inside answers errors as responses (handlers and
    // extractors do, and so do this service's own middlewares), so they get
    // these headers too.
    let mut response = next.call(req).instrument(span).await?.map_into_boxed_body();
    harden(response.headers_mut(), &id, hsts, docs);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_taken_from_the_caller() {
        assert!(well_formed("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert!(well_formed("req-1.2_3:4"));
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(129)));
        assert!(!well_formed("id with spaces"));
        assert!(!well_formed("id\"injected"));
        assert!(!well_formed("ïd"));
    }
}
