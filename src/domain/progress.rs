//! Delivery: yearly reporting cycles, the progress report a commitment files
//! in each, a lead's validation of it, and a commitment's reporting health.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::commitment::CommitmentStatus;
use super::commitment_content::{Pledge, PledgeFields, parse_pledge};
use super::validation::{Checks, FieldError, quote};

/// Where a commitment's implementation stands, as its maker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImplementationStatus {
    NotStarted,
    InProgress,
    Completed,
    Stalled,
    Cancelled,
}

impl ImplementationStatus {
    pub const ALL: [Self; 5] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Completed,
        Self::Stalled,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Stalled => "stalled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Where a report stands with the coalition's leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValidationStatus {
    /// Filed (or corrected), not yet looked at.
    Pending,
    /// Accepted by a lead; a correction by the maker sends it back to pending.
    Validated,
    /// A lead asked a question (the note); the maker may correct it while the cycle is open.
    Queried,
}

impl ValidationStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Validated, Self::Queried];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Validated => "validated",
            Self::Queried => "queried",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

super::stored_as_text!(ImplementationStatus, "implementation status");
super::stored_as_text!(ValidationStatus, "validation status");

/// A lead's decision on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValidationDecision {
    Validate,
    Query,
}

impl ValidationDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validate => "validate",
            Self::Query => "query",
        }
    }
}

/// Where a decision takes a report: a pending or queried report may be
/// validated or queried; a validated one is settled until its maker corrects
/// it. `Err` is the state that refuses.
pub fn validate(
    from: ValidationStatus,
    decision: ValidationDecision,
) -> Result<ValidationStatus, ValidationStatus> {
    match (from, decision) {
        (ValidationStatus::Validated, _) => Err(from),
        (_, ValidationDecision::Validate) => Ok(ValidationStatus::Validated),
        (_, ValidationDecision::Query) => Ok(ValidationStatus::Queried),
    }
}

pub const NOTE_MAX_CHARS: usize = 10_000;

/// A lead's note on a report, trimmed: required to query.
pub fn validation_note(
    decision: ValidationDecision,
    note: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let note = note.unwrap_or_default();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(FieldError::new(
            "note",
            "length",
            format!("note is at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    let note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    if decision == ValidationDecision::Query && note.is_none() {
        return Err(FieldError::new(
            "note",
            "required",
            "say what the maker should answer or correct",
        ));
    }
    Ok(note)
}

/// A yearly reporting cycle: reports on `year` are filed from `opens_on`
/// to `closes_on`, both included (UTC days), usually early in the next year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl Cycle {
    /// A new cycle, checked: its year inside some coalition's implementation
    /// period, a window that neither opens before the year starts nor closes
    /// before it opens.
    pub fn parse(
        year: i32,
        opens_on: NaiveDate,
        closes_on: NaiveDate,
        periods: &[RangeInclusive<i32>],
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();
        if !periods.iter().any(|p| p.contains(&year)) {
            let spans: Vec<String> = periods
                .iter()
                .map(|p| format!("{}–{}", p.start(), p.end()))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            checks.push(FieldError::new(
                "year",
                "outside_every_period",
                format!(
                    "{year} is outside every coalition's implementation period ({})",
                    spans.join(", ")
                ),
            ));
        }
        let cycle = Self {
            year,
            opens_on,
            closes_on,
        };
        checks.extend(cycle.window_errors());
        checks.finish(|| Some(cycle))
    }

    fn window_errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.opens_on.year() < self.year {
            errors.push(FieldError::new(
                "opens_on",
                "before_year",
                format!(
                    "a report on {} can be filed from {}-01-01 at the earliest",
                    self.year, self.year
                ),
            ));
        }
        if self.closes_on < self.opens_on {
            errors.push(FieldError::new(
                "closes_on",
                "before_open",
                "the cycle must not close before it opens",
            ));
        }
        errors
    }

    /// The cycle with another window (extended, or closed early).
    pub fn with_window(
        self,
        opens_on: Option<NaiveDate>,
        closes_on: Option<NaiveDate>,
    ) -> Result<Self, Vec<FieldError>> {
        let cycle = Self {
            opens_on: opens_on.unwrap_or(self.opens_on),
            closes_on: closes_on.unwrap_or(self.closes_on),
            ..self
        };
        let errors = cycle.window_errors();
        if errors.is_empty() {
            Ok(cycle)
        } else {
            Err(errors)
        }
    }

    pub fn is_open_on(&self, day: NaiveDate) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }

    pub fn has_opened_by(&self, day: NaiveDate) -> bool {
        self.opens_on <= day
    }

    pub fn has_closed_by(&self, day: NaiveDate) -> bool {
        self.closes_on < day
    }

    /// Why no report on this cycle's year is taken on `day`, naming its window.
    pub fn refusal(&self, day: NaiveDate) -> Option<String> {
        (!self.is_open_on(day)).then(|| {
            format!(
                "reports on {} are filed from {} to {}; today ({day}) is outside that window",
                self.year, self.opens_on, self.closes_on
            )
        })
    }
}

