//! A deal (交易) between a buyer organisation and the owner of an achievement.

use crate::enums::DealStatus;
use sea_orm::entity::prelude::*;

/// One deal; only its parties (and platform admins) see it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The achievement dealt in.
    pub achievement_id: i64,
    /// The need it answers, if any.
    pub need_id: Option<i64>,
    /// The organisation that expressed interest.
    pub buyer_organisation_id: i64,
    /// The achievement's owner.
    pub seller_organisation_id: i64,
    /// `user:N` or `token:N` who opened it.
    pub opened_by: String,
    /// The match suggestion that led to it, if any.
    pub match_suggestion_id: Option<i64>,
    /// Where the deal stands.
    pub status: DealStatus,
    /// `<achievement>:<buyer>` while open, NULL once ended (unique).
    pub open_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relation is followed from deals.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
