//! The OpenAPI 3.1 root: metadata, the bearer-JWT scheme, responses every
//! operation shares, and `spec()`, which collects the paths from the same
//! registrations the server uses.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, PROBLEM_JSON, Problem};
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gef-commitments",
        description = "Commitments made to the Generation Equality Forum's Action Coalitions: \
            expressions of interest, review and approval by coalition leads, yearly progress \
            reports, and public aggregates for dashboards.\n\n\
            Errors are RFC 9457 `application/problem+json`. Times are RFC 3339 UTC.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&SharedResponses, &BearerJwt),
    tags(
        (name = "reference", description = "Coalitions and their action areas"),
        (name = "auth", description = "Sign-in and the signed-in caller"),
        (name = "users", description = "Accounts and roles (admins)"),
        (name = "organizations", description = "Commitment makers: registration and profiles"),
        (name = "expressions of interest", description = "Organizations asking to join a coalition"),
        (name = "commitments", description = "Commitments, their review and their audit trail"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "meta", description = "This API's own description"),
    )
)]
pub struct ApiDoc;

/// `bearer`: an access token from `POST /api/v1/auth/token`.
struct BearerJwt;

impl Modify for BearerJwt {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// Adds the failures any operation can meet: 500 (a bug, opaque body) and,
/// for those that touch the database, 503 when it does not answer.
struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "InternalError".into(),
            RefOr::T(problem(
                "An unexpected failure; the body carries no internals",
            )),
        );
        components.responses.insert(
            "Unavailable".into(),
            RefOr::T(problem(
                "The database does not answer; retry after `Retry-After` seconds",
            )),
        );
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let touches_db = !matches!(
                    operation.operation_id.as_deref(),
                    Some("get_liveness" | "get_openapi")
                );
                let responses = &mut operation.responses.responses;
                responses
                    .entry("500".into())
                    .or_insert_with(|| Ref::from_response_name("InternalError").into());
                if touches_db {
                    responses
                        .entry("503".into())
                        .or_insert_with(|| Ref::from_response_name("Unavailable").into());
                }
            }
        }
    }
}

/// The whole document, from the handlers registered in `routes::configure`.
pub fn spec() -> OpenApiDoc {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    // Modifiers on ApiDoc ran before the paths were collected; run the path-wide one again.
    SharedResponses.modify(&mut spec);
    spec.info.version = env!("CARGO_PKG_VERSION").into();
    spec
}

/// The document as committed in `openapi/openapi.json`: pretty, with a final newline.
pub fn to_json(spec: &OpenApiDoc) -> Result<String, serde_json::Error> {
    let mut json = spec.to_pretty_json()?;
    json.push('\n');
    Ok(json)
}
