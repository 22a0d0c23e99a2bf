//! Who may do what: the one place that answers "may this caller do this to
//! that resource". Handlers ask here; they never compare roles themselves.

use super::account::{Membership, Role};
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
    /// Open reporting cycles and change their windows.
    ManageReportingCycles,
    /// Read the figures of every submitted commitment, not only public ones.
    ReadAllFigures,
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
        Action::ManageCoalitions | Action::ManageReportingCycles => actor.is_admin(),
        Action::ReadAllFigures => actor.is_admin() || actor.role == Role::Viewer,
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
            Action::ManageReportingCycles => "only admins manage reporting cycles",
            Action::ReadAllFigures => {
                "only viewers and admins read the figures of unpublished commitments"
            }
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
    /// Viewers (dashboard service accounts): every commitment ever submitted.
    AllSubmitted,
    /// Everyone else: public commitments, plus everything of one's own
    /// organization (makers), plus what was submitted in the coalitions one
    /// leads (leads).
    PublicAnd {
        organization_id: Option<String>,
        coalitions: Vec<String>,
    },
}

/// What visibility looks at in a commitment.
#[derive(Debug, Clone, Copy)]
pub struct CommitmentScope<'a> {
    pub organization_id: &'a str,
    pub coalition: &'a str,
    pub status: CommitmentStatus,
    /// Whether it was ever submitted: one never submitted stays private to
    /// its organization (and admins) whatever state it reaches.
    pub submitted: bool,
}

impl Visibility {
    pub fn of(actor: Option<&Actor>) -> Self {
        match actor {
            Some(a) if a.role == Role::Admin => Self::Everything,
            Some(a) if a.role == Role::Viewer => Self::AllSubmitted,
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

    pub fn sees(&self, commitment: CommitmentScope<'_>) -> bool {
        match self {
            Self::Everything => true,
            Self::AllSubmitted => commitment.submitted,
            Self::PublicAnd {
                organization_id: own,
                coalitions,
            } => {
                commitment.status.is_public()
                    || own.as_deref() == Some(commitment.organization_id)
                    || (commitment.submitted
                        && coalitions.iter().any(|c| c == commitment.coalition))
            }
        }
    }

    /// For expressions of interest, which are never public: one's own
    /// organization's, the led coalitions', or all for admins and viewers.
    pub fn sees_expression(&self, organization_id: &str, coalition: &str) -> bool {
        match self {
            Self::Everything | Self::AllSubmitted => true,
            Self::PublicAnd {
                organization_id: own,
                coalitions,
            } => {
                own.as_deref() == Some(organization_id) || coalitions.iter().any(|c| c == coalition)
            }
        }
    }
}

/// Who may read personal data (contact emails) about an organization's
/// dealings with a coalition: that organization, the coalition's leads and
/// admins; never viewers, whose long-lived tokens feed dashboards.
pub fn may_read_personal_data(actor: &Actor, organization_id: &str, coalition: &str) -> bool {
    actor.is_admin() || actor.is_member_of(organization_id) || actor.leads(coalition)
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

/// Whether changing an account from `was` to `will_be` would leave no
/// active admin, given how many there are now.
pub fn removes_last_admin(was: &Membership, will_be: &Membership, active_admins: usize) -> bool {
    was.is_active_admin() && !will_be.is_active_admin() && active_admins <= 1
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

    fn scope(
        organization_id: &'static str,
        coalition: &'static str,
        status: CommitmentStatus,
    ) -> CommitmentScope<'static> {
        use CommitmentStatus::*;
        CommitmentScope {
            organization_id,
            coalition,
            status,
            submitted: !matches!(status, Draft | Withdrawn),
        }
    }

    #[test]
    fn visibility_follows_role_organization_and_coalition() {
        use CommitmentStatus::*;
        let anonymous = Visibility::of(None);
        assert!(
            anonymous.sees(scope("o", "c", Approved)) && anonymous.sees(scope("o", "c", Completed))
        );
        assert!(
            !anonymous.sees(scope("o", "c", Draft)) && !anonymous.sees(scope("o", "c", Submitted))
        );
        let maker = Visibility::of(Some(&actor(Role::Maker, Some("o"), &[])));
        assert!(maker.sees(scope("o", "c", Draft)) && !maker.sees(scope("p", "c", Submitted)));
        let lead = Visibility::of(Some(&actor(Role::CoalitionLead, None, &["c"])));
        assert!(
            lead.sees(scope("o", "c", Submitted))
                && !lead.sees(scope("o", "c", Draft))
                && !lead.sees(scope("o", "d", Submitted))
        );
        let viewer = Visibility::of(Some(&actor(Role::Viewer, None, &[])));
        assert!(viewer.sees(scope("o", "c", Rejected)) && !viewer.sees(scope("o", "c", Draft)));
        let admin = Visibility::of(Some(&actor(Role::Admin, None, &[])));
        assert!(admin.sees(scope("o", "c", Draft)));
        // Withdrawn before it was ever submitted: its organization's and admins' only.
        let withdrawn_draft = scope("o", "c", Withdrawn);
        assert!(!lead.sees(withdrawn_draft) && !viewer.sees(withdrawn_draft));
        assert!(maker.sees(withdrawn_draft) && admin.sees(withdrawn_draft));
        let withdrawn_after_review = CommitmentScope {
            submitted: true,
            ..withdrawn_draft
        };
        assert!(lead.sees(withdrawn_after_review) && viewer.sees(withdrawn_after_review));
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
        let m = |role, active| Membership {
            role,
            organization_id: None,
            coalitions: Vec::new(),
            active,
        };
        let admin = m(Role::Admin, true);
        assert!(removes_last_admin(&admin, &m(Role::Viewer, true), 1));
        assert!(removes_last_admin(&admin, &m(Role::Admin, false), 1));
        assert!(!removes_last_admin(&admin, &m(Role::Viewer, true), 2));
        assert!(!removes_last_admin(&admin, &admin, 1));
        assert!(!removes_last_admin(
            &m(Role::Viewer, true),
            &m(Role::Admin, false),
            0
        ));
    }

    #[test]
    fn personal_data_is_not_for_dashboards() {
        for (who, allowed) in [
            (actor(Role::Maker, Some("o"), &[]), true),
            (actor(Role::CoalitionLead, None, &["c"]), true),
            (actor(Role::Admin, None, &[]), true),
            (actor(Role::Viewer, None, &[]), false),
            (actor(Role::Maker, Some("p"), &[]), false),
            (actor(Role::CoalitionLead, None, &["d"]), false),
        ] {
            assert_eq!(may_read_personal_data(&who, "o", "c"), allowed, "{who:?}");
        }
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
