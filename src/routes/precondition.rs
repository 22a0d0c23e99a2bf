//! Optimistic concurrency: `ETag` carries a resource's version, and changes
//! require `If-Match` with the version the client last saw.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};

use crate::error::ApiError;

/// The strong ETag of a version: `"7"`.
pub fn etag(version: i32) -> header::ETag {
    header::ETag(header::EntityTag::new_strong(version.to_string()))
}

/// The `If-Match` header, required: missing is 428.
#[derive(Debug, Clone)]
pub struct IfMatch(header::IfMatch);

impl IfMatch {
    /// 412 unless the header names `version` (or is `*`).
    pub fn check(&self, version: i32) -> Result<(), ApiError> {
        let current = header::EntityTag::new_strong(version.to_string());
        let matches = match &self.0 {
            header::IfMatch::Any => true,
            header::IfMatch::Items(tags) => tags.iter().any(|tag| tag.strong_eq(&current)),
        };
        if matches {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "If-Match does not match the current version (ETag \"{version}\"): reload and retry"
            )))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let malformed = || ApiError::BadRequest("If-Match must be an ETag such as \"3\"".into());
        ready(if req.headers().contains_key(header::IF_MATCH) {
            match <header::IfMatch as header::Header>::parse(req) {
                Ok(header::IfMatch::Items(tags)) if tags.is_empty() => Err(malformed()),
                Ok(parsed) => Ok(IfMatch(parsed)),
                Err(_) => Err(malformed()),
            }
        } else {
            Err(ApiError::PreconditionRequired(
                "this change needs If-Match with the resource's ETag".into(),
            ))
        })
    }
}
