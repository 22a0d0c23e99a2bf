//! Probes for orchestrators and load balancers.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Liveness {
    /// Always `ok` when the process answers.
    #[schema(max_length = 8, example = "ok")]
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite"}))]
pub struct Readiness {
    /// `ready` when the database answers.
    #[schema(max_length = 8)]
    pub status: String,
    /// The backend in use: `sqlite` or `postgres`.
    #[schema(max_length = 8)]
    pub database: String,
}

/// The process is up.
#[utoipa::path(
    tag = "health",
    operation_id = "get_liveness",
    responses((status = 200, description = "The process answers", body = Liveness))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Liveness {
        status: "ok".into(),
    })
}

/// The process can serve requests: its database answers.
#[utoipa::path(
    tag = "health",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "The database answers", body = Readiness),
        (status = 503, description = "The database does not answer", body = Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u32))),
    )
)]
#[get("/health/ready")]
pub async fn ready(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    db.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        ApiError::Unavailable("the database does not answer".into())
    })?;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready".into(),
        database: db.backend().as_str().into(),
    }))
}
