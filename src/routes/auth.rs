//! Sign-in: email and password for a short-lived bearer token.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::body::JsonBody;
use super::validation::field_errors;
use crate::auth::jwt::{DEFAULT_TTL, JwtKeys};
use crate::auth::password::{verify_nothing, verify_password};
use crate::auth::rate_limit::{Limits, client_key};
use crate::db::{Db, users};
use crate::domain::account::Email;
use crate::domain::validation::Checks;
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(max_length = 254, example = "sokha@digitalsisters.example.org")]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = Password, example = "Correct horse 42")]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

const WRONG: &str = "the email or password is wrong";

/// Exchanges an email and password for an access token. A wrong password,
/// an unknown email and a deactivated account get the same answer, in about
/// the same time. Attempts are limited per client address and per account.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String))),
        (status = 422, description = "Not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    )
)]
#[post("/auth/token")]
pub async fn create_token(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<JwtKeys>,
    limits: web::Data<Limits>,
    body: JsonBody<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let too_many = |r: crate::auth::rate_limit::RetryAfter| ApiError::TooManyRequests {
        retry_after_secs: r.0,
    };
    limits
        .sign_in_per_address
        .attempt(&client_key(&req))
        .map_err(too_many)?;
    let body = body.into_inner();
    let mut checks = Checks::new();
    if let Err(errors) = body.validate() {
        checks.extend(field_errors(&errors));
    }
    let email = checks.field("email", Email::parse(&body.email));
    let email = checks.finish(|| email).map_err(ApiError::Validation)?;
    limits
        .sign_in_per_account
        .attempt(email.as_str())
        .map_err(too_many)?;

    let address = email.as_str().to_owned();
    let user = db
        .run(move |conn| users::find_user_by_email(conn, &address).map_err(ApiError::from))
        .await?;
    let password = body.password;
    let user = web::block(move || match user {
        Some(user) if verify_password(&password, &user.password_hash) && user.active => Some(user),
        Some(_) => None,
        None => {
            verify_nothing(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("verification was cancelled: {e}")))?
    .ok_or_else(|| ApiError::Unauthorized(WRONG.into()))?;

    let token = keys
        .issue(
            &user.id,
            &user.role,
            user.tokens_valid_after.and_utc(),
            Utc::now(),
            DEFAULT_TTL,
        )
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing failed: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: DEFAULT_TTL.num_seconds(),
        }))
}
