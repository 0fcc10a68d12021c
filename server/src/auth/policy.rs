//! The one authorisation policy: viewer's organisation and role × action × the record's
//! organisation. Resolvers ask here; none of them re-implements ownership.

use super::Viewer;
use crate::error::{AppError, AppResult};
use transferhub_schema::entity::organisation;
use transferhub_schema::enums::{AchievementStatus, OrganisationStatus, Role};

/// What the viewer wants to do to an organisation's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create or change achievements.
    WriteAchievements,
    /// Create or change needs.
    WriteNeeds,
    /// Define sources and start harvests.
    ManageSources,
    /// See sources, runs and rejected records.
    ReadSources,
    /// Create, list and revoke the organisation's API keys.
    ManageApiKeys,
    /// Read the organisation's audit log.
    ReadAuditLog,
    /// Invite people into the organisation.
    ManageMembers,
    /// Give feedback on a suggested need–achievement pair (either party's organisation).
    RecordMatchFeedback,
    /// Create, change and schedule matchmaking events (organisers of the event's organisation).
    ManageEvents,
    /// Register for events, request and answer meetings, record outcomes (for one's own
    /// organisation).
    TakePartInEvents,
    /// Edit the link directory and run link checks (platform admins; the org argument is ignored).
    ManageLinks,
    /// Approve or reject records from sources that require review (org admins, platform admins).
    ReviewRecords,
    /// See the statistics centre and data-quality reports across organisations (platform admins).
    ReadStats,
    /// Fix and resubmit the organisation's own application for verification (its org admins).
    ManageOrganisation,
    /// See the verification queue, approve, reject, create and deactivate organisations
    /// (platform admins; the org argument is ignored).
    VerifyOrganisations,
    /// Open deals, write in their threads and withdraw them (for one's own organisation, as a
    /// party of the deal).
    TakePartInDeals,
}

impl Action {
    /// Actions only organisation admins (and platform admins) may take.
    fn admin_only(self) -> bool {
        matches!(
            self,
            Action::ManageSources
                | Action::ManageApiKeys
                | Action::ReadAuditLog
                | Action::ManageMembers
                | Action::ReviewRecords
                | Action::ManageOrganisation
        )
    }
}

/// Refuses unless `viewer` may perform `action` on records of organisation `org_id`.
pub fn require(viewer: Option<&Viewer>, action: Action, org_id: i64) -> AppResult<()> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("this mutation needs a bearer token".into()))?;
    match v.role {
        Role::PlatformAdmin => Ok(()),
        _ if matches!(action, Action::ManageLinks | Action::ReadStats) => Err(AppError::Forbidden(
            "only platform admins edit the link directory and see platform statistics".into(),
        )),
        _ if action == Action::VerifyOrganisations => Err(AppError::Forbidden(
            "only platform admins verify, create and deactivate organisations".into(),
        )),
        Role::Organiser if action == Action::ManageEvents && v.organisation_id == org_id => Ok(()),
        _ if action == Action::ManageEvents => Err(AppError::Forbidden(
            "only the event's organiser (organiser role) or a platform admin manages an event"
                .into(),
        )),
        Role::Member if action.admin_only() => Err(AppError::Forbidden(format!(
            "only organisation admins and platform admins may {}",
            what(action)
        ))),
        Role::OrgAdmin | Role::Member if v.organisation_id == org_id => Ok(()),
        Role::OrgAdmin | Role::Member => Err(AppError::Forbidden(format!(
            "token of organisation {} may not change another organisation's records",
            v.organisation_key
        ))),
        Role::Portal => Err(AppError::Forbidden(
            "portal keys may only read the public catalog".into(),
        )),
        Role::Organiser => Err(AppError::Forbidden(format!(
            "organiser tokens may not {}",
            what(action)
        ))),
    }
}

/// Like [`require`], for a record that belongs to one person of the organisation (`person`, a
/// user id; `None` = the organisation as a whole, where [`require`] alone decides): besides the
/// organisation's own rule, only that person, the organisation's admins and platform admins act
/// on it — a colleague (or an organisation token without a person) does not.
pub fn require_for_person(
    viewer: Option<&Viewer>,
    action: Action,
    org_id: i64,
    person: Option<i64>,
) -> AppResult<()> {
    require(viewer, action, org_id)?;
    let (Some(person), Some(v)) = (person, viewer) else {
        return Ok(());
    };
    if v.user_id == Some(person) || matches!(v.role, Role::OrgAdmin | Role::PlatformAdmin) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "这是同事的个人报名，只有本人或机构管理员可以操作 / this belongs to one person of {}; \
         only they or an organisation admin may {}",
        v.organisation_key,
        what(action)
    )))
}

