//! HTTP caching of what GET answers: every 200 carries a validator (the
//! resource's own `ETag`, or a weak one hashed from the body) and a
//! `Cache-Control`; a request whose `If-None-Match` names it gets a 304
//! with no body. Streamed answers (exports) are left alone.
//!
//! Each answer says `Vary` on the request headers it was made from
//! (`depends_on`): `Accept-Language` when it chose the labels,
//! `Authorization` when the caller decided what it shows.
//!
//! Anonymous answers are public data: shared caches may keep them for
//! `PUBLIC_MAX_AGE` seconds, so a public figure is at most that stale.
//! Answers to signed-in callers are private and revalidated every time.

use actix_web::body::{BodySize, BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use sha2::{Digest, Sha256};

/// Seconds a shared cache may serve an anonymous answer without asking again.
pub const PUBLIC_MAX_AGE: u32 = 60;

/// A request header an answer was made from (besides its URL), marked in
/// the request's extensions by whatever read it: the answer then says
/// `Vary` on it, so that no cache gives one caller's answer to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadHeader {
    /// `Accept-Language` chose the labels (no `?lang=` was given).
    AcceptLanguage,
    /// `Authorization` (present or not) decided what the caller sees.
    Authorization,
}

impl ReadHeader {
    fn name(self) -> &'static str {
        match self {
            Self::AcceptLanguage => "Accept-Language",
            Self::Authorization => "Authorization",
        }
    }
}

/// The headers a request's answer was made from so far.
#[derive(Debug, Clone, Default)]
struct ReadHeaders(Vec<ReadHeader>);

/// Marks that the answer to `req` depends on `header`.
pub fn depends_on(req: &actix_web::HttpRequest, header: ReadHeader) {
    let mut extensions = req.extensions_mut();
    let read = extensions.get_or_insert_with(ReadHeaders::default);
    if !read.0.contains(&header) {
        read.0.push(header);
    }
}

/// What a request asks of the cache: whether its answer may be kept, by
/// whom, and the validators it already holds.
struct Asked {
    cacheable: bool,
    signed_in: bool,
    if_none_match: Option<String>,
}

