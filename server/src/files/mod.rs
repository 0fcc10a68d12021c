//! Uploads (ASVS V12): `POST /files?name=FILE` takes the file as the raw request body and
//! `GET /files/{id}` gives it back.
//!
//! - The size limit (`security.upload_max_bytes`) is enforced before the body is read: a
//!   declared `Content-Length` over it is refused at once with 413, and a body without one is
//!   streamed to a temporary file and refused as soon as it passes the limit — memory stays
//!   flat whatever the size (BENCHMARKS.md, "Uploads").
//! - The type comes from the content's magic bytes (`infer`), never from the name or the
//!   declared `Content-Type`: only PDF, Office documents (OOXML and the older binary formats)
//!   and PNG/JPEG/GIF/WebP images are kept; anything else (HTML renamed `.pdf`, scripts,
//!   archives) is refused with 415. The stored name takes the detected type's extension.
//! - Files live under `<data_dir>/uploads/`, outside the front end directory (checked), named
//!   by a random key; their metadata is in `uploaded_files`.
//! - Downloads always carry `Content-Disposition: attachment` and the detected type; the
//!   security-headers layer gives attachments a `sandbox` CSP and `nosniff`, so neither a PDF
//!   nor an Office file, nor anything mislabelled, is ever rendered inline from the hub's origin.
//!
//! Uploaders need an organisation role other than `portal`; a file can be downloaded by its
//! organisation's members and platform admins (others get 404).

use crate::app::state::AppState;
use crate::auth::http::caller;
use crate::error::{status_for, AppError, AppResult, Code};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::path::{Path as FsPath, PathBuf};
use tokio::io::AsyncWriteExt;
use transferhub_schema::entity::uploaded_file;
use transferhub_schema::enums::Role;

/// Bytes kept from the start of an upload for type detection (OOXML needs its first entries).
const SNIFF_BYTES: usize = 64 * 1024;

/// The types kept, by MIME type as `infer` names them.
const ALLOWED: [&str; 11] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// `?name=` of an upload.
#[derive(Debug, serde::Deserialize)]
pub struct UploadQuery {
    /// The file's name as the uploader knows it.
    pub name: Option<String>,
}

/// The uploads directory: `<data_dir>/uploads`, refused when it lies inside the served
/// front end directory.
pub fn uploads_dir(data_dir: &str, frontend_dir: &str) -> AppResult<PathBuf> {
    let dir = absolute(&PathBuf::from(data_dir).join("uploads"));
    if !frontend_dir.trim().is_empty() && dir.starts_with(absolute(FsPath::new(frontend_dir))) {
        return Err(AppError::Internal(format!(
            "uploads directory {} is inside the served front end directory",
            dir.display()
        )));
    }
    Ok(dir)
}

fn absolute(p: &FsPath) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// What the content is, when it is a kept type: (MIME type, extension).
pub fn detect(head: &[u8]) -> Option<(&'static str, &'static str)> {
    let kind = infer::get(head)?;
    ALLOWED
        .iter()
        .find(|m| **m == kind.mime_type())
        .map(|m| (*m, kind.extension()))
}

/// A file name safe for storage and headers: the stem of `name` without path parts or control
/// characters, at most 100 characters, with the detected type's extension.
pub fn clean_name(name: Option<&str>, extension: &str) -> String {
    let base = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let stem: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\' | '/'))
        .take(100)
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() || stem.starts_with('.') {
        "file"
    } else {
        stem
    };
    format!("{stem}.{extension}")
}

fn random_key() -> String {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn too_large(max: u64) -> AppError {
    AppError::bad_input(
        "body",
        format!("文件过大 / the file is larger than the limit of {max} bytes"),
    )
}

/// `POST /files?name=FILE`.
pub async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    req: Request,
) -> Response {
    let max = state.config.security.upload_max_bytes;
    let (parts, body) = req.into_parts();
    // Refused on the declared length alone: not one byte of the body is read.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return refused(StatusCode::PAYLOAD_TOO_LARGE, too_large(max));
    }
    match store(&state, &parts.headers, q.name.as_deref(), body, max).await {
        Ok(row) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({
                "id": row.public_id,
                "fileName": row.file_name,
                "contentType": row.content_type,
                "sizeBytes": row.size_bytes,
                "sha256": row.sha256,
                "url": format!("/files/{}", row.public_id),
            })),
        )
            .into_response(),
        Err(Refusal(status, e)) => refused(status, e),
    }
}

/// An error with the HTTP status it is answered with.
struct Refusal(StatusCode, AppError);

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Self(status_for(e.code()), e)
    }
}

impl From<sea_orm::DbErr> for Refusal {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}

fn io(e: std::io::Error) -> Refusal {
    AppError::Internal(format!("upload storage: {e}")).into()
}

