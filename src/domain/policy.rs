//! Who may do what: the one place that answers "may this caller do this to
//! that resource". Handlers ask here; they never compare roles themselves.

use super::account::Role;
use super::commitment::{CommitmentStatus, Side};

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
    /// Change a coalition's submission window or implementation period.
    ManageCoalitions,
    /// Express interest in a coalition, or create a commitment, for one's organization.
    ActForOrganization,
    /// Accept or decline an expression of interest in this coalition.
    DecideExpression { coalition: &'a str },
    /// Withdraw an expression of interest of this organization.
    WithdrawExpression { organization_id: &'a str },
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
        Action::EditOrganization { organization_id }
        | Action::WithdrawExpression { organization_id } => {
            actor.is_admin() || actor.is_member_of(organization_id)
        }
        Action::ManageCoalitions => actor.is_admin(),
        Action::ActForOrganization => actor.role == Role::Maker && actor.organization_id.is_some(),
        Action::DecideExpression { coalition } => actor.is_admin() || actor.leads(coalition),
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
            Action::ManageCoalitions => "only admins change coalitions",
            Action::ActForOrganization => "only makers act for an organization",
            Action::DecideExpression { .. } => "only this coalition's leads and admins decide",
            Action::WithdrawExpression { .. } => "only this organization's makers may withdraw it",
        }))
    }
}

/// Which commitments (and expressions of interest) a caller may see.
/// Unseen ones are answered 404, as if they did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Admins.
    Everything,
    /// Viewers (dashboard service accounts): everything submitted, never drafts.
    AllButDrafts,
    /// Everyone else: public commitments, plus everything of one's own
    /// organization (makers), plus everything submitted in the coalitions one
    /// leads (leads).
    PublicAnd {
        organization_id: Option<String>,
        coalitions: Vec<String>,
    },
}

impl Visibility {
    pub fn of(actor: Option<&Actor>) -> Self {
        match actor {
            Some(a) if a.role == Role::Admin => Self::Everything,
            Some(a) if a.role == Role::Viewer => Self::AllButDrafts,
            Some(a) => Self::PublicAnd {
                organization_id: a.organization_id.clone().filter(|_| a.role == Role::Maker),
                coalitions: if a.role == Role::CoalitionLead {
                    a.coalitions.clone()
                } else {
                    Vec::new()
                },
            },
            None => Self::PublicAnd {
                organization_id: None,
                coalitions: Vec::new(),
            },
        }
    }

    pub fn sees(&self, organization_id: &str, coalition: &str, status: CommitmentStatus) -> bool {
        match self {
            Self::Everything => true,
            Self::AllButDrafts => status != CommitmentStatus::Draft,
            Self::PublicAnd {
                organization_id: own,
                coalitions,
            } => {
                status.is_public()
                    || own.as_deref() == Some(organization_id)
                    || (status != CommitmentStatus::Draft
                        && coalitions.iter().any(|c| c == coalition))
            }
        }
    }

    /// For expressions of interest, which are never public: one's own
    /// organization's, the led coalitions', or all for admins and viewers.
    pub fn sees_expression(&self, organization_id: &str, coalition: &str) -> bool {
        match self {
            Self::Everything | Self::AllButDrafts => true,
            Self::PublicAnd {
                organization_id: own,
                coalitions,
            } => {
                own.as_deref() == Some(organization_id) || coalitions.iter().any(|c| c == coalition)
            }
        }
    }
}

/// Who may read a commitment's internal discussion (reviews, audit trail):
/// its organization, its coalition's leads, viewers and admins; not the
/// public, who see approved commitments only.
pub fn may_read_discussion(actor: &Actor, organization_id: &str, coalition: &str) -> bool {
    actor.is_admin()
        || actor.role == Role::Viewer
        || actor.is_member_of(organization_id)
        || actor.leads(coalition)
}

