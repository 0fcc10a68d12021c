//! Review decisions on records from sources that require review: who decided what, when, why.

use sea_orm::entity::prelude::*;

/// One decision (`APPROVED` or `REJECTED`) on a harvested achievement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub achievement_id: i64,
    /// The reviewed source, when the record came from one.
    pub source_id: Option<i64>,
    pub decision: String,
    pub reason: Option<String>,
    /// Actor string as in the audit log (`token:<id>`).
    pub reviewer: String,
    pub decided_at: DateTimeUtc,
}

/// No relation is followed from reviews.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
