//! An uploaded file's metadata (`POST /files`); the bytes are under `<data_dir>/uploads/`.

use sea_orm::entity::prelude::*;

/// One stored upload.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploaded_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Random id used in URLs.
    #[sea_orm(unique)]
    pub public_id: String,
    /// The uploader's organisation; its members may download the file.
    pub organisation_id: i64,
    /// `user:N` or `token:N`.
    pub uploaded_by: String,
    /// The uploader's file name, cleaned, with the extension of the detected type.
    pub file_name: String,
    /// MIME type detected from the content.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// File name under `<data_dir>/uploads/`.
    pub storage_key: String,
    pub created_at: DateTimeUtc,
}

/// No relation is followed from uploads.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
