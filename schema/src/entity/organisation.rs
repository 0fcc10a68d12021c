//! Universities, institutes, firms, agencies, organisers and portals.

use crate::enums::{OrganisationKind, OrganisationStatus};
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
    /// Verification state; only VERIFIED organisations publish.
    pub status: OrganisationStatus,
    /// 统一社会信用代码 (18 characters, checked), when the organisation has one.
    pub credit_code: Option<String>,
    /// Postal address given in the application.
    pub address: Option<String>,
    /// Contact person of the application.
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// The business licence upload (`uploaded_files.id`), PDF or image.
    pub business_licence_file_id: Option<i64>,
    /// The person who applied (`users.id`); none for configured and CLI-made organisations.
    pub applied_by_user_id: Option<i64>,
    /// When the application was last (re)submitted.
    pub submitted_at: Option<DateTimeUtc>,
    /// When a platform admin last decided, and who (audit actor).
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<String>,
    /// The reason of the last rejection (cleared on resubmission).
    pub rejection_reason: Option<String>,
    /// Deactivated by a platform admin: no publishing, no member logins or tokens.
    pub deactivated_at: Option<DateTimeUtc>,
    pub deactivation_reason: Option<String>,
    /// The organisation this duplicate was merged into (it is deactivated).
    pub merged_into_id: Option<i64>,
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
