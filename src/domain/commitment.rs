//! A commitment's life, as data: which move takes which state to which, and
//! on whose side of the table the mover sits.
//!
//! ```text
//! draft --submit(maker)--> submitted --approve(lead)--> approved (public from here on)
//!                            |  \--reject(lead)--> rejected (final)
//!                            \--request_changes(lead)--> changes_requested --submit(maker)--> submitted
//! approved --claim_completion(maker, a report saying completed)--> completion_claimed
//! completion_claimed --verify_completion(lead)--> completed (read-only)
//!                    \--request_changes(lead)--> approved
//! draft|submitted|changes_requested|approved --withdraw(maker)--> withdrawn
//! ```

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    Rejected,
    CompletionClaimed,
    Completed,
    Withdrawn,
}

impl CommitmentStatus {
    pub const ALL: [Self; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::ChangesRequested,
        Self::Approved,
        Self::Rejected,
        Self::CompletionClaimed,
        Self::Completed,
        Self::Withdrawn,
    ];

    /// Seen by anyone once approved.
    pub const PUBLIC: [Self; 3] = [Self::Approved, Self::CompletionClaimed, Self::Completed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::CompletionClaimed => "completion_claimed",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn is_public(self) -> bool {
        Self::PUBLIC.contains(&self)
    }

    /// Makers edit only here.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::ChangesRequested)
    }
}

/// A move on a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Submit,
    Withdraw,
    Approve,
    Reject,
    RequestChanges,
    ClaimCompletion,
    VerifyCompletion,
}

impl Move {
    pub const ALL: [Self; 7] = [
        Self::Submit,
        Self::Withdraw,
        Self::Approve,
        Self::Reject,
        Self::RequestChanges,
        Self::ClaimCompletion,
        Self::VerifyCompletion,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::RequestChanges => "request_changes",
            Self::ClaimCompletion => "claim_completion",
            Self::VerifyCompletion => "verify_completion",
        }
    }

    /// What this move requires and does: its row of `MOVES`.
    pub fn rule(self) -> &'static MoveRule {
        // Every move has its row; the test below holds the table to it.
        MOVES
            .iter()
            .find(|rule| rule.wanted == self)
            .unwrap_or(&MOVES[0])
    }
}

/// The two sides of the table: the organization that commits, and the
/// coalition that reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Maker,
    Lead,
}

/// A time a move stamps on the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    SubmittedAt,
    ApprovedAt,
}

/// What differs from one move to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveRule {
    pub wanted: Move,
    /// Whose move it is.
    pub side: Side,
    /// Whether the mover must say why.
    pub reason_required: bool,
    /// What the mover's words are called in a request: a withdrawal's
    /// `reason`, a review's `comment`.
    pub reason_field: &'static str,
    /// The time it stamps on the commitment, if any.
    pub stamps: Option<Stamp>,
    /// Whether it is a lead's decision, kept as a review.
    pub records_review: bool,
}

const fn rule(wanted: Move, side: Side, reason_required: bool, stamps: Option<Stamp>) -> MoveRule {
    let lead = matches!(side, Side::Lead);
    MoveRule {
        wanted,
        side,
        reason_required,
        reason_field: if lead { "comment" } else { "reason" },
        stamps,
        records_review: lead,
    }
}

/// Every move: whose it is, whether it needs a reason, what it stamps.
pub const MOVES: [MoveRule; 7] = [
    rule(Move::Submit, Side::Maker, false, Some(Stamp::SubmittedAt)),
    rule(Move::Withdraw, Side::Maker, true, None),
    rule(Move::ClaimCompletion, Side::Maker, false, None),
    rule(Move::Approve, Side::Lead, false, Some(Stamp::ApprovedAt)),
    rule(Move::Reject, Side::Lead, true, None),
    rule(Move::RequestChanges, Side::Lead, true, None),
    rule(Move::VerifyCompletion, Side::Lead, false, None),
];

use CommitmentStatus as S;

