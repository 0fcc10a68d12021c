//! One harvest of one source: status, counters, timings and the resume checkpoint.

use sea_orm::entity::prelude::*;

/// A harvest run. `checkpoint` is the connector's resume point after the last committed page.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "harvest_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    pub full: bool,
    pub since: Option<DateTimeUtc>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub seen: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub deleted: i64,
    pub rejected: i64,
    pub pages: i64,
    pub checkpoint: Option<String>,
    pub error: Option<String>,
}

/// No relation is followed from runs yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
