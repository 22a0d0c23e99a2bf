//! The built-in progress dashboard: `GET /` and `GET /commitments/{id}`,
//! one HTML page whose script draws everything from the public API.
//!
//! So that the first render needs no request beyond the page and its two
//! assets, the page arrives with the public answers its script would fetch
//! first (summary, breakdowns, the first page of commitments, coalitions),
//! made by the same use cases and types as the API, and the words of the
//! negotiated language. Filters and the search then read the API itself;
//! the language switcher loads the page again in the chosen language.
//!
//! Assets are embedded in the binary: nothing is fetched from elsewhere.

mod words;

use std::sync::LazyLock;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::coalitions::{Coalition, CoalitionList};
use super::commitments::dto::{Commitment, CommitmentQuery};
use super::http::caching::{ReadHeader, depends_on};
use super::http::pagination::{CursorCodec, Listed, Paged};
use super::http::today::Today;
use super::progress::{ProgressReport, ProgressReportList};
use super::stats::{BreakdownAnswer, SummaryAnswer};
use crate::app::dashboard::{self, FEATURED_COALITION, FIRST_PAGE};
use crate::app::progress::Seen;
use crate::db::Db;
use crate::db::reference::CoalitionRecord;
use crate::domain::labels::{self, Vocabulary};
use crate::domain::language::{self, Language};
use crate::error::{ApiError, ApiResult, Problem};
use words::{LANGUAGE_NAMES, PAGE_WORDS};

const TEMPLATE: &str = include_str!("dashboard.html");
const SCRIPT: &str = include_str!("dashboard.js");
const STYLE: &str = include_str!("dashboard.css");
const ICON: &str = include_str!("favicon.svg");

/// What the page's own headers say: its script and style come from here
/// only, nothing may frame it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The assets' fingerprint, so that their URL changes with their content
/// and browsers may keep them for a year.
static FINGERPRINT: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest([SCRIPT, STYLE, ICON].concat());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
});

/// The page's filters and language, as its address carries them. Unknown
/// or malformed values never fail the page: the figures then come from the
/// API, whose answer says what is wrong.
#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Coalition slug.
    #[param(max_length = 100)]
    pub coalition: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[param(max_length = 100)]
    pub country: Option<String>,
    #[param(max_length = 100)]
    pub constituency: Option<String>,
    /// Text searched in the titles and descriptions of the list.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `en`, `fr`, `es`, `zh`, `id` or `km`; else `Accept-Language`, else English.
    #[param(max_length = 35)]
    pub lang: Option<String>,
}

/// The progress dashboard: totals, status, reporting health, the featured
/// coalition's action areas, breakdowns, filters, a language switcher and
/// the searchable list of public commitments.
#[utoipa::path(
    tag = "page",
    operation_id = "get_dashboard_page",
    params(PageQuery),
    responses(
        (status = 200, description = "The dashboard page (HTML)", body = String, content_type = "text/html",
            headers(("Content-Language" = String), ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified since the `ETag` in `If-None-Match`"),
    )
)]
#[get("/")]
pub async fn dashboard_page(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    cursors: web::Data<CursorCodec>,
) -> ApiResult<HttpResponse> {
    let query = page_query(&req)?;
    let lang = page_language(&req, &query);
    let filter = CommitmentQuery {
        coalition: query.coalition.clone(),
        country: query.country.clone(),
        constituency: query.constituency.clone(),
        q: query.q.clone(),
        ..CommitmentQuery::default()
    }
    .into_filter(today.0)
    .ok();
    let shown = dashboard::dashboard(&db, today.0, filter, lang).await?;
    let data = initial_answers(shown, &cursors);
    let state = json!({
        "view": "dashboard",
        "query": query,
        "featured": FEATURED_COALITION,
        "page_size": FIRST_PAGE,
        "data": data,
    });
    Ok(page(StatusCode::OK, lang, state))
}

/// A public commitment's page, with its reports.
#[utoipa::path(
    tag = "page",
    operation_id = "get_commitment_page",
    params(("id" = String, Path, description = "Commitment id"),
        ("lang" = Option<String>, Query, description = "`en`, `fr`, `es`, `zh`, `id` or `km`")),
    responses(
        (status = 200, description = "The commitment's page (HTML)", body = String, content_type = "text/html",
            headers(("Content-Language" = String), ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified since the `ETag` in `If-None-Match`"),
        (status = 404, description = "A page saying the commitment is not public or not there (HTML)",
            body = String, content_type = "text/html"),
    )
)]
#[get("/commitments/{id}")]
pub async fn commitment_page(
    req: HttpRequest,
    db: web::Data<Db>,
    today: Today,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let query = page_query(&req)?;
    let lang = page_language(&req, &query);
    let shown = dashboard::commitment(&db, today.0, id.into_inner(), lang).await?;
    let coalitions = coalition_list(shown.coalitions);
    let Some((record, reports)) = shown.commitment else {
        let state = json!({ "view": "not_found", "data": { "coalitions": coalitions } });
        return Ok(page(StatusCode::NOT_FOUND, lang, state));
    };
    Ok(page(
        StatusCode::OK,
        lang,
        commitment_state(record, reports, coalitions),
    ))
}

