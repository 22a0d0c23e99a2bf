//! HTTP: one module per resource, each handler beside its request and response types.

pub mod coalitions;
pub mod health;
pub mod language;
pub mod meta;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented handler; the OpenAPI paths are collected from here.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live).service(health::ready).service(
        scope("/api/v1")
            .service(meta::openapi_json)
            .service(coalitions::list_coalitions)
            .service(coalitions::get_coalition)
            .service(coalitions::list_action_areas),
    );
}