/// The action in words, for refusals.
fn what(action: Action) -> &'static str {
    match action {
        Action::WriteAchievements => "change achievements",
        Action::WriteNeeds => "change needs",
        Action::ManageSources => "manage sources",
        Action::ReadSources => "read sources",
        Action::ManageApiKeys => "manage API keys",
        Action::ReadAuditLog => "read the audit log",
        Action::ManageMembers => "invite members",
        Action::RecordMatchFeedback => "give match feedback",
        Action::ManageEvents => "manage events",
        Action::ManageLinks => "edit the link directory",
        Action::ReviewRecords => "review harvested records",
        Action::ReadStats => "see platform statistics",
        Action::TakePartInEvents => "register or meet for an organisation (use a member token)",
        Action::ManageOrganisation => "change the organisation's application",
        Action::VerifyOrganisations => "verify organisations",
        Action::TakePartInDeals => "take part in deals",
    }
}

/// Refuses publishing for an organisation that is not VERIFIED or is deactivated: such an
/// organisation prepares drafts, publishes nothing. FORBIDDEN with `extensions.reason`
/// `ORGANISATION_NOT_VERIFIED` or `ORGANISATION_DEACTIVATED`.
pub fn may_publish(org: &organisation::Model) -> AppResult<()> {
    if org.deactivated_at.is_some() {
        return Err(AppError::ForbiddenBecause {
            reason: "ORGANISATION_DEACTIVATED",
            message: format!(
                "机构已停用 / organisation {} is deactivated and publishes nothing",
                org.key
            ),
        });
    }
    match org.status {
        OrganisationStatus::Verified => Ok(()),
        status => Err(AppError::ForbiddenBecause {
            reason: "ORGANISATION_NOT_VERIFIED",
            message: format!(
                "机构尚未通过审核 / organisation {} is {} verification: it may prepare drafts, \
                 but publishes nothing until a platform admin approves it",
                org.key,
                match status {
                    OrganisationStatus::Rejected => "REJECTED in",
                    _ => "PENDING",
                }
            ),
        }),
    }
}

/// Which achievements a viewer may see: the one visibility rule. The catalog translates it into
/// SQL (`catalog::service::visible`), each search backend into its index's filter, and single
/// records are checked with [`Visibility::admits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only PUBLISHED records (the public, portals).
    Published,
    /// PUBLISHED records plus every record of this organisation (its members).
    PublishedOrOrganisation(i64),
    /// Everything (platform admins).
    All,
}

impl Visibility {
    /// The rule for `viewer`: the public sees PUBLISHED; members and organisation admins also
    /// their own organisation's records; platform admins everything.
    pub fn of(viewer: Option<&Viewer>) -> Self {
        match viewer {
            Some(v) if v.role == Role::PlatformAdmin => Self::All,
            Some(v) if sees_unpublished(Some(v), v.organisation_id) => {
                Self::PublishedOrOrganisation(v.organisation_id)
            }
            _ => Self::Published,
        }
    }

    /// True when a record with this publication status, owned by `org_id`, is visible.
    pub fn admits(self, status: AchievementStatus, org_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Published => status == AchievementStatus::Published,
            Self::PublishedOrOrganisation(org) => {
                status == AchievementStatus::Published || org_id == org
            }
        }
    }
}

/// True for platform admins: they act across organisations (every organisation's review queue,
/// the search index's status, the statistics centre).
pub fn acts_platform_wide(viewer: Option<&Viewer>) -> bool {
    viewer.is_some_and(|v| v.role == Role::PlatformAdmin)
}

/// True for organisation admins and platform admins: who may open the admin fields (API keys,
/// members, the audit log); which organisation's records they reach is still [`require`]'s.
pub fn administers(viewer: Option<&Viewer>) -> bool {
    viewer.is_some_and(|v| matches!(v.role, Role::PlatformAdmin | Role::OrgAdmin))
}

