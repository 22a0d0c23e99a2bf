//! Reference data: the coalitions and their action areas, in the caller's language.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{HttpResponse, get, patch, web};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sha2::Digest;
use utoipa::ToSchema;

use super::http::body::JsonContent;
use super::http::language::{LangQuery, PreferredLanguage};
use super::http::precondition::{IfMatch, dated_etag};
use crate::app::coalitions;
use crate::db::Db;
use crate::db::reference::{ActionAreaRecord, CoalitionRecord};
use crate::domain::coalition::{CoalitionKind, SettingsChange};
use crate::domain::language::Language;
use crate::error::{ApiResult, Problem};
use crate::routes::http::extractor::AuthUser;
use crate::wire::text::Slug;

/// An Action Coalition or the Compact, with labels in the chosen language.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "technology-innovation",
    "kind": "action_coalition",
    "name": "Technology and Innovation for Gender Equality",
    "description": "Action Coalition on Technology and Innovation for Gender Equality",
    "lang": "en",
    "reference_prefix": "TI",
    "submissions_open_on": "2021-03-01",
    "submissions_close_on": null,
    "submissions_open": true,
    "period_start_year": 2021,
    "period_end_year": 2025,
    "version": 1,
    "action_areas": [{
        "coalition": "technology-innovation",
        "number": 1,
        "title": "Bridge the gender gap in digital access and competencies.",
        "target": "By 2026, reduce by half the gender digital divide across generations",
        "lang": "en"
    }]
}))]
pub struct Coalition {
    /// Stable identifier used in paths and filters.
    #[schema(value_type = Slug)]
    pub slug: String,
    pub kind: CoalitionKind,
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// Language of `name` and `description` (English when no translation exists).
    #[schema(max_length = 35)]
    pub lang: String,
    /// Prefix of the public references of its commitments, e.g. `TI` in `TI-2026-0042`.
    #[schema(min_length = 2, max_length = 4)]
    pub reference_prefix: String,
    /// First day commitments may be submitted.
    pub submissions_open_on: NaiveDate,
    /// Last day commitments may be submitted; `null` when the window has no end.
    pub submissions_close_on: Option<NaiveDate>,
    /// Whether the submission window is open today (UTC).
    pub submissions_open: bool,
    /// First year of the implementation period.
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_start_year: i32,
    /// Last year of the implementation period.
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_end_year: i32,
    /// Changes with every update; the `ETag` of this resource.
    #[schema(minimum = 1)]
    pub version: i32,
    #[schema(max_items = 20)]
    pub action_areas: Vec<ActionArea>,
}

