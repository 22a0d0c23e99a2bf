//! `Today`: the date a request is judged on, from the service's clock.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::NaiveDate;

use crate::app::{Clock, SystemClock};
use crate::error::ApiError;

/// Today's date (UTC) by the clock the server was built with.
#[derive(Debug, Clone, Copy)]
pub struct Today(pub NaiveDate);

impl FromRequest for Today {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let today = match req.app_data::<web::Data<dyn Clock>>() {
            Some(clock) => clock.today(),
            None => SystemClock.today(),
        };
        ready(Ok(Self(today)))
    }
}
