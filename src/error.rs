//! One error type for the whole API, answered as RFC 9457 `application/problem+json`.
//!
//! Every failure — a handler's, an extractor's, an unknown route's, or a
//! middleware's plain-text error — leaves the server in this shape. 5xx bodies
//! are opaque; their cause goes to the log.

use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppError;
pub use crate::domain::validation::FieldError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem: what went wrong, for people (`title`, `detail`) and
/// for programs (`type`, `code`, `errors`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:gef-commitments:problem:validation-failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "2 fields are invalid",
    "code": "validation_failed",
    "errors": [
        {"field": "countries[1]", "code": "unknown_country", "message": "XX is not an ISO 3166-1 alpha-2 code"},
        {"field": "title", "code": "length", "message": "title must be 3 to 200 characters"}
    ]
}))]
pub struct Problem {
    /// URI naming the kind of problem; stable, one per `code`.
    #[serde(rename = "type")]
    #[schema(max_length = 200)]
    pub problem_type: String,
    /// Short summary of the kind of problem (the HTTP reason phrase).
    #[schema(max_length = 100)]
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in words.
    #[schema(max_length = 2000)]
    pub detail: String,
    /// Stable machine-readable code, e.g. `not_found`, `validation_failed`.
    #[schema(max_length = 64)]
    pub code: String,
    /// For validation problems: each invalid field, at most 50.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub errors: Vec<FieldError>,
    /// `true` when more fields were invalid than `errors` lists.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// The most field errors one answer lists.
pub const MAX_FIELD_ERRORS: usize = 50;
/// The most characters of a field path or message; of a detail, four times that.
const MAX_TEXT_CHARS: usize = 200;

/// `text`, cut to `max` characters: what a client sent never makes an
/// answer large.
fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    MalformedJson(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: Method, allow: Vec<Method> },
    #[error("{code}: {detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{} invalid field(s)", .0.len())]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} was not found"))
    }

    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::MalformedJson(_) => "malformed_json",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Conflict { code, .. } => code,
            Self::PreconditionFailed(_) => "precondition_failed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::PreconditionRequired(_) => "precondition_required",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            Self::Internal(_) => "An internal error occurred; it has been logged.".to_owned(),
            Self::Validation(errors) if errors.len() == 1 => errors[0].message.clone(),
            Self::Validation(errors) => format!("{} fields are invalid", errors.len()),
            Self::Conflict { detail, .. } => detail.clone(),
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        problem(status, self.code(), detail, errors)
    }
}

fn problem(status: StatusCode, code: &str, detail: String, errors: Vec<FieldError>) -> Problem {
    let truncated = errors.len() > MAX_FIELD_ERRORS;
    Problem {
        problem_type: format!("urn:gef-commitments:problem:{}", code.replace('_', "-")),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: bounded(&detail, 4 * MAX_TEXT_CHARS),
        code: code.to_owned(),
        errors: errors
            .into_iter()
            .take(MAX_FIELD_ERRORS)
            .map(|e| FieldError {
                field: bounded(&e.field, MAX_TEXT_CHARS),
                code: e.code,
                message: bounded(&e.message, MAX_TEXT_CHARS),
            })
            .collect(),
        truncated,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header(header::Allow(allow.clone()));
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let detail = error.to_string();
        match error {
            AppError::NotSignedIn => Self::Unauthorized(
                "sign in: send Authorization: Bearer <token from POST /api/v1/auth/token>".into(),
            ),
            AppError::Forbidden(why) => Self::Forbidden(why),
            AppError::NotFound(_) => Self::NotFound(detail),
            AppError::Conflict { code, detail } => Self::Conflict { code, detail },
            AppError::PreconditionRequired => Self::PreconditionRequired(detail),
            AppError::PreconditionFailed(why) => Self::PreconditionFailed(why),
            AppError::Invalid(errors) => Self::Validation(errors),
            AppError::RateLimited { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            AppError::Unavailable => Self::Unavailable(detail),
            AppError::Internal(cause) => Self::Internal(cause),
        }
    }
}

/// Body errors of `web::Json`: wrong content type 415, too large 413,
/// unparseable 400, well-formed JSON of the wrong shape 422.
pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api_error = match error {
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("the request body must be application/json".into())
        }
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::Validation(vec![field_error_from_serde(&error)])
        }
        JsonPayloadError::Deserialize(error) => {
            ApiError::MalformedJson(format!("the request body is not valid JSON: {error}"))
        }
        other => ApiError::BadRequest(format!("the request body could not be read: {other}")),
    };
    api_error.into()
}

/// serde_json names the offending field only inside its message
/// ("missing field `title` at line 1 column 2"); lift it out.
pub fn field_error_from_serde(error: &serde_json::Error) -> FieldError {
    let message = error.to_string();
    let text = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(text, _)| text);
    let field = text
        .split('`')
        .nth(1)
        .filter(|_| text.starts_with("missing field") || text.starts_with("unknown field"))
        .unwrap_or("body");
    let code = if text.starts_with("missing field") {
        "required"
    } else if text.starts_with("unknown field") {
        "unknown_field"
    } else {
        "invalid_type"
    };
    FieldError::new(field, code, text)
}

pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {error}")).into()
}

pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid path parameter: {error}")).into()
}

