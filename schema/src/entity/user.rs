//! People who log in (or on whose behalf a CLI token acts).

use sea_orm::entity::prelude::*;

/// One person; identity comes from an OpenID provider (`issuer` + `subject`) or an e-mail.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: Option<String>,
    pub display_name: String,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relation is followed from users yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