async fn store(
    state: &AppState,
    headers: &HeaderMap,
    name: Option<&str>,
    body: Body,
    max: u64,
) -> Result<uploaded_file::Model, Refusal> {
    let who = caller(state, headers, true).await?;
    let viewer = who
        .viewer()
        .cloned()
        .ok_or_else(|| AppError::Unauthenticated("log in or send a token to upload".into()))?;
    if viewer.role == Role::Portal {
        return Err(AppError::Forbidden("portal keys cannot upload files".into()).into());
    }
    let dir = uploads_dir(
        &state.config.storage.data_dir,
        &state.config.server.frontend_dir,
    )?;
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let key = random_key();
    let tmp = dir.join(format!("{key}.part"));
    let result = receive(body, &tmp, max).await;
    let (size, sha, head) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
    };
    let Some((mime, ext)) = detect(&head) else {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(Refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::bad_input(
                "body",
                "不支持的文件类型 / the content is not a PDF, an Office document or a PNG/JPEG/GIF/WebP image (the type is read from the content, not the name)",
            ),
        ));
    };
    tokio::fs::rename(&tmp, dir.join(&key)).await.map_err(io)?;
    let row = uploaded_file::ActiveModel {
        public_id: Set(random_key()),
        organisation_id: Set(viewer.organisation_id),
        uploaded_by: Set(viewer.actor()),
        file_name: Set(clean_name(name, ext)),
        content_type: Set(mime.to_string()),
        size_bytes: Set(i64::try_from(size).unwrap_or(i64::MAX)),
        sha256: Set(sha),
        storage_key: Set(key.clone()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    let saved = async {
        let txn = crate::db::begin_write(&state.db).await?;
        let row = row.insert(&txn).await?;
        crate::audit::record(
            &txn,
            Some(&viewer),
            "file.upload",
            "uploaded_file",
            Some(row.id),
            Some(viewer.organisation_id),
            serde_json::json!({ "name": row.file_name, "type": row.content_type, "size": row.size_bytes }),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(row)
    }
    .await;
    match saved {
        Ok(row) => Ok(row),
        Err(e) => {
            let _ = tokio::fs::remove_file(dir.join(&key)).await;
            Err(e.into())
        }
    }
}

/// Streams the body into `path`, refusing once it passes `max`; returns size, SHA-256 and the
/// first bytes for type detection.
async fn receive(body: Body, path: &FsPath, max: u64) -> Result<(u64, String, Vec<u8>), Refusal> {
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Refusal(
                StatusCode::BAD_REQUEST,
                AppError::bad_input("body", format!("the upload was interrupted ({e})")),
            )
        })?;
        size += chunk.len() as u64;
        if size > max {
            return Err(Refusal(StatusCode::PAYLOAD_TOO_LARGE, too_large(max)));
        }
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    if size == 0 {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            AppError::bad_input("body", "the upload is empty"),
        ));
    }
    Ok((size, hex::encode(hasher.finalize()), head))
}

fn refused(status: StatusCode, e: AppError) -> Response {
    if e.code() == Code::Internal {
        tracing::error!(error = %e.message(), "upload failed");
    }
    // The one error body (`AppError`'s `IntoResponse`), with the upload's own status (413, 415).
    let mut extra = HeaderMap::new();
    crate::auth::http::decorate(&mut extra, &e, false);
    let mut resp = e.into_response();
    *resp.status_mut() = status;
    resp.headers_mut().extend(extra);
    // The client may still be sending: tell it the connection will not be reused.
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266).
pub fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /files/{id}`.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response, Refusal> = async {
        let who = caller(&state, &headers, false).await?;
        let viewer = who
            .viewer()
            .ok_or_else(|| AppError::Unauthenticated("log in or send a token".into()))?;
        let not_found = || AppError::NotFound("file".into());
        if id.len() > 64 {
            return Err(not_found().into());
        }
        let row = uploaded_file::Entity::find()
            .filter(uploaded_file::Column::PublicId.eq(id.as_str()))
            .one(&state.db)
            .await?
            .ok_or_else(not_found)?;
        if row.organisation_id != viewer.organisation_id && viewer.role != Role::PlatformAdmin {
            return Err(not_found().into());
        }
        let dir = uploads_dir(
            &state.config.storage.data_dir,
            &state.config.server.frontend_dir,
        )?;
        let bytes = tokio::fs::File::open(dir.join(&row.storage_key))
            .await
            .map_err(io)?;
        let stream = tokio_util::io::ReaderStream::new(bytes);
        let mut resp = Body::from_stream(stream).into_response();
        let h = resp.headers_mut();
        let set = |h: &mut HeaderMap, k: header::HeaderName, v: &str| {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.insert(k, v);
            }
        };
        set(h, header::CONTENT_TYPE, &row.content_type);
        set(h, header::CONTENT_LENGTH, &row.size_bytes.to_string());
        set(h, header::CONTENT_DISPOSITION, &attachment(&row.file_name));
        set(h, header::CACHE_CONTROL, "private, no-store");
        Ok(resp)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(Refusal(status, e)) => refused(status, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_comes_from_the_content_not_the_name() {
        assert_eq!(
            detect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Some(("application/pdf", "pdf"))
        );
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(("image/png", "png"))
        );
        assert_eq!(detect(b"<!doctype html><script>alert(1)</script>"), None);
        assert_eq!(detect(b"<html><body>hi</body></html>"), None);
        assert_eq!(detect(b"PK\x03\x04 not really office"), None);
        assert_eq!(detect(b"#!/bin/sh\nrm -rf /"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn names_are_cleaned_and_take_the_detected_extension() {
        assert_eq!(clean_name(Some("报告.html"), "pdf"), "报告.pdf");
        assert_eq!(clean_name(Some("../../etc/passwd"), "pdf"), "passwd.pdf");
        assert_eq!(clean_name(Some("a\"b;c\r\n.pdf"), "pdf"), "abc.pdf");
        assert_eq!(clean_name(None, "png"), "file.png");
        assert_eq!(clean_name(Some(".htaccess"), "pdf"), "file.pdf");
    }

    #[test]
    fn attachment_header_has_an_ascii_fallback_and_the_utf8_name() {
        assert_eq!(
            attachment("报告 1.pdf"),
            "attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf"
        );
    }

    #[test]
    fn uploads_never_live_in_the_served_directory() {
        assert!(uploads_dir("data", "frontend/dist").is_ok());
        assert!(uploads_dir("frontend/dist/x", "frontend/dist").is_err());
    }
}
