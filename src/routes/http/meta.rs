//! The API's description of itself, and the answer for paths it does not have.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::error::ApiError;

/// The OpenAPI document, serialized once at start-up.
pub struct SpecJson(pub String);

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    tag = "meta",
    operation_id = "get_openapi",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json",
        body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}

/// The documented paths and their methods, used to tell "no such path" (404)
/// from "no such method on this path" (405 with `Allow`).
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                // What answers GET answers HEAD (`head`).
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.get.is_some(), Method::HEAD),
                    (item.put.is_some(), Method::PUT),
                    (item.post.is_some(), Method::POST),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, method)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods allowed on `path`, or `None` when no route has this shape.
    pub fn methods_for(&self, path: &str) -> Option<Vec<Method>> {
        let wanted: Vec<&str> = path.split('/').collect();
        let mut found: Option<Vec<Method>> = None;
        for (segments, methods) in &self.routes {
            let fits = segments.len() == wanted.len()
                && segments.iter().zip(&wanted).all(|(template, actual)| {
                    template == actual
                        || (template.starts_with('{')
                            && template.ends_with('}')
                            && !actual.is_empty())
                });
            if fits {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found
    }
}

/// Default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.methods_for(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed {
            method: req.method().clone(),
            allow,
        },
        None => ApiError::NotFound(format!("there is nothing at {}", req.path())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templated_segments_match_any_non_empty_value() {
        let table = RouteTable {
            routes: vec![
                (
                    "/api/v1/coalitions/{slug}"
                        .split('/')
                        .map(String::from)
                        .collect(),
                    vec![Method::GET],
                ),
                (
                    "/api/v1/coalitions/{slug}"
                        .split('/')
                        .map(String::from)
                        .collect(),
                    vec![Method::PATCH],
                ),
            ],
        };
        assert_eq!(
            table.methods_for("/api/v1/coalitions/climate-justice"),
            Some(vec![Method::GET, Method::PATCH])
        );
        assert_eq!(table.methods_for("/api/v1/coalitions/"), None);
        assert_eq!(table.methods_for("/api/v1/coalitions/a/b"), None);
    }
}
