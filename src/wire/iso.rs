//! OpenAPI schemas for values checked against ISO lists: the spec lists every
//! valid code, so clients (and schemathesis) know exactly what is accepted.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use crate::domain::country::{CountryCode, CurrencyCode};

/// An ISO 3166-1 alpha-2 country code.
pub struct CountryCodeSchema;

impl utoipa::PartialSchema for CountryCodeSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("ISO 3166-1 alpha-2 country code, upper case"))
            .enum_values(Some(CountryCode::all()))
            .examples(["KH"])
            .into()
    }
}

impl utoipa::ToSchema for CountryCodeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CountryCode")
    }
}

/// An ISO 4217 currency code.
pub struct CurrencyCodeSchema;

impl utoipa::PartialSchema for CurrencyCodeSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("ISO 4217 currency code, upper case"))
            .enum_values(Some(CurrencyCode::all()))
            .examples(["EUR"])
            .into()
    }
}

impl utoipa::ToSchema for CurrencyCodeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CurrencyCode")
    }
}
