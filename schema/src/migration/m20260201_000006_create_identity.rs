//! Identity and access: browser sessions, pending OpenID Connect logins, organisation
//! invitations, and scope / rate limit columns on API tokens.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the session, login-state and invitation tables; extends `api_tokens`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260201_000006_create_identity"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("sessions"))
                .col(pk("id"))
                .col(string("token_hash").unique_key().to_owned())
                .col(bigint("user_id"))
                .col(bigint_null("organisation_id"))
                .col(string_null("role"))
                .col(string("csrf_token"))
                .col(string("provider"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts("last_seen_at"))
                .col(text_null("remote_addr"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("sessions"), id("user_id"))
                        .to(id("users"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("login_states"))
                .col(pk("id"))
                .col(string("state_hash").unique_key().to_owned())
                .col(string("provider"))
                .col(text("nonce"))
                .col(text("pkce_verifier"))
                .col(text("return_to"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("invitations"))
                .col(pk("id"))
                .col(bigint("organisation_id"))
                .col(ColumnDef::new(id("email")).string_len(255).not_null())
                .col(string("role"))
                .col(text("invited_by"))
                .col(ts("created_at"))
                .col(ts_null("accepted_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("invitations"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_invitations_email")
                .table(id("invitations"))
                .col(id("email"))
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(id("api_tokens"))
                .add_column(string_null("scope"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(id("api_tokens"))
                .add_column(ColumnDef::new(id("rate_limit_per_minute")).integer().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_at")
                .table(id("audit_log"))
                .col(id("at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_audit_log_at")
                .table(id("audit_log"))
                .to_owned(),
        )
        .await?;
        for c in ["rate_limit_per_minute", "scope"] {
            m.alter_table(
                Table::alter()
                    .table(id("api_tokens"))
                    .drop_column(id(c))
                    .to_owned(),
            )
            .await?;
        }
        for t in ["invitations", "login_states", "sessions"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