/// Whether a change of `was` (role, active) to `will_be` would leave no
/// active admin, given how many there are now.
pub fn removes_last_admin(was: (Role, bool), will_be: (Role, bool), active_admins: i64) -> bool {
    let was_active_admin = was == (Role::Admin, true);
    let stays_active_admin = will_be == (Role::Admin, true);
    was_active_admin && !stays_active_admin && active_admins <= 1
}

/// The sides of a commitment's table the caller sits on: its organization's
/// makers are the maker side, its coalition's leads the lead side, admins both.
pub fn sides(actor: &Actor, organization_id: &str, coalition: &str) -> Vec<Side> {
    let mut sides = Vec::new();
    if actor.is_admin() || actor.is_member_of(organization_id) {
        sides.push(Side::Maker);
    }
    if actor.is_admin() || actor.leads(coalition) {
        sides.push(Side::Lead);
    }
    sides
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
    fn visibility_follows_role_organization_and_coalition() {
        use CommitmentStatus::*;
        let anonymous = Visibility::of(None);
        assert!(anonymous.sees("o", "c", Approved) && anonymous.sees("o", "c", Completed));
        assert!(!anonymous.sees("o", "c", Draft) && !anonymous.sees("o", "c", Submitted));
        let maker = Visibility::of(Some(&actor(Role::Maker, Some("o"), &[])));
        assert!(maker.sees("o", "c", Draft) && !maker.sees("p", "c", Submitted));
        let lead = Visibility::of(Some(&actor(Role::CoalitionLead, None, &["c"])));
        assert!(
            lead.sees("o", "c", Submitted)
                && !lead.sees("o", "c", Draft)
                && !lead.sees("o", "d", Submitted)
        );
        let viewer = Visibility::of(Some(&actor(Role::Viewer, None, &[])));
        assert!(viewer.sees("o", "c", Rejected) && !viewer.sees("o", "c", Draft));
        assert!(Visibility::of(Some(&actor(Role::Admin, None, &[]))).sees("o", "c", Draft));
        assert!(
            !anonymous.sees_expression("o", "c")
                && lead.sees_expression("o", "c")
                && maker.sees_expression("o", "x")
        );
    }

    #[test]
    fn sides_of_the_table() {
        assert_eq!(
            sides(&actor(Role::Maker, Some("o"), &[]), "o", "c"),
            [Side::Maker]
        );
        assert!(sides(&actor(Role::Maker, Some("p"), &[]), "o", "c").is_empty());
        assert_eq!(
            sides(&actor(Role::CoalitionLead, None, &["c"]), "o", "c"),
            [Side::Lead]
        );
        assert!(sides(&actor(Role::CoalitionLead, None, &["d"]), "o", "c").is_empty());
        assert_eq!(
            sides(&actor(Role::Admin, None, &[]), "o", "c"),
            [Side::Maker, Side::Lead]
        );
        assert!(sides(&actor(Role::Viewer, None, &[]), "o", "c").is_empty());
    }

    #[test]
    fn the_last_active_admin_stays() {
        let admin = (Role::Admin, true);
        assert!(removes_last_admin(admin, (Role::Viewer, true), 1));
        assert!(removes_last_admin(admin, (Role::Admin, false), 1));
        assert!(!removes_last_admin(admin, (Role::Viewer, true), 2));
        assert!(!removes_last_admin(admin, admin, 1));
        assert!(!removes_last_admin(
            (Role::Viewer, true),
            (Role::Admin, false),
            0
        ));
    }

    #[test]
    fn the_discussion_is_internal() {
        assert!(may_read_discussion(
            &actor(Role::Maker, Some("o"), &[]),
            "o",
            "c"
        ));
        assert!(!may_read_discussion(
            &actor(Role::Maker, Some("p"), &[]),
            "o",
            "c"
        ));
        assert!(may_read_discussion(
            &actor(Role::CoalitionLead, None, &["c"]),
            "o",
            "c"
        ));
        assert!(!may_read_discussion(
            &actor(Role::CoalitionLead, None, &["d"]),
            "o",
            "c"
        ));
        assert!(may_read_discussion(
            &actor(Role::Viewer, None, &[]),
            "o",
            "c"
        ));
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