/// A report as sent.
#[derive(Debug, Clone, Default)]
pub struct ReportFields {
    pub status: String,
    pub percent_complete: i32,
    pub disbursed: Option<PledgeFields>,
    pub people_reached: Option<i64>,
    pub narrative: String,
    pub indicators: Vec<(String, f64)>,
}

/// The measured value of one of the commitment's indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorActual {
    pub name: String,
    pub actual: f64,
}

/// A progress report, checked against its commitment's indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub status: ImplementationStatus,
    pub percent_complete: i32,
    pub disbursed: Option<Pledge>,
    pub people_reached: Option<i64>,
    pub narrative: String,
    pub indicators: Vec<IndicatorActual>,
}

pub const NARRATIVE_MAX_CHARS: usize = 20_000;
pub const MAX_INDICATORS: usize = 50;
/// The largest number a count or indicator may hold.
const MAX_NUMBER: f64 = 1e15;

impl Report {
    /// Every broken rule at once: a known status, a percentage, money by the
    /// pledge's rules, a narrative, actuals for indicators the commitment
    /// has, each once. A report of `completed` says 100 percent.
    pub fn parse(
        fields: &ReportFields,
        indicator_names: &[String],
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();
        let status = ImplementationStatus::parse(&fields.status);
        if status.is_none() {
            checks.push(FieldError::new(
                "status",
                "unknown_status",
                "status is not_started, in_progress, completed, stalled or cancelled",
            ));
        }
        if !(0..=100).contains(&fields.percent_complete) {
            checks.push(FieldError::new(
                "percent_complete",
                "out_of_range",
                "percent_complete must be 0 to 100",
            ));
        } else if status == Some(ImplementationStatus::Completed) && fields.percent_complete != 100
        {
            checks.push(FieldError::new(
                "percent_complete",
                "incomplete",
                "a completed commitment is 100 percent complete",
            ));
        }
        let disbursed = fields
            .disbursed
            .as_ref()
            .and_then(|money| parse_pledge(&mut checks, "disbursed", money));
        if fields
            .people_reached
            .is_some_and(|n| n < 0 || n as f64 > MAX_NUMBER)
        {
            checks.push(FieldError::new(
                "people_reached",
                "out_of_range",
                "people_reached must be 0 to 10^15",
            ));
        }
        let narrative = fields.narrative.trim();
        if narrative.is_empty() || fields.narrative.chars().count() > NARRATIVE_MAX_CHARS {
            checks.push(FieldError::new(
                "narrative",
                "length",
                format!("narrative must be 1 to {NARRATIVE_MAX_CHARS} characters"),
            ));
        }
        let mut indicators = Vec::new();
        let mut seen = HashSet::new();
        if checks.within("indicators", fields.indicators.len(), MAX_INDICATORS) {
            for (i, (name, actual)) in fields.indicators.iter().enumerate() {
                let path = format!("indicators[{i}]");
                if !indicator_names.iter().any(|n| n == name) {
                    checks.push(FieldError::new(
                        format!("{path}.name"),
                        "unknown_indicator",
                        format!("the commitment has no indicator {}", quote(name)),
                    ));
                } else if !seen.insert(name.as_str()) {
                    checks.push(FieldError::new(
                        format!("{path}.name"),
                        "duplicate",
                        format!("{} is reported twice", quote(name)),
                    ));
                } else if !actual.is_finite() || actual.abs() > MAX_NUMBER {
                    checks.push(FieldError::new(
                        format!("{path}.actual"),
                        "out_of_range",
                        "actual must be a number of at most 10^15",
                    ));
                } else {
                    indicators.push(IndicatorActual {
                        name: name.clone(),
                        actual: *actual,
                    });
                }
            }
        }
        checks.finish(|| {
            Some(Self {
                status: status?,
                percent_complete: fields.percent_complete,
                disbursed,
                people_reached: fields.people_reached,
                narrative: narrative.to_owned(),
                indicators,
            })
        })
    }

