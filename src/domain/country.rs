//! Countries and currencies as ISO codes that exist.

use std::fmt;

use super::codes::{COUNTRIES, CURRENCIES};
use super::validation::{FieldError, quote};

/// An ISO 3166-1 alpha-2 code that exists, upper case (`KH`, `FR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);

impl CountryCode {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        COUNTRIES
            .binary_search_by(|(code, _)| (*code).cmp(value))
            .map(|i| Self(COUNTRIES[i].0))
            .map_err(|_| {
                FieldError::new(
                    "country",
                    "unknown_country",
                    format!(
                        "{} is not an ISO 3166-1 alpha-2 country code (e.g. KH, FR)",
                        quote(value)
                    ),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Every code, for the OpenAPI enum.
    pub fn all() -> impl Iterator<Item = &'static str> {
        COUNTRIES.iter().map(|(code, _)| *code)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An ISO 4217 currency code that exists, upper case (`EUR`, `KHR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurrencyCode(&'static str);

impl CurrencyCode {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        CURRENCIES
            .binary_search_by(|(code, _)| (*code).cmp(value))
            .map(|i| Self(CURRENCIES[i].0))
            .map_err(|_| {
                FieldError::new(
                    "currency",
                    "unknown_currency",
                    format!(
                        "{} is not an ISO 4217 currency code (e.g. EUR, USD)",
                        quote(value)
                    ),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn all() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(code, _)| *code)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_sorted_for_binary_search() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn only_existing_upper_case_codes_parse() {
        assert_eq!(CountryCode::parse("KH").unwrap().as_str(), "KH");
        for bad in ["kh", "XX", "KHM", "", "K"] {
            assert_eq!(CountryCode::parse(bad).unwrap_err().code, "unknown_country");
        }
        assert_eq!(CurrencyCode::parse("KHR").unwrap().as_str(), "KHR");
        for bad in ["eur", "ABC", "XAU", "EU"] {
            assert_eq!(
                CurrencyCode::parse(bad).unwrap_err().code,
                "unknown_currency"
            );
        }
    }
}
