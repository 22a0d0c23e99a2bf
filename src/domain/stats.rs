//! The figures dashboards read, as rules: which keys a commitment has
//! along each dimension, and what it adds to the figures of each. The
//! in-memory index (`domain::figures`) holds every commitment by these
//! keys; a new dimension or measure is a change here.
//!
//! A commitment counts once in each row of a breakdown its facts place it
//! in: once in the totals, once in its status's row, once in each of its
//! action areas', countries', regions' and types' rows, and so on.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::commitment::{CommitmentStatus, CommitmentType};
use super::organization::Constituency;
use super::progress::{Cycle, ImplementationStatus, ReportingHealth, reporting_health, reports_on};

/// Whose figures: the public's (approved, completion claimed, completed), or
/// every commitment ever submitted (viewers and admins).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Public,
    All,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::All => "all",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Public, Self::All]
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    /// Whether a commitment in `status`, submitted or not, counts here.
    pub fn counts(self, status: CommitmentStatus, submitted: bool) -> bool {
        match self {
            Self::Public => status.is_public(),
            Self::All => submitted,
        }
    }
}

/// What a row of figures is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The totals: one row, key "".
    Total,
    Coalition,
    /// Keyed `coalition:number`: numbers repeat across coalitions.
    ActionArea,
    Country,
    Region,
    Constituency,
    Type,
    /// The year the commitment starts.
    Year,
    Status,
    /// The status of the latest progress report, or `not_reported`.
    Implementation,
    /// What reporting health turns on: `start:end:last` (`-` when never
    /// reported) for commitments that report, `completed` for completed ones.
    Health,
}

impl Dimension {
    /// What `?by=` may name.
    pub const BREAKDOWNS: [Self; 8] = [
        Self::Coalition,
        Self::ActionArea,
        Self::Country,
        Self::Region,
        Self::Constituency,
        Self::Type,
        Self::Year,
        Self::Status,
    ];

    pub const ALL: [Self; 11] = [
        Self::Total,
        Self::Coalition,
        Self::ActionArea,
        Self::Country,
        Self::Region,
        Self::Constituency,
        Self::Type,
        Self::Year,
        Self::Status,
        Self::Implementation,
        Self::Health,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Total => "total",
            Self::Coalition => "coalition",
            Self::ActionArea => "action_area",
            Self::Country => "country",
            Self::Region => "region",
            Self::Constituency => "constituency",
            Self::Type => "type",
            Self::Year => "year",
            Self::Status => "status",
            Self::Implementation => "implementation",
            Self::Health => "health",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// Whether a commitment may have several keys here (and so counts once
    /// in each of their rows, and once in the totals).
    pub fn is_multi_valued(self) -> bool {
        matches!(
            self,
            Self::ActionArea | Self::Country | Self::Region | Self::Type
        )
    }
}

/// What a commitment is, as far as the figures go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub organization_id: String,
    pub coalition: String,
    pub constituency: Constituency,
    pub status: CommitmentStatus,
    pub submitted: bool,
    pub start_year: i32,
    pub end_year: i32,
    pub types: Vec<CommitmentType>,
    pub action_areas: Vec<i32>,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub pledged_usd_minor: i64,
    pub latest_report: Option<LatestReport>,
}

/// A commitment's latest progress report, as far as the figures go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestReport {
    pub year: i32,
    pub status: ImplementationStatus,
    pub percent_complete: i32,
    pub disbursed_usd_minor: i64,
}

/// What a commitment adds to each cell it counts in (negated when it leaves).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub commitments: i64,
    pub pledged_usd_minor: i128,
    pub disbursed_usd_minor: i128,
    /// Sum and number of the latest percentages of those that reported.
    pub percent_sum: i64,
    pub percent_n: i64,
}

impl Measures {
    pub fn add(&mut self, other: &Self) {
        self.commitments += other.commitments;
        self.pledged_usd_minor += other.pledged_usd_minor;
        self.disbursed_usd_minor += other.disbursed_usd_minor;
        self.percent_sum += other.percent_sum;
        self.percent_n += other.percent_n;
    }

    /// The mean latest percentage of those that reported, if any did.
    pub fn mean_percent_complete(&self) -> Option<f64> {
        (self.percent_n > 0).then(|| self.percent_sum as f64 / self.percent_n as f64)
    }
}

impl Facts {
    /// What this commitment adds to the figures of each row it is in.
    pub fn measures(&self) -> Measures {
        let report = self.latest_report;
        Measures {
            commitments: 1,
            pledged_usd_minor: i128::from(self.pledged_usd_minor),
            disbursed_usd_minor: report.map_or(0, |r| i128::from(r.disbursed_usd_minor)),
            percent_sum: report.map_or(0, |r| i64::from(r.percent_complete)),
            percent_n: i64::from(report.is_some()),
        }
    }

