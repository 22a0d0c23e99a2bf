//! Pure rules and the values that carry them: no actix, no diesel.

pub mod account;
pub mod coalition;
pub mod codes;
pub mod commitment;
pub mod commitment_content;
pub mod country;
pub mod country_names;
pub mod expression;
pub mod figures;
pub mod labels;
pub mod language;
pub mod money;
pub mod organization;
pub mod policy;
pub mod progress;
pub mod stats;
pub mod validation;

/// A stored word that names no value of its kind (a corrupt row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// The conversions a word-valued enum needs to be stored as text: from its
/// `parse`, to its `as_str`. Storage reads and writes these, never literals.
macro_rules! stored_as_text {
    ($type:ty, $kind:literal) => {
        impl TryFrom<String> for $type {
            type Error = $crate::domain::UnknownValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value).ok_or($crate::domain::UnknownValue { kind: $kind, value })
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.as_str().to_owned()
            }
        }
    };
}
pub(crate) use stored_as_text;
