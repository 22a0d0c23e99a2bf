//! Coalitions: the six Action Coalitions and the Compact.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::validation::{Checks, FieldError};

/// What sort of coalition this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoalitionKind {
    ActionCoalition,
    Compact,
}

impl CoalitionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActionCoalition => "action_coalition",
            Self::Compact => "compact",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::ActionCoalition, Self::Compact]
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}

super::stored_as_text!(CoalitionKind, "coalition kind");

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

    /// Why `coalition` refuses a submission on `day`, naming the window;
    /// `None` when the window is open.
    pub fn refusal(&self, coalition: &str, day: NaiveDate) -> Option<String> {
        if self.is_open_on(day) {
            return None;
        }
        let closes = self
            .closes_on
            .map_or_else(|| "with no end".to_owned(), |d| format!("to {d}"));
        Some(format!(
            "{coalition} takes submissions from {} {closes}; today ({day}) is outside that window",
            self.opens_on
        ))
    }
}

/// The years an implementation period may span.
pub const PERIOD_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// What admins set on a coalition: its submission window and the years of
/// its implementation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoalitionSettings {
    pub window: SubmissionWindow,
    pub period_start_year: i32,
    pub period_end_year: i32,
}

/// A change to a coalition's settings; absent fields stay.
/// `submissions_close_on: Some(None)` makes the window open-ended.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsChange {
    pub submissions_open_on: Option<NaiveDate>,
    pub submissions_close_on: Option<Option<NaiveDate>>,
    pub period_start_year: Option<i32>,
    pub period_end_year: Option<i32>,
}

impl CoalitionSettings {
    /// The settings after `change`, if they still make sense: a period of
    /// years 2000 to 2100 that does not end before it starts, a window that
    /// does not close before it opens.
    pub fn apply(self, change: &SettingsChange) -> Result<Self, Vec<FieldError>> {
        let window = SubmissionWindow {
            opens_on: change.submissions_open_on.unwrap_or(self.window.opens_on),
            closes_on: change.submissions_close_on.unwrap_or(self.window.closes_on),
        };
        let start = change.period_start_year.unwrap_or(self.period_start_year);
        let end = change.period_end_year.unwrap_or(self.period_end_year);
        let mut checks = Checks::new();
        for (field, year) in [("period_start_year", start), ("period_end_year", end)] {
            if !PERIOD_YEARS.contains(&year) {
                checks.push(FieldError::new(
                    field,
                    "out_of_range",
                    format!("{field} must be 2000 to 2100"),
                ));
            }
        }
        if start > end {
            checks.push(FieldError::new(
                "period_end_year",
                "before_start",
                "the period must not end before it starts",
            ));
        }
        if window.closes_on.is_some_and(|c| c < window.opens_on) {
            checks.push(FieldError::new(
                "submissions_close_on",
                "before_open",
                "the window must not close before it opens",
            ));
        }
        checks.finish(|| {
            Some(Self {
                window,
                period_start_year: start,
                period_end_year: end,
            })
        })
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
        assert_eq!(
            closed.refusal("technology-innovation", day("2021-06-01")),
            None
        );
        let refusal = closed
            .refusal("technology-innovation", day("2022-01-01"))
            .unwrap();
        assert!(refusal.contains("2021-03-01 to 2021-12-31") && refusal.contains("2022-01-01"));
    }

    #[test]
    fn settings_change_within_their_rules_only() {
        let settings = CoalitionSettings {
            window: SubmissionWindow {
                opens_on: day("2021-03-01"),
                closes_on: None,
            },
            period_start_year: 2021,
            period_end_year: 2025,
        };
        let longer = settings
            .apply(&SettingsChange {
                period_end_year: Some(2030),
                submissions_close_on: Some(Some(day("2025-12-31"))),
                ..SettingsChange::default()
            })
            .unwrap();
        assert_eq!(longer.period_end_year, 2030);
        assert_eq!(longer.window.closes_on, Some(day("2025-12-31")));
        let broken = settings
            .apply(&SettingsChange {
                period_start_year: Some(2026),
                period_end_year: Some(1999),
                submissions_close_on: Some(Some(day("2020-01-01"))),
                ..SettingsChange::default()
            })
            .unwrap_err();
        let codes: Vec<&str> = broken.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["out_of_range", "before_start", "before_open"]);
    }
}
