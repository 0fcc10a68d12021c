//! Web hardening (issue 18, docs/security.md): the security headers on every kind of answer
//! (the SPA, GraphQL, GraphiQL, downloads, error pages, the body-limit refusal), GraphiQL served
//! from the hub without a CDN, cross-origin preflights, session cookies and login limits, uploads.

use reqwest::header::HeaderMap;
use serde_json::json;
use transferhub_tests::{Backend, TestHub};

/// Asserts the headers every answer must carry (`what` names the answer in the failure).
fn assert_hardened(h: &HeaderMap, what: &str) {
    let get = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {n} header in {h:?}"))
            .to_string()
    };
    let csp = get("content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'),
        "{what}: CSP too loose: {csp}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(
        get("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert!(get("permissions-policy").contains("camera=()"), "{what}");
    // The test hub's public URL is http: no HSTS (it would pin a plain-http host).
    assert!(
        h.get("strict-transport-security").is_none(),
        "{what}: HSTS over http"
    );
}

/// A built front end in a temp dir: the app's index, an asset and the GraphiQL page.
fn fake_frontend() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(site.path().join("assets")).expect("mkdir");
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><div id=\"app\">前端</div><script type=\"module\" src=\"/assets/app-1.js\"></script>",
    )
    .expect("index");
    std::fs::write(
        site.path().join("graphiql.html"),
        "<!doctype html><title>GraphiQL</title><div id=\"graphiql\"></div><script type=\"module\" src=\"/assets/graphiql-1.js\"></script>",
    )
    .expect("graphiql");
    std::fs::write(site.path().join("assets/app-1.js"), "console.log(1)").expect("asset");
    site
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let site = fake_frontend();
    let dir = site.path().display().to_string();
    let hub = TestHub::start_with(Backend::Sqlite, true, |c| c.server.frontend_dir = dir)
        .await
        .expect("hub");
    let get = |path: &str| hub.http().get(format!("{}{path}", hub.url)).send();
    // The SPA: a client-side route, the index and a hashed asset.
    for path in [
        "/",
        "/search?q=乳",
        "/assets/app-1.js",
        "/healthz",
        "/metrics",
    ] {
        let r = get(path).await.expect(path);
        assert_eq!(r.status(), 200, "{path}");
        assert_hardened(r.headers(), path);
    }
    // GraphiQL is the front end's own page: no CDN, no inline script.
    let r = get("/graphql").await.expect("graphiql");
    assert_hardened(r.headers(), "GET /graphql");
    let text = r.text().await.expect("text");
    assert!(text.contains("/assets/graphiql-1.js"), "{text}");
    assert!(!text.contains("unpkg") && !text.contains("cdn"), "{text}");
    // GraphQL answers, good and bad.
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert_hardened(r.headers(), "POST /graphql");
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .bearer_auth("thub_not-a-real-token")
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    assert_hardened(r.headers(), "401 from /graphql");
    // Error pages: a bad login provider (JSON error), a refused body (413 from the limit
    // layer), a bad agenda id, a wrong method.
    let r = get("/auth/login/nope").await.expect("login");
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_hardened(r.headers(), "login error");
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("413");
    assert_eq!(r.status(), 413);
    assert_hardened(r.headers(), "413");
    let r = get("/events/nope/agenda.ics?participant=x")
        .await
        .expect("agenda");
    assert_eq!(r.status(), 400);
    assert_hardened(r.headers(), "agenda error");
    let r = hub
        .http()
        .delete(format!("{}/healthz", hub.url))
        .send()
        .await
        .expect("405");
    assert_eq!(r.status(), 405);
    assert_hardened(r.headers(), "405");
    // A download: the statistics CSV (refused without a login, then as an attachment).
    let r = get("/stats/by_type.csv").await.expect("csv");
    assert!(r.headers().get("x-content-type-options").is_some());
    let token = hub
        .token("hhht-ipc", transferhub_schema::enums::Role::PlatformAdmin)
        .await;
    let r = hub
        .http()
        .get(format!("{}/stats/by_type.csv", hub.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), 200);
    assert_attachment(r.headers(), "stats download");
}

/// A download: attachment, nosniff, and the sandboxing policy that runs nothing.
fn assert_attachment(h: &HeaderMap, what: &str) {
    let get = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {n} header in {h:?}"))
            .to_string()
    };
    assert!(
        get("content-disposition").starts_with("attachment"),
        "{what}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    let csp = get("content-security-policy");
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{what}: {csp}"
    );
    assert_eq!(get("cross-origin-resource-policy"), "same-origin", "{what}");
}

