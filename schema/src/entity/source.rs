//! Harvest sources: where an organisation's catalog lives and how often to fetch it.

use sea_orm::entity::prelude::*;

/// One source. `settings` is JSON with the kind-specific keys (url, path, mapping, metadata
/// prefix, set); the lease columns let exactly one hub process harvest it at a time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    /// `oai_pmh`, `tabular`, `json_api` or `peer_hub`.
    pub kind: String,
    pub organisation_id: i64,
    pub settings: String,
    pub interval_secs: i64,
    /// Harvested records wait in the review queue (DRAFT) instead of being published.
    pub requires_review: bool,
    pub enabled: bool,
    /// Incremental harvests ask for changes since this instant.
    pub harvested_until: Option<DateTimeUtc>,
    pub last_run_at: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relation is followed from sources yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
