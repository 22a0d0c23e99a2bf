//! Commitments: creation by makers, edits while in draft or sent back,
//! reading and listing by visibility, the moves of their lifecycle, and
//! their reviews and audit trail.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::idempotency::{self, Kept, Replayable};
use super::versioning::Checked;
use super::{AppError, AppResult, Listing, PageRequest, Precondition, Sent};
use crate::db::cache::{KeptRules, ReadCache};
use crate::db::commitments::{
    self as queries, CommitmentChanges, CommitmentFilter, CommitmentParts, CommitmentRecord,
    CommitmentRow, CommitmentView, ReviewRow,
};
use crate::db::events::{self, EventRow, NewEvent, Subject};
use crate::db::organizations;
use crate::db::{self, Db, DbConnection, expressions, reference};
use crate::domain::commitment::{self as rules, CommitmentStatus, Move, Refusal, Side, Stamp};
use crate::domain::commitment_content::{CoalitionRules, Content, ContentEdit, ContentFields};
use crate::domain::policy::{self, Action, Actor, Visibility, authorize};
use crate::domain::progress::Cycle;
use crate::domain::validation::{FieldError, quote};

const THIS: &str = "this commitment";

/// A new commitment as sent: its coalition and its content.
#[derive(Debug, Clone)]
pub struct NewCommitment {
    pub coalition: String,
    pub content: ContentFields,
}

/// Creates a draft for the actor's organization in a coalition whose
/// expression of interest was accepted; `render` gives the answer to keep
/// for replays of `replayable`. On PostgreSQL two creators can race on a
/// fresh reference counter or on one key; the loser's transaction fails on a
/// unique index and runs again, numbering after the winner or replaying it.
pub async fn create<R, A>(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    new: Sent<NewCommitment>,
    replayable: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: Fn(&CommitmentRecord) -> AppResult<A> + Clone + Send + 'static,
{
    authorize(Some(&actor), Action::ActForOrganization)?;
    let new = new?;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (actor, new) = (actor.clone(), new.clone());
        let owner = actor.user_id.clone();
        let cache = db.cache();
        let create = move |conn: &mut DbConnection| create_in(conn, &cache, today, &actor, &new);
        let attempt =
            idempotency::write_once(db, owner, replayable.clone(), create, render.clone()).await;
        match attempt {
            Err(AppError::Conflict {
                code: "already_exists",
                ..
            }) if attempts < 3 => continue,
            other => return other,
        }
    }
}

fn create_in(
    conn: &mut DbConnection,
    cache: &ReadCache,
    today: NaiveDate,
    actor: &Actor,
    new: &NewCommitment,
) -> AppResult<CommitmentRecord> {
    let organization_id = actor
        .organization_id
        .as_deref()
        .ok_or_else(|| AppError::Forbidden("only makers create commitments".into()))?;
    let kept = coalition_rules(conn, cache, &new.coalition)?;
    let (coalition, rules) = &*kept;
    let content = Content::parse(&new.content, rules)?;
    if !expressions::is_accepted(conn, organization_id, &coalition.slug)? {
        return Err(AppError::Forbidden(format!(
            "your organization's expression of interest in {} has not been accepted yet",
            coalition.slug
        )));
    }
    let organization = organizations::find_organization(conn, organization_id)?
        .ok_or_else(|| db::corrupt("maker's organization", organization_id))?;
    let now = db::now();
    let year = now.year();
    let number = queries::next_reference_number(conn, &coalition.slug, year)?;
    let (pledge_amount_minor, pledge_currency, pledge_usd_minor) =
        crate::db::money::pledge_columns(content.pledge.as_ref());
    let row = CommitmentRow {
        id: db::new_id(),
        reference: rules::reference(&coalition.reference_prefix, year, number),
        organization_id: organization.id.clone(),
        coalition_slug: coalition.slug.clone(),
        status: CommitmentStatus::Draft,
        title: content.title.clone(),
        description: content.description.clone(),
        pledge_amount_minor,
        pledge_currency,
        pledge_usd_minor,
        start_year: content.start_year,
        end_year: content.end_year,
        version: 1,
        created_by: actor.user_id.clone(),
        submitted_at: None,
        approved_at: None,
        created_at: now,
        updated_at: now,
    };
    let created = event(&row, actor, "create", None, None);
    queries::insert_commitment(conn, &row, &content, &created)?;
    Ok(queries::inserted_record(row, organization, &content, today))
}

