//! The HTTP surface and its limits: health, readiness, metrics, GraphiQL, oversized bodies,
//! malformed requests, depth and complexity limits. The server must keep answering after each.

use serde_json::json;
use transferhub_tests::{error_code, Backend, TestHub};

#[tokio::test]
async fn health_readiness_metrics_and_graphiql_answer() {
    let hub = TestHub::start(Backend::Sqlite, false).await.expect("hub");
    let get = |path: &str| hub.http().get(format!("{}{path}", hub.url)).send();
    let r = get("/healthz").await.expect("healthz");
    assert_eq!(r.status(), 200);
    let r = get("/readyz").await.expect("readyz");
    assert_eq!(r.status(), 200);
    let r = get("/graphql").await.expect("graphiql");
    assert!(r
        .text()
        .await
        .expect("text")
        .to_lowercase()
        .contains("graphiql"));
    let _ = hub.gql("{ viewer { role } }", json!({}), None).await;
    let text = get("/metrics")
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("transferhub_http_requests_total{route=\"/graphql\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("transferhub_http_request_duration_seconds_count"));
    let r = get("/some/spa/route").await.expect("fallback");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("text").contains("TransferHub"));
}

#[tokio::test]
async fn oversized_body_is_413_and_the_server_keeps_serving() {
    let hub = TestHub::start(Backend::Sqlite, false).await.expect("hub");
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\":\"{{ viewer {{ role }} }}\",\"pad\":\"{huge}\"}}"
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 413);
    let r = hub
        .gql("{ organisations(first:1){ totalCount } }", json!({}), None)
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

#[tokio::test]
async fn malformed_requests_get_errors_not_crashes() {
    let hub = TestHub::start(Backend::Sqlite, false).await.expect("hub");
    let post = |body: &'static str| {
        hub.http()
            .post(format!("{}/graphql", hub.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post("{not json").await.expect("send");
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = post("[1,2,3]").await.expect("send");
    assert!(r.status().is_client_error() || r.status() == 200);
    let r = hub
        .gql(
            "{ achievements(first: 1) { edges { node { title } }",
            json!({}),
            None,
        )
        .await;
    assert!(
        r["errors"][0]["message"].is_string(),
        "unbalanced braces: {r}"
    );
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    let r = hub.gql("{ noSuchField }", json!({}), None).await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    let r = hub
        .gql(
            "query($n:Int){ achievements(first:$n){ totalCount } }",
            json!({"n": "many"}),
            None,
        )
        .await;
    assert!(r["errors"].is_array(), "wrong variable type: {r}");
    let r = hub
        .gql("{ organisations(first:1){ totalCount } }", json!({}), None)
        .await;
    assert!(r["errors"].is_null(), "still serving: {r}");
}

#[tokio::test]
async fn over_deep_and_over_complex_queries_are_refused() {
    let hub = TestHub::start_with(Backend::Sqlite, true, |c| {
        c.server.graphql_depth_limit = 6;
        c.server.graphql_complexity_limit = 300;
    })
    .await
    .expect("hub");
    let deep = "{ organisations(first:1){ edges{ node{ achievements(first:1){ edges{ node{ organisation{ achievements(first:1){ edges{ node{ title } } } } } } } } } } }";
    let r = hub.gql(deep, json!({}), None).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deep"),
        "{r}"
    );
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    // Introspection alone nests `ofType` deeper than data queries; it is not refused for depth.
    let introspection =
        "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }";
    let r = hub.gql(introspection, json!({}), None).await;
    assert!(r["errors"].is_null(), "introspection refused: {r}");
    assert!(r["data"]["__schema"]["types"].is_array(), "{r}");
    // … but mixed with data it is a data query, limited as one.
    let mixed = format!("{{ __typename {} }}", &deep[1..deep.len() - 1]);
    let r = hub.gql(&mixed, json!({}), None).await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    let wide: String = (0..100)
        .map(|i| format!("a{i}: achievements(first:1){{ totalCount }} "))
        .collect();
    let r = hub.gql(&format!("{{ {wide} }}"), json!({}), None).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("omplex"),
        "{r}"
    );
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
}

#[tokio::test]
async fn the_built_front_end_is_served_with_spa_fallback_and_cache_headers() {
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(site.path().join("assets")).expect("mkdir");
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><div id=\"app\">前端</div>",
    )
    .expect("index");
    std::fs::write(site.path().join("assets/app-1234.js"), "console.log(1)").expect("asset");
    let dir = site.path().display().to_string();
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| c.server.frontend_dir = dir)
        .await
        .expect("hub");
    let get = |path: &str| hub.http().get(format!("{}{path}", hub.url)).send();
    // A client-side route answers the app's index.html, revalidated on every visit.
    let r = get("/events/12/agenda").await.expect("spa route");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r.text().await.expect("text").contains("前端"));
    // Hashed assets are immutable for a year, with their own content type.
    let r = get("/assets/app-1234.js").await.expect("asset");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .contains("immutable"));
    assert!(r.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .contains("javascript"));
    // The API and downloads keep their own routes.
    let r = hub.gql("{ authProviders { key } }", json!({}), None).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = get("/healthz").await.expect("healthz");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn login_providers_are_listed_for_the_login_page_without_secrets() {
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| {
        c.auth
            .providers
            .push(transferhub_server::auth::config::AuthProviderConfig {
                key: "campus".into(),
                issuer: "http://127.0.0.1:9/".into(),
                client_id: "hub".into(),
                client_secret: "very-secret".into(),
                display_name: "统一身份认证".into(),
                ..Default::default()
            });
    })
    .await
    .expect("hub");
    let r = hub
        .gql(
            "{ authProviders { key displayName loginUrl } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["authProviders"],
        json!([{ "key": "campus", "displayName": "统一身份认证", "loginUrl": "/auth/login/campus" }])
    );
    assert!(!r.to_string().contains("very-secret"));
}
