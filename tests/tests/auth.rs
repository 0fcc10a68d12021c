//! Browser login through a real OpenID Connect provider (`oidc-provider` from npm, started on
//! loopback): first login creates the user and the membership, the session cookie (with its
//! CSRF token) performs a mutation, logout ends it; and every way of tampering with the login
//! — forged or replayed state and code, a wrong nonce, an expired session, a cross-site
//! request — is refused with its code and leaves the store unchanged.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{achievement, audit_log, login_state, membership, session, user};
use transferhub_schema::enums::Role;
use transferhub_tests::oidc_peer::{self, Browser, OidcPeer};
use transferhub_tests::{backends, error_code, Backend, TestHub};

const CREATE: &str = r#"mutation($input: CreateAchievementInput!){
  createAchievement(input:$input){ achievement{ id title organisation{ key } } } }"#;

fn achievement_input() -> Value {
    json!({
        "title": "稀土永磁电机高效控制方法",
        "type": "KNOW_HOW",
        "summary": "一种用于钕铁硼永磁同步电机的高效矢量控制方法。",
        "industryCode": "C3811",
        "maturity": 5,
        "transferModes": ["LICENCE"]
    })
}

/// The shared identity-test hub, with one platform admin e-mail.
async fn hub_with_provider(backend: Backend) -> (TestHub, OidcPeer) {
    oidc_peer::hub_with_provider(backend, |c| {
        c.auth.platform_admin_emails = vec!["admin@nmg-hub.cn".into()];
    })
    .await
}

/// Posts GraphQL from the browser (cookie jar), with or without the CSRF header.
async fn browser_gql(
    b: &Browser,
    hub: &TestHub,
    query: &str,
    vars: Value,
    csrf: Option<&str>,
) -> (u16, Value) {
    let mut req = b
        .client
        .post(format!("{}/graphql", hub.url))
        .json(&json!({"query": query, "variables": vars}));
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

/// Row counts of everything a login or a mutation could touch.
async fn counts(hub: &TestHub) -> [u64; 6] {
    [
        user::Entity::find().count(&hub.db).await.expect("count"),
        membership::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        session::Entity::find().count(&hub.db).await.expect("count"),
        achievement::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        login_state::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
    ]
}

#[tokio::test]
async fn campus_user_logs_in_through_a_real_oidc_provider_and_creates_an_achievement() {
    for backend in backends().await {
        let (hub, _peer) = hub_with_provider(backend).await;
        let b = Browser::new();
        let (_, csrf) = b
            .login(&hub.url, "campus", "zhangwei")
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: login failed: {e:#}"));

        // First login created the user and, by the e-mail domain rule, the membership.
        let u = user::Entity::find()
            .filter(user::Column::Email.eq("zhangwei@imu.edu.cn"))
            .one(&hub.db)
            .await
            .expect("query")
            .expect("user created at first login");
        assert_eq!(u.subject.as_deref(), Some("zhangwei"));
        assert_eq!(u.display_name, "测试用户 zhangwei");
        let m = membership::Entity::find()
            .filter(membership::Column::UserId.eq(u.id))
            .all(&hub.db)
            .await
            .expect("memberships");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].role, Role::Member);
        let login = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("session.login"))
            .one(&hub.db)
            .await
            .expect("query")
            .expect("login audited");
        assert_eq!(login.actor, format!("user:{}", u.id));
        assert_eq!(login.remote_addr.as_deref(), Some("127.0.0.1"));

        // The session knows who it is and hands the CSRF token to the page.
        let (status, r) = browser_gql(
            &b,
            &hub,
            "{ viewer { role email csrfToken organisation { key } } }",
            json!({}),
            Some(&csrf),
        )
        .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["data"]["viewer"]["role"], "MEMBER", "{r}");
        assert_eq!(r["data"]["viewer"]["organisation"]["key"], "imu");
        assert_eq!(r["data"]["viewer"]["email"], "zhangwei@imu.edu.cn");
        assert_eq!(r["data"]["viewer"]["csrfToken"], csrf.as_str());

        // A mutation with the session cookie and the CSRF token.
        let (status, r) = browser_gql(
            &b,
            &hub,
            CREATE,
            json!({"input": achievement_input()}),
            Some(&csrf),
        )
        .await;
        assert_eq!(status, 200, "{r}");
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        assert_eq!(
            r["data"]["createAchievement"]["achievement"]["organisation"]["key"],
            "imu"
        );
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("achievement.create"))
            .one(&hub.db)
            .await
            .expect("query")
            .expect("mutation audited");
        assert_eq!(audit.actor, format!("user:{}", u.id));
        assert_eq!(audit.remote_addr.as_deref(), Some("127.0.0.1"));

        // Logout needs the CSRF token too; afterwards the cookie is worthless.
        let r = b
            .client
            .post(format!("{}/auth/logout", hub.url))
            .send()
            .await
            .expect("logout");
        assert_eq!(r.status(), 403, "logout without CSRF token");
        let r = b
            .client
            .post(format!("{}/auth/logout", hub.url))
            .header("X-CSRF-Token", &csrf)
            .send()
            .await
            .expect("logout");
        assert_eq!(r.status(), 204);
        assert_eq!(session::Entity::find().count(&hub.db).await.expect("n"), 0);
        let (_, r) = browser_gql(&b, &hub, "{ viewer { role } }", json!({}), Some(&csrf)).await;
        assert!(r["data"]["viewer"].is_null(), "{r}");
    }
}

