//! What the dashboard page shows on its first render, in one call: the same
//! public answers the page would otherwise fetch from the API one by one
//! (summary, breakdowns, the first page of commitments, the coalitions), so
//! that the first render costs one request instead of seven.

use chrono::NaiveDate;

use super::{AppError, AppResult, Listing, PageRequest, coalitions, commitments, progress, stats};
use crate::db::commitments::{CommitmentFilter, CommitmentRecord};
use crate::db::progress::ReportRecord;
use crate::db::reference::CoalitionRecord;
use crate::domain::language::Language;
use crate::domain::stats::{Dimension, Scope};

/// The coalition whose action areas the page shows when none is chosen.
pub const FEATURED_COALITION: &str = "technology-innovation";

/// The commitments the page lists at first.
pub const FIRST_PAGE: u32 = 20;

/// The page's figures for `filter` (its text search applies to the list
/// only), and the first page of the list for `filter`.
pub struct Dashboard {
    /// `None` when the filter was malformed: the page then asks the API,
    /// whose answer says what is wrong.
    pub figures: Option<Figures>,
    pub coalitions: Vec<CoalitionRecord>,
}

pub struct Figures {
    pub summary: stats::Summary,
    pub by_coalition: stats::Breakdown,
    /// By action area, within the filter's coalition or the featured one.
    pub by_action_area: stats::Breakdown,
    pub by_country: stats::Breakdown,
    pub by_constituency: stats::Breakdown,
    pub commitments: Listing<CommitmentRecord>,
}

/// Everything public the page's first render needs, as anyone sees it.
pub async fn dashboard(
    db: &crate::db::Db,
    today: NaiveDate,
    filter: Option<CommitmentFilter>,
    lang: Language,
) -> AppResult<Dashboard> {
    let figures = match filter {
        Some(filter) => Some(figures(db, today, filter, lang).await?),
        None => None,
    };
    Ok(Dashboard {
        figures,
        coalitions: coalitions::list(db, lang).await?.as_ref().clone(),
    })
}

async fn figures(
    db: &crate::db::Db,
    today: NaiveDate,
    filter: CommitmentFilter,
    lang: Language,
) -> AppResult<Figures> {
    let listed = filter.clone();
    let filter = CommitmentFilter {
        text: None,
        ..filter
    };
    let breakdown = |by: Dimension, filter: CommitmentFilter| {
        stats::breakdown(db, today, None, Scope::Public, by, filter, lang)
    };
    let mut areas = filter.clone();
    areas.coalition = Some(
        filter
            .coalition
            .clone()
            .unwrap_or_else(|| FEATURED_COALITION.to_owned()),
    );
    let page = PageRequest {
        limit: FIRST_PAGE,
        after: None,
    };
    Ok(Figures {
        summary: stats::summary(db, today, None, Scope::Public, filter.clone()).await?,
        by_coalition: breakdown(Dimension::Coalition, filter.clone()).await?,
        by_action_area: breakdown(Dimension::ActionArea, areas).await?,
        by_country: breakdown(Dimension::Country, filter.clone()).await?,
        by_constituency: breakdown(Dimension::Constituency, filter).await?,
        commitments: commitments::list(db, today, None, listed, page)
            .await?
            .map(|view| view.record()),
    })
}

/// A public commitment and its reports, as anyone sees them; `None` when
/// the commitment is not public or not there. With the coalitions, to name
/// its coalition and action areas.
pub struct CommitmentPage {
    pub commitment: Option<(CommitmentRecord, Vec<ReportRecord>)>,
    pub coalitions: Vec<CoalitionRecord>,
}

pub async fn commitment(
    db: &crate::db::Db,
    today: NaiveDate,
    id: String,
    lang: Language,
) -> AppResult<CommitmentPage> {
    let found = match commitments::get(db, today, None, id.clone()).await {
        Ok(record) => Some((record, progress::reports(db, None, id).await?.value)),
        Err(AppError::NotFound(_)) => None,
        Err(other) => return Err(other),
    };
    Ok(CommitmentPage {
        commitment: found,
        coalitions: coalitions::list(db, lang).await?.as_ref().clone(),
    })
}
