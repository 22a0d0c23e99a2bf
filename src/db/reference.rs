//! Coalitions, their action areas and translated labels.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use std::collections::HashMap;

use super::DbConnection;
use super::schema::{action_area_translations, action_areas, coalition_translations, coalitions};
use crate::domain::coalition::{CoalitionKind, CoalitionSettings, SubmissionWindow};
use crate::domain::language::{self, Language};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = coalitions, primary_key(slug))]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CoalitionRow {
    pub slug: String,
    #[diesel(deserialize_as = String)]
    pub kind: CoalitionKind,
    pub reference_prefix: String,
    pub position: i32,
    pub submissions_open_on: NaiveDate,
    pub submissions_close_on: Option<NaiveDate>,
    pub period_start_year: i32,
    pub period_end_year: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CoalitionRow {
    pub fn settings(&self) -> CoalitionSettings {
        CoalitionSettings {
            window: SubmissionWindow {
                opens_on: self.submissions_open_on,
                closes_on: self.submissions_close_on,
            },
            period_start_year: self.period_start_year,
            period_end_year: self.period_end_year,
        }
    }
}

/// A label and the language it is actually in (English when the one asked
/// for is missing).
#[derive(Debug, Clone)]
pub struct Label<T> {
    pub text: T,
    pub lang: Language,
}

/// A coalition with its labels and action areas in one language.
#[derive(Debug, Clone)]
pub struct CoalitionRecord {
    pub row: CoalitionRow,
    /// Name and description.
    pub name: Label<(String, Option<String>)>,
    pub action_areas: Vec<ActionAreaRecord>,
}

#[derive(Debug, Clone)]
pub struct ActionAreaRecord {
    pub coalition: String,
    pub number: i32,
    /// Title and target.
    pub label: Label<(String, Option<String>)>,
}

/// Coalitions (all, or the one with `slug`) with their action areas and
/// labels in `lang` or English: four queries, whatever their number.
pub fn load_coalitions(
    conn: &mut DbConnection,
    slug: Option<&str>,
    lang: Language,
) -> QueryResult<Vec<CoalitionRecord>> {
    let rows = match slug {
        Some(slug) => find_coalition(conn, slug)?.into_iter().collect(),
        None => list_coalitions(conn)?,
    };
    let slugs: Vec<String> = rows.iter().map(|c| c.slug.clone()).collect();
    let langs = [lang.code(), Language::En.code()];
    let names = coalition_translations_in(conn, &slugs, &langs)?;
    let areas = action_areas_of(conn, &slugs)?;
    let area_labels = action_area_translations_in(conn, &slugs, &langs)?;
    let names: HashMap<(&str, &str), &CoalitionTranslationRow> = names
        .iter()
        .map(|t| ((t.coalition_slug.as_str(), t.lang.as_str()), t))
        .collect();
    let area_labels: HashMap<(&str, i32, &str), &ActionAreaTranslationRow> = area_labels
        .iter()
        .map(|t| ((t.coalition_slug.as_str(), t.number, t.lang.as_str()), t))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = language::pick(lang, |code| names.get(&(row.slug.as_str(), code)).copied())
                .map_or_else(
                    || Label {
                        text: (row.slug.clone(), None),
                        lang: Language::En,
                    },
                    |(t, lang)| Label {
                        text: (t.name.clone(), t.description.clone()),
                        lang,
                    },
                );
            let action_areas = areas
                .iter()
                .filter(|a| a.coalition_slug == row.slug)
                .map(|a| ActionAreaRecord {
                    coalition: a.coalition_slug.clone(),
                    number: a.number,
                    label: language::pick(lang, |code| {
                        area_labels
                            .get(&(a.coalition_slug.as_str(), a.number, code))
                            .copied()
                    })
                    .map_or_else(
                        || Label {
                            text: (format!("Action {}", a.number), None),
                            lang: Language::En,
                        },
                        |(t, lang)| Label {
                            text: (t.title.clone(), t.target.clone()),
                            lang,
                        },
                    ),
                })
                .collect();
            CoalitionRecord {
                row,
                name,
                action_areas,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = coalition_translations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CoalitionTranslationRow {
    pub coalition_slug: String,
    pub lang: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = action_areas)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ActionAreaRow {
    pub coalition_slug: String,
    pub number: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = action_area_translations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ActionAreaTranslationRow {
    pub coalition_slug: String,
    pub number: i32,
    pub lang: String,
    pub title: String,
    pub target: Option<String>,
}

/// Every coalition in display order.
pub fn list_coalitions(conn: &mut DbConnection) -> QueryResult<Vec<CoalitionRow>> {
    coalitions::table
        .order(coalitions::position.asc())
        .select(CoalitionRow::as_select())
        .load(conn)
}

pub fn find_coalition(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<CoalitionRow>> {
    crate::concrete!(conn, |conn| coalitions::table
        .find(slug)
        .select(CoalitionRow::as_select())
        .first(conn)
        .optional())
}

/// Coalition labels in the given languages (the caller picks and falls back).
pub fn coalition_translations_in(
    conn: &mut DbConnection,
    slugs: &[String],
    langs: &[&str],
) -> QueryResult<Vec<CoalitionTranslationRow>> {
    coalition_translations::table
        .filter(coalition_translations::coalition_slug.eq_any(slugs))
        .filter(coalition_translations::lang.eq_any(langs))
        .select(CoalitionTranslationRow::as_select())
        .load(conn)
}

/// The action areas of these coalitions, by coalition and number.
pub fn action_areas_of(
    conn: &mut DbConnection,
    slugs: &[String],
) -> QueryResult<Vec<ActionAreaRow>> {
    action_areas::table
        .filter(action_areas::coalition_slug.eq_any(slugs))
        .order((
            action_areas::coalition_slug.asc(),
            action_areas::number.asc(),
        ))
        .select(ActionAreaRow::as_select())
        .load(conn)
}

/// Action-area labels in the given languages for these coalitions.
pub fn action_area_translations_in(
    conn: &mut DbConnection,
    slugs: &[String],
    langs: &[&str],
) -> QueryResult<Vec<ActionAreaTranslationRow>> {
    action_area_translations::table
        .filter(action_area_translations::coalition_slug.eq_any(slugs))
        .filter(action_area_translations::lang.eq_any(langs))
        .select(ActionAreaTranslationRow::as_select())
        .load(conn)
}

/// Which of these slugs name no coalition.
pub fn unknown_coalitions(conn: &mut DbConnection, slugs: &[String]) -> QueryResult<Vec<String>> {
    let known: Vec<String> = coalitions::table
        .filter(coalitions::slug.eq_any(slugs))
        .select(coalitions::slug)
        .load(conn)?;
    Ok(slugs
        .iter()
        .filter(|s| !known.contains(s))
        .cloned()
        .collect())
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = coalitions)]
pub struct CoalitionChanges {
    pub submissions_open_on: Option<NaiveDate>,
    pub submissions_close_on: Option<Option<NaiveDate>>,
    pub period_start_year: Option<i32>,
    pub period_end_year: Option<i32>,
    pub version: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies `changes` if the coalition is still at `version`.
pub fn update_coalition(
    conn: &mut DbConnection,
    slug: &str,
    version: i32,
    changes: &CoalitionChanges,
) -> QueryResult<bool> {
    let updated = diesel::update(
        coalitions::table
            .filter(coalitions::slug.eq(slug))
            .filter(coalitions::version.eq(version)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(updated == 1)
}

/// The numbers of a coalition's action areas.
pub fn action_area_numbers(conn: &mut DbConnection, slug: &str) -> QueryResult<Vec<i32>> {
    crate::concrete!(conn, |conn| action_areas::table
        .filter(action_areas::coalition_slug.eq(slug))
        .order(action_areas::number)
        .select(action_areas::number)
        .load(conn))
}
