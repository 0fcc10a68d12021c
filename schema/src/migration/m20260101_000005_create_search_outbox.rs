//! The transactional outbox that keeps the search index in step with the store. Achievements
//! that exist when the table is created are enqueued, so an upgraded hub indexes its catalog.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the search outbox.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000005_create_search_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("search_outbox"))
                .col(pk("id"))
                .col(bigint("achievement_id"))
                .col(ts("enqueued_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_search_outbox_achievement")
                .table(id("search_outbox"))
                .col(id("achievement_id"))
                .to_owned(),
        )
        .await?;
        // Existing records (a hub upgraded in place) get one row each; the indexer does the rest.
        let backfill = Query::insert()
            .into_table(id("search_outbox"))
            .columns([id("achievement_id"), id("enqueued_at")])
            .select_from(
                Query::select()
                    .column(id("id"))
                    .expr(Expr::val(chrono::Utc::now()))
                    .from(id("achievements"))
                    .order_by(id("id"), Order::Asc)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        m.exec_stmt(backfill).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(id("search_outbox")).to_owned())
            .await
    }
}
