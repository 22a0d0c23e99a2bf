//! Reference data: the coalitions and their action areas, in the caller's language.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::language::{LangQuery, PreferredLanguage};
use crate::db::Db;
use crate::db::reference::{self, ActionAreaTranslationRow, CoalitionRow, CoalitionTranslationRow};
use crate::domain::coalition::{CoalitionKind, SubmissionWindow};
use crate::domain::language::{self, Language};
use crate::error::{ApiError, ApiResult, Problem};

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
    pub slug: String,
    pub kind: CoalitionKind,
    pub name: String,
    pub description: Option<String>,
    /// Language of `name` and `description` (English when no translation exists).
    pub lang: String,
    /// Prefix of the public references of its commitments, e.g. `TI` in `TI-2026-0042`.
    pub reference_prefix: String,
    /// First day commitments may be submitted.
    pub submissions_open_on: NaiveDate,
    /// Last day commitments may be submitted; `null` when the window has no end.
    pub submissions_close_on: Option<NaiveDate>,
    /// Whether the submission window is open today (UTC).
    pub submissions_open: bool,
    /// First year of the implementation period.
    pub period_start_year: i32,
    /// Last year of the implementation period.
    pub period_end_year: i32,
    /// Changes with every update; the `ETag` of this resource.
    pub version: i32,
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
    pub coalition: String,
    /// Number within the coalition, from 1.
    pub number: i32,
    pub title: String,
    /// The target set for this action, when there is one.
    pub target: Option<String>,
    /// Language of `title` and `target`.
    pub lang: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoalitionList {
    pub items: Vec<Coalition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionAreaList {
    pub items: Vec<ActionArea>,
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
) -> ApiResult<HttpResponse> {
    let lang = lang.0;
    let coalitions = db
        .run(move |conn| load_coalitions(conn, None, lang))
        .await?;
    Ok(localized(lang).json(CoalitionList { items: coalitions }))
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
    let lang = lang.0;
    let slug = slug.into_inner();
    let coalition = db
        .run(move |conn| load_coalitions(conn, Some(&slug), lang))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("this coalition"))?;
    Ok(localized(lang)
        .insert_header(header::ETag(header::EntityTag::new_strong(
            coalition.version.to_string(),
        )))
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
    let lang = lang.0;
    let slug = slug.into_inner();
    let coalition = db
        .run(move |conn| load_coalitions(conn, Some(&slug), lang))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("this coalition"))?;
    Ok(localized(lang).json(ActionAreaList {
        items: coalition.action_areas,
    }))
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
    response
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .insert_header((header::VARY, "Accept-Language"));
    response
}

/// Loads coalitions (all, or the one with `slug`) with their action areas and
/// labels in `lang` or English: four queries, whatever the number of coalitions.
fn load_coalitions(
    conn: &mut crate::db::DbConnection,
    slug: Option<&str>,
    lang: Language,
) -> Result<Vec<Coalition>, ApiError> {
    let rows = match slug {
        Some(slug) => reference::find_coalition(conn, slug)?.into_iter().collect(),
        None => reference::list_coalitions(conn)?,
    };
    let slugs: Vec<String> = rows.iter().map(|c| c.slug.clone()).collect();
    let langs = [lang.code(), Language::En.code()];
    let names = reference::coalition_translations_in(conn, &slugs, &langs)?;
    let areas = reference::action_areas_of(conn, &slugs)?;
    let area_labels = reference::action_area_translations_in(conn, &slugs, &langs)?;

    let names: HashMap<(&str, &str), &CoalitionTranslationRow> = names
        .iter()
        .map(|t| ((t.coalition_slug.as_str(), t.lang.as_str()), t))
        .collect();
    let area_labels: HashMap<(&str, i32, &str), &ActionAreaTranslationRow> = area_labels
        .iter()
        .map(|t| ((t.coalition_slug.as_str(), t.number, t.lang.as_str()), t))
        .collect();
    let today = Utc::now().date_naive();

    rows.into_iter()
        .map(|row: CoalitionRow| {
            let (name, name_lang) =
                language::pick(lang, |code| names.get(&(row.slug.as_str(), code)).copied())
                    .map(|(t, l)| ((t.name.clone(), t.description.clone()), l))
                    .unwrap_or(((row.slug.clone(), None), Language::En));
            let action_areas = areas
                .iter()
                .filter(|a| a.coalition_slug == row.slug)
                .map(|a| {
                    let (label, label_lang) = language::pick(lang, |code| {
                        area_labels
                            .get(&(a.coalition_slug.as_str(), a.number, code))
                            .copied()
                    })
                    .map(|(t, l)| ((t.title.clone(), t.target.clone()), l))
                    .unwrap_or(((format!("Action {}", a.number), None), Language::En));
                    ActionArea {
                        coalition: a.coalition_slug.clone(),
                        number: a.number,
                        title: label.0,
                        target: label.1,
                        lang: label_lang.code().to_owned(),
                    }
                })
                .collect();
            let kind = CoalitionKind::parse(&row.kind).ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "coalition {} has kind {:?}",
                    row.slug,
                    row.kind
                ))
            })?;
            let window = SubmissionWindow {
                opens_on: row.submissions_open_on,
                closes_on: row.submissions_close_on,
            };
            Ok(Coalition {
                kind,
                name: name.0,
                description: name.1,
                lang: name_lang.code().to_owned(),
                reference_prefix: row.reference_prefix,
                submissions_open_on: row.submissions_open_on,
                submissions_close_on: row.submissions_close_on,
                submissions_open: window.is_open_on(today),
                period_start_year: row.period_start_year,
                period_end_year: row.period_end_year,
                version: row.version,
                action_areas,
                slug: row.slug,
            })
        })
        .collect()
}
