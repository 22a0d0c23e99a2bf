//! Use cases: what the service does, one function each, shared by the HTTP
//! routes and the command line. A use case takes typed inputs and the actor,
//! runs authorize → load → rule → write → event in one transaction of its
//! own, and answers with domain values and records or an `AppError` with a
//! stable code. It knows nothing of HTTP.
//!
//! Operations that take a precondition (`If-Match`) judge in the order of
//! DESIGN.md §2: who may (401, 404 when unseen, 403), the state (409), the
//! precondition (428, 412), and only then the content (422). Their content
//! therefore arrives as `Sent<T>`: parsed, or every field error, kept for
//! its turn.

pub mod accounts;
pub mod clock;
pub mod coalitions;
pub mod commitments;
pub mod dashboard;
pub mod demo;
pub mod expressions;
pub mod feed;
pub mod idempotency;
pub mod organizations;
pub mod progress;
pub mod stats;
pub mod synthetic;

mod error;
mod paging;
mod versioning;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, AppResult};
pub use paging::{Listing, PageRequest};
pub use versioning::{Checked, Precondition};

use crate::domain::validation::FieldError;

/// A request's content as sent: parsed and checked on its own, or every
/// field error, to be answered once authorization and preconditions pass.
pub type Sent<T> = Result<T, Vec<FieldError>>;