#[tokio::test]
async fn invitations_and_admin_emails_decide_the_role_and_relogin_rotates_the_session() {
    let (hub, _peer) = hub_with_provider(Backend::Sqlite).await;
    let admin = hub.token("imut", Role::OrgAdmin).await;
    let r = hub
        .gql(
            "mutation{ inviteMember(input:{organisation:\"imut\", email:\"Li.Na@Partner.cn\", role: ORG_ADMIN}){ invitation{ email role acceptedAt } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        r["data"]["inviteMember"]["invitation"]["email"], "li.na@partner.cn",
        "{r}"
    );
    let b = Browser::new();
    let (first_secret, csrf) = b
        .login(&hub.url, "campus", "li.na@partner.cn")
        .await
        .expect("login");
    let (_, r) = browser_gql(
        &b,
        &hub,
        "{ viewer { role organisation { key } } }",
        json!({}),
        Some(&csrf),
    )
    .await;
    assert_eq!(r["data"]["viewer"]["role"], "ORG_ADMIN", "{r}");
    assert_eq!(r["data"]["viewer"]["organisation"]["key"], "imut");

    // Logging in again replaces the session: the old secret no longer works.
    let (second_secret, _) = b
        .login(&hub.url, "campus", "li.na@partner.cn")
        .await
        .expect("relogin");
    assert_ne!(first_secret, second_secret);
    assert_eq!(session::Entity::find().count(&hub.db).await.expect("n"), 1);
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("Cookie", format!("thub_session={first_secret}"))
        .header("X-CSRF-Token", &csrf)
        .json(&json!({"query": "{ viewer { role } }"}))
        .send()
        .await
        .expect("old session");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));

    // A configured platform-admin address acts as platform admin.
    let b2 = Browser::new();
    let _ = hub
        .gql(
            "mutation{ inviteMember(input:{organisation:\"imut\", email:\"admin@nmg-hub.cn\", role: MEMBER}){ invitation{ id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let (_, csrf2) = b2
        .login(&hub.url, "campus", "admin@nmg-hub.cn")
        .await
        .expect("login");
    let (_, r) = browser_gql(&b2, &hub, "{ viewer { role } }", json!({}), Some(&csrf2)).await;
    assert_eq!(r["data"]["viewer"]["role"], "PLATFORM_ADMIN", "{r}");
}

