//! Patents, keyed by their normalised application number and linked to an achievement.

use crate::enums::PatentType;
use sea_orm::entity::prelude::*;

/// One patent (application or grant).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub achievement_id: Option<i64>,
    /// Normalised `YYYYTNNNNNNN.C` (or the pre-2003 form).
    #[sea_orm(unique)]
    pub application_number: String,
    /// `CN` + digits + kind code.
    pub publication_number: Option<String>,
    pub patent_type: PatentType,
    pub granted: bool,
    pub created_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::achievement::Entity",
        from = "Column::AchievementId",
        to = "super::achievement::Column::Id"
    )]
    Achievement,
}

impl Related<super::achievement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Achievement.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
