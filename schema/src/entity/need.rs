//! Technology needs (技术需求) posted by firms.

use crate::enums::NeedStatus;
use sea_orm::entity::prelude::*;

/// One need. A budget with both bounds `None` means 面议 (negotiable).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organisation_id: i64,
    pub title: String,
    pub title_en: Option<String>,
    pub description: String,
    /// JSON array of keywords.
    pub keywords: String,
    pub industry_code: Option<String>,
    /// Section letter of `industry_code` (`C`), for filtering at that level.
    pub industry_section: Option<String>,
    /// Division of `industry_code` (`C38`).
    pub industry_division: Option<String>,
    /// Group of `industry_code` (`C384`).
    pub industry_group: Option<String>,
    /// JSON array of normalised IPC symbols.
    pub ipc_codes: String,
    pub required_trl: Option<i32>,
    pub transfer_modes: i32,
    pub budget_min_yuan: Option<i64>,
    pub budget_max_yuan: Option<i64>,
    pub region_code: Option<String>,
    pub deadline: Option<Date>,
    pub contact_name: Option<String>,
    pub status: NeedStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
