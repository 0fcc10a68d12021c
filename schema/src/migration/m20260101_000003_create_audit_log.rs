//! The audit log of every mutation.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the audit log.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000003_create_audit_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("audit_log"))
                .col(pk("id"))
                .col(ts("at"))
                .col(text("actor"))
                .col(bigint_null("organisation_id"))
                .col(string("action"))
                .col(string("entity_type"))
                .col(bigint_null("entity_id"))
                .col(text("detail"))
                .col(text_null("remote_addr"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_entity")
                .table(id("audit_log"))
                .col(id("entity_type"))
                .col(id("entity_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(id("audit_log")).to_owned())
            .await
    }
}
