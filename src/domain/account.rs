//! Accounts: who signs in, and as what.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{Checks, FieldError};

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
        // Counted once normalised: lower-casing can lengthen (`İ` → `i̇`).
        if email.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control())
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

/// The most coalitions one lead is scoped to: all of them.
pub const MAX_LEAD_COALITIONS: usize = 7;

/// Who an account belongs to and whether it may sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    /// The organization of a maker.
    pub organization_id: Option<String>,
    /// The coalitions of a lead, sorted, each once.
    pub coalitions: Vec<String>,
    pub active: bool,
}

impl Membership {
    /// The role's rules on membership, as far as they need no database: a
    /// maker belongs to one organization, a lead to one or more coalitions
    /// (at most all seven), nobody else to either.
    pub fn shape_errors(&self) -> Vec<FieldError> {
        let mut checks = Checks::new();
        match (self.role, &self.organization_id) {
            (Role::Maker, None) => checks.push(FieldError::new(
                "organization_id",
                "required",
                "a maker must belong to an organization",
            )),
            (Role::Maker, Some(_)) | (_, None) => {}
            (_, Some(_)) => checks.push(FieldError::new(
                "organization_id",
                "not_allowed",
                "only makers belong to an organization",
            )),
        }
        let leads = self.role == Role::CoalitionLead;
        if checks.within("coalitions", self.coalitions.len(), MAX_LEAD_COALITIONS) {
            match (leads, self.coalitions.is_empty()) {
                (true, true) => checks.push(FieldError::new(
                    "coalitions",
                    "required",
                    "a coalition lead must be scoped to at least one coalition",
                )),
                (false, false) => checks.push(FieldError::new(
                    "coalitions",
                    "not_allowed",
                    "only coalition leads are scoped to coalitions",
                )),
                _ => {}
            }
        }
        checks.finish(|| Some(())).err().unwrap_or_default()
    }

    /// Whether this is an account that keeps the service administered.
    pub fn is_active_admin(&self) -> bool {
        self.role == Role::Admin && self.active
    }
}

/// Sorted, each once: the coalitions of a lead as kept.
pub fn coalition_set(mut slugs: Vec<String>) -> Vec<String> {
    slugs.sort();
    slugs.dedup();
    slugs
}

/// An account to create, each field valid on its own.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
    pub membership: Membership,
}

impl NewAccount {
    pub fn parse(
        email: &str,
        password: &str,
        display_name: &str,
        role: Role,
        organization_id: Option<String>,
        coalitions: Vec<String>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::new();
        let email = checks.field("email", Email::parse(email));
        let password = checks.field("password", Password::parse(password));
        let display_name = checks.field("display_name", DisplayName::parse(display_name));
        let mut membership = Membership {
            role,
            organization_id,
            coalitions,
            active: true,
        };
        checks.extend(membership.shape_errors());
        membership.coalitions = coalition_set(membership.coalitions);
        checks.finish(|| {
            Some(Self {
                email: email?,
                password: password?,
                display_name: display_name?,
                membership,
            })
        })
    }
}

/// What an admin changes in an account; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub active: Option<bool>,
    pub role: Option<Role>,
    pub coalitions: Option<Vec<String>>,
    pub organization_id: Option<String>,
    pub display_name: Option<DisplayName>,
}

impl AccountChange {
    /// The membership after this change. A maker turned into anything else
    /// leaves its organization; a lead turned into anything else its coalitions.
    pub fn apply(&self, current: &Membership) -> Membership {
        let role = self.role.unwrap_or(current.role);
        let organization_id = match (&self.organization_id, role) {
            (Some(org), _) => Some(org.clone()),
            (None, Role::Maker) => current.organization_id.clone(),
            (None, _) => None,
        };
        let coalitions = match (&self.coalitions, role) {
            (Some(c), _) => coalition_set(c.clone()),
            (None, Role::CoalitionLead) => current.coalitions.clone(),
            (None, _) => Vec::new(),
        };
        Membership {
            role,
            organization_id,
            coalitions,
            active: self.active.unwrap_or(current.active),
        }
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
    fn an_email_is_measured_once_lower_cased() {
        let domain = format!("{0}.{0}.{0}.{1}.org", "a".repeat(60), "b".repeat(45));
        let growing = format!("{}@{domain}", "İ".repeat(21));
        assert_eq!(growing.chars().count(), 254);
        assert_eq!(Email::parse(&growing).unwrap_err().code, "invalid_email");
        let fits = format!("{}@{domain}", "I".repeat(21));
        assert!(Email::parse(&fits).is_ok());
    }

    #[test]
    fn each_role_has_its_membership() {
        let member = |role, org: Option<&str>, coalitions: &[&str]| Membership {
            role,
            organization_id: org.map(str::to_owned),
            coalitions: coalitions.iter().map(|c| (*c).to_owned()).collect(),
            active: true,
        };
        let codes = |m: Membership| -> Vec<(String, String)> {
            m.shape_errors()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert!(codes(member(Role::Maker, Some("o"), &[])).is_empty());
        assert!(codes(member(Role::CoalitionLead, None, &["c"])).is_empty());
        assert!(codes(member(Role::Admin, None, &[])).is_empty());
        assert_eq!(codes(member(Role::Maker, None, &[]))[0].1, "required");
        assert_eq!(codes(member(Role::Viewer, Some("o"), &["c"])).len(), 2);
        assert_eq!(
            codes(member(Role::CoalitionLead, None, &[]))[0].1,
            "required"
        );
        assert_eq!(
            codes(member(Role::CoalitionLead, None, &["c"; 8])),
            [("coalitions".to_owned(), "too_many".to_owned())]
        );
    }

    #[test]
    fn a_role_change_takes_the_old_role_s_ties_away() {
        let maker = Membership {
            role: Role::Maker,
            organization_id: Some("o".into()),
            coalitions: Vec::new(),
            active: true,
        };
        let lead = AccountChange {
            role: Some(Role::CoalitionLead),
            coalitions: Some(vec!["b".into(), "a".into(), "b".into()]),
            ..AccountChange::default()
        }
        .apply(&maker);
        assert_eq!(
            (lead.organization_id, lead.coalitions),
            (None, vec!["a".into(), "b".into()])
        );
        let off = AccountChange {
            active: Some(false),
            ..AccountChange::default()
        }
        .apply(&maker);
        assert_eq!(
            (off.organization_id.as_deref(), off.active),
            (Some("o"), false)
        );
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

super::stored_as_text!(Role, "role");
