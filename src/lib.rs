//! gef-commitments: the commitment-maker tracking service for the Generation
//! Equality Forum's Action Coalitions.
//!
//! Layers point one way: `routes` (HTTP) → `app` (use cases) → `domain` (pure
//! rules) and `db` (storage, which takes domain types).

pub mod app;
pub mod auth;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod exports;
pub mod memory;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod wire;
