//! Optimistic concurrency over HTTP: `ETag` carries a resource's version,
//! and changes send `If-Match` with the version the client last saw. The
//! header is only read here; the use case judges it in its turn.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::app::Precondition;
use crate::error::ApiError;

/// The strong ETag of a version: `"7"`.
pub fn etag(version: i32) -> header::ETag {
    header::ETag(header::EntityTag::new_strong(version.to_string()))
}

/// The ETag of a representation that also turns on the date: the version,
/// then what the date decides (`"7-amber"`). `If-Match` compares the version.
pub fn dated_etag(version: i32, variant: Option<&str>) -> header::ETag {
    match variant {
        Some(variant) => header::ETag(header::EntityTag::new_strong(format!(
            "{version}-{variant}"
        ))),
        None => etag(version),
    }
}

/// The `If-Match` header as a precondition; a malformed one is a 400.
#[derive(Debug, Clone)]
pub struct IfMatch(pub Precondition);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let malformed = || ApiError::BadRequest("If-Match must be an ETag such as \"3\"".into());
        if !req.headers().contains_key(header::IF_MATCH) {
            return ready(Ok(Self(Precondition::Missing)));
        }
        ready(match <header::IfMatch as header::Header>::parse(req) {
            Ok(header::IfMatch::Any) => Ok(Self(Precondition::Any)),
            Ok(header::IfMatch::Items(tags)) if !tags.is_empty() => Ok(Self(
                // Strong comparison of versions (what comes before a `-`): a
                // weak tag, or one naming no version, matches nothing.
                Precondition::Versions(
                    tags.iter()
                        .filter(|tag| !tag.weak)
                        .filter_map(|tag| tag.tag().split('-').next()?.parse().ok())
                        .collect(),
                ),
            )),
            _ => Err(malformed()),
        })
    }
}
