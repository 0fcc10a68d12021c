//! The HTTP side of identity: who a request comes from (bearer token, API key or session
//! cookie, with CSRF and rate limits applied), the login routes `GET /auth/login/{provider}`
//! and `GET /auth/callback/{provider}`, and `POST /auth/logout`.

use super::oidc::CallbackParams;
use super::session::{self, SessionInfo, CSRF_COOKIE, SESSION_COOKIE};
use super::{csrf, token, Person, Viewer};
use crate::app::state::AppState;
use crate::error::{AppError, AppResult, Code};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Cookie carrying the pending login's `state`, scoped to the callback path.
pub const LOGIN_COOKIE: &str = "thub_login";

/// Who a request comes from.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credential.
    Anonymous,
    /// A bearer token or API key.
    Bearer(Viewer),
    /// A browser session (the viewer is absent while the user belongs to no organisation).
    Session(Box<SessionInfo>, Option<Viewer>),
    /// A person token (`token create --person`): the person, and the viewer while they act
    /// for an organisation.
    PersonBearer(Person, Option<Viewer>),
}

impl Caller {
    /// The viewer the policy sees.
    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            Caller::Anonymous => None,
            Caller::Bearer(v) => Some(v),
            Caller::Session(_, v) | Caller::PersonBearer(_, v) => v.as_ref(),
        }
    }

    /// The logged-in person behind the request (sessions and person tokens).
    pub fn person(&self) -> Option<Person> {
        match self {
            Caller::Session(info, _) => Some(Person {
                user_id: info.user.id,
                session_id: Some(info.session.id),
            }),
            Caller::PersonBearer(p, _) => Some(*p),
            _ => None,
        }
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The token in an `Authorization: Bearer …` value.
pub fn bearer(value: &str) -> Option<&str> {
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// Resolves the request's credential. A bearer token wins over a cookie; a cookie-authenticated
/// request must pass the CSRF check when `state_changing` (every GraphQL POST, logout).
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    state_changing: bool,
) -> AppResult<Caller> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let presented = auth.to_str().ok().and_then(bearer).ok_or_else(|| {
            AppError::Unauthenticated("Authorization header must be `Bearer <token>`".into())
        })?;
        return bearer_caller(state, presented).await;
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Caller::Anonymous);
    };
    let (info, viewer) = session::resolve(
        &state.db,
        &secret,
        state.config.auth.session_idle_timeout_secs,
    )
    .await?;
    if state_changing {
        csrf::check(&info.session.csrf_token, headers, state.oidc.public_url())?;
    }
    Ok(Caller::Session(Box::new(info), viewer))
}

/// Authenticates a presented bearer token or API key and charges the key's rate limit: the one
/// credential path of `POST /graphql`, the downloads and the WebSocket's `connection_init`.
pub async fn bearer_viewer(state: &AppState, presented: &str) -> AppResult<Viewer> {
    bearer_caller(state, presented)
        .await?
        .viewer()
        .cloned()
        .ok_or_else(|| {
            AppError::Unauthenticated("this token acts for a person without an organisation".into())
        })
}

/// Authenticates a presented bearer token, API key or person token and charges its rate limit.
pub async fn bearer_caller(state: &AppState, presented: &str) -> AppResult<Caller> {
    let b = token::authenticate_bearer(&state.db, presented).await?;
    state.key_limits.check(b.limiter_key, b.rate_limit).await?;
    Ok(match (b.person, b.viewer) {
        (Some(p), v) => Caller::PersonBearer(p, v),
        (None, Some(v)) => Caller::Bearer(v),
        (None, None) => return Err(AppError::Unauthenticated("invalid token".into())),
    })
}

