//! A person's public profile (issue 19): title, fields, expertise, languages, bio, visibility.

use sea_orm::entity::prelude::*;

/// One person's profile; a person without a row has the defaults (BASIC, e-mail hidden).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub user_id: i64,
    /// 职称, e.g. 教授, 高级工程师.
    pub title: Option<String>,
    /// JSON array of normalised IPC symbols.
    pub ipc_codes: String,
    /// JSON array of GB/T 4754 codes.
    pub industry_codes: String,
    /// JSON array of expertise keywords.
    pub keywords: String,
    /// JSON array of language tags (zh, en, mn …).
    pub languages: String,
    /// A short introduction.
    pub bio: Option<String>,
    /// HIDDEN, BASIC or PUBLIC.
    pub visibility: String,
    /// Whether the e-mail address is shown to people who see the profile.
    pub show_email: bool,
    pub updated_at: DateTimeUtc,
}

/// No relation is followed from profiles.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
