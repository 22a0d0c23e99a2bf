//! Money as the tables store it: integer minor units, the currency code,
//! and the USD equivalent in minor units.

use crate::domain::commitment_content::Pledge;

/// The stored form of a pledge: amount, currency, USD equivalent.
pub type PledgeColumns = (Option<i64>, Option<String>, Option<i64>);

pub fn pledge_columns(pledge: Option<&Pledge>) -> PledgeColumns {
    (
        pledge.map(|p| p.amount.minor()),
        pledge.map(|p| p.currency.as_str().to_owned()),
        pledge.map(|p| p.amount_usd.minor()),
    )
}