/// Middleware hook: rewrites any error response that is not yet problem+json
/// (actix's own plain-text answers, Swagger UI's 404s, middleware refusals)
/// into a problem with the same status and the headers that matter.
pub fn ensure_problem_json<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Problems pass as they are; so do the dashboard's own HTML pages (a
    // commitment that is not public answers a 404 page a browser can show).
    let is_answered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                || v.as_bytes().starts_with(b"text/html")
        });
    if is_answered {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let kept: Vec<(header::HeaderName, HeaderValue)> = response
        .headers()
        .iter()
        .filter(|(name, _)| {
            [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER].contains(name)
                || name.as_str().starts_with("access-control-")
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let detail = if status.is_server_error() {
        "An internal error occurred; it has been logged.".to_owned()
    } else {
        status
            .canonical_reason()
            .unwrap_or("The request failed")
            .to_owned()
    };
    let code = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace([' ', '-'], "_");
    let mut builder = HttpResponse::build(status);
    builder.content_type(PROBLEM_JSON);
    for header in kept {
        builder.insert_header(header);
    }
    let new_response = builder.json(problem(status, &code, detail, Vec::new()));
    let (request, _) = response.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, new_response).map_into_right_body(),
    ))
}

/// Handy alias for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test, web};
    use serde::Deserialize;
    use serde_json::Value;

    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Sample {
        title: String,
        year: i32,
    }

    async fn post(content_type: &str, body: &str) -> (u16, String, Value) {
        let app = test::init_service(
            App::new()
                .app_data(
                    web::JsonConfig::default()
                        .limit(64)
                        .error_handler(json_error),
                )
                .wrap(
                    actix_web::middleware::ErrorHandlers::new()
                        .default_handler(ensure_problem_json),
                )
                .route(
                    "/",
                    web::post().to(|_: web::Json<Sample>| async { HttpResponse::Ok().finish() }),
                )
                .route(
                    "/boom",
                    web::get().to(|| async {
                        HttpResponse::InternalServerError().body("stack trace: secret")
                    }),
                ),
        )
        .await;
        let request = if content_type == "GET /boom" {
            test::TestRequest::get().uri("/boom").to_request()
        } else {
            test::TestRequest::post()
                .uri("/")
                .insert_header(("content-type", content_type))
                .set_payload(body.to_owned())
                .to_request()
        };
        let response = test::call_service(&app, request).await;
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = serde_json::from_slice(&test::read_body(response).await).unwrap();
        (status, kind, body)
    }

    #[actix_web::test]
    async fn body_errors_become_problems_with_the_right_status() {
        let cases = [
            ("application/json", "{\"title\": ", 400, "malformed_json"),
            (
                "text/plain",
                "{\"title\": \"x\", \"year\": 1}",
                415,
                "unsupported_media_type",
            ),
            (
                "application/json",
                &format!("{{\"title\": \"{}\", \"year\": 1}}", "x".repeat(100)),
                413,
                "payload_too_large",
            ),
            (
                "application/json",
                "{\"title\": \"x\"}",
                422,
                "validation_failed",
            ),
            (
                "application/json",
                "{\"title\": \"x\", \"year\": \"soon\"}",
                422,
                "validation_failed",
            ),
        ];
        for (content_type, body, status, code) in cases {
            let (got, kind, problem) = post(content_type, body).await;
            assert_eq!(
                (got, problem["code"].as_str().unwrap()),
                (status, code),
                "{body}"
            );
            assert_eq!(kind, PROBLEM_JSON);
            assert_eq!(problem["status"], status);
        }
        let (_, _, missing) = post("application/json", "{\"title\": \"x\"}").await;
        assert_eq!(missing["errors"][0]["field"], "year");
        assert_eq!(missing["errors"][0]["code"], "required");
        let (_, _, unknown) = post(
            "application/json",
            "{\"title\": \"x\", \"year\": 1, \"status\": \"approved\"}",
        )
        .await;
        assert_eq!(unknown["errors"][0]["field"], "status");
        assert_eq!(unknown["errors"][0]["code"], "unknown_field");
    }

    // `test` is actix's macro in this module.
    #[::core::prelude::v1::test]
    fn problems_stay_small_whatever_was_sent() {
        let errors: Vec<FieldError> = (0..5000)
            .map(|i| {
                FieldError::new(
                    format!("k{}", "k".repeat(10_000)),
                    "unknown_field",
                    format!("{i} {}", "m".repeat(10_000)),
                )
            })
            .collect();
        let problem = ApiError::Validation(errors).problem();
        assert_eq!(problem.errors.len(), MAX_FIELD_ERRORS);
        assert!(problem.truncated);
        let size = serde_json::to_string(&problem).unwrap().len();
        assert!(size < 48 * 1024, "{size}");
        let one = ApiError::Validation(vec![FieldError::new("title", "length", "short")]).problem();
        assert!(!one.truncated);
        assert!(!serde_json::to_string(&one).unwrap().contains("truncated"));
    }

    #[actix_web::test]
    async fn server_errors_are_opaque() {
        let (status, kind, body) = post("GET /boom", "").await;
        assert_eq!((status, kind.as_str()), (500, PROBLEM_JSON));
        assert!(!body.to_string().contains("secret"));
        let internal = ApiError::Internal(anyhow::anyhow!("password=hunter2 at db.rs:12"));
        assert!(
            !serde_json::to_string(&internal.problem())
                .unwrap()
                .contains("hunter2")
        );
    }
}
