//! CLI tokens that act for one person not (yet) in an organisation; only a hash is stored. The
//! organisation such a token acts for is the person's membership at the time of each request.

use sea_orm::entity::prelude::*;

/// One person token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// First characters of the token.
    pub prefix: String,
    pub user_id: i64,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
}

/// No relation is followed from person tokens.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
