//! Organizations: who makes commitments.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::country::CountryCode;
use super::validation::{FieldError, quote};

/// The constituency an organization speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Constituency {
    Government,
    LocalGovernment,
    CivilSociety,
    WomensRightsOrg,
    YouthLed,
    PrivateSector,
    Philanthropy,
    UnEntity,
    Multilateral,
    Academia,
    Other,
}

impl Constituency {
    pub const ALL: [Constituency; 11] = [
        Self::Government,
        Self::LocalGovernment,
        Self::CivilSociety,
        Self::WomensRightsOrg,
        Self::YouthLed,
        Self::PrivateSector,
        Self::Philanthropy,
        Self::UnEntity,
        Self::Multilateral,
        Self::Academia,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Government => "government",
            Self::LocalGovernment => "local_government",
            Self::CivilSociety => "civil_society",
            Self::WomensRightsOrg => "womens_rights_org",
            Self::YouthLed => "youth_led",
            Self::PrivateSector => "private_sector",
            Self::Philanthropy => "philanthropy",
            Self::UnEntity => "un_entity",
            Self::Multilateral => "multilateral",
            Self::Academia => "academia",
            Self::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// UN Women's regions, where an organization has its headquarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnRegion {
    Africa,
    AmericasCaribbean,
    ArabStates,
    AsiaPacific,
    EuropeCentralAsia,
}

impl UnRegion {
    pub const ALL: [UnRegion; 5] = [
        Self::Africa,
        Self::AmericasCaribbean,
        Self::ArabStates,
        Self::AsiaPacific,
        Self::EuropeCentralAsia,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Africa => "africa",
            Self::AmericasCaribbean => "americas_caribbean",
            Self::ArabStates => "arab_states",
            Self::AsiaPacific => "asia_pacific",
            Self::EuropeCentralAsia => "europe_central_asia",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// An organization's name: 2 to 300 characters once trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        // The upper bound applies before trimming, as the schema's maxLength does.
        let name = value.trim();
        if value.chars().count() > 300
            || name.chars().count() < 2
            || name.chars().any(char::is_control)
        {
            return Err(FieldError::new(
                "name",
                "length",
                "name must be 2 to 300 characters, without control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A website: an absolute `http` or `https` URL with a host, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(String);

impl Website {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let url = value.trim();
        if value.chars().count() > 2000 {
            return Err(FieldError::new(
                "website",
                "invalid_url",
                "website must be at most 2000 characters",
            ));
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let valid = url.len() <= 2000
            && host.is_some_and(|h| {
                !h.is_empty()
                    && !h.contains('@')
                    && h.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            })
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(url.to_owned()))
        } else {
            Err(FieldError::new(
                "website",
                "invalid_url",
                "website must be an http or https URL such as https://example.org",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Constituency {
    /// A constituency named in a request field.
    pub fn parse_field(value: &str) -> Result<Self, FieldError> {
        Self::parse(value).ok_or_else(|| {
            FieldError::new(
                "constituency",
                "unknown_constituency",
                format!("{} is not a constituency", quote(value)),
            )
        })
    }
}

impl UnRegion {
    /// A UN region named in a request field.
    pub fn parse_field(value: &str) -> Result<Self, FieldError> {
        Self::parse(value).ok_or_else(|| {
            FieldError::new(
                "un_region",
                "unknown_region",
                format!("{} is not a UN region", quote(value)),
            )
        })
    }
}

/// An organization's public profile, each field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: OrganizationName,
    pub constituency: Constituency,
    /// Headquarters.
    pub country: CountryCode,
    pub un_region: Option<UnRegion>,
    pub website: Option<Website>,
}

/// Changes to a profile; absent fields stay, `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub name: Option<OrganizationName>,
    pub constituency: Option<Constituency>,
    pub country: Option<CountryCode>,
    pub un_region: Option<Option<UnRegion>>,
    pub website: Option<Option<Website>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            OrganizationName::parse("  Digital Sisters ")
                .unwrap()
                .as_str(),
            "Digital Sisters"
        );
        assert!(OrganizationName::parse(" x ").is_err());
        assert!(OrganizationName::parse(&"x".repeat(301)).is_err());
        assert!(OrganizationName::parse("bad\u{0}name").is_err());
    }

    #[test]
    fn websites_are_http_urls_with_a_host() {
        assert!(Website::parse("https://unwomen.org/en").is_ok());
        assert!(Website::parse("http://localhost:8080").is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "ftp://x.org",
            "https://user@evil.org",
            "https://a b.org",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn constituencies_round_trip() {
        for c in Constituency::ALL {
            assert_eq!(Constituency::parse(c.as_str()), Some(c));
        }
        assert_eq!(Constituency::parse("Government"), None);
    }
}

super::stored_as_text!(Constituency, "constituency");
super::stored_as_text!(UnRegion, "UN region");
