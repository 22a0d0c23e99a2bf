//! Builds the HTTP server: `Application::build(settings)` opens the database
//! and binds the port (so every bad setting fails here, before serving), then
//! `run_until_stopped()` serves until a signal.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, Condition, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::app::{Clock, SystemClock};
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::Limits;
use crate::auth::secret::jwt_secret;
use crate::config::{ConfigError, DatabaseUrl, Secret, Settings};
use crate::db::{Db, OpenError};
use crate::error::{self, ensure_problem_json};
use crate::openapi;
use crate::routes::http::exchanges::{ExchangeObserver, Observer, show_exchanges};
use crate::routes::http::pagination::CursorCodec;
use crate::routes::{self, http::meta::RouteTable, http::meta::SpecJson};

/// Largest JSON body accepted: a commitment's 20,000-character description
/// and its lists fit many times over.
pub const JSON_LIMIT_BYTES: usize = 1024 * 1024;

/// A client has this long to send a request's head after connecting (or
/// after its previous answer); one that dawdles gets a 408 and is closed, so
/// hundreds of idle or half-sent connections cannot hold the server.
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// An idle kept-alive connection is closed after this long.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);
/// On SIGTERM the server stops accepting connections and gives the requests
/// in flight this long to finish, then exits 0 (SIGINT and SIGQUIT stop it at
/// once; a write cut short is rolled back whole).
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 10;

pub struct Application {
    port: u16,
    server: Server,
    db: Db,
}

impl Application {
    pub fn build(settings: &Settings) -> Result<Self, ConfigError> {
        Self::build_with_clock(settings, Arc::new(SystemClock))
    }

