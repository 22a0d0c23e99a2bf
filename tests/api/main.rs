//! One integration binary: a real server on a random port with its own real
//! database (a temp-dir SQLite file, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set), spoken to over HTTP.

// A test that cannot go on should stop loudly, where it stands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod browser;
mod caching;
mod coalitions;
mod commitments;
mod concurrency;
mod contract;
mod dashboard;
mod errors;
mod exports;
mod expressions;
mod feed;
mod headers;
mod health;
mod helpers;
mod idempotency;
mod instances;
mod limits;
mod metrics;
mod openapi;
mod organizations;
mod preconditions;
mod process;
mod progress;
mod scale;
mod schema;
mod startup;
mod stats;
mod users;
