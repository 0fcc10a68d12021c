//! The one authorisation policy: viewer's organisation and role × action × the record's
//! organisation. Resolvers ask here; none of them re-implements ownership.

use super::Viewer;
use crate::error::{AppError, AppResult};
use transferhub_schema::enums::Role;

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
    /// Edit the link directory and run link checks (platform admins; the org argument is ignored).
    ManageLinks,
    /// Approve or reject records from sources that require review (org admins, platform admins).
    ReviewRecords,
    /// See the statistics centre and data-quality reports across organisations (platform admins).
    ReadStats,
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
        Role::Member if action == Action::ReviewRecords => Err(AppError::Forbidden(
            "only organisation admins and platform admins review harvested records".into(),
        )),
        Role::Member if action == Action::ManageSources => Err(AppError::Forbidden(
            "only organisation admins and platform admins manage sources".into(),
        )),
        Role::OrgAdmin | Role::Member if v.organisation_id == org_id => Ok(()),
        Role::OrgAdmin | Role::Member => Err(AppError::Forbidden(format!(
            "token of organisation {} may not change another organisation's records",
            v.organisation_key
        ))),
        Role::Portal => Err(AppError::Forbidden(
            "portal keys may only read the public catalog".into(),
        )),
        Role::Organiser => Err(AppError::Forbidden(format!(
            "organiser tokens may not change {}",
            match action {
                Action::WriteAchievements => "achievements",
                Action::WriteNeeds => "needs",
                Action::ManageSources | Action::ReadSources | Action::ReviewRecords => "sources",
                Action::ManageLinks | Action::ReadStats => "platform settings",
            }
        ))),
    }
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
    fn platform_admin_writes_anywhere_and_sees_drafts() {
        let a = viewer(Role::PlatformAdmin, 9);
        assert!(require(Some(&a), Action::WriteAchievements, 1).is_ok());
        assert!(sees_unpublished(Some(&a), 1));
        assert!(!sees_unpublished(Some(&viewer(Role::Member, 2)), 1));
        assert!(!sees_unpublished(None, 1));
    }
}
