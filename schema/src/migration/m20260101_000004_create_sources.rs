//! Harvest sources, their runs, the (source, record id) → achievement map and rejected records.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the federation tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000004_create_sources"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("sources"))
                .col(pk("id"))
                .col(string("key").unique_key().to_owned())
                .col(string("kind"))
                .col(bigint("organisation_id"))
                .col(text("settings"))
                .col(bigint("interval_secs"))
                .col(ColumnDef::new(id("requires_review")).boolean().not_null())
                .col(ColumnDef::new(id("enabled")).boolean().not_null())
                .col(ts_null("harvested_until"))
                .col(ts_null("last_run_at"))
                .col(ts_null("last_success_at"))
                .col(string_null("lease_owner"))
                .col(ts_null("lease_expires_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("sources"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("harvest_runs"))
                .col(pk("id"))
                .col(bigint("source_id"))
                .col(string("status"))
                .col(ColumnDef::new(id("full")).boolean().not_null())
                .col(ts_null("since"))
                .col(ts("started_at"))
                .col(ts_null("finished_at"))
                .col(bigint("seen"))
                .col(bigint("created"))
                .col(bigint("updated"))
                .col(bigint("unchanged"))
                .col(bigint("deleted"))
                .col(bigint("rejected"))
                .col(bigint("pages"))
                .col(text_null("checkpoint"))
                .col(text_null("error"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("harvest_runs"), id("source_id"))
                        .to(id("sources"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_harvest_runs_source")
                .table(id("harvest_runs"))
                .col(id("source_id"))
                .col(id("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("source_records"))
                .col(pk("id"))
                .col(bigint("source_id"))
                .col(
                    ColumnDef::new(id("source_record_id"))
                        .string_len(512)
                        .not_null(),
                )
                .col(bigint_null("achievement_id"))
                .col(string("content_hash"))
                .col(ts_null("datestamp"))
                .col(ColumnDef::new(id("deleted")).boolean().not_null())
                .col(ts("first_seen_at"))
                .col(ts("last_seen_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("source_records"), id("source_id"))
                        .to(id("sources"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_source_records_key")
                .table(id("source_records"))
                .col(id("source_id"))
                .col(id("source_record_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_source_records_achievement")
                .table(id("source_records"))
                .col(id("achievement_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("rejected_records"))
                .col(pk("id"))
                .col(bigint("source_id"))
                .col(bigint_null("run_id"))
                .col(
                    ColumnDef::new(id("source_record_id"))
                        .string_len(512)
                        .null(),
                )
                .col(text("location"))
                .col(text("reason"))
                .col(text("raw"))
                .col(ts("created_at"))
                .col(ts_null("resolved_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("rejected_records"), id("source_id"))
                        .to(id("sources"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_rejected_records_source")
                .table(id("rejected_records"))
                .col(id("source_id"))
                .col(id("id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "rejected_records",
            "source_records",
            "harvest_runs",
            "sources",
        ] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
