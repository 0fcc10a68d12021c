//! The link directory and its check history, per-day page-view counters of achievements, and
//! the review decisions on harvested records (links, statistics and data governance issue).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates `links`, `link_checks`, `achievement_views` and `record_reviews`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260201_000009_create_links_stats"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("links"))
                .col(pk("id"))
                .col(string("key").unique_key().to_owned())
                .col(string("category"))
                .col(text("name_zh"))
                .col(text("name_en"))
                .col(text_null("description_zh"))
                .col(text_null("description_en"))
                .col(string_null("region_code"))
                .col(text("url_template"))
                .col(bigint("sort_order"))
                .col(ColumnDef::new(id("enabled")).boolean().not_null())
                .col(string("origin"))
                .col(string("status"))
                .col(ts_null("last_checked_at"))
                .col(ts_null("last_ok_at"))
                .col(bigint_null("last_http_status"))
                .col(text_null("last_error"))
                .col(bigint("consecutive_failures"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("link_checks"))
                .col(pk("id"))
                .col(bigint("link_id"))
                .col(ts("checked_at"))
                .col(string("outcome"))
                .col(bigint_null("http_status"))
                .col(text_null("error"))
                .col(bigint("duration_ms"))
                .col(text("url"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("link_checks"), id("link_id"))
                        .to(id("links"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_link_checks_link")
                .table(id("link_checks"))
                .col(id("link_id"))
                .col(id("id"))
                .to_owned(),
        )
        .await?;
        // Counted without personal data: one counter per achievement per UTC day, nothing else.
        m.create_table(
            Table::create()
                .table(id("achievement_views"))
                .col(pk("id"))
                .col(bigint("achievement_id"))
                .col(ColumnDef::new(id("day")).string_len(10).not_null())
                .col(bigint("views"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_achievement_views_day")
                .table(id("achievement_views"))
                .col(id("achievement_id"))
                .col(id("day"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("record_reviews"))
                .col(pk("id"))
                .col(bigint("achievement_id"))
                .col(bigint_null("source_id"))
                .col(string("decision"))
                .col(text_null("reason"))
                .col(text("reviewer"))
                .col(ts("decided_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_record_reviews_achievement")
                .table(id("record_reviews"))
                .col(id("achievement_id"))
                .col(id("id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "record_reviews",
            "achievement_views",
            "link_checks",
            "links",
        ] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
