//! The one error of the use cases, with stable machine codes.

use crate::db::DbError;
use crate::domain::policy::Denied;
use crate::domain::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    NotSignedIn,
    #[error("{0}")]
    Forbidden(String),
    /// What was not found, e.g. "this commitment"; also what the caller may not see.
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("this change needs If-Match with the resource's ETag")]
    PreconditionRequired,
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the database is unavailable; retry shortly")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSignedIn => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict { code, .. } => code,
            Self::PreconditionRequired => "precondition_required",
            Self::PreconditionFailed(_) => "precondition_failed",
            Self::Invalid(_) => "validation_failed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn invalid(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Invalid(errors)
    }
}

impl From<Denied> for AppError {
    fn from(reason: Denied) -> Self {
        match reason {
            Denied::NotSignedIn => Self::NotSignedIn,
            Denied::Forbidden(why) => Self::Forbidden(why.into()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound("the resource"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict(
                "already_exists",
                "a resource with these unique values already exists",
            ),
            // Input that passed every check yet breaks a constraint is a gap
            // in the checks: say so in the log, and answer as the client's fault.
            Error::DatabaseError(
                kind @ (DatabaseErrorKind::CheckViolation
                | DatabaseErrorKind::NotNullViolation
                | DatabaseErrorKind::ForeignKeyViolation),
                info,
            ) => {
                tracing::warn!(
                    ?kind,
                    constraint = info.constraint_name(),
                    message = info.message(),
                    "a request broke a database constraint that no check caught"
                );
                Self::invalid(FieldError::new(
                    "body",
                    "constraint_violated",
                    "a value is out of the range the service stores",
                ))
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Query(error) => error.into(),
            DbError::Pool(error) => {
                tracing::warn!(%error, "database pool exhausted or unreachable");
                Self::Unavailable
            }
            DbError::Connect(error) => {
                tracing::warn!(%error, "database unreachable");
                Self::Unavailable
            }
            DbError::Cancelled => Self::Internal(anyhow::anyhow!(DbError::Cancelled)),
            DbError::Batch(error) => match &*error {
                DbError::Pool(_) | DbError::Connect(_) => {
                    tracing::warn!(%error, "database unreachable");
                    Self::Unavailable
                }
                _ => Self::Internal(anyhow::anyhow!(error.to_string())),
            },
        }
    }
}
