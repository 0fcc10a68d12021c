//! Which user belongs to which organisation, with which role.

use crate::enums::Role;
use sea_orm::entity::prelude::*;

/// A user's role in one organisation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: Role,
    pub created_at: DateTimeUtc,
}

/// No relation is followed from memberships yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
