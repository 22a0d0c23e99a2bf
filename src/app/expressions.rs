//! Expressions of interest: an organization asks to join a coalition; the
//! coalition's leads accept or decline; its makers may withdraw a pending one.

use super::idempotency::{Kept, Replayable, write_once};
use super::{AppError, AppResult, Listing, PageRequest, Sent};
use crate::db::events::{self, NewEvent, Subject};
use crate::db::expressions::{
    self as queries, ExpressionChanges, ExpressionFilter, ExpressionOfInterestActionAreaRow,
    ExpressionOfInterestRow,
};
use crate::db::{self, Db, DbConnection, reference, users};
use crate::domain::expression::{
    self as rules, ExpressionContent, ExpressionFields, ExpressionStatus,
};
use crate::domain::policy::{self, Action, Actor, Visibility, authorize};

const THIS: &str = "this expression of interest";

/// An expression of interest as its reader may see it.
#[derive(Debug, Clone)]
pub struct Expression {
    /// Its row; `contact_email` is taken out of it and kept below.
    pub row: ExpressionOfInterestRow,
    pub action_areas: Vec<i32>,
    /// Personal data: for the organization, the coalition's leads and
    /// admins; `None` for viewers.
    pub contact_email: Option<String>,
}

/// An expression of interest as sent: the coalition's slug and the rest.
#[derive(Debug, Clone)]
pub struct NewExpression {
    pub coalition: String,
    pub fields: ExpressionFields,
}

/// Expresses the actor's organization's interest in a coalition (makers).
pub async fn create(db: &Db, actor: Actor, new: Sent<NewExpression>) -> AppResult<Expression> {
    authorize(Some(&actor), Action::ActForOrganization)?;
    let new = new?;
    db.write(move |conn| create_in(conn, &actor, &new)).await
}

/// `create`, at most once per `Idempotency-Key` (`request`); answers
/// `render` of the expression made, or the answer kept for the key.
pub async fn create_once<R, A>(
    db: &Db,
    actor: Actor,
    new: Sent<NewExpression>,
    request: Option<Replayable>,
    render: R,
) -> AppResult<A>
where
    A: Kept + Send + 'static,
    R: FnMut(&Expression) -> AppResult<A> + Send + 'static,
{
    authorize(Some(&actor), Action::ActForOrganization)?;
    let new = new?;
    let owner = actor.user_id.clone();
    write_once(
        db,
        owner,
        request,
        move |conn| create_in(conn, &actor, &new),
        render,
    )
    .await
}

fn create_in(conn: &mut DbConnection, actor: &Actor, new: &NewExpression) -> AppResult<Expression> {
    let NewExpression { coalition, fields } = new;
    let organization_id = actor
        .organization_id
        .clone()
        .ok_or_else(|| AppError::Forbidden("only makers express interest".into()))?;
    let known = reference::find_coalition(conn, coalition)?;
    let areas = match &known {
        Some(c) => Some(reference::action_area_numbers(conn, &c.slug)?),
        None => None,
    };
    let content = ExpressionContent::parse(fields, areas.as_deref())?;
    let contact_email = match content.contact_email {
        Some(email) => email.as_str().to_owned(),
        None => users::find_user(conn, &actor.user_id)?
            .map(|u| u.user.email)
            .ok_or(AppError::NotFound("your account"))?,
    };
    let now = db::now();
    let row = ExpressionOfInterestRow {
        id: db::new_id(),
        organization_id,
        coalition_slug: coalition.clone(),
        status: ExpressionStatus::Pending,
        motivation: content.motivation,
        contact_email,
        decision_note: None,
        decided_by: None,
        decided_at: None,
        created_by: actor.user_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let area_rows: Vec<ExpressionOfInterestActionAreaRow> = content
        .action_areas
        .iter()
        .map(|n| ExpressionOfInterestActionAreaRow {
            expression_of_interest_id: row.id.clone(),
            coalition_slug: coalition.clone(),
            number: *n,
        })
        .collect();
    queries::insert_expression(conn, &row, &area_rows).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::conflict(
            "already_expressed",
            format!(
                "your organization already has a pending or accepted expression of interest in {coalition}"
            ),
        ),
        other => other.into(),
    })?;
    events::insert_event(conn, &event(&row, actor, "create", None, None))?;
    Ok(seen_by(actor, load(conn, row)?))
}

/// A page of the expressions the actor may see, newest first.
pub async fn list(
    db: &Db,
    actor: Actor,
    filter: ExpressionFilter,
    page: PageRequest,
) -> AppResult<Listing<Expression>> {
    let visibility = Visibility::of(Some(&actor));
    db.run(move |conn| {
        let rows = queries::list_expressions(
            conn,
            &filter,
            &visibility,
            page.after.as_deref(),
            page.fetch(),
        )?;
        let listing = page.finish(rows, |row| row.id.clone());
        let ids: Vec<String> = listing.items.iter().map(|r| r.id.clone()).collect();
        let mut areas = queries::areas_of(conn, &ids)?;
        Ok(listing.map(|row| {
            let mine = areas
                .extract_if(.., |a| a.expression_of_interest_id == row.id)
                .map(|a| a.number)
                .collect();
            seen_by(&actor, (row, mine))
        }))
    })
    .await
}

