//! Pure rules and the values that carry them: no actix, no diesel.

pub mod coalition;
pub mod language;
