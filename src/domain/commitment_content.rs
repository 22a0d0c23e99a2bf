//! What a commitment says, checked whole against its coalition's rules: every
//! broken rule is reported at once, with the path of its field.

use std::collections::HashSet;

use super::commitment::CommitmentType;
use super::country::{CountryCode, CurrencyCode};
use super::money::Amount;
use super::validation::{Checks, FieldError};

/// A coalition's rules for its commitments.
#[derive(Debug, Clone)]
pub struct CoalitionRules {
    pub action_areas: Vec<i32>,
    pub period_start_year: i32,
    pub period_end_year: i32,
}

/// A commitment's content as sent, before checking.
#[derive(Debug, Clone, Default)]
pub struct ContentFields {
    pub action_areas: Vec<i32>,
    pub title: String,
    pub description: String,
    pub types: Vec<String>,
    pub pledge: Option<PledgeFields>,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub start_year: i32,
    pub end_year: i32,
    pub partners: Vec<String>,
    pub target_groups: Vec<String>,
    pub indicators: Vec<IndicatorFields>,
}

#[derive(Debug, Clone, Default)]
pub struct PledgeFields {
    pub amount: String,
    pub currency: String,
    pub amount_usd: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorFields {
    pub name: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// Checked content.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub action_areas: Vec<i32>,
    pub title: String,
    pub description: String,
    pub types: Vec<CommitmentType>,
    pub pledge: Option<Pledge>,
    pub countries: Vec<CountryCode>,
    pub regions: Vec<String>,
    pub start_year: i32,
    pub end_year: i32,
    pub partners: Vec<String>,
    pub target_groups: Vec<String>,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pledge {
    pub amount: Amount,
    pub currency: CurrencyCode,
    pub amount_usd: Amount,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

pub const TITLE_CHARS: (usize, usize) = (3, 200);
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
pub const MAX_LIST_ITEMS: usize = 50;
pub const MAX_COUNTRIES: usize = 250;

/// Trimmed text of `min..=max` characters (the maximum counts the raw text).
fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if value.chars().count() > max
        || length < min
        || trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "length",
            format!("{field} must be {min} to {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Each item checked with `check`, duplicates refused, at most `max` items.
fn list<T: Clone + Eq + std::hash::Hash>(
    checks: &mut Checks,
    field: &str,
    items: &[String],
    max: usize,
    check: impl Fn(&str, &str) -> Result<T, FieldError>,
) -> Vec<T> {
    if items.len() > max {
        checks.push(FieldError::new(
            field,
            "too_many",
            format!("{field} has at most {max} items"),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{field}[{i}]");
        if let Some(value) = checks.field(&path, check(&path, item)) {
            if seen.insert(value.clone()) {
                out.push(value);
            } else {
                checks.push(FieldError::new(
                    path,
                    "duplicate",
                    format!("{item:?} is listed twice"),
                ));
            }
        }
    }
    out
}

impl Content {
    pub fn parse(fields: &ContentFields, rules: &CoalitionRules) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();

        if fields.action_areas.is_empty() {
            checks.push(FieldError::new(
                "action_areas",
                "required",
                "name at least one action area",
            ));
        }
        let mut action_areas = Vec::new();
        for (i, number) in fields.action_areas.iter().enumerate() {
            if !rules.action_areas.contains(number) {
                checks.push(FieldError::new(
                    format!("action_areas[{i}]"),
                    "unknown_action_area",
                    format!("this coalition has no action area {number}"),
                ));
            } else if action_areas.contains(number) {
                checks.push(FieldError::new(
                    format!("action_areas[{i}]"),
                    "duplicate",
                    format!("{number} is listed twice"),
                ));
            } else {
                action_areas.push(*number);
            }
        }

        let title = checks.field(
            "title",
            text("title", &fields.title, TITLE_CHARS.0, TITLE_CHARS.1),
        );
        let description = checks.field(
            "description",
            text("description", &fields.description, 1, DESCRIPTION_MAX_CHARS),
        );

        if fields.types.is_empty() {
            checks.push(FieldError::new(
                "types",
                "required",
                "name at least one type",
            ));
        }
        let types = list(&mut checks, "types", &fields.types, 4, |path, t| {
            CommitmentType::parse(t).ok_or_else(|| {
                FieldError::new(
                    path,
                    "unknown_type",
                    "types are financial, policy, programmatic or advocacy",
                )
            })
        });

        let financial = types.contains(&CommitmentType::Financial);
        let pledge = match (&fields.pledge, financial) {
            (None, true) => {
                checks.push(FieldError::new(
                    "pledge",
                    "required",
                    "a financial commitment needs a pledge",
                ));
                None
            }
            (None, false) => None,
            (Some(p), _) => parse_pledge(&mut checks, p),
        };

        let countries = list(
            &mut checks,
            "countries",
            &fields.countries,
            MAX_COUNTRIES,
            |_, c| CountryCode::parse(c),
        );
        let regions = list(&mut checks, "regions", &fields.regions, 20, |path, r| {
            text(path, r, 1, 100)
        });
        if countries.is_empty()
            && regions.is_empty()
            && fields.countries.is_empty()
            && fields.regions.is_empty()
        {
            checks.push(FieldError::new(
                "countries",
                "required",
                "name at least one country or region",
            ));
        }

        let (start, end) = (fields.start_year, fields.end_year);
        let period = rules.period_start_year..=rules.period_end_year;
        for (field, year) in [("start_year", start), ("end_year", end)] {
            if !period.contains(&year) {
                checks.push(FieldError::new(
                    field,
                    "outside_period",
                    format!(
                        "{field} must be within the coalition's period, {} to {}",
                        period.start(),
                        period.end()
                    ),
                ));
            }
        }
        if start > end {
            checks.push(FieldError::new(
                "end_year",
                "before_start",
                "end_year must not be before start_year",
            ));
        }

        let partners = list(
            &mut checks,
            "partners",
            &fields.partners,
            MAX_LIST_ITEMS,
            |path, p| text(path, p, 1, 300),
        );
        let target_groups = list(
            &mut checks,
            "target_groups",
            &fields.target_groups,
            MAX_LIST_ITEMS,
            |path, g| text(path, g, 1, 300),
        );

        if fields.indicators.len() > MAX_LIST_ITEMS {
            checks.push(FieldError::new(
                "indicators",
                "too_many",
                format!("indicators has at most {MAX_LIST_ITEMS} items"),
            ));
        }
        let mut indicators: Vec<Indicator> = Vec::new();
        for (i, indicator) in fields.indicators.iter().enumerate() {
            let name = checks.field(
                &format!("indicators[{i}].name"),
                text("name", &indicator.name, 1, 300),
            );
            let unit = checks.field(
                &format!("indicators[{i}].unit"),
                text("unit", &indicator.unit, 1, 100),
            );
            for (field, value) in [
                ("baseline", indicator.baseline),
                ("target", indicator.target),
            ] {
                if value.is_some_and(|v| !v.is_finite() || v.abs() > 1e15) {
                    checks.push(FieldError::new(
                        format!("indicators[{i}].{field}"),
                        "out_of_range",
                        "must be a number of at most 10^15",
                    ));
                }
            }
            if let (Some(name), Some(unit)) = (name, unit) {
                if indicators.iter().any(|x| x.name == name) {
                    checks.push(FieldError::new(
                        format!("indicators[{i}].name"),
                        "duplicate",
                        format!("{name:?} is listed twice"),
                    ));
                } else {
                    indicators.push(Indicator {
                        name,
                        unit,
                        baseline: indicator.baseline,
                        target: indicator.target,
                    });
                }
            }
        }

        checks.finish(|| {
            Some(Self {
                action_areas,
                title: title?,
                description: description?,
                types,
                pledge,
                countries,
                regions,
                start_year: start,
                end_year: end,
                partners,
                target_groups,
                indicators,
            })
        })
    }
}

fn parse_pledge(checks: &mut Checks, p: &PledgeFields) -> Option<Pledge> {
    let amount = checks.field("pledge.amount", Amount::parse(&p.amount));
    let currency = checks.field("pledge.currency", CurrencyCode::parse(&p.currency));
    let usd = match (&p.amount_usd, currency) {
        (Some(usd), _) => checks.field("pledge.amount_usd", Amount::parse(usd)),
        (None, Some(c)) if c.as_str() == "USD" => amount,
        (None, Some(_)) => {
            checks.push(FieldError::new(
                "pledge.amount_usd",
                "required",
                "give the pledge's USD equivalent",
            ));
            None
        }
        (None, None) => None,
    };
    if let (Some(c), Some(a), Some(u)) = (currency, amount, usd)
        && c.as_str() == "USD"
        && a != u
    {
        checks.push(FieldError::new(
            "pledge.amount_usd",
            "mismatch",
            "a USD pledge's amount_usd equals its amount",
        ));
    }
    Some(Pledge {
        amount: amount?,
        currency: currency?,
        amount_usd: usd?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CoalitionRules {
        CoalitionRules {
            action_areas: vec![1, 2, 3, 4],
            period_start_year: 2021,
            period_end_year: 2025,
        }
    }

    fn valid() -> ContentFields {
        ContentFields {
            action_areas: vec![1, 4],
            title: "  Digital skills for 10,000 girls ".into(),
            description: "Coding clubs in rural Cambodia.".into(),
            types: vec!["programmatic".into(), "financial".into()],
            pledge: Some(PledgeFields {
                amount: "250000.00".into(),
                currency: "EUR".into(),
                amount_usd: Some("270000.00".into()),
            }),
            countries: vec!["KH".into()],
            start_year: 2022,
            end_year: 2025,
            indicators: vec![IndicatorFields {
                name: "Girls trained".into(),
                unit: "people".into(),
                baseline: Some(0.0),
                target: Some(10000.0),
            }],
            ..ContentFields::default()
        }
    }

    fn fields_of(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_content_is_trimmed_and_typed() {
        let content = Content::parse(&valid(), &rules()).unwrap();
        assert_eq!(content.title, "Digital skills for 10,000 girls");
        assert_eq!(content.pledge.unwrap().amount.minor(), 25_000_000);
        assert_eq!(
            content.types,
            [CommitmentType::Programmatic, CommitmentType::Financial]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let fields = ContentFields {
            action_areas: vec![5, 1, 1],
            title: "ab".into(),
            description: String::new(),
            types: vec!["financial".into(), "charity".into()],
            pledge: None,
            countries: vec!["KH".into(), "XX".into(), "KH".into()],
            start_year: 2026,
            end_year: 2020,
            ..ContentFields::default()
        };
        let errors = fields_of(Content::parse(&fields, &rules()).unwrap_err());
        assert_eq!(
            errors,
            [
                "action_areas[0]",
                "action_areas[2]",
                "title",
                "description",
                "types[1]",
                "pledge",
                "countries[1]",
                "countries[2]",
                "start_year",
                "end_year",
                "end_year",
            ]
        );
    }

    #[test]
    fn pledges_need_a_usd_equivalent_unless_in_usd() {
        let mut fields = valid();
        fields.pledge = Some(PledgeFields {
            amount: "10.001".into(),
            currency: "eur".into(),
            amount_usd: None,
        });
        let errors = fields_of(Content::parse(&fields, &rules()).unwrap_err());
        assert_eq!(errors, ["pledge.amount", "pledge.currency"]);
        fields.pledge = Some(PledgeFields {
            amount: "10".into(),
            currency: "KHR".into(),
            amount_usd: None,
        });
        assert_eq!(
            fields_of(Content::parse(&fields, &rules()).unwrap_err()),
            ["pledge.amount_usd"]
        );
        fields.pledge = Some(PledgeFields {
            amount: "10".into(),
            currency: "USD".into(),
            amount_usd: None,
        });
        assert_eq!(
            Content::parse(&fields, &rules())
                .unwrap()
                .pledge
                .unwrap()
                .amount_usd
                .minor(),
            1000
        );
        fields.pledge = Some(PledgeFields {
            amount: "-5".into(),
            currency: "USD".into(),
            amount_usd: None,
        });
        assert!(Content::parse(&fields, &rules()).is_err());
        fields.pledge = Some(PledgeFields {
            amount: "1000000000000001".into(),
            currency: "USD".into(),
            amount_usd: None,
        });
        assert!(Content::parse(&fields, &rules()).is_err());
    }
}
