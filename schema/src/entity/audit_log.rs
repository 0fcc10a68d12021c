//! Append-only record of every mutation: who, what, when, from where.

use sea_orm::entity::prelude::*;

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// `token:<id>`, `user:<id>` or `cli`.
    pub actor: String,
    pub organisation_id: Option<i64>,
    /// Dotted verb, e.g. `achievement.update`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    /// JSON with the changed fields.
    pub detail: String,
    pub remote_addr: Option<String>,
}

/// No relation is followed from the audit log.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
