//! Organisations join by application (issue 19): a verification status, the 统一社会信用代码,
//! the application's address, contact and business licence, the platform admin's decision,
//! deactivation, and the organisation a duplicate was merged into. Every organisation that
//! exists already (demo data, configuration, the CLI) is VERIFIED by the column default.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Adds the verification columns to `organisations`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000040_add_organisation_verification"
    }
}

/// The columns added, in order (one ALTER each: SQLite adds one column per statement).
fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(id("status"))
            .string_len(64)
            .not_null()
            .default("VERIFIED")
            .to_owned(),
        string_null("credit_code"),
        text_null("address"),
        text_null("contact_name"),
        text_null("contact_phone"),
        text_null("contact_email"),
        bigint_null("business_licence_file_id"),
        bigint_null("applied_by_user_id"),
        ts_null("submitted_at"),
        ts_null("reviewed_at"),
        string_null("reviewed_by"),
        text_null("rejection_reason"),
        ts_null("deactivated_at"),
        text_null("deactivation_reason"),
        bigint_null("merged_into_id"),
    ]
}

const COLUMN_NAMES: [&str; 15] = [
    "status",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "business_licence_file_id",
    "applied_by_user_id",
    "submitted_at",
    "reviewed_at",
    "reviewed_by",
    "rejection_reason",
    "deactivated_at",
    "deactivation_reason",
    "merged_into_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut col in columns() {
            m.alter_table(
                Table::alter()
                    .table(id("organisations"))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        // The verification queue and duplicate checks look organisations up by these.
        m.create_index(
            Index::create()
                .name("ix_organisations_status")
                .table(id("organisations"))
                .col(id("status"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_organisations_credit_code")
                .table(id("organisations"))
                .col(id("credit_code"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_organisations_credit_code", "ix_organisations_status"] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(id("organisations"))
                    .to_owned(),
            )
            .await?;
        }
        for name in COLUMN_NAMES.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(id("organisations"))
                    .drop_column(id(name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
