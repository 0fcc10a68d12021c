//! The search outbox: one row per achievement change, written in the same transaction as the
//! change and deleted by the indexer once the search index reflects it.

use sea_orm::entity::prelude::*;

/// One pending index update. Rows carry no payload: the indexer re-reads the achievement, so
/// processing a row twice, or out of order, still leaves the index matching the store.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The achievement whose index entry must be refreshed (or removed when it is gone).
    pub achievement_id: i64,
    pub enqueued_at: DateTimeUtc,
}

/// No relation is followed from the outbox.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
