//! The server's one error type and the two places that turn it into an answer: a GraphQL error
//! with a stable `extensions.code` (and `extensions.field` for bad input), and, for the plain
//! HTTP routes (login, CSV and iCalendar downloads, the WebSocket upgrade), one JSON body
//! `{"error": {"code", "message", "field"?}}` with the status of [`status_for`] and
//! `Retry-After` when rate limited. Internal faults are logged once, here, and answered
//! generically so nothing about the store leaks.

use async_graphql::ErrorExtensions;

/// Stable machine-readable error codes (API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The request's input is invalid; `field` names it.
    BadInput,
    /// The addressed record does not exist (or is not visible to the caller).
    NotFound,
    /// The caller is known but may not do this.
    Forbidden,
    /// The caller must authenticate first.
    Unauthenticated,
    /// Too many requests.
    RateLimited,
    /// The change conflicts with stored state (duplicate key, wrong state).
    Conflict,
    /// A fault on our side.
    Internal,
}

impl Code {
    /// The spelling written into `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadInput => "BAD_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Forbidden => "FORBIDDEN",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL",
        }
    }
}

/// Everything a service call can fail with. It deliberately has no `Display`: the only way into
/// a GraphQL response is the conversion below, which always writes `extensions.code`.
#[derive(Debug)]
pub enum AppError {
    /// Invalid input, naming the field (GraphQL path style, e.g. `patents[0].applicationNumber`).
    BadInput {
        /// The offending input field.
        field: String,
        /// What is wrong and what would be right.
        message: String,
        /// For a wrong patent check digit, the digit that would be right.
        expected_check_digit: Option<char>,
    },
    /// No such record, or not visible to the caller.
    NotFound(String),
    /// The caller may not do this.
    Forbidden(String),
    /// The caller may not do this because of a state of their organisation (not yet verified,
    /// deactivated): FORBIDDEN with a stable `extensions.reason`, e.g. `ORGANISATION_NOT_VERIFIED`.
    ForbiddenBecause {
        /// Stable machine-readable reason.
        reason: &'static str,
        /// What is refused and what to do about it.
        message: String,
    },
    /// No credential, or an invalid one.
    Unauthenticated(String),
    /// The change conflicts with stored state.
    Conflict(String),
    /// Too many requests from this credential; try again after this many seconds.
    RateLimited {
        /// Seconds until the next request is allowed.
        retry_after_secs: u64,
    },
    /// A database fault.
    Db(sea_orm::DbErr),
    /// Any other fault on our side.
    Internal(String),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Db(e)
    }
}

impl AppError {
    /// A one-line description for people (logs, CLI); internal details included.
    pub fn message(&self) -> String {
        match self {
            Self::BadInput { field, message, .. } => format!("{field}: {message}"),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Forbidden(m) | Self::Unauthenticated(m) | Self::Conflict(m) => m.clone(),
            Self::ForbiddenBecause { message, .. } => message.clone(),
            Self::RateLimited { retry_after_secs } => {
                format!("请求过于频繁 / rate limit exceeded; retry after {retry_after_secs} s")
            }
            Self::Db(e) => format!("database error: {e}"),
            Self::Internal(m) => format!("internal error: {m}"),
        }
    }

    /// Shorthand for a bad-input error.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
            expected_check_digit: None,
        }
    }

    /// The stable code for this error.
    pub fn code(&self) -> Code {
        match self {
            Self::BadInput { .. } => Code::BadInput,
            Self::NotFound(_) => Code::NotFound,
            Self::Forbidden(_) | Self::ForbiddenBecause { .. } => Code::Forbidden,
            Self::Unauthenticated(_) => Code::Unauthenticated,
            Self::Conflict(_) => Code::Conflict,
            Self::RateLimited { .. } => Code::RateLimited,
            Self::Db(e) if is_unique_violation(e) => Code::Conflict,
            Self::Db(_) | Self::Internal(_) => Code::Internal,
        }
    }
}

/// A unique-constraint violation is the client's conflict, not our fault.
fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Result alias for service calls.
pub type AppResult<T> = Result<T, AppError>;

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        let code = e.code();
        let message = match (&e, code) {
            (_, Code::Internal) => {
                tracing::error!(error = %e.message(), "internal error");
                "internal error".to_string()
            }
            (AppError::Db(_), Code::Conflict) => "the record conflicts with an existing one".into(),
            _ => e.message(),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if let AppError::BadInput {
                field,
                expected_check_digit,
                ..
            } = &e
            {
                ext.set("field", field.as_str());
                if let Some(d) = expected_check_digit {
                    ext.set("expectedCheckDigit", d.to_string());
                }
            }
            if let AppError::RateLimited { retry_after_secs } = &e {
                ext.set("retryAfter", *retry_after_secs);
            }
            if let AppError::ForbiddenBecause { reason, .. } = &e {
                ext.set("reason", *reason);
            }
        })
    }
}

/// The HTTP status that goes with an error code.
pub fn status_for(code: Code) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match code {
        Code::BadInput => StatusCode::BAD_REQUEST,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::Conflict => StatusCode::CONFLICT,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{header, HeaderValue};
        let code = self.code();
        let message = if code == Code::Internal {
            tracing::error!(error = %self.message(), "internal error");
            "internal error".to_string()
        } else {
            self.message()
        };
        let mut body =
            serde_json::json!({ "error": { "code": code.as_str(), "message": message } });
        if let AppError::BadInput { field, .. } = &self {
            body["error"]["field"] = serde_json::Value::from(field.as_str());
        }
        if let AppError::ForbiddenBecause { reason, .. } = &self {
            body["error"]["reason"] = serde_json::Value::from(*reason);
        }
        let mut resp = (status_for(code), axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = &self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn http_errors_have_one_body_shape() {
        use axum::response::IntoResponse;
        let resp = AppError::bad_input("table", "ask for /stats/<table>.csv").into_response();
        assert_eq!(resp.status().as_u16(), 400);
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(body["error"]["code"], "BAD_INPUT");
        assert_eq!(body["error"]["field"], "table");
        let resp = AppError::RateLimited {
            retry_after_secs: 7,
        }
        .into_response();
        assert_eq!(resp.status().as_u16(), 429);
        assert_eq!(resp.headers()["retry-after"], "7");
        let resp = AppError::Internal("secret detail".into()).into_response();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .expect("body");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret"),
            "internal details stay in the log"
        );
    }

    #[test]
    fn bad_input_carries_code_and_field() {
        let e: async_graphql::Error = AppError::BadInput {
            field: "patents[0].applicationNumber".into(),
            message: "check digit".into(),
            expected_check_digit: Some('3'),
        }
        .into();
        let ext = e.extensions.expect("extensions");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("BAD_INPUT"))
        );
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::from("patents[0].applicationNumber"))
        );
        assert_eq!(
            ext.get("expectedCheckDigit"),
            Some(&async_graphql::Value::from("3"))
        );
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let e: async_graphql::Error = AppError::Internal("password=secret".into()).into();
        assert_eq!(e.message, "internal error");
    }
}
