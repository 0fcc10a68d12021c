//! CSRF protection for cookie-authenticated requests: every POST that rides on the session
//! cookie must echo the session's CSRF token in `X-CSRF-Token` (the token is readable from the
//! non-HttpOnly `thub_csrf` cookie or `viewer { csrfToken }`), and a present `Origin` must be
//! the hub's own. Bearer-token requests are exempt: a browser never attaches them on its own.

use crate::error::{AppError, AppResult};
use axum::http::{header, HeaderMap};

/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Refuses unless the request proves it was made by the hub's own pages.
pub fn check(expected: &str, headers: &HeaderMap, public_url: &str) -> AppResult<()> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin != "null" && !same_origin(origin, public_url) {
            return Err(AppError::Forbidden(format!(
                "跨站请求被拒绝 / cross-site request from {origin} refused"
            )));
        }
    }
    let presented = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if presented.is_empty() || !constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Forbidden(
            "缺少或错误的 X-CSRF-Token / missing or wrong X-CSRF-Token header for a cookie-authenticated request"
                .into(),
        ));
    }
    Ok(())
}

/// True when `origin` (scheme://host[:port]) is the origin of `public_url`.
/// True when an `Origin` header names the hub itself (also guards WebSocket upgrades).
pub fn same_origin(origin: &str, public_url: &str) -> bool {
    match (url::Url::parse(origin), url::Url::parse(public_url)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Compares without leaking the position of the first difference through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn token_must_match_and_origin_must_be_ours() {
        let url = "http://127.0.0.1:8080";
        assert!(check("abc", &headers(&[("x-csrf-token", "abc")]), url).is_ok());
        assert!(check("abc", &headers(&[]), url).is_err());
        assert!(check("abc", &headers(&[("x-csrf-token", "abd")]), url).is_err());
        assert!(check(
            "abc",
            &headers(&[("x-csrf-token", "abc"), ("origin", "http://127.0.0.1:8080")]),
            url
        )
        .is_ok());
        let e = check(
            "abc",
            &headers(&[("x-csrf-token", "abc"), ("origin", "https://evil.example")]),
            url,
        )
        .expect_err("cross-site");
        assert_eq!(e.code(), crate::error::Code::Forbidden);
    }
}