/// One commitment, if the caller may see it, as of `today`. Public ones
/// come from this instance's read cache when it holds them (see
/// `db::cache` for how fresh that is).
pub async fn get(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    id: String,
) -> AppResult<CommitmentRecord> {
    Ok(view(db, today, actor, id).await?.record())
}

/// One commitment as `get` finds it, shared rather than copied.
pub async fn view(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    id: String,
) -> AppResult<CommitmentView> {
    let cache = db.cache();
    if let (Some(parts), Some(cycles)) = (cache.commitment(&id), cache.cycles()) {
        // Kept entries are public: anyone sees them.
        return Ok(CommitmentView::new(parts, &cycles, today));
    }
    db.run(move |conn| {
        let generation = cache.generation();
        let row = visible(conn, actor.as_ref(), &id)?;
        let parts = Arc::new(
            queries::load_parts(conn, vec![row])?
                .pop()
                .ok_or(AppError::NotFound(THIS))?,
        );
        let cycles = cycles_of(conn, &cache, generation)?;
        cache.keep_commitment(parts.clone(), generation);
        Ok(CommitmentView::new(parts, &cycles, today))
    })
    .await
}

/// The reporting cycles, from the cache or read (and kept).
pub(super) fn cycles_of(
    conn: &mut DbConnection,
    cache: &ReadCache,
    generation: u64,
) -> AppResult<Arc<Vec<Cycle>>> {
    if let Some(cycles) = cache.cycles() {
        return Ok(cycles);
    }
    let cycles: Arc<Vec<Cycle>> = Arc::new(
        crate::db::progress::list_cycles(conn)?
            .iter()
            .map(|c| c.cycle())
            .collect(),
    );
    cache.keep_cycles(cycles.clone(), generation);
    Ok(cycles)
}

/// A page of the commitments the caller may see, newest first. The page's
/// ids are read every time, but for the public's pages, which this
/// instance's read cache keeps; the public commitments themselves come from
/// the read cache when it holds them (see `db::cache` for how fresh).
pub async fn list(
    db: &Db,
    today: NaiveDate,
    actor: Option<Actor>,
    filter: CommitmentFilter,
    page: PageRequest,
) -> AppResult<Listing<CommitmentView>> {
    let cache = db.cache();
    // The public's pages depend on the filter, the position and the day only.
    let key = actor
        .is_none()
        .then(|| format!("{filter:?}|{:?}|{}|{today}", page.after, page.limit));
    if let Some(kept) = key.as_deref().and_then(|k| cache.page(k))
        && let Some(listing) = from_cache(&cache, &kept, today)
    {
        return Ok(listing);
    }
    let visibility = Visibility::of(actor.as_ref());
    db.run(move |conn| {
        let generation = cache.generation();
        let ids = queries::list_commitment_ids(
            conn,
            &filter,
            &visibility,
            page.after.as_deref(),
            page.fetch(),
        )?;
        let listing = page.finish(ids, Clone::clone);
        if let Some(key) = key {
            let kept = Arc::new((listing.items.clone(), listing.next_after.clone()));
            cache.keep_page(key, kept, generation);
        }
        let mut kept: HashMap<String, Arc<CommitmentParts>> = HashMap::new();
        let mut missing = Vec::new();
        for id in &listing.items {
            match cache.commitment(id) {
                Some(parts) => {
                    kept.insert(id.clone(), parts);
                }
                None => missing.push(id.clone()),
            }
        }
        let rows = queries::find_commitments(conn, &missing)?;
        for parts in queries::load_parts(conn, rows)? {
            let parts = Arc::new(parts);
            cache.keep_commitment(parts.clone(), generation);
            kept.insert(parts.row.id.clone(), parts);
        }
        let cycles = cycles_of(conn, &cache, generation)?;
        Ok(Listing {
            items: listing
                .items
                .iter()
                .filter_map(|id| kept.get(id))
                .map(|parts| CommitmentView::new(parts.clone(), &cycles, today))
                .collect(),
            next_after: listing.next_after,
        })
    })
    .await
}

