//! A message in a deal's private thread.

use sea_orm::entity::prelude::*;

/// One message, by a member of one of the deal's parties.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// The author's organisation (buyer or seller).
    pub author_organisation_id: i64,
    /// `user:N` or `token:N`.
    pub author: String,
    /// The text.
    pub body: String,
    /// Public id of an upload of the author's organisation.
    pub attachment_file_id: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relation is followed from messages.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
