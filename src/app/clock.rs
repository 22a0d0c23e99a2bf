//! What day it is. Windows (submissions, reporting cycles) and reporting
//! health turn on the date; the service reads it from a `Clock` so that
//! tests can move time across windows.

use chrono::{NaiveDate, Utc};

/// Today's date in UTC, from wherever it comes.
pub trait Clock: Send + Sync {
    fn today(&self) -> NaiveDate;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        Utc::now().date_naive()
    }
}
