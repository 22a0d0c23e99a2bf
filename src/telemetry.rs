//! Logs go to standard output (12-factor), filtered by `RUST_LOG` (default
//! `info`), as text or, with `GEF_LOG_FORMAT=json`, one JSON object a line
//! for a log shipper; fatal start-up errors alone go to standard error.
//!
//! Each answered request is one `access` event (client, method, route
//! pattern, path without its query, status, latency, request id), written by
//! `routes::http::metrics::observe`; events written while a request is handled
//! carry its id (the `request` span of `routes::http::headers`). Nothing logs a
//! password, a hash, a token or an email address.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("GEF_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A second init (tests) is harmless: the first subscriber stays.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stdout);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init()
    };
}
