//! An expression of interest's life: `pending → accepted | declined` (the
//! coalition's leads) and `pending → withdrawn` (its organization's makers).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpressionStatus {
    Pending,
    Accepted,
    Declined,
    Withdrawn,
}

impl ExpressionStatus {
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Accepted,
        Self::Declined,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// A lead's decision, as opposed to the maker's withdrawal.
    pub fn is_decision(self) -> bool {
        matches!(self, Self::Accepted | Self::Declined)
    }
}

/// Every allowed move: only a pending expression moves, and never back to pending.
pub fn transition(
    from: ExpressionStatus,
    to: ExpressionStatus,
) -> Result<ExpressionStatus, ExpressionStatus> {
    match (from, to) {
        (ExpressionStatus::Pending, ExpressionStatus::Pending) => Err(from),
        (ExpressionStatus::Pending, to) => Ok(to),
        _ => Err(from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExpressionStatus::*;

    #[test]
    fn only_pending_expressions_move() {
        for to in [Accepted, Declined, Withdrawn] {
            assert_eq!(transition(Pending, to), Ok(to));
            for from in [Accepted, Declined, Withdrawn] {
                assert_eq!(transition(from, to), Err(from));
            }
        }
        assert_eq!(transition(Pending, Pending), Err(Pending));
    }
}