    /// The server, reading today's date from `clock` (tests move it).
    pub fn build_with_clock(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConfigError> {
        Self::build_observed(settings, clock, None)
    }

    /// The server, showing every exchange to `observer` when there is one
    /// (the tests check each against the committed spec).
    pub fn build_observed(
        settings: &Settings,
        clock: Arc<dyn Clock>,
        observer: Option<Arc<dyn ExchangeObserver>>,
    ) -> Result<Self, ConfigError> {
        let observed = observer.is_some();
        let observer = web::Data::new(Observer(observer));
        let db = open_database(&settings.database)?;
        let clock: web::Data<dyn Clock> = web::Data::from(clock);
        let secret = jwt_secret(
            settings.jwt_secret.as_ref().map(Secret::expose),
            &settings.database,
        )?;
        let keys = web::Data::new(JwtKeys::new(&secret));
        let cursors = web::Data::new(
            CursorCodec::new(&secret)
                .map_err(|e| ConfigError::new("GEF_JWT_SECRET", e.to_string()))?,
        );
        let limits = web::Data::new(Limits::default());
        let renderings = web::Data::new(routes::commitments::render::Renderings::default());
        let coalition_renderings =
            web::Data::new(routes::coalitions::CoalitionRenderings::default());
        let listener = TcpListener::bind(&settings.bind).map_err(|e| {
            ConfigError::new(
                "GEF_BIND",
                format!("cannot listen on {}: {e}", settings.bind),
            )
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| ConfigError::new("GEF_BIND", e.to_string()))?
            .port();
        let spec = openapi::spec();
        let spec_json = web::Data::new(SpecJson(
            openapi::to_json(&spec).map_err(|e| ConfigError::new("openapi", e.to_string()))?,
        ));
        let route_table = web::Data::new(RouteTable::from_spec(&spec));
        let data = web::Data::new(db.clone());
        let cors_origins = settings.cors_origins.clone();
        let hsts = web::Data::new(routes::http::headers::Hsts::max_age(settings.hsts_max_age));
        let request_limit = web::Data::new(routes::http::client::RequestLimit::per_second(
            settings.rate_limit,
        ));
        let proxies = web::Data::new(routes::http::client::TrustedProxies(
            settings.trusted_proxies.clone(),
        ));
        let metrics = web::Data::new(
            routes::http::metrics::Metrics::new()
                .map_err(|e| ConfigError::new("metrics", e.to_string()))?,
        );
        let metrics_access = web::Data::new(routes::http::metrics::MetricsAccess::new(
            settings.metrics_allow.clone(),
            settings.metrics_token.as_ref().map(Secret::expose),
        ));

        sweep_idempotency_keys(db.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(spec_json.clone())
                .app_data(route_table.clone())
                .app_data(keys.clone())
                .app_data(cursors.clone())
                .app_data(limits.clone())
                .app_data(renderings.clone())
                .app_data(coalition_renderings.clone())
                .app_data(clock.clone())
                .app_data(hsts.clone())
                .app_data(request_limit.clone())
                .app_data(proxies.clone())
                .app_data(metrics.clone())
                .app_data(metrics_access.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(JSON_LIMIT_BYTES)
                        .error_handler(error::json_error),
                )
                .app_data(web::QueryConfig::default().error_handler(error::query_error))
                .app_data(web::PathConfig::default().error_handler(error::path_error))
                .into_utoipa_app()
                .configure(routes::configure)
                .into_app()
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .config(SwaggerConfig::new(["/api/v1/openapi.json"])),
                )
                .service(web::resource("/docs").to(|| redirect("/docs/")))
                .default_service(web::to(routes::http::meta::fallback))
                .wrap(from_fn(routes::http::head::head_as_get))
                .wrap(from_fn(routes::http::caching::conditional_get))
                // Gzip, brotli or zstd when asked, after the validators were
                // taken from the answer as it is; its 406 (a request that
                // refuses every coding, identity too) becomes a problem.
                .wrap(Compress::default())
                .wrap(from_fn(routes::http::body::refuse_nul_in_url))
                .wrap(cors(&cors_origins))
                .wrap(from_fn(cors_for_allowed_origins_only))
                .wrap(ErrorHandlers::new().default_handler(ensure_problem_json))
                .wrap(from_fn(routes::http::client::limit_requests))
                .wrap(from_fn(routes::http::headers::security_headers))
                .wrap(from_fn(routes::http::metrics::observe))
                .wrap(Condition::new(observed, from_fn(show_exchanges)))
                .app_data(observer.clone())
        })
        .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
        .client_disconnect_timeout(Duration::from_secs(1))
        .keep_alive(KEEP_ALIVE)
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .listen(listener)
        .map_err(|e| ConfigError::new("GEF_BIND", e.to_string()))?
        .run();
        Ok(Self { port, server, db })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Deletes expired `Idempotency-Key` answers now and every hour after, on
/// the server's runtime (so never outside a running server).
fn sweep_idempotency_keys(db: Db) {
    actix_web::rt::spawn(async move {
        let mut every_hour = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match crate::app::idempotency::sweep(&db).await {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "expired idempotency keys deleted"),
                Err(error) => tracing::warn!(%error, "sweeping idempotency keys failed"),
            }
        }
    });
}

/// Opens (creating if need be) the database and applies migrations; every
/// failure names `DATABASE_URL` and says why.
pub fn open_database(target: &DatabaseUrl) -> Result<Db, ConfigError> {
    if let Some(dir) = target.data_dir() {
        std::fs::create_dir_all(&dir).map_err(|e| {
            ConfigError::new(
                "DATABASE_URL",
                format!("cannot create the data folder {}: {e}", dir.display()),
            )
        })?;
    }
    Db::connect(target).map_err(|e| {
        let reason = match e {
            OpenError::Connect(e) => format!("cannot open {target}: {}", one_line(&e.to_string())),
            OpenError::Migrate(e) => {
                format!("cannot migrate {target}: {}", one_line(&e.to_string()))
            }
        };
        ConfigError::new("DATABASE_URL", reason)
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header(("Location", to))
        .finish()
}

/// actix-cors lists exposed headers even to origins it does not allow (the
/// browser then blocks the answer anyway); those get no CORS header at all.
async fn cors_for_allowed_origins_only(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if !headers.contains_key(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        let cors: Vec<_> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            headers.remove(name);
        }
    }
    Ok(response)
}

/// Cross-origin access for the listed origins only (none by default).
fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "Accept-Language",
        ])
        .expose_headers([
            "ETag",
            "Location",
            "Link",
            "Retry-After",
            "Content-Language",
            "Content-Disposition",
            "Idempotent-Replayed",
            "RateLimit",
            "RateLimit-Policy",
        ])
        .max_age(3600);
    origins.iter().fold(cors, |cors, origin| {
        if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        }
    })
}
