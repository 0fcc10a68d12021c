//! Reading the audit log: platform admins see every entry, organisation admins their own
//! organisation's; filters by organisation, actor, action prefix and time window.

use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use transferhub_schema::entity::audit_log;
use transferhub_schema::enums::Role;

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Organisation key (required for organisation admins, implied by their own).
    pub organisation: Option<String>,
    /// Exact actor, e.g. `user:3` or `token:7`.
    pub actor: Option<String>,
    /// Action or action prefix, e.g. `achievement.` or `session.login`.
    pub action: Option<String>,
    /// Entries at or after.
    pub since: Option<DateTime<Utc>>,
    /// Entries before.
    pub until: Option<DateTime<Utc>>,
}

/// Builds the visibility-checked condition for a query.
pub async fn condition(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    q: &AuditQuery,
) -> AppResult<Condition> {
    let v =
        viewer.ok_or_else(|| AppError::Unauthenticated("the audit log needs a login".into()))?;
    let org_id = match q.organisation.as_deref() {
        Some(key) => Some(crate::filters::organisation_by_key(db, key).await?.id),
        None if v.role == Role::PlatformAdmin => None,
        None => Some(v.organisation_id),
    };
    match org_id {
        Some(id) => policy::require(viewer, Action::ReadAuditLog, id)?,
        None => policy::require(viewer, Action::ReadAuditLog, v.organisation_id)?,
    }
    let mut c = Condition::all();
    if let Some(id) = org_id {
        c = c.add(audit_log::Column::OrganisationId.eq(id));
    }
    if let Some(a) = q.actor.as_deref().filter(|a| !a.is_empty()) {
        c = c.add(audit_log::Column::Actor.eq(a));
    }
    if let Some(a) = q.action.as_deref().filter(|a| !a.is_empty()) {
        if a.len() > 64 {
            return Err(AppError::bad_input(
                "filter.action",
                "at most 64 characters",
            ));
        }
        c = c.add(audit_log::Column::Action.starts_with(a));
    }
    if let Some(t) = q.since {
        c = c.add(audit_log::Column::At.gte(t));
    }
    if let Some(t) = q.until {
        c = c.add(audit_log::Column::At.lt(t));
    }
    Ok(c)
}

/// One page, newest first.
pub async fn list(
    db: &DatabaseConnection,
    cond: Condition,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<audit_log::Model>, bool)> {
    keyset_page(
        db,
        audit_log::Entity::find().filter(cond),
        audit_log::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// How many entries match.
pub async fn count(db: &DatabaseConnection, cond: Condition) -> AppResult<u64> {
    Ok(audit_log::Entity::find().filter(cond).count(db).await?)
}