/// A kept page whose commitments are all kept too.
fn from_cache(
    cache: &ReadCache,
    page: &crate::db::cache::Page,
    today: NaiveDate,
) -> Option<Listing<CommitmentView>> {
    let cycles = cache.cycles()?;
    let (ids, next_after) = page.as_ref();
    let items = ids
        .iter()
        .map(|id| Some(CommitmentView::new(cache.commitment(id)?, &cycles, today)))
        .collect::<Option<Vec<_>>>()?;
    Some(Listing {
        items,
        next_after: next_after.clone(),
    })
}

/// A page of the commitments `visibility` sees, newest first: lists,
/// exports and the command line's export read through here.
pub async fn list_visible(
    db: &Db,
    today: NaiveDate,
    visibility: Visibility,
    filter: CommitmentFilter,
    page: PageRequest,
) -> AppResult<Listing<CommitmentRecord>> {
    // Hundreds of whole commitments a page: heavy work.
    db.run_heavy(move |conn| {
        let rows = queries::list_commitments(
            conn,
            &filter,
            &visibility,
            page.after.as_deref(),
            page.fetch(),
        )?;
        let listing = page.finish(rows, |row| row.id.clone());
        let records = queries::load_records(conn, listing.items, today)?;
        Ok(Listing {
            items: records,
            next_after: listing.next_after,
        })
    })
    .await
}

/// How many commitments `visibility` sees that match `filter`.
pub async fn count_visible(
    db: &Db,
    visibility: Visibility,
    filter: CommitmentFilter,
) -> AppResult<i64> {
    db.run(move |conn| Ok(queries::count_commitments(conn, &filter, &visibility)?))
        .await
}

/// Edits a commitment in `draft` or `changes_requested` (its organization's makers).
pub async fn update(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    precondition: Precondition,
    edit: Sent<ContentEdit>,
) -> AppResult<CommitmentRecord> {
    let cache = db.cache();
    db.write(move |conn| {
        let row = visible(conn, Some(&actor), &id)?;
        let sides = policy::sides(&actor, &row.organization_id, &row.coalition_slug);
        if !sides.contains(&Side::Maker) {
            return Err(AppError::Forbidden(
                "only this organization's makers edit its commitments".into(),
            ));
        }
        if !row.status.is_editable() {
            return Err(AppError::conflict(
                "not_editable",
                format!(
                    "a commitment is edited in draft or changes_requested; this one is {}",
                    row.status.as_str()
                ),
            ));
        }
        let checked = precondition.check(row.version)?;
        let kept = coalition_rules(conn, &cache, &row.coalition_slug)?;
        let current = queries::load_record(conn, row.clone(), today)?;
        let content = Content::parse(
            &edit.clone()?.apply(ContentFields::from(&current.content)),
            &kept.1,
        )?;
        checked.write(
            conn,
            THIS,
            |conn, version, next| {
                let changes = CommitmentChanges {
                    version: Some(next),
                    updated_at: Some(db::now()),
                    ..CommitmentChanges::default()
                };
                let row = CommitmentRow {
                    version,
                    ..row.clone()
                };
                if !queries::replace_content(conn, &row, &content, &changes)? {
                    return Ok(false);
                }
                events::insert_event(conn, &event(&row, &actor, "update", Some(row.status), None))?;
                Ok(true)
            },
            |conn| reload(conn, &row.id, today),
        )
    })
    .await
}

/// The words a move comes with: a withdrawal's reason, a review's comment.
#[derive(Debug, Clone)]
pub struct MoveRequest {
    pub wanted: Move,
    pub words: String,
}

/// Submits a draft (or one sent back) for review, inside the coalition's window.
pub async fn submit(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    precondition: Precondition,
) -> AppResult<CommitmentRecord> {
    let request = Ok(MoveRequest {
        wanted: Move::Submit,
        words: String::new(),
    });
    let asked = AskedMove {
        actor,
        id,
        precondition,
        side: Side::Maker,
        request,
        known: None,
    };
    make_move(db, today, asked).await
}

