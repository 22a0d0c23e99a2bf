//! The OpenAPI 3.1 root: metadata, the bearer-JWT scheme, responses every
//! operation shares, and `spec()`, which collects the paths from the same
//! registrations the server uses.

use actix_web::App;
use utoipa::openapi::header::Header;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema};
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
        contact(name = "The secretariat running this service"),
    ),
    servers((url = "/", description = "This service, wherever it is deployed: production, staging or local")),
    components(schemas(Problem, FieldError, crate::routes::exports::ExportFormat)),
    modifiers(&SharedResponses, &BearerJwt),
    tags(
        (name = "reference", description = "Coalitions and their action areas"),
        (name = "auth", description = "Sign-in and the signed-in caller"),
        (name = "users", description = "Accounts and roles (admins)"),
        (name = "organizations", description = "Commitment makers: registration and profiles"),
        (name = "expressions of interest", description = "Organizations asking to join a coalition"),
        (name = "commitments", description = "Commitments, their review and their audit trail"),
        (name = "progress", description = "Reporting cycles, yearly progress reports and their validation"),
        (name = "figures", description = "Statistics, the public change feed and exports, for dashboards"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "operations", description = "Metrics for the operators"),
        (name = "meta", description = "This API's own description"),
        (name = "page", description = "The built-in progress dashboard: its pages and their assets"),
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
                    .description(Some(
                        "An access token from POST /api/v1/auth/token: an HS256 JWT whose \
                         algorithm, issuer, audience, expiry and not-before are all checked, \
                         as RFC8725 (JSON Web Token Best Current Practices) advises",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "GEF_METRICS_TOKEN, for scrapers outside loopback and GEF_METRICS_ALLOW",
                    ))
                    .build(),
            ),
        );
    }
}

/// The operations of a path, whatever their methods.
fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [&item.get, &item.put, &item.post, &item.patch, &item.delete]
        .into_iter()
        .flatten()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Adds the failures that follow from an operation's shape, so that each
/// handler documents only its own: 500 always (a bug, opaque body); 406
/// always (`Accept-Encoding: identity;q=0` and nothing we have); 400
/// always (a NUL in the URL); 429 on
/// all but the probes (`GEF_RATE_LIMIT`); 503 when it touches the database; 401 when it takes a bearer token; 400, 413, 415
/// and 422 when it takes a JSON body; 400, 412 and 428 when it needs
/// `If-Match`; 400 when it reads a query string or path parameters; 304
/// on every GET but the probes (`If-None-Match`). A handler's own entry for a
/// status wins.
struct SharedResponses;

