//! What a commitment says, checked whole against its coalition's rules: every
//! broken rule is reported at once, with the path of its field.

use std::collections::HashSet;

use super::commitment::CommitmentType;
use super::country::{CountryCode, CurrencyCode};
use super::money::Amount;
use super::validation::{Checks, FieldError, quote};

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
pub const MAX_ACTION_AREAS: usize = 20;
pub const MAX_TYPES: usize = 4;
pub const MAX_REGIONS: usize = 20;

/// Changes to a commitment's content: absent fields stay, lists are replaced
/// whole, `pledge: Some(None)` removes the pledge.
#[derive(Debug, Clone, Default)]
pub struct ContentEdit {
    pub action_areas: Option<Vec<i32>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub types: Option<Vec<String>>,
    pub pledge: Option<Option<PledgeFields>>,
    pub countries: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub partners: Option<Vec<String>>,
    pub target_groups: Option<Vec<String>>,
    pub indicators: Option<Vec<IndicatorFields>>,
}

impl ContentEdit {
    /// The content as it would read with these changes, to be checked whole.
    pub fn apply(self, current: ContentFields) -> ContentFields {
        ContentFields {
            action_areas: self.action_areas.unwrap_or(current.action_areas),
            title: self.title.unwrap_or(current.title),
            description: self.description.unwrap_or(current.description),
            types: self.types.unwrap_or(current.types),
            pledge: self.pledge.unwrap_or(current.pledge),
            countries: self.countries.unwrap_or(current.countries),
            regions: self.regions.unwrap_or(current.regions),
            start_year: self.start_year.unwrap_or(current.start_year),
            end_year: self.end_year.unwrap_or(current.end_year),
            partners: self.partners.unwrap_or(current.partners),
            target_groups: self.target_groups.unwrap_or(current.target_groups),
            indicators: self.indicators.unwrap_or(current.indicators),
        }
    }
}

impl From<&Content> for ContentFields {
    fn from(content: &Content) -> Self {
        Self {
            action_areas: content.action_areas.clone(),
            title: content.title.clone(),
            description: content.description.clone(),
            types: content
                .types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            pledge: content.pledge.map(|p| PledgeFields {
                amount: p.amount.to_string(),
                currency: p.currency.as_str().to_owned(),
                amount_usd: Some(p.amount_usd.to_string()),
            }),
            countries: content
                .countries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            regions: content.regions.clone(),
            start_year: content.start_year,
            end_year: content.end_year,
            partners: content.partners.clone(),
            target_groups: content.target_groups.clone(),
            indicators: content
                .indicators
                .iter()
                .map(|i| IndicatorFields {
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    baseline: i.baseline,
                    target: i.target,
                })
                .collect(),
        }
    }
}

/// What text search looks in: title and description, lower-cased here
/// rather than by the database (bundled SQLite lower-cases ASCII only), so
/// that a query finds the same commitments on every backend. A separator no
/// title holds keeps a query from matching across the two.
pub fn search_text(title: &str, description: &str) -> String {
    format!(
        "{}\u{1f}{}",
        title.to_lowercase(),
        description.to_lowercase()
    )
}

