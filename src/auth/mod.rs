//! Identity: password hashing, JWT access tokens, the `AuthUser` extractor,
//! and the sign-in rate limiter. What each identity may do is `domain::policy`.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod secret;

pub use extractor::{AuthUser, MaybeAuthUser};
