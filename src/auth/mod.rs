//! Identity: password hashing, JWT access tokens, the signing secret and
//! the sign-in rate limiter. The HTTP extractor of the caller is
//! `routes::http::extractor`; what each identity may do is `domain::policy`.

pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod secret;
