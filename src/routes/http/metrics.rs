//! `GET /metrics`: what the operators' Prometheus scrapes. Requests counted
//! and timed per route pattern (never per path, so the series stay few),
//! method and status; the database pool's connections; commitments by
//! status. It answers loopback callers, the addresses in
//! `GEF_METRICS_ALLOW`, and callers presenting `GEF_METRICS_TOKEN` as a
//! bearer token; anyone else gets a 403.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use ipnet::IpNet;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sha2::{Digest, Sha256};

use crate::app::stats;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, Problem};

/// Latency buckets, in seconds: from a cached read to a slow export.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The service's metrics, registered once at start-up.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    commitments: IntGaugeVec,
    write_batches: IntCounter,
    writes: IntCounter,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("gef".into()), None)?;
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from a request's head to its answer's head",
            )
            .buckets(BUCKETS.to_vec()),
            &labels,
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections, by state"),
            &["state"],
        )?;
        let commitments = IntGaugeVec::new(
            Opts::new("commitments", "Commitments stored, by status"),
            &["status"],
        )?;
        let write_batches = IntCounter::new(
            "sqlite_write_batches_total",
            "Write transactions SQLite's writer committed, each holding one or more writes",
        )?;
        let writes = IntCounter::new("sqlite_writes_total", "Writes run in those transactions")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(write_batches.clone()))?;
        registry.register(Box::new(writes.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(commitments.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            commitments,
            write_batches,
            writes,
        })
    }

    /// The text exposition, the gauges set first from the pool's (open,
    /// idle) connections and the commitments by status, and SQLite's write
    /// batches (none on PostgreSQL) brought up to date.
    fn exposition(
        &self,
        (open, idle): (u32, u32),
        by_status: &[(String, i64)],
        write_batches: Option<(u64, u64)>,
    ) -> prometheus::Result<Vec<u8>> {
        if let Some((batches, writes)) = write_batches {
            // Counters only rise: add what the writer counted since the last scrape.
            self.write_batches
                .inc_by(batches.saturating_sub(self.write_batches.get()));
            self.writes.inc_by(writes.saturating_sub(self.writes.get()));
        }
        let pool = &self.pool;
        pool.with_label_values(&["idle"]).set(i64::from(idle));
        pool.with_label_values(&["in_use"])
            .set(i64::from(open.saturating_sub(idle)));
        self.commitments.reset();
        for (status, count) in by_status {
            self.commitments
                .with_label_values(&[status.as_str()])
                .set(*count);
        }
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(text)
    }

    fn observe(&self, method: &Method, route: &str, status: &str, seconds: f64) {
        let labels = [method_label(method), route, status];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }
}

/// A method as a label: one of RFC 9110's (and PATCH), or `other`, so
/// that invented methods cannot grow the series.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

/// Counts and times every request by its route pattern, and writes its
/// access log event.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // As asked: a HEAD is routed as a GET further in.
    let method = req.method().clone();
    let response = next.call(req).await?.map_into_boxed_body();
    let seconds = started.elapsed().as_secs_f64();
    let request = response.request();
    // Unrouted paths share one series, whatever a scanner tries.
    let route = request.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    let status = response.status();
    if let Some(metrics) = metrics {
        metrics.observe(&method, route, status.as_str(), seconds);
    }
    log_access(request, &method, route, status.as_u16(), seconds);
    Ok(response)
}

/// The request's `access` event. The path, never the query string (it may
/// hold search words).
fn log_access(request: &HttpRequest, method: &Method, route: &str, status: u16, seconds: f64) {
    let id = request
        .extensions()
        .get::<super::headers::RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let client =
        super::client::client_address(request).map_or_else(|| "-".to_owned(), |a| a.to_string());
    tracing::info!(
        target: "access",
        client = %client,
        method = %method,
        route = %route,
        path = %request.path(),
        status,
        latency_ms = (seconds * 1e5).round() / 1e2,
        request_id = %id,
        "{method} {} {status}",
        request.path(),
    );
}

/// Who may read the metrics besides loopback callers.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    pub allowed: Vec<IpNet>,
    /// SHA-256 of `GEF_METRICS_TOKEN`, if set.
    pub token_digest: Option<[u8; 32]>,
}

impl MetricsAccess {
    pub fn new(allowed: Vec<IpNet>, token: Option<&str>) -> Self {
        Self {
            allowed,
            token_digest: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    fn admits(&self, req: &HttpRequest) -> bool {
        let address = super::client::client_address(req).map(|a| a.to_canonical());
        if address.is_some_and(|a| a.is_loopback() || self.allowed.iter().any(|n| n.contains(&a))) {
            return true;
        }
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // Digests are compared, so the comparison's time says nothing of the token.
        matches!((self.token_digest, presented), (Some(digest), Some(token))
            if <[u8; 32]>::from(Sha256::digest(token.as_bytes())) == digest)
    }
}

/// Prometheus metrics for the operators.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4",
            body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
        (status = 403, description = "Not from loopback, an address in `GEF_METRICS_ALLOW`, nor with `GEF_METRICS_TOKEN`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn scrape(
    req: HttpRequest,
    db: web::Data<Db>,
    metrics: web::Data<Metrics>,
    access: web::Data<MetricsAccess>,
) -> ApiResult<HttpResponse> {
    if !access.admits(&req) {
        return Err(ApiError::Forbidden(
            "metrics are for the operators: call from an allowed address or with the metrics token"
                .into(),
        ));
    }
    let by_status = stats::commitments_by_status(&db).await?;
    let text = metrics
        .exposition(db.pool_state(), &by_status, db.write_batches())
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}
