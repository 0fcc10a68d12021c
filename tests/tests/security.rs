//! The access-control suite over bearer tokens and portal API keys: other organisations'
//! records (achievements, needs, sources, API keys, invitations, audit log), portal keys that
//! try to write, revoked keys, over-deep and over-complex queries, a rate-limit burst and
//! anonymous introspection — each refused with its code, and the store unchanged.

use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{json, Value};
use transferhub_schema::entity::{achievement, api_token, audit_log, invitation, need, source};
use transferhub_schema::enums::Role;
use transferhub_tests::{backends, error_code, Backend, TestHub};

const CREATE_KEY: &str = r#"mutation($i: CreateApiKeyInput!){
  createApiKey(input:$i){ secret apiKey{ id name prefix scope role rateLimitPerMinute lastUsedAt revokedAt organisation{ key } } } }"#;
const REVOKE_KEY: &str = "mutation($id:ID!){ revokeApiKey(id:$id){ apiKey{ id revokedAt } } }";
const CREATE_ACH: &str = r#"mutation($input: CreateAchievementInput!){
  createAchievement(input:$input){ achievement{ id } } }"#;

fn ach(org: Option<&str>) -> Value {
    json!({
        "organisation": org,
        "title": "乳清蛋白低温膜分离工艺",
        "type": "KNOW_HOW",
        "summary": "低温膜分离提取乳清蛋白，收率提升15%。",
        "industryCode": "C1441",
        "maturity": 6,
        "transferModes": ["LICENCE"]
    })
}

/// Rows and counts a refused request might have touched.
type Snapshot = (
    Vec<achievement::Model>,
    Vec<need::Model>,
    Vec<api_token::Model>,
    u64,
    u64,
    u64,
);

/// Fails naming the first differing row, without dumping the whole store.
fn assert_unchanged(after: &Snapshot, before: &Snapshot, what: &str) {
    for (a, b) in after.0.iter().zip(&before.0) {
        assert!(a == b, "{what}: achievement changed:\n{a:?}\nwas\n{b:?}");
    }
    for (a, b) in after.1.iter().zip(&before.1) {
        assert!(a == b, "{what}: need changed:\n{a:?}\nwas\n{b:?}");
    }
    for (a, b) in after.2.iter().zip(&before.2) {
        assert!(a == b, "{what}: API key changed:\n{a:?}\nwas\n{b:?}");
    }
    let counts = |s: &Snapshot| (s.0.len(), s.1.len(), s.2.len(), s.3, s.4, s.5);
    assert_eq!(counts(after), counts(before), "{what}: row counts changed");
}

/// Everything a refused request might have touched, rows and contents.
async fn snapshot(
    hub: &TestHub,
) -> (
    Vec<achievement::Model>,
    Vec<need::Model>,
    Vec<api_token::Model>,
    u64,
    u64,
    u64,
) {
    (
        achievement::Entity::find()
            .order_by_asc(achievement::Column::Id)
            .all(&hub.db)
            .await
            .expect("rows"),
        need::Entity::find()
            .order_by_asc(need::Column::Id)
            .all(&hub.db)
            .await
            .expect("rows"),
        api_token::Entity::find()
            .order_by_asc(api_token::Column::Id)
            .all(&hub.db)
            .await
            .expect("rows"),
        source::Entity::find().count(&hub.db).await.expect("n"),
        invitation::Entity::find().count(&hub.db).await.expect("n"),
        audit_log::Entity::find().count(&hub.db).await.expect("n"),
    )
}

/// Without the `last_used_at` touch, which every accepted request may write.
fn without_last_use(
    mut s: (
        Vec<achievement::Model>,
        Vec<need::Model>,
        Vec<api_token::Model>,
        u64,
        u64,
        u64,
    ),
) -> (
    Vec<achievement::Model>,
    Vec<need::Model>,
    Vec<api_token::Model>,
    u64,
    u64,
    u64,
) {
    for t in &mut s.2 {
        t.last_used_at = None;
    }
    s
}

