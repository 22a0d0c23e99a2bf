//! Accounts: who signs in, and as what.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::FieldError;

/// What an account may do; see `policy` for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The secretariat: everything.
    Admin,
    /// Decides and reviews in the coalitions it is scoped to.
    CoalitionLead,
    /// Member of one organization: edits that organization's data.
    Maker,
    /// Read-only service account for dashboards.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Admin, Self::CoalitionLead, Self::Maker, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::CoalitionLead => "coalition_lead",
            Self::Maker => "maker",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An email address, trimmed and lower-cased so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let email = value.trim().to_lowercase();
        let invalid = || {
            FieldError::new(
                "email",
                "invalid_email",
                "email must be an address such as name@example.org",
            )
        };
        if value.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.contains(['"', '(', ')', ',', ':', ';', '<', '>', '[', '\\', ']']);
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password good enough to keep: 12 to 1,024 characters, and not all of
/// one class (lower case, upper case, digits, other).
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let length = value.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&length) {
            return Err(FieldError::new(
                "password",
                "password_length",
                "password must be 12 to 1024 characters",
            ));
        }
        let classes = [
            value.chars().any(char::is_lowercase),
            value.chars().any(char::is_uppercase),
            value.chars().any(|c| c.is_ascii_digit()),
            value
                .chars()
                .any(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
        ];
        if classes.iter().filter(|present| **present).count() < 2 {
            return Err(FieldError::new(
                "password",
                "password_too_simple",
                "password must mix at least two of: lower case, upper case, digits, other characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's or account's display name: 1 to 200 characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let name = value.trim();
        if value.chars().count() > 200 || name.is_empty() || name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "display_name",
                "length",
                "display_name must be 1 to 200 characters, without control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Lead@UNWomen.org ").unwrap().as_str(),
            "lead@unwomen.org"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.org",
            "a@.org",
            "a b@c.org",
            "a@b..org",
            "a@-b.org",
            "a..b@c.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_length_and_two_classes() {
        assert!(Password::parse("correct horse battery").is_ok());
        assert!(Password::parse("Short1!").is_err());
        assert_eq!(
            Password::parse("alllowercaseletters").unwrap_err().code,
            "password_too_simple"
        );
        assert_eq!(
            Password::parse("123456789012").unwrap_err().code,
            "password_too_simple"
        );
        assert!(Password::parse("Lowerandupper").is_ok());
        assert!(!format!("{:?}", Password::parse("Secret pass 1").unwrap()).contains("Secret"));
    }
}
