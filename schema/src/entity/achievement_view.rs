//! Page views of achievements, one counter per achievement per UTC day and nothing personal.

use sea_orm::entity::prelude::*;

/// Views of one achievement on one day (`YYYY-MM-DD`, UTC).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "achievement_views")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub achievement_id: i64,
    pub day: String,
    pub views: i64,
}

/// No relation is followed from view counters.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