#[tokio::test]
async fn the_landing_page_keeps_its_style_in_a_file_and_graphiql_says_how_to_build() {
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| {
        c.server.frontend_dir = String::new()
    })
    .await
    .expect("hub");
    let get = |path: &str| hub.http().get(format!("{}{path}", hub.url)).send();
    let r = get("/").await.expect("landing");
    assert_hardened(r.headers(), "landing");
    let text = r.text().await.expect("text");
    assert!(!text.contains("<style") && !text.contains("<script") && !text.contains("style="));
    assert!(text.contains("/landing.css"));
    let r = get("/landing.css").await.expect("css");
    assert!(r.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/css"));
    let r = get("/graphql").await.expect("graphiql");
    let text = r.text().await.expect("text");
    assert!(
        text.contains("npm run build") && !text.contains("<script"),
        "{text}"
    );
}

#[tokio::test]
async fn hsts_only_behind_https_and_frame_ancestors_come_from_config() {
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| {
        c.server.public_url = "https://hub.example.cn".into();
        c.security.frame_ancestors = vec!["https://portal.example.cn".into()];
    })
    .await
    .expect("hub");
    let r = hub
        .http()
        .get(format!("{}/healthz", hub.url))
        .send()
        .await
        .expect("get");
    let h = r.headers();
    assert!(h["strict-transport-security"]
        .to_str()
        .expect("ascii")
        .starts_with("max-age="));
    assert!(h["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("frame-ancestors https://portal.example.cn"));
    assert!(h.get("x-frame-options").is_none());
}

/// `OPTIONS /graphql` as a browser sends it before a cross-origin POST with a bearer token.
async fn preflight(hub: &TestHub, origin: &str) -> reqwest::Response {
    hub.http()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", hub.url))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight")
}

#[tokio::test]
async fn portals_on_listed_origins_get_their_preflight_answered_and_others_do_not() {
    let hub = TestHub::start_with(Backend::Sqlite, true, |c| {
        c.security.cors_allowed_origins = vec!["https://portal.example.cn".into()];
    })
    .await
    .expect("hub");
    let r = preflight(&hub, "https://portal.example.cn").await;
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(
        h["access-control-allow-origin"],
        "https://portal.example.cn"
    );
    assert!(h["access-control-allow-methods"]
        .to_str()
        .expect("ascii")
        .contains("POST"));
    let allowed_headers = h["access-control-allow-headers"].to_str().expect("ascii");
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"));
    assert!(h.get("access-control-allow-credentials").is_none());
    assert_hardened(h, "preflight");

    let r = preflight(&hub, "https://evil.example").await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = preflight(&hub, "https://portal.example.cn.evil.example").await;
    assert_eq!(r.status(), 403);

    // The real request: the portal may read the answer, never with credentials.
    let token = hub
        .token("hhht-ipc", transferhub_schema::enums::Role::Portal)
        .await;
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("origin", "https://portal.example.cn")
        .bearer_auth(&token)
        .json(&json!({ "query": "{ achievements(first: 1) { totalCount } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://portal.example.cn"
    );
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("origin", "https://evil.example")
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("post");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_cookie_session_is_never_usable_from_a_listed_portal_origin() {
    let hub = TestHub::start_with(Backend::Sqlite, true, |c| {
        c.security.cors_allowed_origins = vec!["https://portal.example.cn".into()];
    })
    .await
    .expect("hub");
    let (secret, row) = session_for(&hub, "kjc@imu.edu.cn").await;
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("origin", "https://portal.example.cn")
        .header("cookie", format!("thub_session={secret}"))
        .header("x-csrf-token", row.csrf_token)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "cookie session from another origin");
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

/// Opens a browser session for a demo user directly in the store (the login itself is tested
/// in auth.rs against a real OpenID provider).
async fn session_for(
    hub: &TestHub,
    email: &str,
) -> (String, transferhub_schema::entity::session::Model) {
    use sea_orm::{ActiveModelTrait, Set};
    let u = transferhub_schema::entity::user::ActiveModel {
        email: Set(Some(email.to_string())),
        display_name: Set(email.to_string()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("insert user");
    transferhub_server::auth::session::open(&hub.db, u.id, None, "test", 3600, None)
        .await
        .expect("session")
}

#[tokio::test]
async fn logout_everywhere_closes_every_session_of_the_person() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let (first, row) = session_for(&hub, "wang@imu.edu.cn").await;
    let second =
        transferhub_server::auth::session::open(&hub.db, row.user_id, None, "test", 3600, None)
            .await
            .expect("second device")
            .0;
    let mutation = json!({ "query": "mutation { logoutEverywhere { closedSessions } }" });
    // Without the CSRF token the cookie cannot do it.
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("cookie", format!("thub_session={first}"))
        .json(&mutation)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let r = hub
        .http()
        .post(format!("{}/graphql", hub.url))
        .header("cookie", format!("thub_session={first}"))
        .header("x-csrf-token", &row.csrf_token)
        .json(&mutation)
        .send()
        .await
        .expect("post");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(
        body["data"]["logoutEverywhere"]["closedSessions"], 2,
        "{body}"
    );
    for secret in [first, second] {
        let r = hub
            .http()
            .post(format!("{}/graphql", hub.url))
            .header("cookie", format!("thub_session={secret}"))
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 401, "a closed session still works");
    }
    // A bearer token has no browser session to close.
    let token = hub
        .token("imu", transferhub_schema::enums::Role::Member)
        .await;
    let r = hub
        .gql(
            mutation["query"].as_str().unwrap_or(""),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        transferhub_tests::error_code(&r),
        Some("UNAUTHENTICATED"),
        "{r}"
    );
}

#[tokio::test]
async fn an_idle_session_is_closed() {
    use sea_orm::{ActiveModelTrait, Set};
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| {
        c.auth.session_idle_timeout_secs = 600;
    })
    .await
    .expect("hub");
    let (secret, row) = session_for(&hub, "idle@imu.edu.cn").await;
    let csrf = row.csrf_token.clone();
    let ask = || {
        hub.http()
            .post(format!("{}/graphql", hub.url))
            .header("cookie", format!("thub_session={secret}"))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
    };
    assert_eq!(ask().await.expect("post").status(), 200);
    let mut idle: transferhub_schema::entity::session::ActiveModel = row.into();
    idle.last_seen_at = Set(chrono::Utc::now() - chrono::Duration::seconds(700));
    idle.update(&hub.db).await.expect("age the session");
    let r = ask().await.expect("post");
    assert_eq!(r.status(), 401);
    let cleared = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("thub_session=;") && v.contains("Max-Age=0"));
    assert!(cleared, "the refused cookie is cleared");
}

#[tokio::test]
async fn login_attempts_from_one_address_are_limited() {
    let hub = TestHub::start_with(Backend::Sqlite, false, |c| {
        c.auth.login_attempts_per_address_per_minute = 3;
    })
    .await
    .expect("hub");
    let attempt = || {
        hub.http()
            .get(format!("{}/auth/login/campus", hub.url))
            .send()
    };
    for _ in 0..3 {
        let r = attempt().await.expect("login");
        assert_ne!(r.status(), 429);
    }
    let r = attempt().await.expect("login");
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    // The callback draws on the same budget.
    let r = hub
        .http()
        .get(format!("{}/auth/callback/campus?state=x&code=y", hub.url))
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), 429);
}

