//! Sign-in: email and password for a short-lived bearer token.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::http::body::JsonContent;
use super::http::validation::field_errors;
use crate::app::accounts::{self, Credentials};
use crate::app::{AppError, Sent};
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::{Limits, client_key};
use crate::db::Db;
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

impl TokenRequest {
    fn parse(self) -> Sent<Credentials> {
        let mut checks = Checks::new();
        let email = checks.field("email", Email::parse(&self.email));
        if let Err(errors) = self.validate() {
            checks.extend(field_errors(&errors));
        }
        checks.finish(|| {
            Some(Credentials {
                email: email?,
                password: self.password,
            })
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    #[schema(max_length = 2048)]
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(max_length = 6, example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    #[schema(minimum = 1, maximum = 3600)]
    pub expires_in: i64,
}

/// Exchanges an email and password for an access token. A wrong password,
/// an unknown email and a deactivated account get the same answer, in about
/// the same time. Attempts are limited per client address, and per account
/// at each address: a stranger guessing elsewhere never locks the owner out.
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
    body: JsonContent<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let client = client_key(super::http::client::client_address(&req));
    let credentials = body.0.and_then(TokenRequest::parse);
    let issued = accounts::sign_in(&db, &keys, &limits, &client, credentials)
        .await
        .map_err(|e| match e {
            AppError::NotSignedIn => {
                ApiError::Unauthorized("the email or password is wrong".into())
            }
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in.num_seconds(),
        }))
}
