//! `AuthUser`: the caller behind a valid `Authorization: Bearer` token, read
//! fresh from the database on every request, so that deactivating an account
//! or changing its role takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::app::accounts;
use crate::auth::jwt::JwtKeys;
use crate::db::Db;
use crate::domain::policy::{Actor, Denied};
use crate::error::ApiError;

type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A signed-in caller; anonymous requests are refused with 401.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Actor);

/// The caller if signed in. An `Authorization` header that does not hold a
/// valid token is still a 401: a broken token never silently reads as anonymous.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<Actor>);

impl MaybeAuthUser {
    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let pending = authenticate(req);
        Box::pin(async move {
            pending
                .await?
                .map(AuthUser)
                .ok_or_else(|| denied(Denied::NotSignedIn))
        })
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let pending = authenticate(req);
        Box::pin(async move { pending.await.map(MaybeAuthUser) })
    }
}

/// The HTTP answer to a policy refusal.
pub fn denied(reason: Denied) -> ApiError {
    match reason {
        Denied::NotSignedIn => ApiError::Unauthorized(
            "sign in: send Authorization: Bearer <token from POST /api/v1/auth/token>".into(),
        ),
        Denied::Forbidden(why) => ApiError::Forbidden(why.into()),
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthorized("the access token is invalid, expired or revoked; sign in again".into())
}

fn authenticate(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Option<Actor>, ApiError>> {
    super::caching::depends_on(req, super::caching::ReadHeader::Authorization);
    let header = req.headers().get(header::AUTHORIZATION).cloned();
    let keys = req.app_data::<web::Data<JwtKeys>>().cloned();
    let db = req.app_data::<web::Data<Db>>().cloned();
    Box::pin(async move {
        let Some(header) = header else {
            return Ok(None);
        };
        let (Some(keys), Some(db)) = (keys, db) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "authentication is not configured"
            )));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_owned())
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(invalid_token)?;
        let claims = keys.verify(&token).map_err(|_| invalid_token())?;
        accounts::actor_of_token(&db, &claims)
            .await?
            .ok_or_else(invalid_token)
            .map(Some)
    })
}
