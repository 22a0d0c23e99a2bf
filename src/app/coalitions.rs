//! Coalitions: reference data for everyone, settings for admins.

use std::sync::Arc;

use super::{AppError, AppResult, Precondition, Sent};
use crate::db::reference::{self as queries, CoalitionChanges, CoalitionRecord};
use crate::db::{self, Db};
use crate::domain::coalition::SettingsChange;
use crate::domain::language::Language;
use crate::domain::policy::{Action, Actor, authorize};

const THIS: &str = "this coalition";

/// Every coalition, in the Forum's order, labelled in `lang`.
///
/// Reference data changes rarely and is read by every page: it comes from
/// this instance's read cache when fresh (see `db::cache`).
pub async fn list(db: &Db, lang: Language) -> AppResult<Arc<Vec<CoalitionRecord>>> {
    let cache = db.cache();
    if let Some(kept) = cache.coalitions(lang) {
        return Ok(kept);
    }
    let generation = cache.generation();
    let records = Arc::new(
        db.run(move |conn| Ok::<_, AppError>(queries::load_coalitions(conn, None, lang)?))
            .await?,
    );
    cache.keep_coalitions(lang, records.clone(), generation);
    Ok(records)
}

/// One coalition with its action areas, labelled in `lang`.
pub async fn get(db: &Db, slug: String, lang: Language) -> AppResult<CoalitionRecord> {
    db.run(move |conn| {
        queries::load_coalitions(conn, Some(&slug), lang)?
            .pop()
            .ok_or(AppError::NotFound(THIS))
    })
    .await
}

/// Changes a coalition's submission window or implementation period
/// (admins). Commitments already made keep their years.
pub async fn update(
    db: &Db,
    actor: Actor,
    slug: String,
    precondition: Precondition,
    change: Sent<SettingsChange>,
) -> AppResult<CoalitionRecord> {
    authorize(Some(&actor), Action::ManageCoalitions)?;
    let changed = db
        .write(move |conn| {
            let current = queries::find_coalition(conn, &slug)?.ok_or(AppError::NotFound(THIS))?;
            let checked = precondition.check(current.version)?;
            let settings = current.settings().apply(&change.clone()?)?;
            checked.write(
                conn,
                THIS,
                |conn, version, next| {
                    let changes = CoalitionChanges {
                        submissions_open_on: Some(settings.window.opens_on),
                        submissions_close_on: Some(settings.window.closes_on),
                        period_start_year: Some(settings.period_start_year),
                        period_end_year: Some(settings.period_end_year),
                        version: Some(next),
                        updated_at: Some(db::now()),
                    };
                    queries::update_coalition(conn, &slug, version, &changes)
                },
                |conn| {
                    queries::load_coalitions(conn, Some(&slug), Language::En)?
                        .pop()
                        .ok_or(AppError::NotFound(THIS))
                },
            )
        })
        .await;
    // New commitments and submissions are checked against kept rules.
    db.cache().forget_rules();
    changed
}
