//! A commitment's life, as data: which move takes which state to which, and
//! on whose side of the table the mover sits.
//!
//! ```text
//! draft --submit(maker)--> submitted --approve(lead)--> approved (public from here on)
//!                            |  \--reject(lead)--> rejected (final)
//!                            \--request_changes(lead)--> changes_requested --submit(maker)--> submitted
//! approved --claim_completion(maker)--> completion_claimed --verify_completion(lead)--> completed
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

    /// Whose move it is.
    pub fn side(self) -> Side {
        match self {
            Self::Submit | Self::Withdraw | Self::ClaimCompletion => Side::Maker,
            Self::Approve | Self::Reject | Self::RequestChanges | Self::VerifyCompletion => {
                Side::Lead
            }
        }
    }
}

/// The two sides of the table: the organization that commits, and the
/// coalition that reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Maker,
    Lead,
}

use CommitmentStatus as S;

/// Every allowed move: (from, move, to).
pub const TRANSITIONS: [(CommitmentStatus, Move, CommitmentStatus); 11] = [
    (S::Draft, Move::Submit, S::Submitted),
    (S::ChangesRequested, Move::Submit, S::Submitted),
    (S::Submitted, Move::Approve, S::Approved),
    (S::Submitted, Move::Reject, S::Rejected),
    (S::Submitted, Move::RequestChanges, S::ChangesRequested),
    (S::Approved, Move::ClaimCompletion, S::CompletionClaimed),
    (S::CompletionClaimed, Move::VerifyCompletion, S::Completed),
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
    if !sides.contains(&wanted.side()) {
        return Err(Refusal::NotYourMove {
            side: wanted.side(),
        });
    }
    TRANSITIONS
        .iter()
        .find(|(f, m, _)| *f == from && *m == wanted)
        .map(|(_, _, to)| *to)
        .ok_or(Refusal::WrongState { from, wanted })
}

/// A move's reason or comment: which moves need one.
pub fn check_reason(wanted: Move, reason: &str) -> Result<(), FieldError> {
    let needs_reason = matches!(wanted, Move::Reject | Move::Withdraw | Move::RequestChanges);
    if needs_reason && reason.trim().is_empty() {
        return Err(FieldError::new(
            "reason",
            "required",
            format!("{} needs a reason", wanted.as_str()),
        ));
    }
    Ok(())
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

    #[test]
    fn every_listed_move_is_allowed_and_nothing_else() {
        for from in CommitmentStatus::ALL {
            for wanted in [
                Move::Submit,
                Move::Withdraw,
                Move::Approve,
                Move::Reject,
                Move::RequestChanges,
                Move::ClaimCompletion,
                Move::VerifyCompletion,
            ] {
                let listed = TRANSITIONS
                    .iter()
                    .find(|(f, m, _)| *f == from && *m == wanted);
                match (transition(from, wanted, &BOTH), listed) {
                    (Ok(to), Some((_, _, expected))) => assert_eq!(to, *expected),
                    (Err(Refusal::WrongState { .. }), None) => {}
                    other => panic!("{from:?} {wanted:?}: {other:?}"),
                }
            }
        }
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
        assert!(
            transition(S::Rejected, Move::Submit, &[Side::Maker]).is_err(),
            "rejection is final"
        );
        assert!(
            transition(S::Completed, Move::Withdraw, &[Side::Maker]).is_err(),
            "completed is read-only"
        );
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference("TI", 2026, 42), "TI-2026-0042");
        assert_eq!(reference("GBV", 2021, 12345), "GBV-2021-12345");
    }
}