/// Withdraws a commitment (its makers), with a reason.
pub async fn withdraw(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    precondition: Precondition,
    reason: Sent<String>,
) -> AppResult<CommitmentRecord> {
    let request = reason.map(|words| MoveRequest {
        wanted: Move::Withdraw,
        words,
    });
    let asked = AskedMove {
        actor,
        id,
        precondition,
        side: Side::Maker,
        request,
        known: Some(Move::Withdraw),
    };
    make_move(db, today, asked).await
}

/// A coalition lead's review: approve, reject, request changes, verify completion.
pub async fn review(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    precondition: Precondition,
    review: Sent<MoveRequest>,
) -> AppResult<CommitmentRecord> {
    let asked = AskedMove::review(actor, id, precondition, review);
    make_move(db, today, asked).await
}

/// `review`, at most once per `Idempotency-Key` (`request`): a retry of a
/// review that was made gets its first answer rather than a refusal (409
/// for the state it moved to, 412 for the version). Answers `render` of the commitment reviewed.
#[expect(
    clippy::too_many_arguments,
    reason = "the review's arguments, and how to answer and keep it"
)]
pub async fn review_once<R, A>(
    db: &Db,
    today: NaiveDate,
    actor: Actor,
    id: String,
    precondition: Precondition,
    review: Sent<MoveRequest>,
    request: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: FnMut(&CommitmentRecord) -> AppResult<A> + Send + 'static,
{
    let owner = actor.user_id.clone();
    let asked = AskedMove::review(actor, id, precondition, review);
    let cache = db.cache();
    let make = move |conn: &mut DbConnection| make_move_in(conn, &cache, today, asked.clone());
    idempotency::write_once(db, owner, request, make, render).await
}

/// A move as asked: by whom, on which commitment, from which side, having
/// seen which version. `known` is the move when the request did not parse.
#[derive(Clone)]
struct AskedMove {
    actor: Actor,
    id: String,
    precondition: Precondition,
    side: Side,
    request: Sent<MoveRequest>,
    known: Option<Move>,
}

impl AskedMove {
    /// A lead's review as asked.
    fn review(
        actor: Actor,
        id: String,
        precondition: Precondition,
        review: Sent<MoveRequest>,
    ) -> Self {
        Self {
            actor,
            id,
            precondition,
            side: Side::Lead,
            request: review,
            known: None,
        }
    }
}

/// Makes a move of `side` on commitment `id`: visibility (404), side (403),
/// state and submission window (409), precondition (428/412), reason (422);
/// then the new state, what the move stamps, its review and its event, in
/// one transaction.
async fn make_move(db: &Db, today: NaiveDate, asked: AskedMove) -> AppResult<CommitmentRecord> {
    let cache = db.cache();
    db.write(move |conn| make_move_in(conn, &cache, today, asked.clone()))
        .await
}

fn make_move_in(
    conn: &mut DbConnection,
    cache: &ReadCache,
    today: NaiveDate,
    asked: AskedMove,
) -> AppResult<CommitmentRecord> {
    let planned = plan_move(conn, cache, today, asked)?;
    write_move(conn, planned, today)
}

/// A move decided on what was read, for `write_move` in the same transaction.
struct PlannedMove {
    actor: Actor,
    row: CommitmentRow,
    /// The commitment as read, for its figures and the answer.
    parts: CommitmentParts,
    checked: Checked,
    moved: Moved,
}

/// Decides a move as asked, on the commitment as it reads now, or refuses
/// it; reads what writing it needs.
fn plan_move(
    conn: &mut DbConnection,
    cache: &ReadCache,
    today: NaiveDate,
    asked: AskedMove,
) -> AppResult<PlannedMove> {
    let AskedMove {
        actor,
        id,
        precondition,
        side,
        request,
        known,
    } = asked;
    let row = visible(conn, Some(&actor), &id)?;
    let sides = policy::sides(&actor, &row.organization_id, &row.coalition_slug);
    if !sides.contains(&side) {
        return Err(not_your_move(side, &row));
    }
    let transition = |wanted| {
        rules::transition(row.status, wanted, &sides).map_err(|refusal| match refusal {
            Refusal::NotYourMove { side } => not_your_move(side, &row),
            Refusal::WrongState { from, wanted } => AppError::conflict(
                "invalid_transition",
                format!(
                    "a commitment in {} cannot {}",
                    from.as_str(),
                    wanted.as_str()
                ),
            ),
        })
    };
    let request = match request {
        Ok(request) => request,
        Err(errors) => {
            if let Some(wanted) = known {
                transition(wanted)?;
            }
            let _ = precondition.check(row.version)?;
            return Err(AppError::Invalid(errors));
        }
    };
    let wanted = request.wanted;
    let to = transition(wanted)?;
    if wanted == Move::Submit {
        let kept = coalition_rules(conn, cache, &row.coalition_slug)?;
        let coalition = &kept.0;
        if let Some(refusal) = coalition.settings().window.refusal(&coalition.slug, today) {
            return Err(AppError::conflict("submission_window_closed", refusal));
        }
    }
    let checked = precondition.check(row.version)?;
    let reason = rules::reason(wanted, &request.words).map_err(AppError::invalid)?;
    let parts = queries::load_parts(conn, vec![row.clone()])?
        .pop()
        .ok_or(AppError::NotFound(THIS))?;
    Ok(PlannedMove {
        actor,
        row,
        parts,
        checked,
        moved: Moved { wanted, to, reason },
    })
}

/// Writes a planned move: the new state and what goes with it (review,
/// figures, event), if the commitment is still at the version it was
/// planned on (412 otherwise).
fn write_move(
    conn: &mut DbConnection,
    planned: PlannedMove,
    today: NaiveDate,
) -> AppResult<CommitmentRecord> {
    let PlannedMove {
        actor,
        row,
        parts,
        checked,
        moved,
    } = planned;
    let now = db::now();
    let written = std::cell::Cell::new(None);
    checked.write(
        conn,
        THIS,
        |conn, version, next| {
            let mut trail = Vec::new();
            let Some(moved) =
                record_move(conn, &actor, &row, (version, next), moved, now, &mut trail)?
            else {
                return Ok(false);
            };
            written.set(Some(moved));
            events::insert_events(conn, &trail)?;
            Ok(true)
        },
        |conn| {
            let row = written
                .take()
                .ok_or_else(|| db::corrupt("moved commitment", &row.id))?;
            Ok(queries::moved_record(conn, parts, row, today)?)
        },
    )
}

/// A move decided: which, to where, with what words.
pub(super) struct Moved {
    pub wanted: Move,
    pub to: CommitmentStatus,
    pub reason: Option<String>,
}

/// Writes a decided move on `row` (at `version`, now `next`): the new state
/// and what the move stamps, and its review when a lead decided; adds its
/// event to `trail`, for the caller to write.
/// Answers the row as written; `None` when the commitment moved on meanwhile.
pub(super) fn record_move(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &CommitmentRow,
    (version, next): (i32, i32),
    moved: Moved,
    now: NaiveDateTime,
    trail: &mut Vec<NewEvent>,
) -> diesel::QueryResult<Option<CommitmentRow>> {
    let Moved { wanted, to, reason } = moved;
    let rule = wanted.rule();
    let stamped = |stamp, was| {
        if rule.stamps == Some(stamp) {
            Some(now)
        } else {
            was
        }
    };
    let written = CommitmentRow {
        status: to,
        submitted_at: stamped(Stamp::SubmittedAt, row.submitted_at),
        approved_at: stamped(Stamp::ApprovedAt, row.approved_at),
        version: next,
        updated_at: now,
        ..row.clone()
    };
    if !queries::move_commitment(conn, &written, version)? {
        return Ok(None);
    }
    if rule.records_review {
        queries::insert_review(
            conn,
            &ReviewRow {
                id: db::new_id(),
                commitment_id: row.id.clone(),
                reviewer_id: actor.user_id.clone(),
                decision: wanted,
                comment: reason.clone().unwrap_or_default(),
                from_status: row.status,
                to_status: to,
                created_at: now,
            },
        )?;
    }
    trail.push(event(
        &written,
        actor,
        wanted.as_str(),
        Some(row.status),
        reason,
    ));
    Ok(Some(written))
}

pub(super) fn not_your_move(side: Side, row: &CommitmentRow) -> AppError {
    AppError::Forbidden(match side {
        Side::Maker => "only this organization's makers may do this".to_owned(),
        Side::Lead => format!("only leads of {} may review it", row.coalition_slug),
    })
}

/// The reviews of a commitment, oldest first: for its organization, its
/// coalition's leads, viewers and admins.
pub async fn reviews(db: &Db, actor: Actor, id: String) -> AppResult<Vec<ReviewRow>> {
    db.run(move |conn| {
        let row = discussed(conn, &actor, &id)?;
        Ok(queries::reviews_of(conn, &row.id)?)
    })
    .await
}

/// The audit trail of a commitment, oldest first, for the same readers as its reviews.
pub async fn events(db: &Db, actor: Actor, id: String) -> AppResult<Vec<EventRow>> {
    db.run(move |conn| {
        let row = discussed(conn, &actor, &id)?;
        Ok(events::commitment_trail(conn, &row.id)?)
    })
    .await
}

/// The commitment if the caller may read its internal discussion.
fn discussed(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<CommitmentRow> {
    let row = visible(conn, Some(actor), id)?;
    if policy::may_read_discussion(actor, &row.organization_id, &row.coalition_slug) {
        Ok(row)
    } else {
        Err(AppError::NotFound(THIS))
    }
}

/// The commitment if the caller may see it; 404 otherwise, as if it did not exist.
pub(super) fn visible(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    id: &str,
) -> AppResult<CommitmentRow> {
    queries::find_commitment(conn, id)?
        .filter(|row| Visibility::of(actor).sees(row.scope()))
        .ok_or(AppError::NotFound(THIS))
}

fn reload(conn: &mut DbConnection, id: &str, today: NaiveDate) -> AppResult<CommitmentRecord> {
    let row = queries::find_commitment(conn, id)?.ok_or(AppError::NotFound(THIS))?;
    Ok(queries::load_record(conn, row, today)?)
}

/// The coalition and its rules, or a 422 naming `coalition` when it does
/// not exist; from the read cache when it holds them (see `db::cache`).
fn coalition_rules(
    conn: &mut DbConnection,
    cache: &ReadCache,
    slug: &str,
) -> AppResult<Arc<KeptRules>> {
    if let Some(kept) = cache.rules(slug) {
        return Ok(kept);
    }
    let generation = cache.rules_generation();
    let coalition = reference::find_coalition(conn, slug)?.ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "coalition",
            "unknown_coalition",
            format!("{} is not a coalition", quote(slug)),
        ))
    })?;
    let rules = CoalitionRules {
        action_areas: reference::action_area_numbers(conn, slug)?,
        period_start_year: coalition.period_start_year,
        period_end_year: coalition.period_end_year,
    };
    let kept = Arc::new((coalition, rules));
    cache.keep_rules(kept.clone(), generation);
    Ok(kept)
}

/// The event of `action` on `row` (in its new state) by `actor`.
pub(super) fn event(
    row: &CommitmentRow,
    actor: &Actor,
    action: &str,
    from: Option<CommitmentStatus>,
    reason: Option<String>,
) -> NewEvent {
    NewEvent {
        subject_type: Subject::Commitment.as_str().into(),
        subject_id: row.id.clone(),
        commitment_id: Some(row.id.clone()),
        coalition_slug: row.coalition_slug.clone(),
        organization_id: row.organization_id.clone(),
        actor_id: Some(actor.user_id.clone()),
        action: action.into(),
        from_status: from.map(String::from),
        to_status: Some(row.status.into()),
        reason,
        // Public: what happens to a public commitment, or makes one public.
        is_public: row.status.is_public() || from.is_some_and(CommitmentStatus::is_public),
        created_at: db::now(),
    }
}
