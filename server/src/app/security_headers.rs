//! The security headers of every response, set in one place (ASVS V14.4): a strict
//! Content-Security-Policy (scripts and styles from the hub's own origin only, no inline
//! script), `frame-ancestors` (configurable, `'none'` by default), `X-Content-Type-Options`,
//! `Referrer-Policy`, `Permissions-Policy`, `Cross-Origin-Opener-Policy`, and HSTS when the
//! hub's public URL is https. The layer wraps the whole router, so the SPA, `/graphql`, file
//! downloads, the body-limit and timeout answers and every error page carry them.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// `[security]`: the browser-facing hardening (`app/security_headers.rs`, `app/cors.rs`,
/// `files/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Origins allowed to show the hub's pages in a frame (CSP `frame-ancestors`); empty means
    /// `'none'` (and `X-Frame-Options: DENY`).
    pub frame_ancestors: Vec<String>,
    /// `Strict-Transport-Security` max-age; sent only when `server.public_url` is https.
    pub hsts_max_age_secs: u64,
    /// Origins (`https://portal.example.cn`) whose pages may call `/graphql` cross-origin with
    /// a bearer token or API key; never with cookies.
    pub cors_allowed_origins: Vec<String>,
    /// How long a browser may cache a preflight answer.
    pub cors_max_age_secs: u64,
    /// Largest upload accepted by `POST /files`; larger bodies are refused before being read.
    pub upload_max_bytes: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            frame_ancestors: Vec::new(),
            hsts_max_age_secs: 31_536_000,
            cors_allowed_origins: Vec::new(),
            cors_max_age_secs: 600,
            upload_max_bytes: 20 * 1024 * 1024,
        }
    }
}

/// The header set computed once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// The policy of a download (`Content-Disposition: attachment`): even if a browser rendered it,
/// it would run nothing and reach nothing, in an opaque origin.
const ATTACHMENT_CSP: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";

impl SecurityConfig {
    /// Checks `[security]` at load time: `frame_ancestors` and CORS entries must be origins
    /// (they end up in the CSP and the CORS answer).
    pub fn validate(&self) -> Result<(), String> {
        for (i, o) in self.frame_ancestors.iter().enumerate() {
            if !is_origin(o) {
                return Err(format!(
                    "security.frame_ancestors[{i}] {o:?} must be an origin like https://portal.example.cn"
                ));
            }
        }
        for (i, o) in self.cors_allowed_origins.iter().enumerate() {
            if !is_origin(o) {
                return Err(format!(
                    "security.cors_allowed_origins[{i}] {o:?} must be an origin like https://portal.example.cn"
                ));
            }
        }
        Ok(())
    }
}

/// `scheme://host[:port]` with nothing after it, http or https.
pub fn is_origin(o: &str) -> bool {
    match url::Url::parse(o) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.origin().ascii_serialization() == o.trim_end_matches('/')
                && !o.ends_with('/')
        }
        Err(_) => false,
    }
}

impl SecurityHeaders {
    /// The headers for a hub reached at `public_url`.
    pub fn new(c: &SecurityConfig, public_url: &str) -> Self {
        let https = public_url.starts_with("https://");
        let frame_ancestors = if c.frame_ancestors.is_empty() {
            "'none'".to_string()
        } else {
            c.frame_ancestors.join(" ")
        };
        // Subscriptions (graphql-ws) go to the hub's own origin over ws/wss; named explicitly
        // because older browsers do not count ws: as 'self'.
        let ws = url::Url::parse(public_url)
            .ok()
            .and_then(|u| {
                let origin = u.origin().ascii_serialization();
                origin
                    .strip_prefix("https://")
                    .map(|h| format!("wss://{h}"))
                    .or_else(|| origin.strip_prefix("http://").map(|h| format!("ws://{h}")))
            })
            .unwrap_or_default();
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self' data:; connect-src 'self' {ws}; worker-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; \
             frame-ancestors {frame_ancestors}"
        );
        let mut headers = vec![
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::REFERRER_POLICY,
                "strict-origin-when-cross-origin".into(),
            ),
            (
                HeaderName::from_static("permissions-policy"),
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
                 interest-cohort=()"
                    .into(),
            ),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin".into(),
            ),
        ];
        if c.frame_ancestors.is_empty() {
            headers.push((header::X_FRAME_OPTIONS, "DENY".into()));
        }
        if https && c.hsts_max_age_secs > 0 {
            headers.push((
                header::STRICT_TRANSPORT_SECURITY,
                format!("max-age={}; includeSubDomains", c.hsts_max_age_secs),
            ));
        }
        let headers = headers
            .into_iter()
            .filter_map(|(k, v)| HeaderValue::from_str(&v).ok().map(|v| (k, v)))
            .collect();
        Self { headers }
    }

    /// Puts the headers on a response (replacing any a handler set); attachments get the
    /// sandboxing policy and may only be loaded by the hub's own pages.
    pub fn apply(&self, target: &mut HeaderMap) {
        for (k, v) in &self.headers {
            target.insert(k.clone(), v.clone());
        }
        let attachment = target
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("attachment")
            });
        if attachment {
            target.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(ATTACHMENT_CSP),
            );
            target.insert(
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-origin"),
            );
        }
    }
}

/// The middleware: every response leaves with the headers.
pub async fn layer(State(h): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    h.apply(resp.headers_mut());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(h: &SecurityHeaders, name: &str) -> Option<String> {
        let mut m = HeaderMap::new();
        h.apply(&mut m);
        m.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    #[test]
    fn strict_policy_and_no_hsts_over_http() {
        let h = SecurityHeaders::new(&SecurityConfig::default(), "http://127.0.0.1:8080");
        let csp = get(&h, "content-security-policy").expect("csp");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("ws://127.0.0.1:8080"), "{csp}");
        assert_eq!(get(&h, "x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(
            get(&h, "x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert!(get(&h, "strict-transport-security").is_none());
    }

    #[test]
    fn hsts_over_https_and_configured_frame_ancestors() {
        let c = SecurityConfig {
            frame_ancestors: vec!["https://portal.example.cn".into()],
            ..Default::default()
        };
        let h = SecurityHeaders::new(&c, "https://hub.example.cn");
        assert!(get(&h, "strict-transport-security")
            .expect("hsts")
            .starts_with("max-age=31536000"));
        let csp = get(&h, "content-security-policy").expect("csp");
        assert!(csp.contains("frame-ancestors https://portal.example.cn"));
        assert!(csp.contains("wss://hub.example.cn"));
        assert!(get(&h, "x-frame-options").is_none());
    }

    #[test]
    fn origins_are_checked() {
        assert!(is_origin("https://portal.example.cn"));
        assert!(is_origin("http://127.0.0.1:3000"));
        assert!(!is_origin("https://portal.example.cn/"));
        assert!(!is_origin("https://portal.example.cn/path"));
        assert!(!is_origin("*"));
        assert!(!is_origin("'unsafe-inline'"));
        let c = SecurityConfig {
            frame_ancestors: vec!["*; script-src *".into()],
            ..Default::default()
        };
        assert!(c.validate().is_err());
    }
}