/// Adds `Retry-After` to rate-limited answers and clears a refused session cookie.
pub fn decorate(headers: &mut HeaderMap, e: &AppError, secure: bool) {
    if let AppError::RateLimited { retry_after_secs } = e {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            headers.insert(header::RETRY_AFTER, v);
        }
    }
    if e.code() == Code::Unauthenticated {
        if let Ok(v) = HeaderValue::from_str(&clear_cookie(SESSION_COOKIE, "/", true, secure)) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

/// The error body of every HTTP route (`AppError`'s `IntoResponse`), plus the login's cookies:
/// a refused session is cleared and the pending login forgotten.
fn error_response(e: AppError, secure: bool) -> Response {
    let unauthenticated = e.code() == Code::Unauthenticated;
    let mut resp = e.into_response();
    if unauthenticated {
        if let Ok(v) = HeaderValue::from_str(&clear_cookie(SESSION_COOKIE, "/", true, secure)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    append_cookie(
        &mut resp,
        &clear_cookie(LOGIN_COOKIE, "/auth/callback", true, secure),
    );
    resp
}

fn cookie_header(
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
    http_only: bool,
    secure: bool,
) -> String {
    let mut c = format!("{name}={value}; Path={path}; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn clear_cookie(name: &str, path: &str, http_only: bool, secure: bool) -> String {
    cookie_header(name, "", path, 0, http_only, secure)
}

fn append_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn see_other(location: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `?return_to=/path` on the login route.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    /// Local path to come back to after login.
    pub return_to: Option<String>,
}

/// `GET /auth/login/{provider}`: redirects the browser to the provider.
pub async fn login(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(params): Query<LoginParams>,
) -> Response {
    let secure = state.oidc.secure_cookies();
    match state
        .oidc
        .begin(&state.db, &provider, params.return_to.as_deref())
        .await
    {
        Ok((url, login_state)) => {
            let mut resp = see_other(&url);
            append_cookie(
                &mut resp,
                &cookie_header(
                    LOGIN_COOKIE,
                    &login_state,
                    "/auth/callback",
                    state.oidc.settings().login_ttl_secs,
                    true,
                    secure,
                ),
            );
            resp
        }
        Err(e) => error_response(e, secure),
    }
}

/// `GET /auth/callback/{provider}`: finishes the login and sets the session cookies.
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(params): Query<CallbackParams>,
    headers: HeaderMap,
) -> Response {
    let secure = state.oidc.secure_cookies();
    let login_cookie = cookie(&headers, LOGIN_COOKIE);
    let old = cookie(&headers, SESSION_COOKIE);
    match state
        .oidc
        .finish(
            &state.db,
            &provider,
            &params,
            login_cookie.as_deref(),
            old.as_deref(),
        )
        .await
    {
        Ok(done) => {
            let ttl = state.oidc.settings().session_ttl_secs;
            let mut resp = see_other(&done.return_to);
            append_cookie(
                &mut resp,
                &cookie_header(SESSION_COOKIE, &done.secret, "/", ttl, true, secure),
            );
            append_cookie(
                &mut resp,
                &cookie_header(CSRF_COOKIE, &done.csrf_token, "/", ttl, false, secure),
            );
            append_cookie(
                &mut resp,
                &clear_cookie(LOGIN_COOKIE, "/auth/callback", true, secure),
            );
            resp
        }
        Err(e) => error_response(e, secure),
    }
}

/// `POST /auth/logout`: closes the session (CSRF-checked) and clears the cookies.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let secure = state.oidc.secure_cookies();
    let result: AppResult<()> = async {
        let Caller::Session(info, viewer) = caller(&state, &headers, true).await? else {
            return Err(AppError::Unauthenticated("no session to log out of".into()));
        };
        use sea_orm::EntityTrait;
        transferhub_schema::entity::session::Entity::delete_by_id(info.session.id)
            .exec(&state.db)
            .await?;
        crate::audit::record_as(
            &state.db,
            &format!("user:{}", info.user.id),
            "session.logout",
            "user",
            Some(info.user.id),
            viewer.map(|v| v.organisation_id),
            serde_json::json!({ "session": info.session.id }),
        )
        .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            append_cookie(&mut resp, &clear_cookie(SESSION_COOKIE, "/", true, secure));
            append_cookie(&mut resp, &clear_cookie(CSRF_COOKIE, "/", false, secure));
            resp
        }
        Err(e) => error_response(e, secure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_are_httponly_samesite_and_secure_behind_https() {
        let c = cookie_header(SESSION_COOKIE, "s", "/", 60, true, true);
        assert_eq!(
            c,
            "thub_session=s; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure"
        );
        let c = cookie_header(SESSION_COOKIE, "s", "/", 60, true, false);
        assert!(!c.contains("Secure") && c.contains("HttpOnly"));
        assert!(clear_cookie(SESSION_COOKIE, "/", true, true).contains("Max-Age=0"));
    }
}
