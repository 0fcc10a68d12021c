//! Browser sessions opened by an OpenID Connect login; the cookie carries a secret whose hash
//! is stored here, so a leaked database does not hand out sessions.

use crate::enums::Role;
use sea_orm::entity::prelude::*;

/// One logged-in browser: whose, acting for which organisation, until when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: i64,
    /// Organisation the session acts for; none when the user belongs to no organisation yet.
    pub organisation_id: Option<i64>,
    pub role: Option<Role>,
    /// Sent back in `X-CSRF-Token` on every cookie-authenticated POST.
    pub csrf_token: String,
    /// Key of the login provider.
    pub provider: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub remote_addr: Option<String>,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
