//! Records a source sent that could not be used, kept with reason and raw payload for retry.

use sea_orm::entity::prelude::*;

/// One rejected record; `resolved_at` is set once a later harvest or retry accepted it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rejected_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub run_id: Option<i64>,
    pub source_record_id: Option<String>,
    pub location: String,
    pub reason: String,
    pub raw: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

/// No relation is followed from rejected records yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