/// A numbered action of a coalition's Global Acceleration Plan.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "coalition": "technology-innovation",
    "number": 1,
    "title": "Bridge the gender gap in digital access and competencies.",
    "target": "By 2026, reduce by half the gender digital divide across generations",
    "lang": "en"
}))]
pub struct ActionArea {
    /// Slug of the coalition it belongs to.
    #[schema(value_type = Slug)]
    pub coalition: String,
    /// Number within the coalition, from 1.
    #[schema(minimum = 1, maximum = 99)]
    pub number: i32,
    #[schema(max_length = 1000)]
    pub title: String,
    /// The target set for this action, when there is one.
    #[schema(max_length = 2000)]
    pub target: Option<String>,
    /// Language of `title` and `target`.
    #[schema(max_length = 35)]
    pub lang: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoalitionList {
    #[schema(max_items = 50)]
    pub items: Vec<Coalition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionAreaList {
    #[schema(max_items = 20)]
    pub items: Vec<ActionArea>,
}

impl From<ActionAreaRecord> for ActionArea {
    fn from(area: ActionAreaRecord) -> Self {
        let (title, target) = area.label.text;
        Self {
            coalition: area.coalition,
            number: area.number,
            title,
            target,
            lang: area.label.lang.code().to_owned(),
        }
    }
}

impl From<CoalitionRecord> for Coalition {
    fn from(record: CoalitionRecord) -> Self {
        let CoalitionRecord {
            row,
            name,
            action_areas,
        } = record;
        let submissions_open = row.settings().window.is_open_on(Utc::now().date_naive());
        let (name_text, description) = name.text;
        Self {
            kind: row.kind,
            name: name_text,
            description,
            lang: name.lang.code().to_owned(),
            reference_prefix: row.reference_prefix,
            submissions_open_on: row.submissions_open_on,
            submissions_close_on: row.submissions_close_on,
            submissions_open,
            period_start_year: row.period_start_year,
            period_end_year: row.period_end_year,
            version: row.version,
            action_areas: action_areas.into_iter().map(ActionArea::from).collect(),
            slug: row.slug,
        }
    }
}

/// Every coalition, in the Forum's order.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_coalitions",
    params(LangQuery, AcceptLanguage),
    responses(
        (status = 200, description = "The six Action Coalitions and the Compact", body = CoalitionList,
            headers(("Content-Language" = String, description = "Language negotiated for the labels"))),
        (status = 400, description = "Malformed `lang`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/coalitions")]
pub async fn list_coalitions(
    db: web::Data<Db>,
    lang: PreferredLanguage,
    renderings: web::Data<CoalitionRenderings>,
) -> ApiResult<HttpResponse> {
    let records = coalitions::list(&db, lang.0).await?;
    let (body, etag) = renderings.json(lang.0, records);
    Ok(localized(lang.0)
        .content_type("application/json")
        .insert_header((actix_web::http::header::ETAG, etag))
        .body(body))
}

/// The coalitions' JSON in each language, rendered once per reading of
/// them (the read cache hands out the same value until it reads again).
#[derive(Default)]
pub struct CoalitionRenderings {
    kept: std::sync::Mutex<HashMap<Language, Rendering>>,
}

type Rendering = (Arc<Vec<CoalitionRecord>>, web::Bytes, String);

impl CoalitionRenderings {
    fn json(&self, lang: Language, records: Arc<Vec<CoalitionRecord>>) -> (web::Bytes, String) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((of, body, etag)) = kept.get(&lang)
            && Arc::ptr_eq(of, &records)
        {
            return (body.clone(), etag.clone());
        }
        let items = records.iter().cloned().map(Coalition::from).collect();
        let body =
            web::Bytes::from(serde_json::to_vec(&CoalitionList { items }).unwrap_or_default());
        let digest = sha2::Sha256::digest(&body);
        let etag = format!(
            "W/\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        kept.insert(lang, (records, body.clone(), etag.clone()));
        (body, etag)
    }
}

/// One coalition with its action areas.
#[utoipa::path(
    tag = "reference",
    operation_id = "get_coalition",
    params(("slug" = String, Path, description = "Coalition slug", example = "technology-innovation"),
        LangQuery, AcceptLanguage),
    responses(
        (status = 200, description = "The coalition", body = Coalition,
            headers(("Content-Language" = String), ("ETag" = String, description = "Version of the coalition"))),
        (status = 400, description = "Malformed `lang`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No coalition has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/coalitions/{slug}")]
pub async fn get_coalition(
    db: web::Data<Db>,
    slug: web::Path<String>,
    lang: PreferredLanguage,
) -> ApiResult<HttpResponse> {
    let coalition = Coalition::from(coalitions::get(&db, slug.into_inner(), lang.0).await?);
    Ok(localized(lang.0)
        .insert_header(coalition_etag(&coalition))
        .json(coalition))
}

/// The numbered action areas of one coalition.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_action_areas",
    params(("slug" = String, Path, description = "Coalition slug", example = "technology-innovation"),
        LangQuery, AcceptLanguage),
    responses(
        (status = 200, description = "Its action areas by number", body = ActionAreaList,
            headers(("Content-Language" = String))),
        (status = 400, description = "Malformed `lang`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No coalition has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/coalitions/{slug}/action-areas")]
pub async fn list_action_areas(
    db: web::Data<Db>,
    slug: web::Path<String>,
    lang: PreferredLanguage,
) -> ApiResult<HttpResponse> {
    let coalition = coalitions::get(&db, slug.into_inner(), lang.0).await?;
    let items = coalition
        .action_areas
        .into_iter()
        .map(ActionArea::from)
        .collect();
    Ok(localized(lang.0).json(ActionAreaList { items }))
}

/// The `Accept-Language` request header, documented once for every reference endpoint.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[expect(
    dead_code,
    reason = "only documents the header; PreferredLanguage reads it"
)]
struct AcceptLanguage {
    /// Preferred languages, e.g. `fr-FR, fr;q=0.9, en;q=0.8`; `?lang=` wins over it.
    #[param(rename = "Accept-Language")]
    accept_language: Option<String>,
}

fn localized(lang: Language) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((actix_web::http::header::CONTENT_LANGUAGE, lang.code()));
    response
}

/// Changes to a coalition's submission window or implementation period.
/// `submissions_close_on: null` makes the window open-ended.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"submissions_close_on": "2025-12-31"}))]
pub struct CoalitionPatch {
    pub submissions_open_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::http::body::present")]
    pub submissions_close_on: Option<Option<NaiveDate>>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_start_year: Option<i32>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_end_year: Option<i32>,
}

impl From<CoalitionPatch> for SettingsChange {
    fn from(patch: CoalitionPatch) -> Self {
        Self {
            submissions_open_on: patch.submissions_open_on,
            submissions_close_on: patch.submissions_close_on,
            period_start_year: patch.period_start_year,
            period_end_year: patch.period_end_year,
        }
    }
}

/// Changes a coalition's submission window or implementation period (admins,
/// with `If-Match`). Commitments already made keep their years.
#[utoipa::path(
    tag = "reference",
    operation_id = "update_coalition",
    params(("slug" = String, Path, description = "Coalition slug", example = "technology-innovation"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = CoalitionPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Coalition, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No coalition has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid window or period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/coalitions/{slug}")]
pub async fn update_coalition(
    db: web::Data<Db>,
    user: AuthUser,
    slug: web::Path<String>,
    if_match: IfMatch,
    body: JsonContent<CoalitionPatch>,
) -> ApiResult<HttpResponse> {
    let change = body.0.map(Into::into);
    let updated = coalitions::update(&db, user.0, slug.into_inner(), if_match.0, change).await?;
    let coalition = Coalition::from(updated);
    Ok(localized(Language::En)
        .insert_header(coalition_etag(&coalition))
        .json(coalition))
}

/// A coalition's ETag: its version, marked `-closed` while submissions are
/// closed today (the date opens and closes the window).
fn coalition_etag(coalition: &Coalition) -> actix_web::http::header::ETag {
    dated_etag(
        coalition.version,
        (!coalition.submissions_open).then_some("closed"),
    )
}
