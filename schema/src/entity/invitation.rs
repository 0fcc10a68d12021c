//! An organisation admin's invitation: the first login with this e-mail joins the organisation.

use crate::enums::Role;
use sea_orm::entity::prelude::*;

/// One invitation, open until accepted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organisation_id: i64,
    /// Lower-cased e-mail address.
    pub email: String,
    pub role: Role,
    /// Audit actor of the inviter.
    pub invited_by: String,
    pub created_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
}

/// No relation is followed from invitations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