async fn create_key(
    hub: &TestHub,
    admin: &str,
    org: &str,
    scope: &str,
    rate: Option<i32>,
) -> (String, String) {
    let r = hub
        .gql(
            CREATE_KEY,
            json!({"i": {"organisation": org, "name": "内蒙古科技成果转化门户", "scope": scope, "rateLimitPerMinute": rate}}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let k = &r["data"]["createApiKey"];
    (
        k["apiKey"]["id"].as_str().expect("id").to_string(),
        k["secret"].as_str().expect("secret").to_string(),
    )
}

#[tokio::test]
async fn admins_create_scoped_keys_shown_once_stored_hashed_and_revocable() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let admin = hub.token("imu", Role::OrgAdmin).await;
        let r = hub
            .gql(
                CREATE_KEY,
                json!({"i": {"organisation": "imu", "name": "  高校成果门户  ", "scope": "READ_WRITE_ORG", "rateLimitPerMinute": 120}}),
                Some(&admin),
            )
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let k = &r["data"]["createApiKey"];
        let secret = k["secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("thub_"));
        assert_eq!(k["apiKey"]["name"], "高校成果门户");
        assert_eq!(k["apiKey"]["scope"], "READ_WRITE_ORG");
        assert_eq!(k["apiKey"]["role"], "MEMBER");
        assert_eq!(k["apiKey"]["rateLimitPerMinute"], 120);
        assert!(k["apiKey"]["lastUsedAt"].is_null());
        assert!(secret.starts_with(k["apiKey"]["prefix"].as_str().expect("prefix")));
        // Stored hashed: the secret itself is nowhere in the table.
        let rows = api_token::Entity::find().all(&hub.db).await.expect("rows");
        assert!(rows
            .iter()
            .all(|t| t.token_hash != secret && !t.token_hash.contains(&secret)));
        // The key works (read-write own org) and its use is recorded.
        let r = hub
            .gql(CREATE_ACH, json!({"input": ach(None)}), Some(&secret))
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let r = hub
            .gql(
                "{ apiKeys(organisation:\"imu\", first:10){ edges{ node{ name lastUsedAt scope } } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let used = r["data"]["apiKeys"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|e| e["node"]["name"] == "高校成果门户")
            .expect("listed")
            .clone();
        assert!(used["node"]["lastUsedAt"].is_string(), "{r}");
        // Revoked: refused from the next request on.
        let id = k["apiKey"]["id"].as_str().expect("id").to_string();
        let r = hub.gql(REVOKE_KEY, json!({"id": id}), Some(&admin)).await;
        assert!(
            r["data"]["revokeApiKey"]["apiKey"]["revokedAt"].is_string(),
            "{r}"
        );
        let before = without_last_use(snapshot(&hub).await);
        let (status, r) = hub
            .gql_raw(CREATE_ACH, json!({"input": ach(None)}), Some(&secret))
            .await;
        assert_eq!(
            (status, error_code(&r)),
            (401, Some("UNAUTHENTICATED")),
            "{r}"
        );
        let r = hub.gql(REVOKE_KEY, json!({"id": id}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        assert_unchanged(
            &without_last_use(snapshot(&hub).await),
            &before,
            &format!("{backend:?}"),
        );
        // Both actions are in the audit log, visible to the org admin.
        let r = hub
            .gql(
                "{ auditLog(filter:{action:\"api_key.\"}, first:10){ totalCount edges{ node{ action actor remoteAddr organisation{ key } } } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(r["data"]["auditLog"]["totalCount"], 2, "{r}");
        assert_eq!(
            r["data"]["auditLog"]["edges"][0]["node"]["action"],
            "api_key.revoke"
        );
        assert_eq!(
            r["data"]["auditLog"]["edges"][0]["node"]["remoteAddr"],
            "127.0.0.1"
        );
    }
}

#[tokio::test]
async fn bad_key_input_is_refused_naming_the_field() {
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let admin = hub.token("imu", Role::OrgAdmin).await;
    let before = without_last_use(snapshot(&hub).await);
    let long = "名".repeat(101);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"organisation": "imu", "name": "   ", "scope": "READ_PUBLIC"}),
            "input.name",
        ),
        (
            json!({"organisation": "imu", "name": long, "scope": "READ_PUBLIC"}),
            "input.name",
        ),
        (
            json!({"organisation": "imu", "name": "x", "scope": "READ_PUBLIC", "rateLimitPerMinute": 0}),
            "input.rateLimitPerMinute",
        ),
        (
            json!({"organisation": "imu", "name": "x", "scope": "READ_PUBLIC", "expiresAt": "2001-01-01T00:00:00Z"}),
            "input.expiresAt",
        ),
        (
            json!({"organisation": "no-such-org", "name": "x", "scope": "READ_PUBLIC"}),
            "input.organisation",
        ),
    ];
    for (input, field) in cases {
        let r = hub.gql(CREATE_KEY, json!({"i": input}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
    }
    // Wrong types never reach the resolver.
    for input in [
        json!({"organisation": "imu", "name": "x", "scope": "ROOT"}),
        json!({"organisation": "imu", "name": 5, "scope": "READ_PUBLIC"}),
        json!({"organisation": "imu", "name": "x", "scope": "READ_PUBLIC", "rateLimitPerMinute": "many"}),
    ] {
        let r = hub.gql(CREATE_KEY, json!({"i": input}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    }
    for id in ["garbage", "QWNoaWV2ZW1lbnQ6MQ"] {
        let r = hub.gql(REVOKE_KEY, json!({"id": id}), Some(&admin)).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "id", "{r}");
    }
    let r = hub
        .gql(REVOKE_KEY, json!({"id": "QXBpS2V5Ojk5OTk5"}), Some(&admin))
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    assert_unchanged(
        &without_last_use(snapshot(&hub).await),
        &before,
        "store changed",
    );
}

#[tokio::test]
async fn org_a_cannot_touch_org_b_and_portal_keys_cannot_write() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let a_admin = hub.token("imau", Role::OrgAdmin).await;
        let a_member = hub.token("imau", Role::Member).await;
        let b_admin = hub.token("imu", Role::OrgAdmin).await;
        let r = hub
            .gql(CREATE_ACH, json!({"input": ach(None)}), Some(&b_admin))
            .await;
        let b_ach = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let r = hub
            .gql(
                "mutation{ createNeed(input:{title:\"草原牧区光伏提水\", description:\"需要低成本光伏提水方案。\"}){ need{ id } } }",
                json!({}),
                Some(&b_admin),
            )
            .await;
        let b_need = r["data"]["createNeed"]["need"]["id"]
            .as_str()
            .expect("need")
            .to_string();
        let r = hub
            .gql(
                "mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key } } }",
                json!({"i": {"key": "imu-repo", "kind": "oai_pmh", "organisation": "imu", "url": "http://127.0.0.1:9/oai"}}),
                Some(&b_admin),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let (b_key, _) = create_key(&hub, &b_admin, "imu", "READ_PUBLIC", None).await;
        let (_, portal) = create_key(&hub, &a_admin, "imau", "READ_PUBLIC", None).await;

        let attempts: Vec<(&str, Value)> = vec![
            ("mutation($id:ID!){ updateAchievement(id:$id, input:{title:\"篡改\"}){ achievement{ id } } }", json!({"id": b_ach})),
            ("mutation($id:ID!){ publishAchievement(id:$id){ achievement{ id } } }", json!({"id": b_ach})),
            ("mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ id } } }", json!({"id": b_ach})),
            (CREATE_ACH, json!({"input": ach(Some("imu"))})),
            ("mutation($id:ID!){ updateNeed(id:$id, input:{title:\"篡改\"}){ need{ id } } }", json!({"id": b_need})),
            ("mutation($id:ID!){ closeNeed(id:$id){ need{ id } } }", json!({"id": b_need})),
            ("mutation{ createNeed(input:{organisation:\"imu\", title:\"x\", description:\"y\"}){ need{ id } } }", json!({})),
            ("mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key } } }",
             json!({"i": {"key": "imu-repo", "kind": "oai_pmh", "organisation": "imu", "url": "http://127.0.0.1:9/other"}})),
            ("mutation{ runHarvest(sourceKey:\"imu-repo\"){ run{ id } } }", json!({})),
            (CREATE_KEY, json!({"i": {"organisation": "imu", "name": "x", "scope": "READ_WRITE_ORG"}})),
            (REVOKE_KEY, json!({"id": b_key})),
            ("mutation{ inviteMember(input:{organisation:\"imu\", email:\"spy@imau.edu.cn\", role: ORG_ADMIN}){ invitation{ id } } }", json!({})),
        ];
        let before = without_last_use(snapshot(&hub).await);
        for (q, vars) in &attempts {
            let r = hub.gql(q, vars.clone(), Some(&a_admin)).await;
            assert_eq!(
                error_code(&r),
                Some("FORBIDDEN"),
                "{backend:?} org admin of A: {q}: {r}"
            );
            let r = hub.gql(q, vars.clone(), Some(&a_member)).await;
            assert_eq!(
                error_code(&r),
                Some("FORBIDDEN"),
                "{backend:?} member of A: {q}: {r}"
            );
            let r = hub.gql(q, vars.clone(), Some(&portal)).await;
            assert_eq!(
                error_code(&r),
                Some("FORBIDDEN"),
                "{backend:?} portal key: {q}: {r}"
            );
            let r = hub.gql(q, vars.clone(), None).await;
            assert_eq!(
                error_code(&r),
                Some("UNAUTHENTICATED"),
                "{backend:?} anonymous: {q}: {r}"
            );
        }
        // Reading B's keys and audit log is refused too; members read no audit log at all.
        for (q, who) in [
            (
                "{ apiKeys(organisation:\"imu\"){ edges{ node{ id } } } }",
                &a_admin,
            ),
            (
                "{ auditLog(filter:{organisation:\"imu\"}){ edges{ node{ id } } } }",
                &a_admin,
            ),
            ("{ auditLog{ edges{ node{ id } } } }", &a_member),
            ("{ auditLog{ edges{ node{ id } } } }", &portal),
        ] {
            let r = hub.gql(q, json!({}), Some(who)).await;
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{q}: {r}");
        }
        // A portal key reads the public catalog.
        let r = hub
            .gql(
                "{ achievements(first:3){ totalCount } }",
                json!({}),
                Some(&portal),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        assert_unchanged(
            &without_last_use(snapshot(&hub).await),
            &before,
            &format!("{backend:?}: a refusal changed the store"),
        );
    }
}

#[tokio::test]
async fn a_burst_over_the_key_limit_gets_429_with_retry_after_and_changes_nothing() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let admin = hub.token("imu", Role::OrgAdmin).await;
        let (_, key) = create_key(&hub, &admin, "imu", "READ_WRITE_ORG", Some(3)).await;
        for _ in 0..3 {
            let (status, r) = hub
                .gql_raw("{ viewer { role } }", json!({}), Some(&key))
                .await;
            assert_eq!(status, 200, "{r}");
        }
        let before = without_last_use(snapshot(&hub).await);
        let resp = hub
            .http()
            .post(format!("{}/graphql", hub.url))
            .bearer_auth(&key)
            .json(&json!({"query": CREATE_ACH, "variables": {"input": ach(None)}}))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 429, "{backend:?}");
        let retry: u64 = resp.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry), "{retry}");
        let body: Value = resp.json().await.expect("json");
        assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
        assert_unchanged(
            &without_last_use(snapshot(&hub).await),
            &before,
            &format!("{backend:?}"),
        );
        // Other keys are not slowed down by it.
        let (status, _) = hub
            .gql_raw("{ viewer { role } }", json!({}), Some(&admin))
            .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn over_deep_and_over_complex_queries_are_refused_for_anonymous_and_portal_callers() {
    let hub = TestHub::start_with(Backend::Sqlite, true, |c| {
        c.auth.anonymous_depth_limit = 4;
        c.auth.anonymous_complexity_limit = 60;
        c.auth.anonymous_introspection = false;
    })
    .await
    .expect("hub");
    let member = hub.token("imu", Role::Member).await;
    let portal = hub.token("nmg-portal", Role::Portal).await;
    let deep = "{ achievements(first:1){ edges{ node{ organisation{ nameZh } } } } }";
    let wide = "{ achievements(first:100){ edges{ node{ title summary keywords } } } }";
    for q in [deep, wide] {
        for who in [None, Some(portal.as_str())] {
            let r = hub.gql(q, json!({}), who).await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{q}: {r}");
            assert!(r["data"].is_null(), "{r}");
        }
        let r = hub.gql(q, json!({}), Some(&member)).await;
        assert!(r["errors"].is_null(), "members have the wider limits: {r}");
    }
    // Introspection is off for anonymous callers here, on for authenticated ones.
    let r = hub
        .gql("{ __schema { queryType { name } } }", json!({}), None)
        .await;
    assert!(r["data"]["__schema"].is_null(), "{r}");
    let r = hub
        .gql(
            "{ __schema { queryType { name } } }",
            json!({}),
            Some(&member),
        )
        .await;
    assert_eq!(
        r["data"]["__schema"]["queryType"]["name"], "QueryRoot",
        "{r}"
    );
}