const SHARED: [(&str, &str); 11] = [
    (
        "InternalError",
        "An unexpected failure; the body carries no internals",
    ),
    (
        "Unavailable",
        "The database does not answer; retry after `Retry-After` seconds",
    ),
    (
        "Unauthorized",
        "No valid bearer token: sign in with `POST /api/v1/auth/token`",
    ),
    ("BadRequest", "Malformed JSON, query string or header"),
    ("PayloadTooLarge", "The body is larger than 1 MiB"),
    ("UnsupportedMediaType", "The body is not `application/json`"),
    ("ValidationFailed", "Invalid fields, each named in `errors`"),
    (
        "PreconditionFailed",
        "`If-Match` does not name the current version: reload and retry",
    ),
    ("PreconditionRequired", "`If-Match` is missing"),
    (
        "NotAcceptable",
        "`Accept-Encoding` refuses every coding the service has, identity included",
    ),
    (
        "TooManyRequests",
        "Too many requests from this address; retry after `Retry-After` seconds",
    ),
];

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in SHARED {
            let mut response = ResponseBuilder::new().description(description).content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            );
            response = match name {
                "Unauthorized" => {
                    response.header("WWW-Authenticate", Header::new(String::schema()))
                }
                "Unavailable" | "TooManyRequests" => {
                    response.header("Retry-After", Header::new(u32::schema()))
                }
                _ => response,
            };
            components
                .responses
                .insert(name.into(), RefOr::T(response.build()));
        }
        components.responses.insert(
            "NotModified".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description("Unchanged since the `ETag` sent in `If-None-Match`; no body")
                    .build(),
            ),
        );
        for item in openapi.paths.paths.values_mut() {
            // Every GET but the probes and the metrics answers If-None-Match
            // (routes::http::caching).
            if let Some(get) = item.get.as_mut().filter(|g| {
                !matches!(
                    g.operation_id.as_deref(),
                    Some("get_liveness" | "get_readiness" | "get_metrics")
                )
            }) {
                get.responses
                    .responses
                    .entry("304".into())
                    .or_insert_with(|| Ref::from_response_name("NotModified").into());
            }
            for operation in operations_mut(item) {
                // A NUL anywhere in the URL is a 400, whatever the operation.
                let mut shared = vec![
                    ("500", "InternalError"),
                    ("406", "NotAcceptable"),
                    ("400", "BadRequest"),
                ];
                // Anonymous callers welcome: said, not left unsaid.
                operation.security.get_or_insert_with(Vec::new);
                if !matches!(
                    operation.operation_id.as_deref(),
                    Some("get_liveness" | "get_readiness")
                ) {
                    shared.push(("429", "TooManyRequests"));
                }
                if !matches!(
                    operation.operation_id.as_deref(),
                    Some("get_liveness" | "get_openapi")
                ) {
                    shared.push(("503", "Unavailable"));
                }
                let security = serde_json::to_string(&operation.security).unwrap_or_default();
                if security.contains("\"bearer\"") {
                    shared.push(("401", "Unauthorized"));
                }
                if operation.request_body.is_some() {
                    shared.extend([
                        ("400", "BadRequest"),
                        ("413", "PayloadTooLarge"),
                        ("415", "UnsupportedMediaType"),
                        ("422", "ValidationFailed"),
                    ]);
                }
                let parameters = operation
                    .parameters
                    .iter()
                    .flatten()
                    .filter_map(|p| match p {
                        RefOr::T(parameter) => Some(parameter),
                        RefOr::Ref(_) => None,
                    });
                for parameter in parameters {
                    if parameter.name == "If-Match" {
                        shared.extend([
                            ("400", "BadRequest"),
                            ("412", "PreconditionFailed"),
                            ("428", "PreconditionRequired"),
                        ]);
                    }
                    // A query string, or a path segment that does not parse
                    // (or holds an encoded NUL), is a 400.
                    if matches!(
                        parameter.parameter_in,
                        ParameterIn::Query | ParameterIn::Path
                    ) {
                        shared.push(("400", "BadRequest"));
                    }
                }
                let responses = &mut operation.responses.responses;
                for (status, name) in shared {
                    responses
                        .entry(status.into())
                        .or_insert_with(|| Ref::from_response_name(name).into());
                }
            }
        }
    }
}

/// OpenAPI links from each creation (a `POST` answering 201) to the
/// operations on what it created: `POST /commitments` links to
/// `GET /commitments/{id}`, its `PATCH`, its moves and its trail, with `id`
/// taken from the answer. Clients (and schemathesis's stateful phase)
/// follow them to chain requests.
struct CreationLinks;

/// Where a creation's answer holds the created resource's key, when not at
/// the top level under the path parameter's own name.
const CREATED_KEYS: [(&str, &str); 1] = [("/api/v1/organizations", "/organization/id")];

