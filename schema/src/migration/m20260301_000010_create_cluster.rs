//! What several hub replicas on one PostgreSQL share beyond the catalog: a fixed-window request
//! counter per bearer token (the global rate limit), and an index on the search outbox's
//! enqueue time (embedded-index replicas read the outbox as a log and prune it by age).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates `rate_limit_windows` and indexes `search_outbox.enqueued_at`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260301_000010_create_cluster"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("rate_limit_windows"))
                .col(bigint("token_id"))
                // Start of the window in whole seconds since the epoch.
                .col(bigint("window_start"))
                .col(bigint("hits"))
                .primary_key(Index::create().col(id("token_id")).col(id("window_start")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_rate_limit_windows_start")
                .table(id("rate_limit_windows"))
                .col(id("window_start"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_search_outbox_enqueued")
                .table(id("search_outbox"))
                .col(id("enqueued_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_search_outbox_enqueued")
                .table(id("search_outbox"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(id("rate_limit_windows")).to_owned())
            .await
    }
}