/// What the commitment's page draws: the commitment, its reports as the
/// public reads them, and the coalitions (for their names).
fn commitment_state(
    record: crate::db::commitments::CommitmentRecord,
    reports: Vec<crate::db::progress::ReportRecord>,
    coalitions: CoalitionList,
) -> Value {
    let reports = ProgressReportList {
        items: reports
            .into_iter()
            .map(|value| {
                ProgressReport::from(Seen {
                    value,
                    discussion: false,
                })
            })
            .collect(),
    };
    json!({
        "view": "commitment",
        "data": {
            "commitment": Commitment::from(record),
            "reports": reports,
            "coalitions": coalitions,
        },
    })
}

/// The page's script and style sheet.
#[utoipa::path(
    tag = "page",
    operation_id = "get_page_asset",
    params(("file" = String, Path, description = "`dashboard.js`, `dashboard.css` or `favicon.svg`")),
    responses(
        (status = 200, description = "The asset", content(
            (String = "text/javascript"), (String = "text/css"), (String = "image/svg+xml")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified since the `ETag` in `If-None-Match`"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assets/{file}")]
pub async fn page_asset(file: web::Path<String>) -> ApiResult<HttpResponse> {
    let (body, content_type) = match file.as_str() {
        "dashboard.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "dashboard.css" => (STYLE, "text/css; charset=utf-8"),
        "favicon.svg" => (ICON, "image/svg+xml"),
        _ => return Err(ApiError::not_found("the asset")),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body))
}

/// The site's icon where browsers and crawlers look for it first (the
/// pages name `/assets/favicon.svg`); an SVG, which browsers take here too.
#[utoipa::path(
    tag = "page",
    operation_id = "get_favicon",
    responses(
        (status = 200, description = "The icon", body = String, content_type = "image/svg+xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified since the `ETag` in `If-None-Match`"),
    )
)]
#[get("/favicon.ico")]
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(ICON)
}

/// The page's filters as its address carries them. A value that is not a
/// filter (`?country=Cambodia`) is left for the API's answer to explain; a
/// query that does not parse (a parameter twice), a value longer than the
/// spec says, or an `Accept-Language` past its bound, is a 400.
fn page_query(req: &HttpRequest) -> ApiResult<PageQuery> {
    let query = web::Query::<PageQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::BadRequest(format!("the address's query does not parse: {e}")))?;
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .map_or(0, |v| v.len());
    let bounds = [
        ("coalition", &query.coalition, 100),
        ("country", &query.country, 100),
        ("constituency", &query.constituency, 100),
        ("q", &query.q, 200),
        ("lang", &query.lang, language::MAX_TAG_LENGTH),
    ];
    for (name, value, most) in bounds {
        if value.as_ref().is_some_and(|v| v.chars().count() > most) {
            return Err(ApiError::BadRequest(format!(
                "{name} is at most {most} characters"
            )));
        }
    }
    if accept > language::MAX_ACCEPT_LENGTH {
        return Err(ApiError::BadRequest(format!(
            "Accept-Language is at most {} characters",
            language::MAX_ACCEPT_LENGTH
        )));
    }
    Ok(query)
}

