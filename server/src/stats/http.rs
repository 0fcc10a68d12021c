//! `GET /stats/{table}.csv`: a statistics table as a CSV download for platform admins (UTF-8
//! with a byte-order mark, so spreadsheet programs show the Chinese correctly).

use super::service;
use crate::app::state::AppState;
use crate::auth::policy::{self, Action};
use crate::auth::token;
use crate::error::{AppError, Code};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

fn fail(e: &AppError) -> Response {
    let status = match e.code() {
        Code::BadInput => StatusCode::BAD_REQUEST,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::Conflict => StatusCode::CONFLICT,
        Code::Internal => {
            tracing::error!(error = %e.message(), "statistics export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
        }
    };
    (status, format!("{}: {}\n", e.code().as_str(), e.message())).into_response()
}

/// The handler.
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
        Err(e) => fail(&e),
    }
}

async fn export(state: &AppState, file: &str, headers: &HeaderMap) -> Result<String, AppError> {
    let name = file
        .strip_suffix(".csv")
        .ok_or_else(|| AppError::bad_input("table", "ask for /stats/<table>.csv"))?;
    let presented = headers
        .get(header::AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| {
                    s.strip_prefix("Bearer ")
                        .or_else(|| s.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(|| {
                    AppError::Unauthenticated(
                        "Authorization header must be `Bearer <token>`".into(),
                    )
                })
        })
        .transpose()?;
    let viewer = match presented {
        Some(t) => Some(token::authenticate(&state.db, t).await?),
        None => None,
    };
    policy::require(viewer.as_ref(), Action::ReadStats, 0)?;
    if !service::TABLES.contains(&name) {
        return Err(AppError::NotFound(format!("statistics table {name:?}")));
    }
    let t = service::table(&state.db, state.search.collections(), name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("statistics table {name:?}")))?;
    t.to_csv().map_err(AppError::Internal)
}
