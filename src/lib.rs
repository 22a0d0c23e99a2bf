//! gef-commitments: the commitment-maker tracking service for the Generation
//! Equality Forum's Action Coalitions.
//!
//! Layers point one way: `routes` (HTTP) → `domain` (pure rules) ← `db` (storage).

pub mod accounts;
pub mod auth;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod telemetry;
