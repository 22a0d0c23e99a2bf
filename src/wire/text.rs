//! OpenAPI schemas for the kinds of text the API reads and writes, each
//! with the limits the service keeps (`domain`): ids, coalition slugs, the
//! items of a commitment's lists, decimal sums, cursors. Fields name them
//! with `#[schema(value_type = …)]`.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

/// A schema-only type: a string of `$min` to `$max` characters.
macro_rules! text_schema {
    ($(#[$doc:meta])* $name:ident, $title:literal, $min:expr, $max:expr $(, pattern = $pattern:literal)? $(, format = $format:expr)?) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                #[allow(unused_mut)]
                let mut builder = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($title))
                    .min_length(Some($min))
                    .max_length(Some($max));
                $(builder = builder.pattern(Some($pattern));)?
                $(builder = builder.format(Some($format));)?
                builder.into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

text_schema!(
    /// A resource's id.
    Id,
    "A resource's id: a time-ordered UUID (v7)",
    36,
    36,
    format = SchemaFormat::KnownFormat(KnownFormat::Uuid)
);
text_schema!(
    /// A coalition's slug.
    Slug,
    "A coalition's slug, e.g. `technology-innovation`",
    1,
    64,
    pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
);
text_schema!(
    /// An item of a commitment's partners or target groups.
    ListItem,
    "An item of a list: 1 to 300 characters",
    1,
    300
);
text_schema!(
    /// A region a commitment is implemented in.
    RegionName,
    "A region, as written on commitments: 1 to 100 characters",
    1,
    100
);
text_schema!(
    /// An exact sum of money in USD.
    UsdSum,
    "An exact sum in US dollars, a decimal string with two decimals",
    4,
    42,
    pattern = r"^-?[0-9]+\.[0-9]{2}$"
);

/// Reads an optional id (a query's filter): a UUID in its 36-character
/// hyphenated form, as the schema `Id` says; anything else is refused
/// rather than matched against nothing.
pub fn optional_id<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    let value = Option::<String>::deserialize(deserializer)?;
    match value {
        Some(id) if id.len() != 36 || uuid::Uuid::try_parse(&id).is_err() => {
            Err(serde::de::Error::custom("an id is a UUID of 36 characters"))
        }
        other => Ok(other),
    }
}

/// Whether `text` has a slug's shape (`Slug`): lower-case letters and
/// digits in words joined by single hyphens, 1 to 64 characters.
pub fn is_slug(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Reads an optional coalition slug (a query's filter), refusing what
/// cannot be one rather than matching it against nothing.
pub fn optional_slug<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    let value = Option::<String>::deserialize(deserializer)?;
    match value {
        Some(slug) if !is_slug(&slug) => Err(serde::de::Error::custom(
            "a coalition is a slug such as technology-innovation",
        )),
        other => Ok(other),
    }
}
