//! Technology achievements (科技成果), with every field DOMAIN.md lists.

use crate::enums::{AchievementStatus, AchievementType};
use sea_orm::entity::prelude::*;

/// One achievement. List-valued fields that are only displayed (inventors, keywords, IPC codes,
/// provenance) are JSON text; transfer modes are a bit mask so every database can filter on them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "achievements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organisation_id: i64,
    pub title: String,
    pub title_en: Option<String>,
    pub achievement_type: AchievementType,
    /// JSON array of names (完成人).
    pub inventors: String,
    pub summary: String,
    pub summary_en: Option<String>,
    /// JSON array of keywords.
    pub keywords: String,
    /// GB/T 4754 code, normalised (`C3841`).
    pub industry_code: Option<String>,
    /// Section letter of `industry_code` (`C`), for filtering at that level.
    pub industry_section: Option<String>,
    /// Division of `industry_code` (`C38`).
    pub industry_division: Option<String>,
    /// Group of `industry_code` (`C384`).
    pub industry_group: Option<String>,
    /// JSON array of normalised IPC symbols.
    pub ipc_codes: String,
    pub trl: Option<i32>,
    pub transfer_modes: i32,
    /// Asking price in yuan; `None` means 面议 (negotiable).
    pub asking_price_yuan: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// GB/T 2260 code.
    pub region_code: Option<String>,
    pub status: AchievementStatus,
    pub published_at: Option<DateTimeUtc>,
    /// Connector source that supplied the record, if harvested.
    pub source_key: Option<String>,
    pub source_record_id: Option<String>,
    /// JSON array of provenance entries (source, record id, harvested at).
    pub provenance: String,
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
    #[sea_orm(has_many = "super::patent::Entity")]
    Patent,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::patent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Patent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
