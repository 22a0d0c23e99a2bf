//! Money: a decimal string with at most two decimals, held as integer
//! hundredths of the currency unit. Never a float.

use super::validation::FieldError;

/// The largest amount accepted: 10^15 units.
pub const MAX_UNITS: i64 = 1_000_000_000_000_000;

/// A non-negative amount in hundredths (`"250000.50"` → 25_000_050).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let invalid = |message: &str| FieldError::new("amount", "invalid_amount", message);
        let (units, cents) = match value.split_once('.') {
            Some((units, cents)) => (units, cents),
            None => (value, ""),
        };
        if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "amount must be a non-negative decimal such as \"250000.00\"",
            ));
        }
        if value.contains('.') && cents.is_empty() || !cents.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "amount must be a non-negative decimal such as \"250000.00\"",
            ));
        }
        if cents.len() > 2 {
            return Err(invalid("amount has at most two decimals"));
        }
        let units: i64 = units
            .parse()
            .ok()
            .filter(|u| *u <= MAX_UNITS)
            .ok_or_else(|| invalid("amount must be at most 10^15"))?;
        let cents: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
        let minor = units * 100 + cents;
        if minor > MAX_UNITS * 100 {
            return Err(invalid("amount must be at most 10^15"));
        }
        Ok(Self(minor))
    }

    pub fn from_minor(minor: i64) -> Self {
        Self(minor)
    }

    pub fn minor(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_hundredths_exactly() {
        assert_eq!(Amount::parse("250000.00").unwrap().minor(), 25_000_000);
        assert_eq!(Amount::parse("0.1").unwrap().minor(), 10);
        assert_eq!(Amount::parse("7").unwrap().minor(), 700);
        assert_eq!(
            Amount::parse("1000000000000000").unwrap().minor(),
            MAX_UNITS * 100
        );
        assert_eq!(Amount::parse("19.99").unwrap().to_string(), "19.99");
        assert_eq!(Amount::from_minor(5).to_string(), "0.05");
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "",
            "-1",
            "1.234",
            "1e3",
            "1,000",
            " 1",
            "1.",
            ".5",
            "abc",
            "0x10",
            "1000000000000000.01",
            "99999999999999999999",
            "+1",
            "NaN",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?}");
        }
    }
}
