//! Universities, institutes, firms, agencies, organisers and portals.

use crate::enums::OrganisationKind;
use sea_orm::entity::prelude::*;

/// One organisation, addressed publicly by its stable `key` (e.g. `imu`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: OrganisationKind,
    pub region_code: Option<String>,
    pub website: Option<String>,
    pub description_zh: Option<String>,
    pub email_domain: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::achievement::Entity")]
    Achievement,
    #[sea_orm(has_many = "super::need::Entity")]
    Need,
}

impl Related<super::achievement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Achievement.def()
    }
}

impl Related<super::need::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Need.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