#[tokio::test]
async fn forged_and_replayed_state_and_code_are_refused_and_change_nothing() {
    for backend in backends().await {
        let (hub, _peer) = hub_with_provider(backend).await;
        let b = Browser::new();
        let authorize = b.start_login(&hub.url, "campus").await.expect("start");
        let back = b
            .walk_provider(&authorize, "wangfang", &hub.url)
            .await
            .expect("provider walk");
        let callback = reqwest::Url::parse(&back.url).expect("url");
        let param = |name: &str| {
            callback
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.to_string())
                .expect(name)
        };
        let state = param("state");
        let code = param("code");
        let base = format!("{}/auth/callback/campus", hub.url);
        let before = counts(&hub).await;

        // A forged code with the right state: the provider refuses it; the state is used up.
        // (Use a second, fresh login for it so the real one stays usable below.)
        let b2 = Browser::new();
        let auth2 = b2.start_login(&hub.url, "campus").await.expect("start");
        let back2 = b2
            .walk_provider(&auth2, "wangfang", &hub.url)
            .await
            .expect("walk");
        let u2 = reqwest::Url::parse(&back2.url).expect("url");
        let state2 = u2
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.to_string())
            .expect("state");
        let before2 = counts(&hub).await;
        let r = b2
            .visit(&format!("{base}?code=forged-code&state={state2}"))
            .await
            .expect("forged code");
        assert_eq!(r.status(), 401, "{backend:?}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED", "{body}");
        let mut after2 = counts(&hub).await;
        after2[5] += 1; // the consumed login state
        assert_eq!(
            after2, before2,
            "{backend:?}: forged code changed the store"
        );

        // A forged state (not issued by the hub), with a matching cookie planted by the attacker.
        let r = hub
            .http()
            .get(format!("{base}?code={code}&state=forged"))
            .header("Cookie", "thub_login=forged")
            .send()
            .await
            .expect("forged state");
        assert_eq!(r.status(), 403);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "FORBIDDEN", "{body}");
        // The real state and code from another browser (login CSRF / stolen callback URL).
        let r = hub
            .http()
            .get(&back.url)
            .send()
            .await
            .expect("other browser");
        assert_eq!(r.status(), 403);
        // Missing parameters, unknown provider (asked from a copy of the browser's cookie, since a
        // refused callback also ends the browser's pending login).
        let planted = format!("thub_login={state}");
        let r = hub
            .http()
            .get(format!("{base}?state={state}"))
            .header("Cookie", &planted)
            .send()
            .await
            .expect("no code");
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["field"], "code", "{body}");
        let r = hub
            .http()
            .get(format!(
                "{}/auth/callback/nope?code={code}&state={state}",
                hub.url
            ))
            .header("Cookie", &planted)
            .send()
            .await
            .expect("unknown provider");
        assert_eq!(r.status(), 404);
        assert_eq!(
            counts(&hub).await,
            before,
            "{backend:?}: refusals changed the store"
        );

        // The genuine callback works once …
        let r = b.visit(&back.url).await.expect("callback");
        assert_eq!(r.status(), 303, "{backend:?}");
        assert_eq!(r.headers()["location"], "/my-org");
        let after_login = counts(&hub).await;
        // … and a replay (same state and code, same browser cookie re-planted) is refused.
        let r = hub
            .http()
            .get(&back.url)
            .header("Cookie", format!("thub_login={state}"))
            .send()
            .await
            .expect("replay");
        assert_eq!(r.status(), 403, "{backend:?}: replayed callback");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "FORBIDDEN");
        assert_eq!(
            counts(&hub).await,
            after_login,
            "{backend:?}: replay changed the store"
        );
    }
}

