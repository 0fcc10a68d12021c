//! Writes the audit log entry for a mutation inside the mutation's own transaction, so a change
//! and its record are committed together or not at all.

use crate::auth::Viewer;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use transferhub_schema::entity::audit_log;

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
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor: Set(viewer.map_or_else(|| "cli".to_string(), Viewer::actor)),
        organisation_id: Set(organisation_id),
        action: Set(action.to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        detail: Set(detail.to_string()),
        remote_addr: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