/// True when the viewer may see unpublished records of organisation `org_id`.
pub fn sees_unpublished(viewer: Option<&Viewer>, org_id: i64) -> bool {
    match viewer {
        Some(v) if v.role == Role::PlatformAdmin => true,
        Some(v) => matches!(v.role, Role::OrgAdmin | Role::Member) && v.organisation_id == org_id,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, org: i64) -> Viewer {
        Viewer {
            token_id: 1,
            token_name: "t".into(),
            organisation_id: org,
            organisation_key: format!("org{org}"),
            role,
            user_id: None,
            session_id: None,
        }
    }

    #[test]
    fn members_write_only_their_own_organisation() {
        let m = viewer(Role::Member, 1);
        assert!(require(Some(&m), Action::WriteAchievements, 1).is_ok());
        let e = require(Some(&m), Action::WriteAchievements, 2).expect_err("other org");
        assert_eq!(e.code(), crate::error::Code::Forbidden);
    }

    #[test]
    fn anonymous_portal_and_organiser_cannot_write() {
        assert_eq!(
            require(None, Action::WriteNeeds, 1)
                .expect_err("anon")
                .code(),
            crate::error::Code::Unauthenticated
        );
        for role in [Role::Portal, Role::Organiser] {
            let v = viewer(role, 1);
            assert_eq!(
                require(Some(&v), Action::WriteNeeds, 1)
                    .expect_err("ro")
                    .code(),
                crate::error::Code::Forbidden
            );
        }
    }

    #[test]
    fn only_admins_of_the_organisation_manage_keys_members_and_read_the_audit_log() {
        for action in [
            Action::ManageApiKeys,
            Action::ReadAuditLog,
            Action::ManageMembers,
        ] {
            assert!(require(Some(&viewer(Role::OrgAdmin, 1)), action, 1).is_ok());
            assert!(require(Some(&viewer(Role::PlatformAdmin, 9)), action, 1).is_ok());
            for (role, org) in [
                (Role::OrgAdmin, 2),
                (Role::Member, 1),
                (Role::Portal, 1),
                (Role::Organiser, 1),
            ] {
                let e = require(Some(&viewer(role, org)), action, 1).expect_err("refused");
                assert_eq!(
                    e.code(),
                    crate::error::Code::Forbidden,
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn platform_admin_writes_anywhere_and_sees_drafts() {
        let a = viewer(Role::PlatformAdmin, 9);
        assert!(require(Some(&a), Action::WriteAchievements, 1).is_ok());
        assert!(sees_unpublished(Some(&a), 1));
        assert!(!sees_unpublished(Some(&viewer(Role::Member, 2)), 1));
        assert!(!sees_unpublished(None, 1));
        // The same rule as a visibility: the member sees its own drafts, not another's.
        let own = Visibility::of(Some(&viewer(Role::Member, 1)));
        assert!(own.admits(AchievementStatus::Draft, 1));
        assert!(!own.admits(AchievementStatus::Draft, 2));
        assert!(own.admits(AchievementStatus::Published, 2));
        assert!(!Visibility::of(None).admits(AchievementStatus::Draft, 1));
        assert!(Visibility::of(Some(&a)).admits(AchievementStatus::Withdrawn, 9));
    }

    #[test]
    fn only_the_events_organiser_manages_it() {
        let o = viewer(Role::Organiser, 5);
        assert!(require(Some(&o), Action::ManageEvents, 5).is_ok());
        for (v, org) in [
            (viewer(Role::Organiser, 6), 5),
            (viewer(Role::OrgAdmin, 5), 5),
            (viewer(Role::Member, 5), 5),
        ] {
            assert_eq!(
                require(Some(&v), Action::ManageEvents, org)
                    .expect_err("not the organiser")
                    .code(),
                crate::error::Code::Forbidden
            );
        }
        assert!(require(Some(&viewer(Role::Member, 2)), Action::TakePartInEvents, 2).is_ok());
        assert!(require(Some(&o), Action::TakePartInEvents, 5).is_err());
    }

    #[test]
    fn a_persons_record_is_theirs_and_their_admins() {
        let mut me = viewer(Role::Member, 1);
        me.user_id = Some(7);
        let mut colleague = viewer(Role::Member, 1);
        colleague.user_id = Some(8);
        let token = viewer(Role::Member, 1);
        let admin = viewer(Role::OrgAdmin, 1);
        let act = |v: &Viewer, person| {
            require_for_person(Some(v), Action::TakePartInEvents, 1, person).map_err(|e| e.code())
        };
        assert!(act(&me, Some(7)).is_ok());
        assert!(act(&admin, Some(7)).is_ok());
        assert_eq!(act(&colleague, Some(7)), Err(crate::error::Code::Forbidden));
        assert_eq!(act(&token, Some(7)), Err(crate::error::Code::Forbidden));
        // The organisation as a whole: any member, as before.
        assert!(act(&colleague, None).is_ok());
        assert!(act(&token, None).is_ok());
        // Another organisation's person: refused by the organisation's rule first.
        let mut other = viewer(Role::OrgAdmin, 2);
        other.user_id = Some(7);
        assert_eq!(act(&other, Some(7)), Err(crate::error::Code::Forbidden));
    }
}
