//! Who belongs to an organisation and who is invited: read by the organisation's admins (and
//! platform admins) on the "my organisation" page, under the same policy as inviting; and the
//! changes to membership — a member's role, removal, leaving, handing the org admin role over,
//! withdrawing an invitation — each audited in its transaction. An organisation always keeps
//! at least one org admin.

use super::policy::{self, Action};
use super::Viewer;
use crate::error::{AppError, AppResult};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use transferhub_schema::entity::{invitation, membership, organisation, session, user};
use transferhub_schema::enums::Role;

/// Most rows returned by one listing (an organisation's people fit easily).
pub const MAX_LISTED: u64 = 500;

/// The organisation's invitations, newest first.
pub async fn invitations(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    organisation_id: i64,
) -> AppResult<Vec<invitation::Model>> {
    policy::require(viewer, Action::ManageMembers, organisation_id)?;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::OrganisationId.eq(organisation_id))
        .order_by_desc(invitation::Column::Id)
        .limit(MAX_LISTED)
        .all(db)
        .await?)
}

/// The organisation's members with their user rows, earliest first.
pub async fn members(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    organisation_id: i64,
) -> AppResult<Vec<(membership::Model, Option<user::Model>)>> {
    policy::require(viewer, Action::ManageMembers, organisation_id)?;
    let rows = membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .order_by_asc(membership::Column::Id)
        .limit(MAX_LISTED)
        .all(db)
        .await?;
    let users: std::collections::HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .map(|m| {
            let u = users.get(&m.user_id).cloned();
            (m, u)
        })
        .collect())
}

/// Refuses the change when it would leave the organisation without an org admin: `user_id`
/// is an org admin about to be demoted, removed or to leave, and the only one.
async fn keep_an_admin<C: ConnectionTrait>(
    tx: &C,
    organisation_id: i64,
    user_id: i64,
) -> AppResult<()> {
    let others = membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .filter(membership::Column::Role.eq(Role::OrgAdmin))
        .filter(membership::Column::UserId.ne(user_id))
        .count(tx)
        .await?;
    if others == 0 {
        return Err(AppError::Conflict(
            "机构至少需要一名管理员：请先将管理员身份移交给其他成员 / the organisation's last org admin \
             cannot leave, be removed or be demoted; hand the role over to another member first \
             (handOverOrgAdmin)"
                .into(),
        ));
    }
    Ok(())
}

/// Takes the organisation's row lock (PostgreSQL; SQLite's write transaction is already
/// exclusive), so two concurrent changes cannot both remove "another" admin.
async fn lock_organisation<C: ConnectionTrait>(
    tx: &C,
    organisation_id: i64,
) -> AppResult<organisation::Model> {
    let mut q = organisation::Entity::find_by_id(organisation_id);
    if tx.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {organisation_id}")))
}

/// The membership of `user_id` in the organisation, or NOT_FOUND.
async fn membership_of<C: ConnectionTrait>(
    tx: &C,
    organisation_id: i64,
    user_id: i64,
) -> AppResult<membership::Model> {
    membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(tx)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "该人员不是本机构成员 / person {user_id} as a member of organisation {organisation_id}"
            ))
        })
}

/// After a membership ended: the person's browser sessions acting for the organisation act for
/// their next organisation, or for none (a platform admin's session keeps its powers). Person
/// tokens check the membership on every request and stop by themselves.
async fn detach_sessions<C: ConnectionTrait>(
    tx: &C,
    organisation_id: i64,
    user_id: i64,
) -> AppResult<()> {
    let next = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganisationId.ne(organisation_id))
        .order_by_asc(membership::Column::Id)
        .one(tx)
        .await?;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::OrganisationId.eq(organisation_id))
        .all(tx)
        .await?;
    for s in sessions {
        if s.role == Some(Role::PlatformAdmin) {
            continue;
        }
        let mut a: session::ActiveModel = s.into();
        a.organisation_id = Set(next.as_ref().map(|m| m.organisation_id));
        a.role = Set(next.as_ref().map(|m| m.role));
        a.update(tx).await?;
    }
    Ok(())
}

/// After a role change: the person's browser sessions acting for the organisation act with
/// the new role from their next request (platform admins' sessions keep theirs).
async fn retarget_sessions<C: ConnectionTrait>(
    tx: &C,
    organisation_id: i64,
    user_id: i64,
    role: Role,
) -> AppResult<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::Role,
            sea_orm::sea_query::Expr::value(sea_orm::ActiveEnum::to_value(&role)),
        )
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::OrganisationId.eq(organisation_id))
        .filter(session::Column::Role.ne(Role::PlatformAdmin))
        .exec(tx)
        .await?;
    Ok(())
}