#[tokio::test]
async fn an_id_token_with_a_wrong_nonce_is_refused() {
    for backend in backends().await {
        let (hub, _peer) = hub_with_provider(backend).await;
        let b = Browser::new();
        let authorize = b.start_login(&hub.url, "campus").await.expect("start");
        // The browser swaps the nonce on its way to the provider (an injected ID token would
        // carry someone else's): the provider signs the swapped one, the hub expects its own.
        let mut url = reqwest::Url::parse(&authorize).expect("url");
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                if k == "nonce" {
                    (k.to_string(), "attacker-chosen-nonce".to_string())
                } else {
                    (k.to_string(), v.to_string())
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let back = b
            .walk_provider(url.as_str(), "zhaolei", &hub.url)
            .await
            .expect("walk");
        let before = counts(&hub).await;
        let r = b.visit(&back.url).await.expect("callback");
        assert_eq!(r.status(), 401, "{backend:?}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("nonce"),
            "{body}"
        );
        let mut after = counts(&hub).await;
        after[5] += 1; // the consumed login state
        assert_eq!(after, before, "{backend:?}: wrong nonce changed the store");
    }
}

#[tokio::test]
async fn expired_sessions_and_cross_site_requests_are_refused_and_change_nothing() {
    for backend in backends().await {
        let (hub, _peer) = hub_with_provider(backend).await;
        let b = Browser::new();
        let (secret, csrf) = b.login(&hub.url, "campus", "sunli").await.expect("login");
        let before = counts(&hub).await;
        let vars = json!({"input": achievement_input()});

        // CSRF: no token, a wrong token, the right token from a foreign origin.
        let (status, r) = browser_gql(&b, &hub, CREATE, vars.clone(), None).await;
        assert_eq!((status, error_code(&r)), (403, Some("FORBIDDEN")), "{r}");
        let (status, r) = browser_gql(&b, &hub, CREATE, vars.clone(), Some("guessed")).await;
        assert_eq!((status, error_code(&r)), (403, Some("FORBIDDEN")), "{r}");
        let r = hub
            .http()
            .post(format!("{}/graphql", hub.url))
            .header("Cookie", format!("thub_session={secret}"))
            .header("X-CSRF-Token", &csrf)
            .header("Origin", "https://evil.example")
            .json(&json!({"query": CREATE, "variables": vars}))
            .send()
            .await
            .expect("cross-site");
        assert_eq!(r.status(), 403);
        // Cross-site logout is refused as well.
        let r = hub
            .http()
            .post(format!("{}/auth/logout", hub.url))
            .header("Cookie", format!("thub_session={secret}"))
            .send()
            .await
            .expect("logout");
        assert_eq!(r.status(), 403);
        assert_eq!(
            counts(&hub).await,
            before,
            "{backend:?}: CSRF attempts changed the store"
        );

        // Expiry: the session row says it ended a second ago.
        let row = session::Entity::find()
            .order_by_desc(session::Column::Id)
            .one(&hub.db)
            .await
            .expect("query")
            .expect("session");
        let mut a: session::ActiveModel = row.into();
        a.expires_at = sea_orm::Set(chrono::Utc::now() - chrono::Duration::seconds(1));
        sea_orm::ActiveModelTrait::update(a, &hub.db)
            .await
            .expect("expire");
        let before = counts(&hub).await;
        let (status, r) = browser_gql(&b, &hub, CREATE, vars.clone(), Some(&csrf)).await;
        assert_eq!(
            (status, error_code(&r)),
            (401, Some("UNAUTHENTICATED")),
            "{r}"
        );
        let mut after = counts(&hub).await;
        after[2] += 1; // the expired session row is deleted
        assert_eq!(
            after, before,
            "{backend:?}: expired session changed the store"
        );
    }
}

/// The browser's subscriptions ride on its session cookie; a page of another site cannot open
/// one with the cookie (cross-site WebSocket hijacking).
#[tokio::test]
async fn websocket_subscriptions_use_the_session_cookie_only_from_the_hubs_own_pages() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let (hub, _peer) = hub_with_provider(Backend::Sqlite).await;
    let b = Browser::new();
    let (session, _) = b.login(&hub.url, "campus", "liuyang").await.expect("login");
    let request = |origin: &str| {
        let mut req = format!("{}/graphql/ws", hub.url.replace("http://", "ws://"))
            .into_client_request()
            .expect("request");
        let h = req.headers_mut();
        h.insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("h"),
        );
        h.insert(
            "Cookie",
            format!("thub_session={session}").parse().expect("h"),
        );
        h.insert("Origin", origin.parse().expect("h"));
        req
    };
    // Another site's page: refused before the upgrade.
    let err = tokio_tungstenite::connect_async(request("https://evil.example"))
        .await
        .expect_err("cross-site upgrade must be refused");
    assert!(err.to_string().contains("403"), "{err}");
    // The hub's own page: the operation runs as the logged-in person.
    let (mut ws, _) = tokio_tungstenite::connect_async(request(&hub.url))
        .await
        .expect("same-origin upgrade");
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(json!({"type": "connection_init", "payload": {}})))
        .await
        .expect("init");
    ws.send(send(json!({"id": "1", "type": "subscribe",
        "payload": {"query": "{ viewer { email role } }"}})))
        .await
        .expect("subscribe");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = None;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(deadline - Instant::now(), ws.next()).await {
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).expect("json");
        if v["type"] == "next" {
            got = Some(v);
            break;
        }
    }
    let v = got.expect("an answer over the socket");
    assert_eq!(
        v["payload"]["data"]["viewer"]["email"], "liuyang@imu.edu.cn",
        "{v}"
    );
}
