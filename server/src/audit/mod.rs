//! The audit log, writes and reads in one place. Writing ([`record`]): the entry for a mutation
//! goes inside the mutation's own transaction, so a change and its record are committed together
//! or not at all. Reading ([`log`]): who may list which entries, filtered and paged. The client
//! address of the HTTP request being served is carried in a task-local (set by the router), so
//! every entry says where the change came from without threading it through each service call.

pub mod log;

use crate::auth::Viewer;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use transferhub_schema::entity::audit_log;

tokio::task_local! {
    /// The client address of the request this task serves.
    pub static REMOTE_ADDR: Option<String>;
}

/// The client address of the current request, when serving one.
pub fn remote_addr() -> Option<String> {
    REMOTE_ADDR.try_with(Clone::clone).ok().flatten()
}

/// Records `action` on `entity_type`/`entity_id` by `viewer` (or the CLI when `None`).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Viewer>,
    action: &str,
    entity_type: &str,
    entity_id: Option<i64>,
    organisation_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    let actor = viewer.map_or_else(|| "cli".to_string(), Viewer::actor);
    record_as(
        db,
        &actor,
        action,
        entity_type,
        entity_id,
        organisation_id,
        detail,
    )
    .await
}

/// Records an action by an explicit actor (`user:<id>` at login, before any viewer exists).
pub async fn record_as<C: ConnectionTrait>(
    db: &C,
    actor: &str,
    action: &str,
    entity_type: &str,
    entity_id: Option<i64>,
    organisation_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor: Set(actor.to_string()),
        organisation_id: Set(organisation_id),
        action: Set(action.to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        detail: Set(detail.to_string()),
        remote_addr: Set(remote_addr()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
