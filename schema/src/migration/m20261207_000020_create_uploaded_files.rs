//! Uploaded files (`POST /files`): the metadata of each stored file. The bytes live under the
//! data directory's `uploads/` (never a served path), named by `storage_key`.

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates `uploaded_files`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000020_create_uploaded_files"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("uploaded_files"))
                .col(pk("id"))
                // Random, unguessable id used in URLs (`/files/{public_id}`).
                .col(string("public_id").unique_key())
                .col(bigint("organisation_id"))
                // `user:N` or `token:N`, like the audit log's actor.
                .col(string("uploaded_by"))
                // The name the uploader gave, cleaned; shown in Content-Disposition.
                .col(text("file_name"))
                // What the bytes are (from their magic bytes), e.g. application/pdf.
                .col(string("content_type"))
                .col(bigint("size_bytes"))
                .col(string("sha256"))
                // File name under `<data_dir>/uploads/`.
                .col(string("storage_key"))
                .col(ts("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("uploaded_files"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_uploaded_files_org")
                .table(id("uploaded_files"))
                .col(id("organisation_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(id("uploaded_files")).to_owned())
            .await
    }
}
