//! The deal room (issue 20, first slice): `deals` between a buyer organisation and the owner of
//! an achievement, their private thread `deal_messages`, and `deal_reads` (read receipts: the
//! last message each party's organisation has read).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates `deals`, `deal_messages` and `deal_reads`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000070_create_deals"
    }
}

fn fk(from_table: &str, from_col: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(id(from_table), id(from_col))
        .to(id(to_table), id("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("deals"))
                .col(pk("id"))
                .col(bigint("achievement_id"))
                .col(bigint_null("need_id"))
                .col(bigint("buyer_organisation_id"))
                // The achievement's owner.
                .col(bigint("seller_organisation_id"))
                // `user:N` or `token:N`, like the audit log's actor.
                .col(string("opened_by"))
                // The match suggestion that led to the deal, if any (suggestions are recomputed,
                // so no foreign key).
                .col(bigint_null("match_suggestion_id"))
                // DealStatus.
                .col(string("status"))
                // `<achievement>:<buyer>` while the deal is open, NULL once it ends: the unique
                // index keeps one open deal per achievement and buyer, even under races.
                .col(string_null("open_key").unique_key().to_owned())
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("deals", "achievement_id", "achievements"))
                .foreign_key(&mut fk("deals", "buyer_organisation_id", "organisations"))
                .foreign_key(&mut fk("deals", "seller_organisation_id", "organisations"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_deals_buyer", "buyer_organisation_id"),
            ("ix_deals_seller", "seller_organisation_id"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(id("deals"))
                    .col(id(col))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(id("deal_messages"))
                .col(pk("id"))
                .col(bigint("deal_id"))
                .col(bigint("author_organisation_id"))
                // `user:N` or `token:N`.
                .col(string("author"))
                .col(text("body"))
                // Public id of an upload (`POST /files`) of the author's organisation.
                .col(string_null("attachment_file_id"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("deal_messages", "deal_id", "deals"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deal_messages_deal")
                .table(id("deal_messages"))
                .col(id("deal_id"))
                .col(id("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("deal_reads"))
                .col(pk("id"))
                .col(bigint("deal_id"))
                .col(bigint("organisation_id"))
                .col(bigint("last_read_message_id"))
                .col(ts("read_at"))
                .foreign_key(&mut fk("deal_reads", "deal_id", "deals"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_deal_reads_deal_org")
                .table(id("deal_reads"))
                .col(id("deal_id"))
                .col(id("organisation_id"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["deal_reads", "deal_messages", "deals"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
