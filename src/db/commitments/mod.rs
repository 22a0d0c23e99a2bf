//! Commitments, their lists (action areas, types, countries, regions,
//! partners, target groups, indicators), references and reviews; and the
//! assembly of whole commitments from those rows.

mod one_trip;
mod records;
mod reviews;
mod rows;
mod search;
mod write;

pub use records::*;
pub use reviews::*;
pub use rows::*;
pub use search::*;
pub use write::*;