    /// Whether filing this report claims the commitment's completion.
    pub fn claims_completion(&self) -> bool {
        self.status == ImplementationStatus::Completed
    }
}

/// Whether a commitment reports as it should.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReportingHealth {
    /// Reported in the latest cycle due, or no cycle due yet.
    Green,
    /// One cycle missed since the last report.
    Amber,
    /// Two or more cycles missed since the last report.
    Red,
}

impl ReportingHealth {
    pub const ALL: [Self; 3] = [Self::Green, Self::Amber, Self::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == value)
    }

    /// The colour of `missed` cycles.
    pub fn of_missed(missed: usize) -> Self {
        match missed {
            0 => Self::Green,
            1 => Self::Amber,
            _ => Self::Red,
        }
    }
}

/// The states whose commitments report: approved and not yet verified
/// complete. A completed commitment is green, having delivered; the others
/// have no reporting health.
pub const REPORTING: [CommitmentStatus; 2] = [
    CommitmentStatus::Approved,
    CommitmentStatus::CompletionClaimed,
];

pub fn reports_on(status: CommitmentStatus) -> bool {
    REPORTING.contains(&status)
}

/// The reporting health of a commitment running over `years`, with reports
/// on `reported` years, on `today`. The cycles that count are those whose
/// year lies inside the commitment's years and whose window has opened;
/// missed are those of them, closed without a report, after the latest year
/// reported (a cycle still open is not missed yet). None, green; one,
/// amber; more, red. `None` for commitments not (yet) approved.
pub fn reporting_health(
    status: CommitmentStatus,
    years: RangeInclusive<i32>,
    cycles: &[Cycle],
    reported: &[i32],
    today: NaiveDate,
) -> Option<ReportingHealth> {
    if status == CommitmentStatus::Completed {
        return Some(ReportingHealth::Green);
    }
    if !reports_on(status) {
        return None;
    }
    let last_reported = reported.iter().copied().max();
    let missed = cycles
        .iter()
        .filter(|c| years.contains(&c.year) && c.has_closed_by(today))
        .filter(|c| last_reported.is_none_or(|last| c.year > last))
        .count();
    Some(ReportingHealth::of_missed(missed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cycle(year: i32) -> Cycle {
        Cycle {
            year,
            opens_on: day(&format!("{}-01-15", year + 1)),
            closes_on: day(&format!("{}-03-31", year + 1)),
        }
    }

    #[test]
    fn cycles_lie_in_a_period_and_open_after_their_year_starts() {
        let periods = [2021..=2025, 2021..=2027];
        assert!(Cycle::parse(2026, day("2027-01-15"), day("2027-03-31"), &periods).is_ok());
        let codes = |r: Result<Cycle, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.code).collect()
        };
        assert_eq!(
            codes(Cycle::parse(
                2030,
                day("2031-01-15"),
                day("2031-03-31"),
                &periods
            )),
            ["outside_every_period"]
        );
        assert_eq!(
            codes(Cycle::parse(
                2024,
                day("2023-12-01"),
                day("2023-11-01"),
                &periods
            )),
            ["before_year", "before_open"]
        );
        let extended = cycle(2024)
            .with_window(None, Some(day("2025-06-30")))
            .unwrap();
        assert_eq!(extended.closes_on, day("2025-06-30"));
        assert!(
            cycle(2024)
                .with_window(None, Some(day("2025-01-01")))
                .is_err()
        );
    }

    #[test]
    fn a_window_includes_both_its_days() {
        let c = cycle(2024);
        assert!(!c.is_open_on(day("2025-01-14")));
        assert!(c.is_open_on(day("2025-01-15")) && c.is_open_on(day("2025-03-31")));
        assert!(!c.is_open_on(day("2025-04-01")));
        let refusal = c.refusal(day("2025-04-01")).unwrap();
        assert!(
            refusal.contains("2025-01-15") && refusal.contains("2025-03-31"),
            "{refusal}"
        );
        assert_eq!(c.refusal(day("2025-02-01")), None);
    }

    #[test]
    fn health_counts_the_closed_cycles_missed_since_the_last_report() {
        use ReportingHealth::*;
        let cycles = [cycle(2022), cycle(2023), cycle(2024)];
        let years = 2022..=2025;
        let approved = CommitmentStatus::Approved;
        let health = |reported: &[i32], today: &str| {
            reporting_health(approved, years.clone(), &cycles, reported, day(today))
        };
        // Before any window opens: nothing is due.
        assert_eq!(health(&[], "2022-06-01"), Some(Green));
        // 2022's window is open and not yet reported: not missed yet.
        assert_eq!(health(&[], "2023-02-01"), Some(Green));
        // It closed without a report: one missed.
        assert_eq!(health(&[], "2023-04-01"), Some(Amber));
        assert_eq!(health(&[2022], "2023-04-01"), Some(Green));
        // 2023 open, 2022 reported: green; both 2022 and 2023 closed unreported: red.
        assert_eq!(health(&[2022], "2024-02-01"), Some(Green));
        assert_eq!(health(&[], "2024-04-01"), Some(Red));
        assert_eq!(health(&[2022], "2024-04-01"), Some(Amber));
        // Reporting on the latest cycle makes it green whatever came before.
        assert_eq!(health(&[2024], "2025-04-01"), Some(Green));
        assert_eq!(health(&[2022], "2025-04-01"), Some(Red));
        // Cycles outside the commitment's years do not count.
        let short = reporting_health(approved, 2024..=2025, &cycles, &[], day("2025-02-01"));
        assert_eq!(short, Some(Green));
        // Only approved commitments report; completed ones delivered.
        let draft = reporting_health(
            CommitmentStatus::Draft,
            years.clone(),
            &cycles,
            &[],
            day("2025-04-01"),
        );
        assert_eq!(draft, None);
        let done = reporting_health(
            CommitmentStatus::Completed,
            years,
            &cycles,
            &[],
            day("2025-04-01"),
        );
        assert_eq!(done, Some(Green));
    }

    #[test]
    fn reports_are_checked_whole() {
        let names = vec!["Girls trained".to_owned()];
        let good = ReportFields {
            status: "in_progress".into(),
            percent_complete: 40,
            disbursed: Some(PledgeFields {
                amount: "1000.00".into(),
                currency: "USD".into(),
                amount_usd: None,
            }),
            people_reached: Some(1200),
            narrative: " Forty clubs run. ".into(),
            indicators: vec![("Girls trained".into(), 1200.0)],
        };
        let report = Report::parse(&good, &names).unwrap();
        assert_eq!(report.narrative, "Forty clubs run.");
        assert_eq!(report.disbursed.unwrap().amount_usd.minor(), 100_000);
        assert!(!report.claims_completion());
        let bad = ReportFields {
            status: "done".into(),
            percent_complete: 140,
            disbursed: Some(PledgeFields {
                amount: "1".into(),
                currency: "EUR".into(),
                amount_usd: None,
            }),
            people_reached: Some(-1),
            narrative: " ".into(),
            indicators: vec![
                ("Unknown".into(), 1.0),
                ("Girls trained".into(), f64::INFINITY),
            ],
        };
        let fields: Vec<String> = Report::parse(&bad, &names)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "status",
                "percent_complete",
                "disbursed.amount_usd",
                "people_reached",
                "narrative",
                "indicators[0].name",
                "indicators[1].actual"
            ]
        );
        let completed_at_half = ReportFields {
            status: "completed".into(),
            percent_complete: 50,
            ..good
        };
        assert_eq!(
            Report::parse(&completed_at_half, &names).unwrap_err()[0].code,
            "incomplete"
        );
    }

    #[test]
    fn a_validated_report_is_settled_until_corrected() {
        use ValidationDecision::*;
        use ValidationStatus::*;
        assert_eq!(validate(Pending, Validate), Ok(Validated));
        assert_eq!(validate(Pending, Query), Ok(Queried));
        assert_eq!(validate(Queried, Validate), Ok(Validated));
        assert_eq!(validate(Validated, Query), Err(Validated));
        assert_eq!(
            validation_note(Query, Some(" ")).unwrap_err().code,
            "required"
        );
        assert_eq!(validation_note(Validate, None), Ok(None));
    }
}
