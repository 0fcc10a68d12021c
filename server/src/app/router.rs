//! The HTTP surface (API.md): `/graphql` (POST queries, GET GraphiQL), health, readiness,
//! metrics, and a landing page for everything else until the front end is served.

use super::state::AppState;
use crate::auth::{self, token};
use crate::error::Code;
use crate::loaders::Loaders;
use async_graphql::http::GraphiQLSource;
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
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/auth/login/{provider}", get(auth::http::login))
        .route("/auth/callback/{provider}", get(auth::http::callback))
        .route("/auth/logout", post(auth::http::logout))
        .route("/events/{id}/agenda.ics", get(agenda_ics))
        .route("/stats/{file}", get(crate::stats::http::csv))
        .fallback(landing)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(remember_client))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
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
    let db = state.db.clone();
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
                        let v = token::authenticate(&db, &t)
                            .await
                            .map_err(|e| async_graphql::Error::new(e.message()))?;
                        data.insert(v);
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
            let status = auth::http::status_for(e.code());
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
    match caller {
        auth::http::Caller::Anonymous => {}
        auth::http::Caller::Bearer(v) => req = req.data(v),
        auth::http::Caller::Session(info, v) => {
            req = req.data(*info);
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
        Err(e) => {
            let status = auth::http::status_for(e.code());
            let message = if e.code() == Code::Internal {
                tracing::error!(error = %e.message(), "agenda failed");
                "internal error".to_string()
            } else {
                e.message()
            };
            (
                status,
                axum::Json(serde_json::json!({ "code": e.code().as_str(), "message": message })),
            )
                .into_response()
        }
    }
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("TransferHub GraphQL")
            .finish(),
    )
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

async fn landing() -> Html<&'static str> {
    Html(include_str!("landing.html"))
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
