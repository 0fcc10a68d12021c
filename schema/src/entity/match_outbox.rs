//! The matching outbox: one row per changed need or achievement, written in the change's
//! transaction and deleted once the recompute worker has refreshed that record's suggestions.

use sea_orm::entity::prelude::*;

/// One pending recompute; like the search outbox, rows carry no payload.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "match_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `NEED` or `ACHIEVEMENT`.
    pub subject: String,
    pub subject_id: i64,
    pub enqueued_at: DateTimeUtc,
}

/// No relation is followed from the outbox.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
