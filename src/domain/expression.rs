//! An expression of interest's life: `pending → accepted | declined` (the
//! coalition's leads) and `pending → withdrawn` (its organization's makers).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::Email;
use super::validation::{Checks, FieldError};

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

/// Whether an expression in `from` may move at all: only a pending one does.
pub fn may_move(from: ExpressionStatus) -> bool {
    from == ExpressionStatus::Pending
}

/// Every allowed move: only a pending expression moves, and never back to pending.
pub fn transition(
    from: ExpressionStatus,
    to: ExpressionStatus,
) -> Result<ExpressionStatus, ExpressionStatus> {
    if may_move(from) && to != ExpressionStatus::Pending {
        Ok(to)
    } else {
        Err(from)
    }
}

pub const MAX_ACTION_AREAS: usize = 20;
pub const MOTIVATION_MAX_CHARS: usize = 5_000;
pub const NOTE_MAX_CHARS: usize = 5_000;

/// An expression of interest as sent.
#[derive(Debug, Clone, Default)]
pub struct ExpressionFields {
    pub action_areas: Vec<i32>,
    pub motivation: String,
    /// The caller's own email when left out.
    pub contact_email: Option<String>,
}

/// An expression of interest, checked against its coalition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionContent {
    /// Each once, in the order given.
    pub action_areas: Vec<i32>,
    pub motivation: String,
    pub contact_email: Option<Email>,
}

impl ExpressionContent {
    /// `coalition_areas` are the numbers of the coalition's action areas, or
    /// `None` when no coalition has the slug sent.
    pub fn parse(
        fields: &ExpressionFields,
        coalition_areas: Option<&[i32]>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();
        if coalition_areas.is_none() {
            checks.push(FieldError::new(
                "coalition",
                "unknown_coalition",
                "no coalition has this slug",
            ));
        }
        let mut action_areas = Vec::new();
        let mut seen = HashSet::new();
        if checks.within("action_areas", fields.action_areas.len(), MAX_ACTION_AREAS) {
            for (i, n) in fields.action_areas.iter().enumerate() {
                if coalition_areas.is_some_and(|known| !known.contains(n)) {
                    checks.push(FieldError::new(
                        format!("action_areas[{i}]"),
                        "unknown_action_area",
                        format!("this coalition has no action area {n}"),
                    ));
                } else if seen.insert(*n) {
                    action_areas.push(*n);
                }
            }
        }
        if fields.motivation.chars().count() > MOTIVATION_MAX_CHARS {
            checks.push(FieldError::new(
                "motivation",
                "length",
                format!("motivation is at most {MOTIVATION_MAX_CHARS} characters"),
            ));
        }
        let contact_email = match &fields.contact_email {
            Some(email) => checks.field("contact_email", Email::parse(email)).map(Some),
            None => Some(None),
        };
        checks.finish(|| {
            Some(Self {
                action_areas,
                motivation: fields.motivation.trim().to_owned(),
                contact_email: contact_email?,
            })
        })
    }
}

/// A lead's note on a decision, trimmed; `None` when blank.
pub fn decision_note(note: Option<&str>) -> Result<Option<String>, FieldError> {
    let note = note.unwrap_or_default();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(FieldError::new(
            "note",
            "length",
            format!("note is at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    Ok(Some(note.trim().to_owned()).filter(|n| !n.is_empty()))
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

    #[test]
    fn content_is_checked_against_the_coalition_in_linear_time() {
        let fields = ExpressionFields {
            action_areas: vec![1, 4, 1],
            motivation: "  We run coding clubs. ".into(),
            contact_email: Some("Sokha@DS.example.org".into()),
        };
        let content = ExpressionContent::parse(&fields, Some(&[1, 2, 3, 4])).unwrap();
        assert_eq!(content.action_areas, [1, 4]);
        assert_eq!(content.motivation, "We run coding clubs.");
        assert_eq!(
            content.contact_email.unwrap().as_str(),
            "sokha@ds.example.org"
        );
        let errors = ExpressionContent::parse(&fields, None).unwrap_err();
        assert_eq!(errors[0].field, "coalition");
        let huge = ExpressionFields {
            action_areas: vec![7; 400_000],
            motivation: "x".repeat(5_001),
            ..ExpressionFields::default()
        };
        let fields: Vec<String> = ExpressionContent::parse(&huge, Some(&[1]))
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{} {}", e.field, e.code))
            .collect();
        assert_eq!(fields, ["action_areas too_many", "motivation length"]);
    }
}

super::stored_as_text!(ExpressionStatus, "expression of interest status");
