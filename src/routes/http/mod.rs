//! The HTTP edge every resource shares: the caller, bodies, caching,
//! client addresses and limits, headers, idempotency keys, languages,
//! pagination, preconditions, validation, metrics, and the spec's own
//! routes.

pub mod body;
pub mod caching;
pub mod client;
pub mod exchanges;
pub mod extractor;
pub mod head;
pub mod headers;
pub mod idempotency;
pub mod language;
pub mod meta;
pub mod metrics;
pub mod pagination;
pub mod precondition;
pub mod today;
pub mod validation;
