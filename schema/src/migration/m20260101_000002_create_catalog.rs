//! Achievements, patents and needs, with the indexes the catalog filters use.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the catalog tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000002_create_catalog"
    }
}

fn org_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(id(table), id("organisation_id"))
        .to(id("organisations"), id("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(id(table));
    for c in columns {
        i.col(id(c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("achievements"))
                .col(pk("id"))
                .col(bigint("organisation_id"))
                .col(text("title"))
                .col(text_null("title_en"))
                .col(string("achievement_type"))
                .col(text("inventors"))
                .col(text("summary"))
                .col(text_null("summary_en"))
                .col(text("keywords"))
                .col(string_null("industry_code"))
                .col(string_null("industry_section"))
                .col(string_null("industry_division"))
                .col(string_null("industry_group"))
                .col(text("ipc_codes"))
                .col(ColumnDef::new(id("trl")).integer().null())
                .col(ColumnDef::new(id("transfer_modes")).integer().not_null())
                .col(bigint_null("asking_price_yuan"))
                .col(text_null("contact_name"))
                .col(text_null("contact_phone"))
                .col(text_null("contact_email"))
                .col(string_null("region_code"))
                .col(string("status"))
                .col(ts_null("published_at"))
                .col(string_null("source_key"))
                .col(text_null("source_record_id"))
                .col(text("provenance"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut org_fk("achievements"))
                .to_owned(),
        )
        .await?;
        // Listing order is newest id first; each filter the catalog offers leads an index that ends in
        // id. The industry code is also stored at each GB/T 4754 level (section, division, group) so
        // a filter at any level is an equality on an index and the first page is read in order.
        for (name, cols) in [
            ("ix_achievements_status_id", &["status", "id"][..]),
            (
                "ix_achievements_status_industry_id",
                &["status", "industry_code", "id"][..],
            ),
            (
                "ix_achievements_status_section_id",
                &["status", "industry_section", "id"][..],
            ),
            (
                "ix_achievements_status_division_id",
                &["status", "industry_division", "id"][..],
            ),
            (
                "ix_achievements_status_group_id",
                &["status", "industry_group", "id"][..],
            ),
            ("ix_achievements_org_id", &["organisation_id", "id"][..]),
            (
                "ix_achievements_status_region_id",
                &["status", "region_code", "id"][..],
            ),
            ("ix_achievements_updated_at", &["updated_at"][..]),
            (
                "ix_achievements_source",
                &["source_key", "source_record_id"][..],
            ),
        ] {
            m.create_index(index("achievements", name, cols)).await?;
        }
        m.create_table(
            Table::create()
                .table(id("patents"))
                .col(pk("id"))
                .col(bigint_null("achievement_id"))
                .col(string("application_number").unique_key().to_owned())
                .col(string_null("publication_number"))
                .col(string("patent_type"))
                .col(ColumnDef::new(id("granted")).boolean().not_null())
                .col(ts("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("patents"), id("achievement_id"))
                        .to(id("achievements"), id("id"))
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "patents",
            "ix_patents_achievement",
            &["achievement_id"],
        ))
        .await?;
        m.create_index(index(
            "patents",
            "ix_patents_publication",
            &["publication_number"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(id("needs"))
                .col(pk("id"))
                .col(bigint("organisation_id"))
                .col(text("title"))
                .col(text_null("title_en"))
                .col(text("description"))
                .col(text("keywords"))
                .col(string_null("industry_code"))
                .col(string_null("industry_section"))
                .col(string_null("industry_division"))
                .col(string_null("industry_group"))
                .col(text("ipc_codes"))
                .col(ColumnDef::new(id("required_trl")).integer().null())
                .col(ColumnDef::new(id("transfer_modes")).integer().not_null())
                .col(bigint_null("budget_min_yuan"))
                .col(bigint_null("budget_max_yuan"))
                .col(string_null("region_code"))
                .col(ColumnDef::new(id("deadline")).date().null())
                .col(text_null("contact_name"))
                .col(string("status"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut org_fk("needs"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_needs_status_id", &["status", "id"][..]),
            ("ix_needs_org_id", &["organisation_id", "id"][..]),
            (
                "ix_needs_status_industry_id",
                &["status", "industry_code", "id"][..],
            ),
        ] {
            m.create_index(index("needs", name, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["needs", "patents", "achievements"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