    /// The keys of this commitment along `dimension`.
    pub fn keys(&self, dimension: Dimension) -> Vec<String> {
        match dimension {
            Dimension::Total => vec![String::new()],
            Dimension::Coalition => vec![self.coalition.clone()],
            Dimension::ActionArea => self
                .action_areas
                .iter()
                .map(|n| format!("{}:{n}", self.coalition))
                .collect(),
            Dimension::Country => self.countries.clone(),
            Dimension::Region => self.regions.clone(),
            Dimension::Constituency => vec![self.constituency.as_str().to_owned()],
            Dimension::Type => self.types.iter().map(|t| t.as_str().to_owned()).collect(),
            Dimension::Year => vec![self.start_year.to_string()],
            Dimension::Status => vec![self.status.as_str().to_owned()],
            Dimension::Implementation => vec![
                self.latest_report
                    .map_or(NOT_REPORTED, |r| r.status.as_str())
                    .to_owned(),
            ],
            Dimension::Health => match self.status {
                CommitmentStatus::Completed => vec![COMPLETED.to_owned()],
                status if reports_on(status) => vec![format!(
                    "{}:{}:{}",
                    self.start_year,
                    self.end_year,
                    self.latest_report
                        .map_or_else(|| "-".to_owned(), |r| r.year.to_string())
                )],
                _ => Vec::new(),
            },
        }
    }
}

/// The implementation key of commitments that never reported.
pub const NOT_REPORTED: &str = "not_reported";
const COMPLETED: &str = "completed";

/// The reporting health of the commitments behind a `Health` key on `today`.
pub fn health_of_key(key: &str, cycles: &[Cycle], today: NaiveDate) -> Option<ReportingHealth> {
    if key == COMPLETED {
        return Some(ReportingHealth::Green);
    }
    let mut parts = key.split(':');
    let start: i32 = parts.next()?.parse().ok()?;
    let end: i32 = parts.next()?.parse().ok()?;
    let last: Vec<i32> = parts.next()?.parse().ok().into_iter().collect();
    reporting_health(
        CommitmentStatus::Approved,
        start..=end,
        cycles,
        &last,
        today,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            organization_id: "org".into(),
            coalition: "technology-innovation".into(),
            constituency: Constituency::YouthLed,
            status: CommitmentStatus::Approved,
            submitted: true,
            start_year: 2022,
            end_year: 2025,
            types: vec![CommitmentType::Financial, CommitmentType::Policy],
            action_areas: vec![1, 4],
            countries: vec!["KH".into(), "LA".into()],
            regions: vec![],
            pledged_usd_minor: 27_000_000,
            latest_report: None,
        }
    }

    /// The keys of a commitment in `scope`'s figures (none outside them).
    fn keys(facts: &Facts, scope: Scope, dimension: Dimension) -> Vec<String> {
        if scope.counts(facts.status, facts.submitted) {
            facts.keys(dimension)
        } else {
            Vec::new()
        }
    }

    #[test]
    fn a_commitment_counts_once_in_each_of_its_rows() {
        let f = facts();
        assert_eq!(keys(&f, Scope::Public, Dimension::Total), [""]);
        assert_eq!(
            keys(&f, Scope::Public, Dimension::ActionArea),
            ["technology-innovation:1", "technology-innovation:4"]
        );
        assert_eq!(keys(&f, Scope::All, Dimension::Country), ["KH", "LA"]);
        assert_eq!(
            keys(&f, Scope::Public, Dimension::Implementation),
            [NOT_REPORTED]
        );
        assert_eq!(keys(&f, Scope::Public, Dimension::Health), ["2022:2025:-"]);
        assert!(keys(&f, Scope::Public, Dimension::Region).is_empty());
        // A submission counts for viewers and admins only; a draft nowhere.
        let submitted = Facts {
            status: CommitmentStatus::Submitted,
            ..facts()
        };
        assert!(keys(&submitted, Scope::Public, Dimension::Total).is_empty());
        assert_eq!(keys(&submitted, Scope::All, Dimension::Total), [""]);
        assert!(keys(&submitted, Scope::All, Dimension::Health).is_empty());
        let draft = Facts {
            status: CommitmentStatus::Draft,
            submitted: false,
            ..facts()
        };
        assert!(keys(&draft, Scope::All, Dimension::Total).is_empty());
    }

    #[test]
    fn a_report_changes_money_disbursed_percentages_and_health() {
        let reported = Facts {
            latest_report: Some(LatestReport {
                year: 2023,
                status: ImplementationStatus::InProgress,
                percent_complete: 40,
                disbursed_usd_minor: 500,
            }),
            ..facts()
        };
        let m = reported.measures();
        assert_eq!(
            (m.disbursed_usd_minor, m.percent_sum, m.percent_n),
            (500, 40, 1)
        );
        assert_eq!(
            keys(&reported, Scope::Public, Dimension::Health),
            ["2022:2025:2023"]
        );
        let cycles = [Cycle {
            year: 2024,
            opens_on: "2025-01-15".parse().unwrap(),
            closes_on: "2025-03-31".parse().unwrap(),
        }];
        let today: NaiveDate = "2025-06-01".parse().unwrap();
        assert_eq!(
            health_of_key("2022:2025:2023", &cycles, today),
            Some(ReportingHealth::Amber)
        );
        assert_eq!(
            health_of_key("2022:2025:2024", &cycles, today),
            Some(ReportingHealth::Green)
        );
        assert_eq!(
            health_of_key("2022:2025:-", &cycles, today),
            Some(ReportingHealth::Amber)
        );
        assert_eq!(
            health_of_key("completed", &cycles, today),
            Some(ReportingHealth::Green)
        );
    }
}
