//! Matching (issue 6): the suggestions cache the background recompute keeps per need and per
//! achievement, the feedback people give on suggestions, and the outbox of changed records the
//! recompute worker drains. Existing open needs are enqueued so an upgraded hub computes them.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the matching tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260201_000007_create_matching"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("match_suggestions"))
                .col(pk("id"))
                .col(bigint("need_id"))
                .col(bigint("achievement_id"))
                .col(ColumnDef::new(id("score")).double().not_null())
                .col(text("explanation"))
                .col(ts("computed_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_match_suggestions_pair")
                .table(id("match_suggestions"))
                .col(id("need_id"))
                .col(id("achievement_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_match_suggestions_achievement")
                .table(id("match_suggestions"))
                .col(id("achievement_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("match_feedback"))
                .col(pk("id"))
                .col(bigint("need_id"))
                .col(bigint("achievement_id"))
                .col(string("kind"))
                .col(bigint("need_organisation_id"))
                .col(bigint("achievement_organisation_id"))
                .col(bigint("given_by_organisation_id"))
                .col(bigint("token_id"))
                .col(text_null("note"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_match_feedback_pair")
                .table(id("match_feedback"))
                .col(id("need_id"))
                .col(id("achievement_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_match_feedback_achievement_org")
                .table(id("match_feedback"))
                .col(id("achievement_organisation_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("match_outbox"))
                .col(pk("id"))
                .col(string("subject"))
                .col(bigint("subject_id"))
                .col(ts("enqueued_at"))
                .to_owned(),
        )
        .await?;
        let backfill = Query::insert()
            .into_table(id("match_outbox"))
            .columns([id("subject"), id("subject_id"), id("enqueued_at")])
            .select_from(
                Query::select()
                    .expr(Expr::val("NEED"))
                    .column(id("id"))
                    .expr(Expr::val(chrono::Utc::now()))
                    .from(id("needs"))
                    .and_where(Expr::col(id("status")).eq("OPEN"))
                    .order_by(id("id"), Order::Asc)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        m.exec_stmt(backfill).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["match_outbox", "match_feedback", "match_suggestions"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
