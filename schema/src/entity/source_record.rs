//! The map from (source, source record id) to the achievement it feeds, with a content hash so
//! unchanged records cost no write.

use sea_orm::entity::prelude::*;

/// One record of one source.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub source_record_id: String,
    pub achievement_id: Option<i64>,
    pub content_hash: String,
    pub datestamp: Option<DateTimeUtc>,
    pub deleted: bool,
    pub first_seen_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

/// No relation is followed from source records yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
