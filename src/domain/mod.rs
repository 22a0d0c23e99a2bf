//! Pure rules and the values that carry them: no actix, no diesel.

pub mod account;
pub mod coalition;
pub mod codes;
pub mod commitment;
pub mod commitment_content;
pub mod country;
pub mod expression;
pub mod language;
pub mod money;
pub mod organization;
pub mod policy;
pub mod validation;