/// Every allowed move: (from, move, to).
pub const TRANSITIONS: [(CommitmentStatus, Move, CommitmentStatus); 12] = [
    (S::Draft, Move::Submit, S::Submitted),
    (S::ChangesRequested, Move::Submit, S::Submitted),
    (S::Submitted, Move::Approve, S::Approved),
    (S::Submitted, Move::Reject, S::Rejected),
    (S::Submitted, Move::RequestChanges, S::ChangesRequested),
    (S::Approved, Move::ClaimCompletion, S::CompletionClaimed),
    (S::CompletionClaimed, Move::VerifyCompletion, S::Completed),
    (S::CompletionClaimed, Move::RequestChanges, S::Approved),
    (S::Draft, Move::Withdraw, S::Withdrawn),
    (S::Submitted, Move::Withdraw, S::Withdrawn),
    (S::ChangesRequested, Move::Withdraw, S::Withdrawn),
    (S::Approved, Move::Withdraw, S::Withdrawn),
];

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller is not on the side whose move this is (403).
    NotYourMove { side: Side },
    /// The commitment's state does not allow it (409).
    WrongState {
        from: CommitmentStatus,
        wanted: Move,
    },
}

/// The one function that decides: may a caller sitting on `sides` make
/// `wanted` from `from`, and where does it lead?
pub fn transition(
    from: CommitmentStatus,
    wanted: Move,
    sides: &[Side],
) -> Result<CommitmentStatus, Refusal> {
    let side = wanted.rule().side;
    if !sides.contains(&side) {
        return Err(Refusal::NotYourMove { side });
    }
    TRANSITIONS
        .iter()
        .find(|(f, m, _)| *f == from && *m == wanted)
        .map(|(_, _, to)| *to)
        .ok_or(Refusal::WrongState { from, wanted })
}

/// The longest reason or comment kept with a move.
pub const REASON_MAX_CHARS: usize = 10_000;

/// The words given with a move, trimmed (`None` when blank): required where
/// the move's rule says so, at most `REASON_MAX_CHARS` characters.
pub fn reason(wanted: Move, text: &str) -> Result<Option<String>, FieldError> {
    let rule = wanted.rule();
    if text.chars().count() > REASON_MAX_CHARS {
        return Err(FieldError::new(
            rule.reason_field,
            "length",
            format!(
                "{} is at most {REASON_MAX_CHARS} characters",
                rule.reason_field
            ),
        ));
    }
    let trimmed = text.trim();
    if rule.reason_required && trimmed.is_empty() {
        return Err(FieldError::new(
            rule.reason_field,
            "required",
            format!("{} needs a {}", wanted.as_str(), rule.reason_field),
        ));
    }
    Ok(Some(trimmed.to_owned()).filter(|t| !t.is_empty()))
}

/// The kinds of commitment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentType {
    Financial,
    Policy,
    Programmatic,
    Advocacy,
}