/// `?lang=` when it names a language, else `Accept-Language`, else English.
fn page_language(req: &HttpRequest, query: &PageQuery) -> Language {
    // A missing or malformed `?lang=` leaves the choice to the header.
    if language::negotiate(query.lang.as_deref(), None).is_err() || query.lang.is_none() {
        depends_on(req, ReadHeader::AcceptLanguage);
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    language::negotiate(query.lang.as_deref(), accept)
        .or_else(|_| language::negotiate(None, accept))
        .unwrap_or_default()
}

/// The public answers the script would fetch first, keyed by what it
/// calls them.
fn initial_answers(shown: dashboard::Dashboard, cursors: &CursorCodec) -> Value {
    let coalitions = coalition_list(shown.coalitions);
    let Some(shown) = shown.figures else {
        return json!({ "coalitions": coalitions });
    };
    let commitments = Paged {
        next_cursor: shown
            .commitments
            .next_after
            .map(|last| cursors.encode(Commitment::CURSOR, &last)),
        items: shown
            .commitments
            .items
            .into_iter()
            .map(Commitment::from)
            .collect::<Vec<_>>(),
    };
    json!({
        "summary": SummaryAnswer::from(shown.summary),
        "by_coalition": BreakdownAnswer::from(shown.by_coalition),
        "by_action_area": BreakdownAnswer::from(shown.by_action_area),
        "by_country": BreakdownAnswer::from(shown.by_country),
        "by_constituency": BreakdownAnswer::from(shown.by_constituency),
        "commitments": commitments,
        "coalitions": coalitions,
    })
}

fn coalition_list(records: Vec<CoalitionRecord>) -> CoalitionList {
    CoalitionList {
        items: records.into_iter().map(Coalition::from).collect(),
    }
}

/// The words the page shows in `lang`: its own, the enumerations' and the
/// countries' names.
fn words(lang: Language) -> Value {
    let at = Language::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    let table = |pairs: Vec<(&str, &str)>| -> Map<String, Value> {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::from(v)))
            .collect()
    };
    // Vocabularies as [key, label] pairs, so that they keep their order.
    let pairs = |pairs: Vec<(&str, &str)>| -> Value {
        pairs.into_iter().map(|(k, v)| json!([k, v])).collect()
    };
    let page: Vec<(&str, &str)> = PAGE_WORDS.iter().map(|(k, w)| (*k, w[at])).collect();
    json!({
        "page": table(page),
        "status": pairs(labels::vocabulary(Vocabulary::Status, lang)),
        "type": pairs(labels::vocabulary(Vocabulary::Type, lang)),
        "constituency": pairs(labels::vocabulary(Vocabulary::Constituency, lang)),
        "implementation": pairs(labels::vocabulary(Vocabulary::Implementation, lang)),
        "health": pairs(labels::vocabulary(Vocabulary::Health, lang)),
        "country": pairs(labels::countries(lang)),
        "languages": Language::ALL
            .iter()
            .zip(LANGUAGE_NAMES)
            .map(|(l, name)| json!({ "code": l.code(), "name": name }))
            .collect::<Vec<_>>(),
    })
}

/// The page: the template with the language, the title and the state.
fn page(status: StatusCode, lang: Language, mut state: Value) -> HttpResponse {
    let words = words(lang);
    let title = words["page"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let description = words["page"]["tagline"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(object) = state.as_object_mut() {
        object.insert("lang".into(), Value::from(lang.code()));
        object.insert("words".into(), words);
    }
    let html = TEMPLATE
        .replace("{{lang}}", lang.code())
        .replace("{{title}}", &escape_html(&title))
        .replace("{{description}}", &escape_html(&description))
        .replace("{{fingerprint}}", &FINGERPRINT)
        .replace("{{state}}", &script_data(&state));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(html)
}

/// JSON that is safe inside `<script type="application/json">`: no `<`, `>`
/// or `&` can close the element or open a comment.
fn script_data(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_word_reads_in_every_language() {
        for (key, words) in PAGE_WORDS {
            assert!(words.iter().all(|w| !w.trim().is_empty()), "{key}");
            let holes = |w: &str| {
                let mut found: Vec<String> = w
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                    .collect();
                found.sort();
                found
            };
            assert!(
                words.iter().all(|w| holes(w) == holes(words[0])),
                "{key}: every language fills the same values"
            );
        }
        let mut keys: Vec<_> = PAGE_WORDS.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PAGE_WORDS.len(), "a key is given twice");
    }

    #[test]
    fn script_data_cannot_close_its_element() {
        let value = json!({ "title": "</script><script>alert(1)</script><!--" });
        let text = script_data(&value);
        assert!(!text.contains('<') && !text.contains('>'));
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, value);
    }

    #[test]
    fn every_word_the_script_asks_for_exists() {
        // Calls of `t("…")`, not of functions whose names end in t.
        let asked: Vec<&str> = SCRIPT
            .match_indices("t(\"")
            .filter(|(at, _)| {
                SCRIPT[..*at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '.')
            })
            .filter_map(|(at, _)| SCRIPT[at + 3..].split('"').next())
            .collect();
        assert!(asked.len() > 20, "the script names its words with t(\"…\")");
        for key in asked {
            assert!(
                PAGE_WORDS.iter().any(|(k, _)| *k == key),
                "the script asks for {key}"
            );
        }
    }
}