/// A search query as `search_text` is written: lower-cased.
pub fn search_query(q: &str) -> Option<String> {
    Some(q.to_lowercase()).filter(|q| !q.trim().is_empty())
}

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
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    if !checks.within(field, items.len(), max) {
        return out;
    }
    for (i, item) in items.iter().enumerate() {
        let path = format!("{field}[{i}]");
        if let Some(value) = checks.field(&path, check(&path, item)) {
            if seen.insert(value.clone()) {
                out.push(value);
            } else {
                checks.push(FieldError::new(
                    path,
                    "duplicate",
                    format!("{} is listed twice", quote(item)),
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
        let action_areas = action_areas(&mut checks, &fields.action_areas, &rules.action_areas);

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
        let types = list(&mut checks, "types", &fields.types, MAX_TYPES, |path, t| {
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
            (Some(p), _) => parse_pledge(&mut checks, "pledge", p),
        };

        let countries = list(
            &mut checks,
            "countries",
            &fields.countries,
            MAX_COUNTRIES,
            |_, c| CountryCode::parse(c),
        );
        let regions = list(
            &mut checks,
            "regions",
            &fields.regions,
            MAX_REGIONS,
            |path, r| text(path, r, 1, 100),
        );
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

        let mut indicators: Vec<Indicator> = Vec::new();
        let mut names = HashSet::new();
        let readable = checks.within("indicators", fields.indicators.len(), MAX_LIST_ITEMS);
        for (i, indicator) in fields.indicators.iter().enumerate().filter(|_| readable) {
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
                if !names.insert(name.clone()) {
                    checks.push(FieldError::new(
                        format!("indicators[{i}].name"),
                        "duplicate",
                        format!("{} is listed twice", quote(&name)),
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

/// The action areas named, each once and of this coalition.
fn action_areas(checks: &mut Checks, numbers: &[i32], known: &[i32]) -> Vec<i32> {
    let mut seen = HashSet::new();
    if !checks.within("action_areas", numbers.len(), MAX_ACTION_AREAS) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, number) in numbers.iter().enumerate() {
        if !known.contains(number) {
            checks.push(FieldError::new(
                format!("action_areas[{i}]"),
                "unknown_action_area",
                format!("this coalition has no action area {number}"),
            ));
        } else if !seen.insert(*number) {
            checks.push(FieldError::new(
                format!("action_areas[{i}]"),
                "duplicate",
                format!("{number} is listed twice"),
            ));
        } else {
            out.push(*number);
        }
    }
    out
}

/// An amount of money sent as `field`: a decimal amount, an ISO 4217
/// currency and the USD equivalent (which a USD amount may leave out).
pub fn parse_pledge(checks: &mut Checks, field: &str, p: &PledgeFields) -> Option<Pledge> {
    let usd_field = format!("{field}.amount_usd");
    let amount = checks.field(&format!("{field}.amount"), Amount::parse(&p.amount));
    let currency = checks.field(
        &format!("{field}.currency"),
        CurrencyCode::parse(&p.currency),
    );
    let usd = match (&p.amount_usd, currency) {
        (Some(usd), _) => checks.field(&usd_field, Amount::parse(usd)),
        (None, Some(c)) if c.as_str() == "USD" => amount,
        (None, Some(_)) => {
            checks.push(FieldError::new(
                usd_field.clone(),
                "required",
                "give its USD equivalent",
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
            usd_field,
            "mismatch",
            "an amount in USD has amount_usd equal to it",
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

    #[test]
    fn oversized_lists_are_one_error_each_and_their_items_are_not_read() {
        let fields = ContentFields {
            action_areas: vec![9; 400_000],
            types: vec!["charity".into(); 100_000],
            countries: vec!["XX".into(); 251],
            indicators: vec![IndicatorFields::default(); 51],
            ..valid()
        };
        let errors = Content::parse(&fields, &rules()).unwrap_err();
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("action_areas", "too_many"),
                ("types", "too_many"),
                ("countries", "too_many"),
                ("indicators", "too_many"),
            ]
        );
    }

    #[test]
    fn an_edit_replaces_what_it_names_and_keeps_the_rest() {
        let current = Content::parse(&valid(), &rules()).unwrap();
        let edited = ContentEdit {
            title: Some("New title".into()),
            pledge: Some(None),
            types: Some(vec!["policy".into()]),
            ..ContentEdit::default()
        }
        .apply(ContentFields::from(&current));
        let content = Content::parse(&edited, &rules()).unwrap();
        assert_eq!(content.title, "New title");
        assert_eq!(content.pledge, None);
        assert_eq!(content.countries, current.countries);
        assert_eq!(content.indicators, current.indicators);
    }

    #[test]
    fn search_text_is_lower_cased_beyond_ascii() {
        let text = search_text("ÉGALITÉ Numérique", "ΣΧΟΛΕΊΑ");
        assert!(text.contains("égalité numérique") && text.contains("σχολεία"));
        assert_eq!(search_query("ÉGALITÉ").as_deref(), Some("égalité"));
        assert_eq!(search_query("  "), None);
    }
}
