//! HTTP: one module per resource, each handler beside its request and
//! response types; what they share is `http`.

pub mod auth;
pub mod coalitions;
pub mod commitments;
pub mod exports;
pub mod expressions;
pub mod feed;
pub mod health;
pub mod http;
pub mod me;
pub mod organizations;
pub mod page;
pub mod progress;
pub mod stats;
pub mod users;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented handler; the OpenAPI paths are collected from here.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(http::metrics::scrape)
        .service(page::dashboard_page)
        .service(page::commitment_page)
        .service(page::page_asset)
        .service(page::favicon)
        .service(
            scope("/api/v1")
                .service(http::meta::openapi_json)
                .service(coalitions::list_coalitions)
                .service(coalitions::get_coalition)
                .service(coalitions::list_action_areas)
                .service(coalitions::update_coalition)
                .service(auth::create_token)
                .service(me::get_me)
                .service(users::create_user)
                .service(users::list_users)
                .service(users::get_user)
                .service(users::update_user)
                .service(organizations::register_organization)
                .service(organizations::list_organizations)
                .service(organizations::get_organization)
                .service(organizations::update_organization)
                .service(expressions::create_expression)
                .service(expressions::list_expressions)
                .service(expressions::get_expression)
                .service(expressions::decide_expression)
                .service(expressions::withdraw_expression)
                .service(commitments::create_commitment)
                .service(commitments::list_commitments)
                .service(commitments::get_commitment)
                .service(commitments::update_commitment)
                .service(commitments::submit_commitment)
                .service(commitments::withdraw_commitment)
                .service(commitments::create_review)
                .service(commitments::list_reviews)
                .service(commitments::list_commitment_events)
                .service(progress::create_reporting_cycle)
                .service(progress::list_reporting_cycles)
                .service(progress::get_reporting_cycle)
                .service(progress::update_reporting_cycle)
                .service(progress::put_progress_report)
                .service(progress::list_progress_reports)
                .service(progress::get_progress_report)
                .service(progress::validate_progress_report)
                .service(stats::get_stats_summary)
                .service(stats::get_stats_breakdown)
                .service(feed::list_events)
                .service(exports::export_commitments),
        );
}
