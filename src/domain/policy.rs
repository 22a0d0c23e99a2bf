//! Who may do what: the one place that answers "may this caller do this to
//! that resource". Handlers ask here; they never compare roles themselves.

use super::account::Role;

/// The signed-in caller, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    /// The organization of a maker; `None` for everyone else.
    pub organization_id: Option<String>,
    /// The coalitions a lead is scoped to; empty for everyone else.
    pub coalitions: Vec<String>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// A maker of this organization.
    pub fn is_member_of(&self, organization_id: &str) -> bool {
        self.role == Role::Maker && self.organization_id.as_deref() == Some(organization_id)
    }

    /// A lead scoped to this coalition.
    pub fn leads(&self, coalition: &str) -> bool {
        self.role == Role::CoalitionLead && self.coalitions.iter().any(|c| c == coalition)
    }
}

/// Something a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read one's own account (`GET /me`).
    ReadOwnAccount,
    /// Create, list, read and change accounts and roles.
    ManageUsers,
    /// Change an organization's profile.
    EditOrganization { organization_id: &'a str },
}

/// Why a caller may not: each maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in (401).
    NotSignedIn,
    /// Signed in, not allowed (403); the reason is safe to show.
    Forbidden(&'static str),
}

/// May `actor` (or an anonymous caller, `None`) do `action`?
pub fn authorize(actor: Option<&Actor>, action: Action<'_>) -> Result<(), Denied> {
    let actor = actor.ok_or(Denied::NotSignedIn)?;
    let allowed = match action {
        Action::ReadOwnAccount => true,
        Action::ManageUsers => actor.is_admin(),
        Action::EditOrganization { organization_id } => {
            actor.is_admin() || actor.is_member_of(organization_id)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden(match action {
            Action::ReadOwnAccount => "signed-in accounts only",
            Action::ManageUsers => "only admins manage accounts",
            Action::EditOrganization { .. } => {
                "only this organization's makers and admins may edit it"
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, organization: Option<&str>, coalitions: &[&str]) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            organization_id: organization.map(str::to_owned),
            coalitions: coalitions.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn anonymous_callers_must_sign_in() {
        assert_eq!(
            authorize(None, Action::ReadOwnAccount),
            Err(Denied::NotSignedIn)
        );
        assert_eq!(
            authorize(None, Action::ManageUsers),
            Err(Denied::NotSignedIn)
        );
    }

    #[test]
    fn only_admins_manage_users() {
        assert!(authorize(Some(&actor(Role::Admin, None, &[])), Action::ManageUsers).is_ok());
        for role in [Role::CoalitionLead, Role::Maker, Role::Viewer] {
            let denied = authorize(
                Some(&actor(role, Some("o"), &["climate-justice"])),
                Action::ManageUsers,
            );
            assert!(matches!(denied, Err(Denied::Forbidden(_))), "{role}");
        }
    }

    #[test]
    fn organizations_are_edited_by_their_makers_and_admins() {
        let edit = Action::EditOrganization {
            organization_id: "org-1",
        };
        assert!(authorize(Some(&actor(Role::Maker, Some("org-1"), &[])), edit).is_ok());
        assert!(authorize(Some(&actor(Role::Admin, None, &[])), edit).is_ok());
        assert!(authorize(Some(&actor(Role::Maker, Some("org-2"), &[])), edit).is_err());
        assert!(authorize(Some(&actor(Role::Viewer, None, &[])), edit).is_err());
        assert!(
            authorize(
                Some(&actor(
                    Role::CoalitionLead,
                    None,
                    &["technology-innovation"]
                )),
                edit
            )
            .is_err()
        );
    }
}