impl CommitmentType {
    pub const ALL: [Self; 4] = [
        Self::Financial,
        Self::Policy,
        Self::Programmatic,
        Self::Advocacy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Financial => "financial",
            Self::Policy => "policy",
            Self::Programmatic => "programmatic",
            Self::Advocacy => "advocacy",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// `TI-2026-0042`: the coalition's prefix, the year, the number within both.
pub fn reference(prefix: &str, year: i32, number: i32) -> String {
    format!("{prefix}-{year}-{number:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Side; 2] = [Side::Maker, Side::Lead];

    /// The lifecycle of DESIGN.md §1 written out by hand, move by move and
    /// state by state, apart from `TRANSITIONS`: a wrong row there fails here.
    #[test]
    fn the_moves_allowed_from_each_state_are_exactly_those_of_the_design() {
        use Move::*;
        let expected: [(CommitmentStatus, &[(Move, CommitmentStatus)]); 8] = [
            (
                S::Draft,
                &[(Submit, S::Submitted), (Withdraw, S::Withdrawn)],
            ),
            (
                S::Submitted,
                &[
                    (Approve, S::Approved),
                    (Reject, S::Rejected),
                    (RequestChanges, S::ChangesRequested),
                    (Withdraw, S::Withdrawn),
                ],
            ),
            (
                S::ChangesRequested,
                &[(Submit, S::Submitted), (Withdraw, S::Withdrawn)],
            ),
            (
                S::Approved,
                &[
                    (ClaimCompletion, S::CompletionClaimed),
                    (Withdraw, S::Withdrawn),
                ],
            ),
            (S::Rejected, &[]),
            (
                S::CompletionClaimed,
                &[
                    (VerifyCompletion, S::Completed),
                    (RequestChanges, S::Approved),
                ],
            ),
            (S::Completed, &[]),
            (S::Withdrawn, &[]),
        ];
        for (from, allowed) in expected {
            for wanted in Move::ALL {
                let outcome = transition(from, wanted, &BOTH);
                match allowed.iter().find(|(m, _)| *m == wanted) {
                    Some((_, to)) => assert_eq!(outcome, Ok(*to), "{from:?} {wanted:?}"),
                    None => assert_eq!(
                        outcome,
                        Err(Refusal::WrongState { from, wanted }),
                        "{from:?} {wanted:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn each_move_has_one_rule_as_the_design_says() {
        use Move::*;
        for wanted in Move::ALL {
            assert_eq!(
                MOVES.iter().filter(|r| r.wanted == wanted).count(),
                1,
                "{wanted:?}"
            );
        }
        let makers = [Submit, Withdraw, ClaimCompletion];
        for wanted in Move::ALL {
            let rule = wanted.rule();
            let maker = makers.contains(&wanted);
            assert_eq!(rule.side, if maker { Side::Maker } else { Side::Lead });
            assert_eq!(rule.records_review, !maker, "{wanted:?}");
            assert_eq!(
                rule.reason_required,
                matches!(wanted, Withdraw | Reject | RequestChanges),
                "{wanted:?}"
            );
        }
        assert_eq!(Submit.rule().stamps, Some(Stamp::SubmittedAt));
        assert_eq!(Approve.rule().stamps, Some(Stamp::ApprovedAt));
        assert!(
            [
                Withdraw,
                Reject,
                RequestChanges,
                ClaimCompletion,
                VerifyCompletion
            ]
            .iter()
            .all(|m| m.rule().stamps.is_none())
        );
    }

    #[test]
    fn each_side_makes_only_its_own_moves() {
        assert_eq!(
            transition(S::Draft, Move::Submit, &[Side::Maker]),
            Ok(S::Submitted)
        );
        assert_eq!(
            transition(S::Draft, Move::Submit, &[Side::Lead]),
            Err(Refusal::NotYourMove { side: Side::Maker })
        );
        assert_eq!(
            transition(S::Submitted, Move::Approve, &[Side::Maker]),
            Err(Refusal::NotYourMove { side: Side::Lead })
        );
        assert_eq!(
            transition(S::Submitted, Move::Approve, &[Side::Lead]),
            Ok(S::Approved)
        );
        assert_eq!(
            transition(S::Draft, Move::Approve, &[]),
            Err(Refusal::NotYourMove { side: Side::Lead }),
            "the side is judged before the state"
        );
    }

    #[test]
    fn reasons_are_required_where_the_rule_says_and_bounded() {
        assert_eq!(reason(Move::Approve, "  "), Ok(None));
        assert_eq!(reason(Move::Approve, " fine "), Ok(Some("fine".into())));
        let missing = reason(Move::Withdraw, " ").unwrap_err();
        assert_eq!(
            (missing.field.as_str(), missing.code.as_str()),
            ("reason", "required")
        );
        let missing = reason(Move::Reject, "").unwrap_err();
        assert_eq!(missing.field, "comment");
        let long = reason(Move::Approve, &"x".repeat(REASON_MAX_CHARS + 1)).unwrap_err();
        assert_eq!(long.code, "length");
        assert!(reason(Move::Reject, &"x".repeat(REASON_MAX_CHARS)).is_ok());
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference("TI", 2026, 42), "TI-2026-0042");
        assert_eq!(reference("GBV", 2021, 12345), "GBV-2021-12345");
    }
}

super::stored_as_text!(CommitmentStatus, "commitment status");
super::stored_as_text!(CommitmentType, "commitment type");
super::stored_as_text!(Move, "move");