impl Modify for CreationLinks {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        // The operations under each `{parameter}` sub-path, by the collection
        // they belong to: (collection, parameter, operation id).
        let mut targets: Vec<(String, String, String)> = Vec::new();
        for (path, item) in &openapi.paths.paths {
            let segments: Vec<&str> = path.split('/').collect();
            let parameters: Vec<usize> = (0..segments.len())
                .filter(|&i| segments[i].starts_with('{'))
                .collect();
            // One parameter, the segment after the collection.
            let [at] = parameters[..] else { continue };
            let collection = segments[..at].join("/");
            let parameter = segments[at].trim_matches(|c| c == '{' || c == '}');
            for operation in operations(item) {
                if let Some(id) = &operation.operation_id {
                    targets.push((collection.clone(), parameter.to_owned(), id.clone()));
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(post) = item.post.as_mut() else {
                continue;
            };
            let Some(RefOr::T(created)) = post.responses.responses.get_mut("201") else {
                continue;
            };
            let pointer = |parameter: &str| {
                CREATED_KEYS
                    .iter()
                    .find(|(p, _)| p == path)
                    .map_or_else(|| format!("/{parameter}"), |(_, key)| (*key).to_owned())
            };
            for (_, parameter, operation_id) in targets.iter().filter(|(c, _, _)| c == path) {
                let link = LinkBuilder::new()
                    .operation_id(operation_id)
                    .parameter(parameter, format!("$response.body#{}", pointer(parameter)))
                    .build();
                created.links.insert(operation_id.clone(), RefOr::T(link));
            }
        }
    }
}

/// Every string the API reads is NUL-free (`routes::http::body` refuses a NUL in
/// any body string, `refuse_nul_in_url` one anywhere in the URL): the spec
/// says so with a pattern on every string that has no pattern, format or
/// enumeration of its own, so that clients and fuzzers know the rule.
/// Problems are left out: they echo what was sent.
struct NulFreeStrings;

/// A JSON Schema (ECMA-262) pattern: no U+0000 anywhere.
pub const NUL_FREE: &str = "^[^\\u0000]*$";

fn nul_free(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            let is_string = match &object.schema_type {
                SchemaType::Type(kind) => *kind == Type::String,
                SchemaType::Array(kinds) => kinds.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            if is_string
                && object.pattern.is_none()
                && object.format.is_none()
                && object.enum_values.is_none()
            {
                object.pattern = Some(NUL_FREE.to_owned());
            }
            object.properties.values_mut().for_each(nul_free);
            if let Some(AdditionalProperties::RefOr(values)) =
                object.additional_properties.as_deref_mut()
            {
                nul_free(values);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                nul_free(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(nul_free),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(nul_free),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(nul_free),
        _ => {}
    }
}

impl Modify for NulFreeStrings {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        if let Some(components) = openapi.components.as_mut() {
            // Not the problems: they name the fields of what was sent, which
            // may be anything (cut short, but as sent).
            components
                .schemas
                .iter_mut()
                .filter(|(name, _)| !matches!(name.as_str(), "Problem" | "FieldError"))
                .for_each(|(_, schema)| nul_free(schema));
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let RefOr::T(parameter) = parameter
                        && let Some(schema) = parameter.schema.as_mut()
                    {
                        nul_free(schema);
                    }
                }
                if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                    for content in body.content.values_mut() {
                        if let RefOr::T(content) = content
                            && let Some(schema) = content.schema.as_mut()
                        {
                            nul_free(schema);
                        }
                    }
                }
            }
        }
    }
}

/// Limits the spec states that follow from a value's kind rather than its
/// field, so that every string has a `maxLength`, every integer a
/// `minimum` and `maximum`, every answer its `RateLimit` headers:
/// - strings of a format: a date 10 characters, a time 35, a UUID 36, an
///   email address 254, a password 1024;
/// - integers not bounded by their field: their type's range (`int32`,
///   `int64`), which is what the service reads;
/// - headers of answers by name (`HEADER_LENGTHS`);
/// - whole documents (pages, assets, metrics, exports) by media type;
/// - `RateLimit` and `RateLimit-Policy` on every 2xx and 4xx answer
///   (`routes::http::client`).
///
/// Field limits (a title's 200 characters, a list's items) are each
/// field's own, stated beside it in `routes`.
struct StatedLimits;

const HEADER_LENGTHS: [(&str, usize); 10] = [
    ("ETag", 128),
    ("Location", 2048),
    ("Link", 2048),
    ("Cache-Control", 100),
    ("Content-Language", 35),
    ("Content-Disposition", 200),
    ("WWW-Authenticate", 300),
    ("RateLimit", 100),
    ("RateLimit-Policy", 100),
    ("Idempotent-Replayed", 5),
];

/// Parameters by name: ids are UUIDs, slugs and file names short, header
/// values as long as the service reads them.
const PARAMETER_LENGTHS: [(&str, usize); 7] = [
    ("lang", 35),
    ("id", 36),
    ("slug", 64),
    ("file", 20),
    ("If-Match", 1024),
    ("Idempotency-Key", 255),
    ("Accept-Language", 1000),
];

/// The longest whole document of a media type, in bytes: a page holds the
/// first page of commitments; an export, however many there are.
fn document_length(media: &str) -> usize {
    match media.split(';').next().unwrap_or_default() {
        "text/html" => 4 << 20,
        "text/csv" | "application/x-ndjson" => 1 << 40,
        _ => 1 << 20,
    }
}

fn by_format(object: &mut utoipa::openapi::schema::Object) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    let Some(SchemaFormat::KnownFormat(format)) = &object.format else {
        return;
    };
    let is = |t: Type| match &object.schema_type {
        SchemaType::Type(kind) => *kind == t,
        SchemaType::Array(kinds) => kinds.contains(&t),
        SchemaType::AnyValue => false,
    };
    if is(Type::String) && object.max_length.is_none() {
        object.max_length = match format {
            KnownFormat::Date => Some(10),
            KnownFormat::DateTime => Some(35),
            KnownFormat::Uuid => Some(36),
            KnownFormat::Password => Some(1024),
            _ => None,
        };
    }
    if is(Type::Integer) {
        let (low, high): (i64, i64) = match format {
            KnownFormat::Int32 => (i32::MIN.into(), i32::MAX.into()),
            KnownFormat::Int64 => (i64::MIN, i64::MAX),
            _ => return,
        };
        object.minimum.get_or_insert(low.into());
        object.maximum.get_or_insert(high.into());
    }
}

