//! The HTTP surface (API.md): `/graphql` (POST queries, GET GraphiQL), health, readiness,
//! metrics, login, downloads, and the front end for everything else (SPA fallback to
//! `index.html`; a landing page when the front end is not built).

use super::state::AppState;
use crate::auth;
use crate::error::Code;
use crate::loaders::Loaders;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::ConnectInfo;
use axum::extract::WebSocketUpgrade;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Builds the router with its limits.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.server.body_limit_bytes;
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    let frontend = frontend_dir(&state.config.server.frontend_dir);
    let headers = std::sync::Arc::new(super::security_headers::SecurityHeaders::new(
        &state.config.security,
        &state.config.server.public_url,
    ));
    let cors = std::sync::Arc::new(super::cors::Cors::new(
        &state.config.security.cors_allowed_origins,
        &state.config.server.public_url,
        state.config.security.cors_max_age_secs,
    ));
    let routes = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/landing.css", get(landing_css))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/auth/login/{provider}", get(auth::http::login))
        .route("/auth/callback/{provider}", get(auth::http::callback))
        .route("/auth/logout", post(auth::http::logout))
        .route("/events/{id}/agenda.ics", get(agenda_ics))
        .route("/stats/{file}", get(crate::stats::http::csv));
    let routes = match frontend {
        Some(dir) => routes.fallback_service(spa(&dir)),
        None => routes.fallback(landing),
    };
    // Uploads have their own limit (`security.upload_max_bytes`), enforced by the handler
    // before and while reading the body; every other route keeps `server.body_limit_bytes`.
    let files = Router::new()
        .route("/files", post(crate::files::upload))
        .route("/files/{id}", get(crate::files::download));
    routes
        .layer(RequestBodyLimitLayer::new(body_limit))
        .merge(files)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(remember_client))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Preflights are answered before routing (no route has OPTIONS).
        .layer(middleware::from_fn_with_state(cors, super::cors::layer))
        // Outermost: every answer, including 413/408 from the layers above, carries them.
        .layer(middleware::from_fn_with_state(
            headers,
            super::security_headers::layer,
        ))
        .with_state(state)
}

use crate::auth::http::bearer;

/// Subscriptions over graphql-transport-ws (and the older graphql-ws); the bearer token comes
/// from the upgrade request's header or the `connection_init` payload's `Authorization`.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .map(str::to_string);
    // A browser subscribes with its session cookie. Browsers always send `Origin` on a
    // WebSocket upgrade, and a cookie-borne upgrade from another site is refused (cross-site
    // WebSocket hijacking); a bad session is refused like on POST /graphql.
    let mut session_viewer = None;
    if header_token.is_none() {
        if let Some(secret) = auth::http::cookie(&headers, auth::session::SESSION_COOKIE) {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            if !origin.is_some_and(|o| auth::csrf::same_origin(o, state.oidc.public_url())) {
                return (
                    StatusCode::FORBIDDEN,
                    "跨站 WebSocket 被拒绝 / cookie-authenticated WebSocket from another origin refused",
                )
                    .into_response();
            }
            match auth::session::resolve(
                &state.db,
                &secret,
                state.config.auth.session_idle_timeout_secs,
            )
            .await
            {
                Ok((info, viewer)) => session_viewer = Some((info, viewer)),
                Err(e) => {
                    return e.into_response();
                }
            }
        }
    }
    let db = state.db.clone();
    let credentials = state.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, state.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let mut data = async_graphql::Data::default();
                    data.insert(Loaders::new(&db));
                    let token = header_token.or_else(|| {
                        payload
                            .get("Authorization")
                            .and_then(|v| v.as_str())
                            .and_then(bearer)
                            .map(str::to_string)
                    });
                    if let Some(t) = token {
                        // The same path as POST /graphql: the key's rate limit applies.
                        let v = auth::http::bearer_viewer(&credentials, &t)
                            .await
                            .map_err(|e| async_graphql::Error::new(e.message()))?;
                        data.insert(v);
                    } else if let Some((info, viewer)) = session_viewer {
                        data.insert(crate::auth::Person {
                            user_id: info.user.id,
                            session_id: Some(info.session.id),
                        });
                        data.insert(info);
                        if let Some(v) = viewer {
                            data.insert(v);
                        }
                    }
                    Ok(data)
                })
                .serve()
        })
}

