//! Bearer tokens for the CLI, scripts and external portals; only a hash is stored.

use crate::enums::Role;
use sea_orm::entity::prelude::*;

/// One token: its SHA-256 hash, the organisation and role it acts as, and its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// First characters of the token, so an admin can tell tokens apart without the secret.
    pub prefix: String,
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub role: Role,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    /// `READ_PUBLIC` or `READ_WRITE_ORG` for portal API keys; none for CLI tokens.
    pub scope: Option<String>,
    /// Requests per minute this key may make; none = the configured default.
    pub rate_limit_per_minute: Option<i32>,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
