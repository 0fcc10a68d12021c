//! Cross-origin access for portals (ASVS V14.5.3): browsers on an origin listed in
//! `security.cors_allowed_origins` may call the hub with a bearer token or API key; their
//! preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered 204, any other
//! origin's preflight 403 without CORS headers. Credentials are never allowed cross-origin
//! (`Access-Control-Allow-Credentials` is never sent), so a browser never exposes a cookie
//! session's answer to another site; cookie-borne writes from other origins are refused by
//! the CSRF check as well (`auth/csrf.rs`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::sync::Arc;

/// Methods a portal may use.
const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers a portal may send.
const ALLOW_HEADERS: &str = "authorization, content-type, accept";

/// The allow-list, computed once from the configuration.
#[derive(Debug, Clone)]
pub struct Cors {
    allowed: HashSet<String>,
    max_age: HeaderValue,
}

impl Cors {
    /// The hub's own origin is always allowed; `origins` are the configured portals.
    pub fn new(origins: &[String], public_url: &str, max_age_secs: u64) -> Self {
        let mut allowed: HashSet<String> = origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_string())
            .collect();
        if let Ok(u) = url::Url::parse(public_url) {
            allowed.insert(u.origin().ascii_serialization());
        }
        Self {
            allowed,
            max_age: HeaderValue::from(max_age_secs),
        }
    }

    /// True when `origin` may read the hub's answers.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed.contains(origin)
    }
}

/// The middleware: answers preflights itself and marks allowed cross-origin answers.
pub async fn layer(State(cors): State<Arc<Cors>>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let Some(origin) = origin.filter(|o| cors.allows(o)) else {
            let mut resp = (
                StatusCode::FORBIDDEN,
                "跨域来源未获许可 / origin not allowed; ask the hub's admin to add it to security.cors_allowed_origins",
            )
                .into_response();
            resp.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Origin"));
            return resp;
        };
        let mut resp = StatusCode::NO_CONTENT.into_response();
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&origin) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, cors.max_age.clone());
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        return resp;
    }
    let mut resp = next.run(req).await;
    if let Some(origin) = origin.filter(|o| cors.allows(o)) {
        if let Ok(v) = HeaderValue::from_str(&origin) {
            resp.headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        resp.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Origin"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_and_the_hub_itself_are_allowed() {
        let c = Cors::new(
            &["https://portal.example.cn".into()],
            "https://hub.example.cn/",
            600,
        );
        assert!(c.allows("https://portal.example.cn"));
        assert!(c.allows("https://hub.example.cn"));
        assert!(!c.allows("https://evil.example"));
        assert!(!c.allows("null"));
        assert!(!c.allows("https://portal.example.cn.evil.example"));
    }
}
