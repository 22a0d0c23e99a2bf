//! The shapes the API, its exports and the command line share, with the
//! schemas the spec shows them by: below `routes`, `exports` and the
//! command line, so that none of them reaches into another.

pub mod commitment;
pub mod iso;
pub mod text;
