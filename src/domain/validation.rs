//! Field-level validation results, gathered so that a client hears about
//! every invalid field at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `organization.country` or `countries[2]`.
    pub field: String,
    /// Stable code of the rule broken, e.g. `required`, `length`, `unknown_country`.
    pub code: String,
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
