//! The `PreferredLanguage` extractor: `?lang=` or `Accept-Language`, else English.

use std::future::{Ready, ready};

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::language::{self, Language};
use crate::error::ApiError;

/// Language of the labels in the answer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language tag for labels (`en`, `fr`, `es`, `zh`, `id`, `km`); overrides
    /// `Accept-Language`. Other well-formed tags fall back to English.
    #[param(
        pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        max_length = 35,
        example = "fr"
    )]
    pub lang: Option<String>,
}

/// The negotiated language; a malformed `?lang=` is a 400.
#[derive(Debug, Clone, Copy)]
pub struct PreferredLanguage(pub Language);

impl FromRequest for PreferredLanguage {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(negotiate(req))
    }
}

fn negotiate(req: &HttpRequest) -> Result<PreferredLanguage, ApiError> {
    let query = web::Query::<LangQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::BadRequest(format!("invalid query string: {e}")))?;
    if query.lang.is_none() {
        super::caching::depends_on(req, super::caching::ReadHeader::AcceptLanguage);
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    language::negotiate(query.lang.as_deref(), accept)
        .map(PreferredLanguage)
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}
