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

/// "title must be 3 to 200 long" from a rule's parameters.
fn describe(path: &str, error: &validator::ValidationError) -> String {
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    match (param("min"), param("max")) {
        (Some(min), Some(max)) => format!("{path} must be {min} to {max} long"),
        (Some(min), None) => format!("{path} must be at least {min} long"),
        (None, Some(max)) => format!("{path} must be at most {max} long"),
        (None, None) => format!("{path} is invalid ({})", error.code),
    }
}