// ---- uploads ----

/// A minimal PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload_hub(max: u64) -> (TestHub, tempfile::TempDir) {
    upload_hub_on(Backend::Sqlite, max).await
}

async fn upload_hub_on(backend: Backend, max: u64) -> (TestHub, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = data.path().display().to_string();
    let hub = TestHub::start_with(backend, true, |c| {
        c.storage.data_dir = dir;
        c.security.upload_max_bytes = max;
    })
    .await
    .expect("hub");
    (hub, data)
}

async fn post_file(
    hub: &TestHub,
    token: &str,
    name: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    hub.http()
        .post(format!("{}/files", hub.url))
        .query(&[("name", name)])
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// Files in the uploads directory (the bytes, and any partial upload).
fn stored(data: &tempfile::TempDir) -> Vec<String> {
    std::fs::read_dir(data.path().join("uploads"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_pdf_is_stored_outside_the_served_paths_and_served_as_an_attachment() {
    for backend in transferhub_tests::backends().await {
        pdf_round_trip(backend).await;
    }
}

async fn pdf_round_trip(backend: Backend) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let (hub, data) = upload_hub_on(backend, 1024 * 1024).await;
    let member = hub
        .token("imu", transferhub_schema::enums::Role::Member)
        .await;
    let r = post_file(&hub, &member, "成果简介.pdf", PDF.to_vec()).await;
    assert_eq!(r.status(), 201);
    assert_hardened(r.headers(), "upload answer");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["contentType"], "application/pdf");
    assert_eq!(body["fileName"], "成果简介.pdf");
    assert_eq!(body["sizeBytes"], PDF.len());
    let url = format!("{}{}", hub.url, body["url"].as_str().expect("url"));
    assert_eq!(
        transferhub_schema::entity::uploaded_file::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        1
    );
    assert_eq!(stored(&data).len(), 1, "one file, no leftovers");

    let r = hub
        .http()
        .get(&url)
        .bearer_auth(&member)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_attachment(r.headers(), "PDF download");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("filename*=UTF-8''%E6%88%90"));
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PDF);

    // Another organisation, and nobody, cannot get it; the store's key is not a URL.
    let other = hub
        .token("cyx-dairy", transferhub_schema::enums::Role::Member)
        .await;
    let r = hub
        .http()
        .get(&url)
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let r = hub.http().get(&url).send().await.expect("get");
    assert_eq!(r.status(), 401);
    let key = &stored(&data)[0];
    for path in [
        format!("/files/{key}"),
        format!("/uploads/{key}"),
        format!("/data/uploads/{key}"),
    ] {
        let r = hub
            .http()
            .get(format!("{}{path}", hub.url))
            .bearer_auth(&member)
            .send()
            .await
            .expect("get");
        let text = r.text().await.expect("text");
        assert!(!text.starts_with("%PDF"), "{path} served the stored bytes");
    }
    // Portal keys read, they do not upload.
    let portal = hub
        .token("imu", transferhub_schema::enums::Role::Portal)
        .await;
    let r = post_file(&hub, &portal, "x.pdf", PDF.to_vec()).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn html_renamed_pdf_is_refused_and_a_polyglot_image_is_never_a_page() {
    let (hub, data) = upload_hub(1024 * 1024).await;
    let member = hub
        .token("imu", transferhub_schema::enums::Role::Member)
        .await;
    for (name, body) in [
        (
            "report.pdf",
            &b"<!doctype html><html><script>alert(document.cookie)</script></html>"[..],
        ),
        (
            "report.pdf",
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
        ),
        ("report.docx", &b"PK\x03\x04just a zip, not a document"[..]),
        ("run.pdf", &b"#!/bin/sh\necho hi\n"[..]),
    ] {
        let r = post_file(&hub, &member, name, body.to_vec()).await;
        assert_eq!(
            r.status(),
            415,
            "{name}: {:?}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(
        stored(&data).is_empty(),
        "refused uploads leave nothing behind"
    );

    // A PNG with HTML after its header is kept as a PNG and served so no browser runs it.
    let mut polyglot = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let r = post_file(&hub, &member, "page.html", polyglot).await;
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["fileName"], "page.png");
    let r = hub
        .http()
        .get(format!("{}{}", hub.url, body["url"].as_str().expect("url")))
        .bearer_auth(&member)
        .send()
        .await
        .expect("download");
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_attachment(r.headers(), "polyglot download");
}

#[tokio::test]
async fn a_50_mb_upload_is_refused_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (hub, data) = upload_hub(20 * 1024 * 1024).await;
    let member = hub
        .token("imu", transferhub_schema::enums::Role::Member)
        .await;
    // Declared length: the answer comes while not one byte of the body has been sent.
    let addr = hub.url.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /files?name=big.pdf HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {member}\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\n\r\n",
        50 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), tcp.read(&mut answer))
        .await
        .expect("answered without the body")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.to_lowercase().contains("content-security-policy"),
        "{answer}"
    );

    // No declared length (chunked): refused once past the limit, long before 50 MB are read.
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let chunk = bytes_chunk();
    let stream = futures_util::stream::iter((0..800).map(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    }));
    let r = hub
        .http()
        .post(format!("{}/files", hub.url))
        .query(&[("name", "big.pdf")])
        .bearer_auth(&member)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    if let Ok(r) = r {
        assert_eq!(r.status(), 413);
    }
    let pulled = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        pulled < 800,
        "the whole 50 MB body was read ({pulled} chunks)"
    );
    // The partial file is removed before the refusal is sent.
    assert!(stored(&data).is_empty(), "{:?}", stored(&data));
}

