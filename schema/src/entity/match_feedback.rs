//! Feedback on a suggested pair (interested / not relevant / contacted), which the ranking uses.

use sea_orm::entity::prelude::*;

/// One feedback entry; organisations are copied in so ranking can aggregate without joins.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "match_feedback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: i64,
    pub achievement_id: i64,
    /// `INTERESTED`, `NOT_RELEVANT` or `CONTACTED`.
    pub kind: String,
    pub need_organisation_id: i64,
    pub achievement_organisation_id: i64,
    pub given_by_organisation_id: i64,
    pub token_id: i64,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relation is followed from feedback.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
