//! Field-level validation results, gathered so that a client hears about
//! every invalid field at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `organization.country` or `countries[2]`.
    #[schema(max_length = 300)]
    pub field: String,
    /// Stable code of the rule broken, e.g. `required`, `length`, `unknown_country`.
    #[schema(max_length = 64)]
    pub code: String,
    #[schema(max_length = 2000)]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// `value` as a quoted string for an error message, cut to a few dozen
/// characters: a message never echoes more than that of what was sent.
pub fn quote(value: &str) -> String {
    const SHOWN: usize = 24;
    if value.chars().count() <= SHOWN {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(SHOWN).collect();
        format!("{head:?}…")
    }
}

/// Collects field errors while parsing a request into domain values.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `Ok` values; records the error of an `Err` under `field`.
    pub fn field<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(FieldError {
                    field: field.to_owned(),
                    ..error
                });
                None
            }
        }
    }

    /// Keeps an `Ok` value; records every error of an `Err`.
    pub fn then<T>(&mut self, result: Result<T, Vec<FieldError>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        }
    }

    /// Records one `too_many` error when a list is longer than `max` and says
    /// whether it may be read item by item: an oversized list is judged whole,
    /// so that its items cannot multiply the errors.
    pub fn within(&mut self, field: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.push(FieldError::new(
                field,
                "too_many",
                format!("{field} has at most {max} items"),
            ));
        }
        len <= max
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.errors.extend(errors);
    }

    /// `Ok(value)` when nothing was recorded, else every error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            // With no error recorded every field parsed, so `value` is `Some`.
            value()
                .ok_or_else(|| vec![FieldError::new("body", "invalid", "the request is invalid")])
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_cut_short() {
        assert_eq!(quote("KH"), "\"KH\"");
        let long = quote(&"é".repeat(10_000));
        assert!(long.chars().count() < 50 && long.ends_with('…'), "{long}");
    }

    #[test]
    fn an_oversized_list_is_one_error() {
        let mut checks = Checks::new();
        assert!(checks.within("types", 4, 4));
        assert!(!checks.within("types", 400_000, 4));
        let errors = checks.finish(|| Some(())).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("types", "too_many")
        );
    }
}
