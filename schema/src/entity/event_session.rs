//! A session of an event (a half day, a day): a time range cut into meeting slots.

use sea_orm::entity::prelude::*;

/// One session. `breaks` is a JSON array of `[start, end]` RFC 3339 pairs inside the session.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub position: i64,
    pub name: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Most meetings one participant may have in this session.
    pub meeting_cap: Option<i64>,
    pub breaks: String,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