impl Asked {
    fn of(req: &ServiceRequest) -> Self {
        Self {
            cacheable: matches!(*req.method(), Method::GET | Method::HEAD)
                && !req.path().starts_with("/health/")
                && !req.path().starts_with("/metrics"),
            signed_in: req.headers().contains_key(header::AUTHORIZATION),
            if_none_match: req
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let asked = Asked::of(&req);
    let mut response = next.call(req).await?.map_into_boxed_body();
    if asked.cacheable {
        let read = response
            .request()
            .extensions()
            .get::<ReadHeaders>()
            .cloned();
        add_vary(response.headers_mut(), read.unwrap_or_default());
    }
    let tagged = response.status().is_success() && response.headers().contains_key(header::ETAG);
    let kept = asked.cacheable && response.status() == StatusCode::OK;
    if !(tagged || kept) || matches!(response.response().body().size(), BodySize::Stream) {
        return Ok(response);
    }
    revalidated(response, &asked, kept).await
}

/// The answer with an `ETag` over its whole body, and when it may be kept
/// (`kept`) its `Cache-Control`, or a 304 if the client holds it already.
async fn revalidated(
    response: ServiceResponse<BoxBody>,
    asked: &Asked,
    kept: bool,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("the answer could not be read"))?;
    let tagged_whole = head.extensions().contains::<WholeBodyTagged>();
    let etag = match head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(etag) if tagged_whole => etag.to_owned(),
        _ => tag_body(head.headers_mut(), &bytes, kept),
    };
    if kept {
        cache_control(head.headers_mut(), asked.signed_in);
        if asked
            .if_none_match
            .as_deref()
            .is_some_and(|list| matches_any(list, &etag))
        {
            return Ok(ServiceResponse::new(request, not_modified(head.headers())));
        }
    }
    Ok(ServiceResponse::new(
        request,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// Adds the headers read to the answer's `Vary` (after any already there).
fn add_vary(headers: &mut header::HeaderMap, read: ReadHeaders) {
    let mut vary: Vec<String> = headers
        .get(header::VARY)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').map(|n| n.trim().to_owned()).collect())
        .unwrap_or_default();
    // Every answer may be compressed (`Compress` says so too, on a line of
    // its own that the CORS layer does not keep).
    let names = read.0.iter().map(|h| h.name()).chain(["Accept-Encoding"]);
    for name in names {
        if !vary.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            vary.push(name.to_owned());
        }
    }
    if let Ok(value) = header::HeaderValue::from_str(&vary.join(", "))
        && !vary.is_empty()
    {
        headers.insert(header::VARY, value);
    }
}

/// Marks an answer whose `ETag` was worked out over its whole body
/// already (`TaggedJson`): it is sent as it is, not hashed again.
#[derive(Debug, Clone, Copy)]
struct WholeBodyTagged;

/// A JSON answer serialized once, with the weak `ETag` this layer would
/// give its bytes: kept (the figures keep theirs until they change), it is
/// sent again and again without serializing or hashing it again.
#[derive(Debug, Clone)]
pub struct TaggedJson {
    body: actix_web::web::Bytes,
    etag: header::HeaderValue,
}

impl TaggedJson {
    pub fn of<T: serde::Serialize>(value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        let etag = header::HeaderValue::from_str(&weak_tag(&digest(&body)))
            .unwrap_or_else(|_| header::HeaderValue::from_static("W/\"\""));
        Self {
            body: body.into(),
            etag,
        }
    }

    /// A 200 of these bytes, with their tag (`builder` may add headers).
    pub fn respond(&self, mut builder: actix_web::HttpResponseBuilder) -> HttpResponse {
        let mut response = builder
            .content_type("application/json")
            .insert_header((header::ETAG, self.etag.clone()))
            .body(self.body.clone());
        response.extensions_mut().insert(WholeBodyTagged);
        response
    }
}

/// A weak validator of a digest.
fn weak_tag(digest: &str) -> String {
    format!("W/\"{digest}\"")
}

/// The first eight bytes of the body's SHA-256, in hex.
fn digest(body: &[u8]) -> String {
    Sha256::digest(body)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes the answer's `ETag` cover its whole body, whatever the method:
/// a short digest of the body after the resource's own tag when it has
/// one (`"7-green-…"`: `If-Match` reads the version before the first
/// `-`), or alone as a weak tag on a GET's answer (`weak`). So a change to
/// anything the answer shows (say the name of a commitment's
/// organization) changes its validator, and the answer to a change
/// carries the tag a GET of the same representation would. Returns it.
fn tag_body(headers: &mut header::HeaderMap, body: &[u8], weak: bool) -> String {
    let digest = digest(body);
    let own = headers
        .get(header::ETAG)
        .and_then(|tag| tag.to_str().ok())
        .filter(|tag| tag.starts_with('"'))
        .map(|tag| tag.trim_matches('"').to_owned());
    let etag = match own {
        Some(own) => format!("\"{own}-{digest}\""),
        None if weak => weak_tag(&digest),
        None => return String::new(),
    };
    if let Ok(value) = header::HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    etag
}

/// Public for the anonymous, private and revalidated for a signed-in
/// caller, unless the handler said otherwise.
fn cache_control(headers: &mut header::HeaderMap, signed_in: bool) {
    if headers.contains_key(header::CACHE_CONTROL) {
        return;
    }
    let policy = if signed_in {
        "private, no-cache".to_owned()
    } else {
        format!("public, max-age={PUBLIC_MAX_AGE}")
    };
    if let Ok(value) = header::HeaderValue::from_str(&policy) {
        headers.insert(header::CACHE_CONTROL, value);
    }
}

/// A 304 with the validators and variance of the answer it stands for.
fn not_modified(headers: &header::HeaderMap) -> HttpResponse {
    let mut not_modified = HttpResponse::NotModified();
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::CONTENT_LANGUAGE,
    ] {
        if let Some(value) = headers.get(&name) {
            not_modified.insert_header((name, value.clone()));
        }
    }
    not_modified.finish()
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
