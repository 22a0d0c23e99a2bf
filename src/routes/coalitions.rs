//! Reference data: the coalitions and their action areas, in the caller's language.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, web};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::JsonBody;
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

/// Changes to a coalition's submission window or implementation period.
/// `submissions_close_on: null` makes the window open-ended.
#[derive(Debug, serde::Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"submissions_close_on": "2025-12-31"}))]
pub struct CoalitionPatch {
    pub submissions_open_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::body::present")]
    pub submissions_close_on: Option<Option<NaiveDate>>,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_start_year: Option<i32>,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub period_end_year: Option<i32>,
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
    user: crate::auth::AuthUser,
    slug: web::Path<String>,
    if_match: super::precondition::IfMatch,
    body: JsonBody<CoalitionPatch>,
) -> ApiResult<HttpResponse> {
    use crate::domain::policy::{Action, authorize};
    use crate::domain::validation::FieldError;
    authorize(Some(&user.0), Action::ManageCoalitions).map_err(crate::auth::extractor::denied)?;
    let (slug, patch) = (slug.into_inner(), body.into_inner());
    // What the schema states is checked before the resource is even read.
    validator::Validate::validate(&patch)
        .map_err(|e| ApiError::Validation(super::validation::field_errors(&e)))?;
    let coalition = db
        .write(move |conn| {
            let current = reference::find_coalition(conn, &slug)?
                .ok_or_else(|| ApiError::not_found("this coalition"))?;
            if_match.check(current.version)?;
            let opens = patch
                .submissions_open_on
                .unwrap_or(current.submissions_open_on);
            let closes = patch
                .submissions_close_on
                .unwrap_or(current.submissions_close_on);
            let start = patch.period_start_year.unwrap_or(current.period_start_year);
            let end = patch.period_end_year.unwrap_or(current.period_end_year);
            let mut errors = Vec::new();
            for (field, year) in [("period_start_year", start), ("period_end_year", end)] {
                if !(2000..=2100).contains(&year) {
                    errors.push(FieldError::new(
                        field,
                        "out_of_range",
                        format!("{field} must be 2000 to 2100"),
                    ));
                }
            }
            if start > end {
                errors.push(FieldError::new(
                    "period_end_year",
                    "before_start",
                    "the period must not end before it starts",
                ));
            }
            if closes.is_some_and(|c| c < opens) {
                errors.push(FieldError::new(
                    "submissions_close_on",
                    "before_open",
                    "the window must not close before it opens",
                ));
            }
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let changes = reference::CoalitionChanges {
                submissions_open_on: Some(opens),
                submissions_close_on: Some(closes),
                period_start_year: Some(start),
                period_end_year: Some(end),
                version: Some(current.version + 1),
                updated_at: Some(crate::db::now()),
            };
            if !reference::update_coalition(conn, &slug, current.version, &changes)? {
                return Err(ApiError::PreconditionFailed(
                    "the coalition changed meanwhile: reload and retry".into(),
                ));
            }
            load_coalitions(conn, Some(&slug), Language::En)?
                .pop()
                .ok_or_else(|| ApiError::not_found("this coalition"))
        })
        .await?;
    Ok(localized(Language::En)
        .insert_header(header::ETag(header::EntityTag::new_strong(
            coalition.version.to_string(),
        )))
        .json(coalition))
}