/// One expression of interest, if the actor may see it.
pub async fn get(db: &Db, actor: Actor, id: String) -> AppResult<Expression> {
    db.run(move |conn| {
        let row = visible(conn, &actor, &id)?;
        Ok(seen_by(&actor, load(conn, row)?))
    })
    .await
}

/// A lead's decision on a pending expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline,
}

/// A decision as sent: which, and the lead's note.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    pub decision: Decision,
    pub note: Option<String>,
}

/// Accepts or declines a pending expression (its coalition's leads, admins).
pub async fn decide(
    db: &Db,
    actor: Actor,
    id: String,
    request: Sent<DecisionRequest>,
) -> AppResult<Expression> {
    let request = request.map(|r| {
        let to = match r.decision {
            Decision::Accept => ExpressionStatus::Accepted,
            Decision::Decline => ExpressionStatus::Declined,
        };
        (to, r.note)
    });
    db.write(move |conn| move_in(conn, &actor, &id, true, request.clone()))
        .await
}

/// Withdraws a pending expression (its organization's makers).
pub async fn withdraw(db: &Db, actor: Actor, id: String) -> AppResult<Expression> {
    db.write(move |conn| {
        move_in(
            conn,
            &actor,
            &id,
            false,
            Ok((ExpressionStatus::Withdrawn, None)),
        )
    })
    .await
}

/// Moves a pending expression (a lead's `decision`, or its maker's
/// withdrawal): who may (404, 403), its state (409), the request (422); the
/// change and its event in one transaction.
fn move_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    decision: bool,
    request: Sent<(ExpressionStatus, Option<String>)>,
) -> AppResult<Expression> {
    let row = visible(conn, actor, id)?;
    let allowed = if decision {
        Action::DecideExpression {
            coalition: &row.coalition_slug,
        }
    } else {
        Action::WithdrawExpression {
            organization_id: &row.organization_id,
        }
    };
    authorize(Some(actor), allowed)?;
    let from = row.status;
    let refused = |to: ExpressionStatus| {
        AppError::conflict(
            "invalid_transition",
            format!(
                "an expression of interest in {} cannot be {}",
                from.as_str(),
                to.as_str()
            ),
        )
    };
    if !rules::may_move(from) {
        return Err(refused(request.as_ref().map_or(from, |(to, _)| *to)));
    }
    let (to, note) = request?;
    rules::transition(from, to).map_err(|_| refused(to))?;
    let note = rules::decision_note(note.as_deref()).map_err(AppError::invalid)?;
    let action = match to {
        ExpressionStatus::Accepted => "accept",
        ExpressionStatus::Declined => "decline",
        _ => "withdraw",
    };
    let now = db::now();
    let decided = to.is_decision();
    let changes = ExpressionChanges {
        status: Some(to.into()),
        decision_note: decided.then(|| note.clone()),
        decided_by: decided.then(|| Some(actor.user_id.clone())),
        decided_at: decided.then_some(Some(now)),
        version: Some(row.version + 1),
        updated_at: Some(now),
    };
    // Only a pending expression moves: of two racing decisions, one finds it moved on.
    if !queries::update_expression(conn, &row.id, row.version, &changes)? {
        return Err(AppError::conflict(
            "invalid_transition",
            "the expression of interest was decided meanwhile: reload it",
        ));
    }
    let moved = ExpressionOfInterestRow {
        status: to,
        ..row.clone()
    };
    events::insert_event(conn, &event(&moved, actor, action, Some(from), note))?;
    let updated = queries::find_expression(conn, &row.id)?.ok_or(AppError::NotFound(THIS))?;
    Ok(seen_by(actor, load(conn, updated)?))
}

fn visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<ExpressionOfInterestRow> {
    queries::find_expression(conn, id)?
        .filter(|row| {
            Visibility::of(Some(actor)).sees_expression(&row.organization_id, &row.coalition_slug)
        })
        .ok_or(AppError::NotFound(THIS))
}

fn load(
    conn: &mut DbConnection,
    row: ExpressionOfInterestRow,
) -> AppResult<(ExpressionOfInterestRow, Vec<i32>)> {
    let areas = queries::areas_of(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .map(|a| a.number)
        .collect();
    Ok((row, areas))
}

/// The expression as `actor` may read it: without the contact email unless
/// the actor may read personal data.
fn seen_by(
    actor: &Actor,
    (mut row, action_areas): (ExpressionOfInterestRow, Vec<i32>),
) -> Expression {
    let contact = std::mem::take(&mut row.contact_email);
    let contact_email =
        policy::may_read_personal_data(actor, &row.organization_id, &row.coalition_slug)
            .then_some(contact);
    Expression {
        row,
        action_areas,
        contact_email,
    }
}

fn event(
    row: &ExpressionOfInterestRow,
    actor: &Actor,
    action: &str,
    from: Option<ExpressionStatus>,
    reason: Option<String>,
) -> NewEvent {
    NewEvent {
        subject_type: Subject::ExpressionOfInterest.as_str().into(),
        subject_id: row.id.clone(),
        commitment_id: None,
        coalition_slug: row.coalition_slug.clone(),
        organization_id: row.organization_id.clone(),
        actor_id: Some(actor.user_id.clone()),
        action: action.into(),
        from_status: from.map(String::from),
        to_status: Some(row.status.into()),
        reason,
        is_public: false,
        created_at: db::now(),
    }
}
