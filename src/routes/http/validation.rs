//! `validator`'s field rules (bounds on request DTOs) reported as our field errors.

use validator::{ValidationErrors, ValidationErrorsKind};

use crate::domain::validation::FieldError;

/// Every broken rule, with its path: `indicators[2].name`, `pledge.amount`.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = error
                        .message
                        .as_ref()
                        .map_or_else(|| describe(&path, error), ToString::to_string);
                    out.push(FieldError::new(
                        path.clone(),
                        error.code.to_string(),
                        message,
                    ));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// "title must have 3 to 200 characters or items", "start_year must be 2000 to 2100".
fn describe(path: &str, error: &validator::ValidationError) -> String {
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    let (verb, unit) = if error.code == "range" {
        ("be", "")
    } else {
        ("have", " characters or items")
    };
    match (param("min"), param("max")) {
        (Some(min), Some(max)) => format!("{path} must {verb} {min} to {max}{unit}"),
        (Some(min), None) => format!("{path} must {verb} at least {min}{unit}"),
        (None, Some(max)) => format!("{path} must {verb} at most {max}{unit}"),
        (None, None) => format!("{path} is invalid ({})", error.code),
    }
}
