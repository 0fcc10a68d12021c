//! Organisations, users, memberships and API tokens.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the identity tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000001_create_organisations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("organisations"))
                .col(pk("id"))
                .col(string("key").unique_key().to_owned())
                .col(text("name_zh"))
                .col(text("name_en"))
                .col(string("kind"))
                .col(string_null("region_code"))
                .col(text_null("website"))
                .col(text_null("description_zh"))
                .col(string_null("email_domain"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("users"))
                .col(pk("id"))
                .col(
                    ColumnDef::new(id("email"))
                        .string_len(255)
                        .null()
                        .unique_key(),
                )
                .col(text("display_name"))
                .col(text_null("issuer"))
                .col(text_null("subject"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("memberships"))
                .col(pk("id"))
                .col(bigint("user_id"))
                .col(bigint("organisation_id"))
                .col(string("role"))
                .col(ts("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("memberships"), id("user_id"))
                        .to(id("users"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(id("memberships"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_memberships_user_org")
                .table(id("memberships"))
                .col(id("user_id"))
                .col(id("organisation_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("api_tokens"))
                .col(pk("id"))
                .col(text("name"))
                .col(string("token_hash").unique_key().to_owned())
                .col(string("prefix"))
                .col(bigint("organisation_id"))
                .col(bigint_null("user_id"))
                .col(string("role"))
                .col(ts("created_at"))
                .col(ts_null("last_used_at"))
                .col(ts_null("revoked_at"))
                .col(ts_null("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("api_tokens"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["api_tokens", "memberships", "users", "organisations"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
