//! The history of reachability checks of directory links.

use sea_orm::entity::prelude::*;

/// One check of one link: outcome (`UP`, `BROKEN`, `REFUSED`), HTTP status, error, timing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "link_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub link_id: i64,
    pub checked_at: DateTimeUtc,
    pub outcome: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// The address actually requested.
    pub url: String,
}

/// No relation is followed from checks.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
