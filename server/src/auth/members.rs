//! Who belongs to an organisation and who is invited: read by the organisation's admins (and
//! platform admins) on the "my organisation" page, under the same policy as inviting.

use super::policy::{self, Action};
use super::Viewer;
use crate::error::AppResult;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use transferhub_schema::entity::{invitation, membership, user};

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