fn limit(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            by_format(object);
            object.properties.values_mut().for_each(limit);
            if let Some(AdditionalProperties::RefOr(values)) =
                object.additional_properties.as_deref_mut()
            {
                limit(values);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                limit(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(limit),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(limit),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(limit),
        _ => {}
    }
}

/// A string schema of at most `length` characters.
fn string_of(length: usize) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(length))
            .build(),
    ))
}

fn limit_response(response: &mut utoipa::openapi::Response, status: &str) {
    for (name, header) in &mut response.headers {
        let RefOr::T(header) = header else {
            continue;
        };
        if let Some((_, length)) = HEADER_LENGTHS.iter().find(|(n, _)| n == name) {
            header.schema = Some(string_of(*length));
        }
        if name == "Retry-After" {
            header.schema = Some(RefOr::T(Schema::Object(
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::schema::KnownFormat::Int32,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(86_400))
                    .description(Some("Seconds to wait"))
                    .build(),
            )));
        }
    }
    if status.starts_with('2') || status.starts_with('4') {
        for (name, description) in [
            (
                "RateLimit",
                "What is left of this address's request budget (`\"requests\";r=…;t=…`: \
                 requests left, seconds until it is whole); absent when `GEF_RATE_LIMIT=off`",
            ),
            (
                "RateLimit-Policy",
                "The budget (`\"requests\";q=…;w=…`: requests per window of seconds)",
            ),
        ] {
            let header = utoipa::openapi::header::HeaderBuilder::new()
                .schema(Some(string_of(100)))
                .description(Some(description))
                .build();
            response
                .headers
                .entry(name.to_owned())
                .or_insert(RefOr::T(header));
        }
    }
    for (media, content) in &mut response.content {
        let RefOr::T(content) = content else {
            continue;
        };
        if let Some(RefOr::T(Schema::Object(object))) = content.schema.as_mut()
            && !media.contains("json")
            && object.max_length.is_none()
        {
            object.max_length = Some(document_length(media));
        }
        if let Some(schema) = content.schema.as_mut() {
            limit(schema);
        }
    }
}

impl Modify for StatedLimits {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(limit);
            for (name, response) in &mut components.responses {
                if let RefOr::T(response) = response {
                    // Shared responses are errors (4xx, 5xx) but for 304.
                    let status = if name == "NotModified" { "304" } else { "4xx" };
                    limit_response(response, status);
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let RefOr::T(parameter) = parameter
                        && let Some(schema) = parameter.schema.as_mut()
                    {
                        let length = PARAMETER_LENGTHS
                            .iter()
                            .find(|(name, _)| *name == parameter.name)
                            .map(|(_, length)| *length);
                        if let (Some(length), RefOr::T(Schema::Object(object))) =
                            (length, &mut *schema)
                            && object.max_length.is_none()
                        {
                            object.max_length = Some(length);
                        }
                        limit(schema);
                    }
                }
                if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                    for content in body.content.values_mut() {
                        if let RefOr::T(content) = content
                            && let Some(schema) = content.schema.as_mut()
                        {
                            limit(schema);
                        }
                    }
                }
                for (status, response) in &mut operation.responses.responses {
                    if let RefOr::T(response) = response {
                        limit_response(response, status);
                    }
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
    // Modifiers on ApiDoc ran before the paths were collected; run the path-wide ones again.
    SharedResponses.modify(&mut spec);
    CreationLinks.modify(&mut spec);
    NulFreeStrings.modify(&mut spec);
    StatedLimits.modify(&mut spec);
    // The one server is the public API itself, not an internal one.
    for server in spec.servers.iter_mut().flatten() {
        let mut internal = utoipa::openapi::extensions::Extensions::default();
        internal.insert("x-internal".into(), serde_json::Value::Bool(false));
        server.extensions = Some(internal);
    }
    spec.info.version = env!("CARGO_PKG_VERSION").into();
    spec
}

/// The document as committed in `openapi/openapi.json`: pretty, with a final newline.
pub fn to_json(spec: &OpenApiDoc) -> Result<String, serde_json::Error> {
    let mut json = spec.to_pretty_json()?;
    json.push('\n');
    Ok(json)
}
