//! Read receipts: the last message of a deal an organisation has read.

use sea_orm::entity::prelude::*;

/// One (deal, organisation) read mark.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_reads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// The reading party.
    pub organisation_id: i64,
    /// Every message up to this id is read.
    pub last_read_message_id: i64,
    pub read_at: DateTimeUtc,
}

/// No relation is followed from read marks.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