/// Resolves the caller (bearer token, API key or session cookie — CSRF-checked and
/// rate-limited) into request data; a bad credential is refused outright with its status.
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let mut req = req.into_inner();
    let caller = match auth::http::caller(&state, &headers, true).await {
        Ok(c) => c,
        Err(e) => {
            let status = crate::error::status_for(e.code());
            let mut extra = HeaderMap::new();
            auth::http::decorate(&mut extra, &e, state.oidc.secure_cookies());
            let err: async_graphql::Error = e.into();
            let resp = async_graphql::Response::from_errors(vec![
                err.into_server_error(async_graphql::Pos::default())
            ]);
            let mut http = (status, GraphQLResponse::from(resp)).into_response();
            http.headers_mut().extend(extra);
            return http;
        }
    };
    if caller.viewer().is_none() && !state.config.auth.anonymous_introspection {
        req = req.disable_introspection();
    }
    if let Some(p) = caller.person() {
        req = req.data(p);
    }
    match caller {
        auth::http::Caller::Anonymous => {}
        auth::http::Caller::Bearer(v) => req = req.data(v),
        auth::http::Caller::Session(info, v) => {
            req = req.data(*info);
            if let Some(v) = v {
                req = req.data(v);
            }
        }
        auth::http::Caller::PersonBearer(_, v) => {
            if let Some(v) = v {
                req = req.data(v);
            }
        }
    }
    req = req.data(Loaders::new(&state.db));
    let mut resp = state.schema.execute(req).await;
    for e in &mut resp.errors {
        label_error(e);
    }
    GraphQLResponse::from(resp).into_response()
}

/// Serves the request with its client address in the audit task-local, so audit entries
/// written while handling it say where it came from.
async fn remember_client(req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    crate::audit::REMOTE_ADDR.scope(addr, next.run(req)).await
}

/// Gives every error a stable code. Errors raised by our resolvers carry one already; errors
/// without a path come from parsing, validation or the limits (the request's fault); any other
/// uncoded error is a fault of ours and is answered generically after being logged.
fn label_error(e: &mut async_graphql::ServerError) {
    let has_code = e
        .extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some());
    if has_code {
        return;
    }
    let code = if e.path.is_empty() {
        Code::BadInput
    } else {
        tracing::error!(error = %e.message, path = ?e.path, "uncoded resolver error");
        e.message = "internal error".into();
        Code::Internal
    };
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

/// `?participant=…` of the agenda route.
#[derive(serde::Deserialize)]
struct AgendaQuery {
    participant: Option<String>,
}

/// A participant's agenda as iCalendar; the same caller rules (bearer token, API key or session
/// cookie) as the GraphQL `agenda`.
async fn agenda_ics(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<AgendaQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let event_id = crate::relay::decode_id(&async_graphql::ID(id), "Event", "id")?;
        let pid = q
            .participant
            .ok_or_else(|| crate::error::AppError::bad_input("participant", "is required"))?;
        let pid =
            crate::relay::decode_id(&async_graphql::ID(pid), "EventParticipant", "participant")?;
        // A GET that changes nothing: the same caller rules as GraphQL, no CSRF check.
        let caller = auth::http::caller(&state, &headers, false).await?;
        crate::events::agenda::ics(&state.db, caller.viewer(), event_id, pid).await
    }
    .await;
    match result {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /graphql`: GraphiQL as built with the front end (`frontend/graphiql.html`, bundled from
/// npm, no CDN); without a built front end, a page saying how to build it.
async fn graphiql(State(state): State<AppState>) -> Response {
    let page = frontend_dir(&state.config.server.frontend_dir)
        .map(|d| d.join("graphiql.html"))
        .and_then(|p| std::fs::read_to_string(p).ok());
    match page {
        Some(html) => ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response(),
        None => Html(include_str!("graphiql-missing.html")).into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The front end's directory when it holds a built app.
fn frontend_dir(configured: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(configured.trim());
    if configured.trim().is_empty() || !dir.join("index.html").is_file() {
        if !configured.trim().is_empty() {
            tracing::warn!(dir = %dir.display(), "front end not built there; serving the landing page");
        }
        return None;
    }
    Some(dir)
}

/// Serves the built single-page app: files as they are, every other path as `index.html` so
/// the client-side router can take it.
fn spa(dir: &std::path::Path) -> Router {
    let files = tower_http::services::ServeDir::new(dir)
        .fallback(tower_http::services::ServeFile::new(dir.join("index.html")));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Hashed build assets never change (cache a year); pages must be revalidated.
async fn cache_headers(req: Request, next: Next) -> Response {
    let immutable = req.uri().path().starts_with("/assets/");
    let mut resp = next.run(req).await;
    let value = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static(value),
    );
    resp
}

async fn landing() -> Html<&'static str> {
    Html(include_str!("landing.html"))
}

/// The landing page's style sheet (a file, not inline: the CSP allows styles from 'self' only).
async fn landing_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("landing.css"),
    )
        .into_response()
}

/// Counts every request for `/metrics` and logs it with its route and duration.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let method = req.method().clone();
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(&route, resp.status().as_u16(), elapsed);
    tracing::debug!(
        http.method = %method,
        http.route = %route,
        http.status = resp.status().as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    resp
}