/// 64 KiB of a PDF-looking body.
fn bytes_chunk() -> Vec<u8> {
    let mut v = PDF.to_vec();
    v.resize(64 * 1024, b' ');
    v
}

#[tokio::test]
async fn logins_for_one_account_are_limited_and_the_session_cookie_is_httponly_and_samesite() {
    use transferhub_tests::oidc_peer::{hub_with_provider, Browser};
    let (hub, _peer) = hub_with_provider(Backend::Sqlite, |c| {
        c.auth.login_attempts_per_account_per_minute = 2;
    })
    .await;
    // Each login in its own browser; the third for the same account within the minute is refused.
    let mut answers = Vec::new();
    for _ in 0..3 {
        let b = Browser::new();
        let authorize = b.start_login(&hub.url, "campus").await.expect("start");
        let back = b
            .walk_provider(&authorize, "limited", &hub.url)
            .await
            .expect("provider");
        answers.push(b.visit(&back.url).await.expect("callback"));
    }
    let cookie = answers[0]
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("thub_session="))
        .expect("session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain-http hub: {cookie}");
    assert_eq!(answers[0].status(), 303);
    assert_eq!(answers[1].status(), 303);
    assert_eq!(answers[2].status(), 429);
    assert!(answers[2].headers().get("retry-after").is_some());
    // Another account is not affected.
    let b = Browser::new();
    b.login(&hub.url, "campus", "someone-else")
        .await
        .expect("another account logs in");
}
