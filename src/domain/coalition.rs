//! Coalitions: the six Action Coalitions and the Compact.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// What sort of coalition this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoalitionKind {
    ActionCoalition,
    Compact,
}

impl CoalitionKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "action_coalition" => Some(Self::ActionCoalition),
            "compact" => Some(Self::Compact),
            _ => None,
        }
    }
}

/// A coalition's submission window: open from `opens_on`, through `closes_on` if set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionWindow {
    pub opens_on: NaiveDate,
    pub closes_on: Option<NaiveDate>,
}

impl SubmissionWindow {
    pub fn is_open_on(&self, day: NaiveDate) -> bool {
        day >= self.opens_on && self.closes_on.is_none_or(|close| day <= close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_includes_both_ends_and_may_never_close() {
        let open_ended = SubmissionWindow {
            opens_on: day("2021-03-01"),
            closes_on: None,
        };
        assert!(!open_ended.is_open_on(day("2021-02-28")));
        assert!(open_ended.is_open_on(day("2021-03-01")));
        assert!(open_ended.is_open_on(day("2030-01-01")));
        let closed = SubmissionWindow {
            closes_on: Some(day("2021-12-31")),
            ..open_ended
        };
        assert!(closed.is_open_on(day("2021-12-31")));
        assert!(!closed.is_open_on(day("2022-01-01")));
    }
}