/// Sets a member's role (MEMBER or ORG_ADMIN; organisation admins and platform admins),
/// audited as `member.set_role`. Demoting the last org admin is a CONFLICT.
pub async fn set_role(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    organisation_id: i64,
    user_id: i64,
    role: Role,
) -> AppResult<membership::Model> {
    if !matches!(role, Role::Member | Role::OrgAdmin) {
        return Err(AppError::bad_input(
            "role",
            "成员角色只能是 MEMBER 或 ORG_ADMIN / a member's role is MEMBER or ORG_ADMIN",
        ));
    }
    policy::require(viewer, Action::ManageMembers, organisation_id)?;
    let tx = crate::db::begin_write(db).await?;
    lock_organisation(&tx, organisation_id).await?;
    let m = membership_of(&tx, organisation_id, user_id).await?;
    if m.role == role {
        tx.commit().await?;
        return Ok(m);
    }
    if m.role == Role::OrgAdmin {
        keep_an_admin(&tx, organisation_id, user_id).await?;
    }
    let before = m.role;
    let mut a: membership::ActiveModel = m.into();
    a.role = Set(role);
    let m = a.update(&tx).await?;
    retarget_sessions(&tx, organisation_id, user_id, role).await?;
    crate::audit::record(
        &tx,
        viewer,
        "member.set_role",
        "person",
        Some(user_id),
        Some(organisation_id),
        serde_json::json!({ "from": before, "to": role }),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// Removes a member from the organisation (organisation admins and platform admins), audited
/// as `member.remove`; the person's sessions and tokens stop acting for it from their next
/// request. Removing the last org admin is a CONFLICT.
pub async fn remove(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    organisation_id: i64,
    user_id: i64,
) -> AppResult<membership::Model> {
    policy::require(viewer, Action::ManageMembers, organisation_id)?;
    end_membership(db, viewer, None, organisation_id, user_id, "member.remove").await
}

/// The logged-in person leaves an organisation, audited as `member.leave`. The last org admin
/// cannot leave (CONFLICT: hand the role over first).
pub async fn leave(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    person: Option<i64>,
    organisation_id: i64,
) -> AppResult<membership::Model> {
    let me = person.ok_or_else(|| {
        AppError::Unauthenticated(
            "请先登录 / leaving an organisation needs a logged-in person".into(),
        )
    })?;
    end_membership(db, viewer, Some(me), organisation_id, me, "member.leave").await
}

async fn end_membership(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    actor: Option<i64>,
    organisation_id: i64,
    user_id: i64,
    action: &str,
) -> AppResult<membership::Model> {
    let tx = crate::db::begin_write(db).await?;
    lock_organisation(&tx, organisation_id).await?;
    let m = membership_of(&tx, organisation_id, user_id).await?;
    if m.role == Role::OrgAdmin {
        keep_an_admin(&tx, organisation_id, user_id).await?;
    }
    membership::Entity::delete_by_id(m.id).exec(&tx).await?;
    detach_sessions(&tx, organisation_id, user_id).await?;
    let who = match (viewer, actor) {
        (Some(v), _) => v.actor(),
        (None, Some(u)) => format!("user:{u}"),
        (None, None) => "cli".into(),
    };
    crate::audit::record_as(
        &tx,
        &who,
        action,
        "person",
        Some(user_id),
        Some(organisation_id),
        serde_json::json!({ "role": m.role }),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// An org admin hands their role over to another member at once: the other becomes ORG_ADMIN,
/// the caller MEMBER, in one transaction, audited as `member.hand_over`. The caller must be an
/// org admin *member* of the organisation (a person); the receiver a member other than them.
pub async fn hand_over(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    person: Option<i64>,
    organisation_id: i64,
    to_user_id: i64,
) -> AppResult<(membership::Model, membership::Model)> {
    policy::require(viewer, Action::ManageMembers, organisation_id)?;
    let me = person.ok_or_else(|| {
        AppError::Forbidden(
            "only an org admin who is a person (a browser session or person token) hands the role over"
                .into(),
        )
    })?;
    if me == to_user_id {
        return Err(AppError::bad_input(
            "toPersonId",
            "不能移交给自己 / hand the role over to another member",
        ));
    }
    let tx = crate::db::begin_write(db).await?;
    lock_organisation(&tx, organisation_id).await?;
    let mine = membership_of(&tx, organisation_id, me).await.map_err(|_| {
        AppError::Forbidden("你不是本机构成员 / you are not a member of this organisation".into())
    })?;
    if mine.role != Role::OrgAdmin {
        return Err(AppError::Forbidden(
            "只有机构管理员可以移交 / only an org admin of the organisation hands the role over"
                .into(),
        ));
    }
    let theirs = membership_of(&tx, organisation_id, to_user_id).await?;
    let mut a: membership::ActiveModel = theirs.into();
    a.role = Set(Role::OrgAdmin);
    let theirs = a.update(&tx).await?;
    let mut a: membership::ActiveModel = mine.into();
    a.role = Set(Role::Member);
    let mine = a.update(&tx).await?;
    retarget_sessions(&tx, organisation_id, to_user_id, Role::OrgAdmin).await?;
    retarget_sessions(&tx, organisation_id, me, Role::Member).await?;
    crate::audit::record(
        &tx,
        viewer,
        "member.hand_over",
        "person",
        Some(to_user_id),
        Some(organisation_id),
        serde_json::json!({ "from": me, "to": to_user_id }),
    )
    .await?;
    tx.commit().await?;
    Ok((mine, theirs))
}

/// Withdraws an open invitation (organisation admins and platform admins), audited as
/// `member.revoke_invitation`; an accepted one is a CONFLICT (remove the member instead).
pub async fn revoke_invitation(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    invitation_id: i64,
) -> AppResult<invitation::Model> {
    let row = invitation::Entity::find_by_id(invitation_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("invitation {invitation_id}")))?;
    policy::require(viewer, Action::ManageMembers, row.organisation_id)?;
    if row.accepted_at.is_some() {
        return Err(AppError::Conflict(
            "邀请已被接受 / the invitation was accepted; remove the member instead".into(),
        ));
    }
    let tx = crate::db::begin_write(db).await?;
    invitation::Entity::delete_by_id(row.id).exec(&tx).await?;
    crate::audit::record(
        &tx,
        viewer,
        "member.revoke_invitation",
        "invitation",
        Some(row.id),
        Some(row.organisation_id),
        serde_json::json!({ "email": row.email, "role": row.role }),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
