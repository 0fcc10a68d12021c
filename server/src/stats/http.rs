//! `GET /stats/{table}.csv`: a statistics table as a CSV download for platform admins (UTF-8
//! with a byte-order mark, so spreadsheet programs show the Chinese correctly).

use super::service;
use crate::app::state::AppState;
use crate::auth::policy::{self, Action};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

/// Serves one statistics table as CSV to a platform admin (bearer token or session cookie).
pub async fn csv(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    match export(&state, &file, &headers).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            format!("\u{feff}{body}"),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn export(state: &AppState, file: &str, headers: &HeaderMap) -> Result<String, AppError> {
    let name = file
        .strip_suffix(".csv")
        .ok_or_else(|| AppError::bad_input("table", "ask for /stats/<table>.csv"))?;
    // A download that changes nothing: the same caller rules as GraphQL, no CSRF check.
    let caller = crate::auth::http::caller(state, headers, false).await?;
    policy::require(caller.viewer(), Action::ReadStats, 0)?;
    if !service::TABLES.contains(&name) {
        return Err(AppError::NotFound(format!("statistics table {name:?}")));
    }
    if name.starts_with("page_views") {
        state.views.flush(&state.db).await;
    }
    let t = service::table(&state.db, state.search.collections(), name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("statistics table {name:?}")))?;
    t.to_csv().map_err(AppError::Internal)
}
