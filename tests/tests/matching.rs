//! Matching end to end on every store: achievements for a need and needs for an achievement with
//! readable explanations, experts, the answers to bad input (no text, only codes, only an emoji,
//! wrong ids, out-of-range `first`), feedback (authorised, stored, changing the ranking), the
//! background recompute announcing new matches over the websocket subscription, and the
//! evaluation harness beating text-only BM25 on the development set.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use transferhub_schema::entity::{
    achievement, match_feedback, match_outbox, match_suggestion, need,
};
use transferhub_schema::enums::Role;
use transferhub_server::matching::config::MatchingConfig;
use transferhub_server::matching::eval;
use transferhub_server::relay::encode_id;
use transferhub_tests::{backends, error_code, Backend, TestDb, TestHub};

const FOR_NEED: &str = r#"query($id:ID!,$first:Int){ matchesForNeed(needId:$id, first:$first){
  reason
  matches{ score achievement{ id title organisation{ key } }
    explanation{ summary matchedTerms matchedCodes textScore constraints{ kind met value text } } }
  experts{ name score organisation{ key } achievements{ title } } } }"#;

const FOR_ACHIEVEMENT: &str = r#"query($id:ID!,$first:Int){ matchesForAchievement(achievementId:$id, first:$first){
  reason matches{ score need{ id title } explanation{ summary matchedTerms constraints{ kind met text } } } } }"#;

const FEEDBACK: &str = r#"mutation($input:RecordMatchFeedbackInput!){ recordMatchFeedback(input:$input){
  feedback{ id kind note createdAt } } }"#;

const CREATE_NEED: &str =
    r#"mutation($input:CreateNeedInput!){ createNeed(input:$input){ need{ id title } } }"#;

async fn wait_indexed(hub: &TestHub, admin: &str) {
    for _ in 0..300 {
        let r = hub
            .gql(
                "{ searchStatus { pendingChanges } }",
                json!({}),
                Some(admin),
            )
            .await;
        if r["data"]["searchStatus"]["pendingChanges"].as_u64() == Some(0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("search index did not catch up within 30 s");
}

async fn demo_hub(backend: Backend) -> (TestHub, String) {
    let hub = TestHub::start(backend, true).await.expect("hub");
    let admin = hub.token("imu", Role::PlatformAdmin).await;
    wait_indexed(&hub, &admin).await;
    (hub, admin)
}

async fn need_id(hub: &TestHub, title: &str) -> (i64, i64) {
    let n = need::Entity::find()
        .filter(need::Column::Title.eq(title))
        .one(&hub.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("demo need {title}"));
    (n.id, n.organisation_id)
}

async fn achievement_id(hub: &TestHub, title: &str) -> i64 {
    achievement::Entity::find()
        .filter(achievement::Column::Title.eq(title))
        .one(&hub.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("demo achievement {title}"))
        .id
}

fn titles(r: &Value, root: &str, node: &str) -> Vec<String> {
    r["data"][root]["matches"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m[node]["title"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

const MUTTON_NEED: &str = "冷鲜羊肉气调保鲜与货架期延长";
const MUTTON_ACHIEVEMENT: &str = "一种冷鲜羊肉复合生物保鲜剂及其使用方法";

#[tokio::test]
async fn a_need_finds_the_right_achievements_with_readable_reasons_and_experts() {
    for backend in backends().await {
        let (hub, _admin) = demo_hub(backend).await;
        let (id, _) = need_id(&hub, MUTTON_NEED).await;
        let r = hub
            .gql(
                FOR_NEED,
                json!({"id": encode_id("Need", id), "first": 5}),
                None,
            )
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let t = titles(&r, "matchesForNeed", "achievement");
        assert_eq!(t.len(), 5, "{backend:?}: {t:?}");
        assert!(
            t.iter().take(3).any(|t| t == MUTTON_ACHIEVEMENT),
            "{backend:?}: the mutton preservation achievement must rank in the top 3: {t:?}"
        );
        let m = &r["data"]["matchesForNeed"]["matches"];
        let scores: Vec<f64> = m
            .as_array()
            .expect("matches")
            .iter()
            .filter_map(|m| m["score"].as_f64())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
        let best = &m[0]["explanation"];
        let terms: Vec<&str> = best["matchedTerms"]
            .as_array()
            .expect("terms")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(terms.iter().any(|t| t.contains("羊肉")), "{best}");
        let texts: Vec<&str> = best["constraints"]
            .as_array()
            .expect("constraints")
            .iter()
            .filter_map(|c| c["text"].as_str())
            .collect();
        assert!(texts.iter().any(|t| t.starts_with("转化方式")), "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("成熟度")), "{texts:?}");
        assert!(
            best["summary"]
                .as_str()
                .is_some_and(|s| s.contains("共同词")),
            "{best}"
        );
        assert!(r["data"]["matchesForNeed"]["reason"].is_null(), "{r}");
        let experts = r["data"]["matchesForNeed"]["experts"]
            .as_array()
            .expect("experts");
        assert!(!experts.is_empty(), "inventors behind the matches: {r}");
        assert!(experts[0]["achievements"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
    }
}

#[tokio::test]
async fn an_achievement_finds_the_firms_that_asked_for_it() {
    for backend in backends().await {
        let (hub, _admin) = demo_hub(backend).await;
        let id = achievement_id(&hub, MUTTON_ACHIEVEMENT).await;
        let r = hub
            .gql(
                FOR_ACHIEVEMENT,
                json!({"id": encode_id("Achievement", id), "first": 5}),
                None,
            )
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let t = titles(&r, "matchesForAchievement", "need");
        assert_eq!(
            t.first().map(String::as_str),
            Some(MUTTON_NEED),
            "{backend:?}: {t:?}"
        );
        let e = &r["data"]["matchesForAchievement"]["matches"][0]["explanation"];
        assert!(
            e["matchedTerms"].as_array().is_some_and(|a| !a.is_empty()),
            "{e}"
        );
    }
}

#[tokio::test]
async fn needs_without_words_get_a_clear_answer_not_an_error() {
    for backend in backends().await {
        let (hub, _admin) = demo_hub(backend).await;
        let firm = hub.token("xlhq-meat", Role::Member).await;
        // Only an emoji: nothing to match on, an empty list and the reason.
        let r = hub
            .gql(
                CREATE_NEED,
                json!({"input": {"title": "🐑🐑🐑", "description": "🙏"}}),
                Some(&firm),
            )
            .await;
        let emoji = r["data"]["createNeed"]["need"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend:?}: {r}"))
            .to_string();
        let r = hub.gql(FOR_NEED, json!({"id": emoji}), None).await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        assert_eq!(r["data"]["matchesForNeed"]["matches"], json!([]), "{r}");
        let reason = r["data"]["matchesForNeed"]["reason"]
            .as_str()
            .expect("reason");
        assert!(reason.contains("没有可匹配的文字"), "{reason}");
        // Only codes: ranked by codes, said so.
        let r = hub
            .gql(
                CREATE_NEED,
                json!({"input": {"title": "？？？", "description": "……", "industryCode": "C1351"}}),
                Some(&firm),
            )
            .await;
        let codes = r["data"]["createNeed"]["need"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend:?}: {r}"))
            .to_string();
        let r = hub
            .gql(FOR_NEED, json!({"id": codes, "first": 3}), None)
            .await;
        assert!(r["errors"].is_null(), "{backend:?}: {r}");
        let reason = r["data"]["matchesForNeed"]["reason"]
            .as_str()
            .expect("reason");
        assert!(reason.contains("仅按行业"), "{reason}");
        let m = r["data"]["matchesForNeed"]["matches"]
            .as_array()
            .expect("m");
        assert!(!m.is_empty(), "code-only matches: {r}");
        assert!(
            m.iter().all(|m| m["explanation"]["matchedCodes"]
                .as_array()
                .is_some_and(|c| c
                    .iter()
                    .any(|c| c.as_str().is_some_and(|c| c.contains("C13"))))),
            "every code-only match shares the industry: {r}"
        );
    }
}

#[tokio::test]
async fn bad_ids_and_sizes_are_bad_input_or_not_found() {
    let (hub, _admin) = demo_hub(Backend::Sqlite).await;
    let (id, _) = need_id(&hub, MUTTON_NEED).await;
    let huge = "x".repeat(100_000);
    let cases = [
        (json!({"id": "not-an-id"}), "BAD_INPUT", Some("needId")),
        (
            json!({"id": encode_id("Achievement", 1)}),
            "BAD_INPUT",
            Some("needId"),
        ),
        (json!({"id": huge}), "BAD_INPUT", Some("needId")),
        (json!({"id": encode_id("Need", 999_999)}), "NOT_FOUND", None),
        (
            json!({"id": encode_id("Need", id), "first": 0}),
            "BAD_INPUT",
            Some("first"),
        ),
        (
            json!({"id": encode_id("Need", id), "first": 1000}),
            "BAD_INPUT",
            Some("first"),
        ),
    ];
    for (vars, code, field) in cases {
        let r = hub.gql(FOR_NEED, vars.clone(), None).await;
        assert_eq!(error_code(&r), Some(code), "{vars}: {r}");
        if let Some(f) = field {
            assert_eq!(r["errors"][0]["extensions"]["field"], f, "{r}");
        }
    }
    // Wrong type for an argument is refused by the schema itself.
    let r = hub
        .gql(
            FOR_NEED,
            json!({"id": encode_id("Need", id), "first": "ten"}),
            None,
        )
        .await;
    assert!(r["errors"].is_array(), "{r}");
    let r = hub
        .gql(FOR_ACHIEVEMENT, json!({"id": encode_id("Need", id)}), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
    // Another organisation's draft is not visible, so not matchable.
    let draft = achievement::Entity::find()
        .filter(achievement::Column::Status.eq(transferhub_schema::enums::AchievementStatus::Draft))
        .one(&hub.db)
        .await
        .expect("q")
        .expect("a demo draft");
    let r = hub
        .gql(
            FOR_ACHIEVEMENT,
            json!({"id": encode_id("Achievement", draft.id)}),
            None,
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
}

#[tokio::test]
async fn feedback_is_authorised_stored_and_changes_the_ranking() {
    for backend in backends().await {
        let (hub, _admin) = demo_hub(backend).await;
        let (id, _) = need_id(&hub, MUTTON_NEED).await;
        let nid = encode_id("Need", id);
        let r = hub
            .gql(FOR_NEED, json!({"id": nid, "first": 5}), None)
            .await;
        let top = r["data"]["matchesForNeed"]["matches"][0]["achievement"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string();
        let top_org = r["data"]["matchesForNeed"]["matches"][0]["achievement"]["organisation"]
            ["key"]
            .as_str()
            .expect("org")
            .to_string();
        let input = |kind: &str, note: Option<String>| json!({"input": {"needId": nid, "achievementId": top, "kind": kind, "note": note}});
        // Anonymous, a portal and an unrelated firm may not.
        let r = hub.gql(FEEDBACK, input("NOT_RELEVANT", None), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let other = hub.token("ys-oats", Role::Member).await;
        let r = hub
            .gql(FEEDBACK, input("NOT_RELEVANT", None), Some(&other))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let portal = hub.token("nmg-portal", Role::Portal).await;
        let r = hub
            .gql(FEEDBACK, input("INTERESTED", None), Some(&portal))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        // Bad input.
        let firm = hub.token("xlhq-meat", Role::Member).await;
        let r = hub
            .gql(
                FEEDBACK,
                input("INTERESTED", Some("长".repeat(501))),
                Some(&firm),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "input.note");
        let r = hub
            .gql(
                FEEDBACK,
                json!({"input": {"needId": top, "achievementId": nid, "kind": "INTERESTED"}}),
                Some(&firm),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "swapped ids: {r}");
        let r = hub
            .gql(
                FEEDBACK,
                json!({"input": {"needId": nid, "achievementId": top, "kind": "MAYBE"}}),
                Some(&firm),
            )
            .await;
        assert!(r["errors"].is_array(), "unknown kind: {r}");
        assert_eq!(
            match_feedback::Entity::find()
                .count(&hub.db)
                .await
                .expect("count"),
            0,
            "{backend:?}: nothing stored by refused calls"
        );
        // The need's firm says not relevant: the pair sinks.
        let r = hub
            .gql(
                FEEDBACK,
                input("NOT_RELEVANT", Some("我们要的是气调包装".into())),
                Some(&firm),
            )
            .await;
        assert_eq!(
            r["data"]["recordMatchFeedback"]["feedback"]["kind"], "NOT_RELEVANT",
            "{r}"
        );
        let r = hub
            .gql(FOR_NEED, json!({"id": nid, "first": 5}), None)
            .await;
        let now_top = r["data"]["matchesForNeed"]["matches"][0]["achievement"]["id"]
            .as_str()
            .expect("top")
            .to_string();
        assert_ne!(
            now_top, top,
            "{backend:?}: a pair marked not relevant is no longer first"
        );
        // The achievement's university may answer too.
        let uni = hub.token(&top_org, Role::Member).await;
        let r = hub
            .gql(FEEDBACK, input("CONTACTED", None), Some(&uni))
            .await;
        assert_eq!(
            r["data"]["recordMatchFeedback"]["feedback"]["kind"], "CONTACTED",
            "{r}"
        );
        assert_eq!(
            match_feedback::Entity::find()
                .count(&hub.db)
                .await
                .expect("count"),
            2
        );
    }
}

#[tokio::test]
async fn a_new_need_is_matched_in_the_background_and_announced_live() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    for backend in backends().await {
        let (hub, _admin) = demo_hub(backend).await;
        let aid = achievement_id(&hub, MUTTON_ACHIEVEMENT).await;
        // The demo catalog's own recompute backlog first, so the event below is about the need.
        let started = Instant::now();
        while match_outbox::Entity::find()
            .count(&hub.db)
            .await
            .expect("count")
            > 0
        {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "{backend:?}: recompute backlog not drained"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        eprintln!(
            "{backend:?}: demo recompute backlog drained in {:?}",
            started.elapsed()
        );
        let mut req = format!("{}/graphql/ws", hub.url.replace("http://", "ws://"))
            .into_client_request()
            .expect("request");
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("connect");
        let send = |v: Value| Message::Text(v.to_string().into());
        ws.send(send(json!({"type": "connection_init", "payload": {}})))
            .await
            .expect("init");
        let q = format!(
            "subscription{{ newMatches(achievementId:\"{}\"){{ needId achievementId score summary }} }}",
            encode_id("Achievement", aid).0
        );
        ws.send(send(
            json!({"id": "1", "type": "subscribe", "payload": {"query": q}}),
        ))
        .await
        .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let firm = hub.token("xlhq-meat", Role::Member).await;
        let r = hub
            .gql(
                CREATE_NEED,
                json!({"input": {
                    "title": "冷鲜羊肉保鲜剂需求",
                    "description": "企业生产冷鲜羊肉，需要天然复合生物保鲜剂延长货架期，减少汁液流失。",
                    "keywords": ["冷鲜羊肉", "保鲜剂"],
                    "industryCode": "C1351"}}),
                Some(&firm),
            )
            .await;
        let new_id = r["data"]["createNeed"]["need"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string();
        let mut got = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(Some(Ok(msg))) = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            ws.next(),
        )
        .await
        {
            let Message::Text(text) = msg else { continue };
            let v: Value = serde_json::from_str(&text).expect("json");
            if v["type"] == "next"
                && v["payload"]["data"]["newMatches"]["needId"] == new_id.as_str()
            {
                got = Some(v["payload"]["data"]["newMatches"].clone());
                break;
            }
            if v["type"] == "error" {
                panic!("{v}");
            }
        }
        let got =
            got.unwrap_or_else(|| panic!("{backend:?}: no newMatches event for the new need"));
        assert!(
            got["summary"].as_str().is_some_and(|s| s.contains("羊肉")),
            "{got}"
        );
        let (raw, _) = transferhub_server::relay::decode_any(&new_id).expect("id");
        assert_eq!(raw, "Need");
        let stored = match_suggestion::Entity::find()
            .filter(match_suggestion::Column::AchievementId.eq(aid))
            .count(&hub.db)
            .await
            .expect("count");
        assert!(stored >= 1, "{backend:?}: the suggestion is stored");
        // Both ids at once is a clear error.
        let r = hub
            .gql(
                "subscription{ newMatches(needId:\"x\", achievementId:\"y\"){ score } }",
                json!({}),
                None,
            )
            .await;
        assert!(r["errors"].is_array(), "{r}");
    }
}

#[tokio::test]
async fn the_engine_beats_text_only_bm25_on_the_development_set() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/matching_dev.json");
    let mut set = eval::load(&path).unwrap_or_else(|e| panic!("{}", e.message()));
    // Stated requirements are constraints (issue 16): a pair violating one is no answer.
    eval::apply_requirements(&mut set);
    assert!(set.needs.len() >= 100, "at least 100 labeled needs");
    let clusters: std::collections::BTreeSet<&str> =
        set.needs.iter().map(|n| n.cluster.as_str()).collect();
    assert_eq!(clusters.len(), 6, "{clusters:?}");
    let db = TestDb::create(Backend::Sqlite).await.expect("db");
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    transferhub_server::db::migrate(&conn)
        .await
        .expect("migrate");
    let loaded = eval::load_into(&conn, &set, &db.dir().join("index"))
        .await
        .unwrap_or_else(|e| panic!("{}", e.message()));
    let (engine, baseline) = eval::evaluate(&loaded, &MatchingConfig::default())
        .await
        .unwrap_or_else(|e| panic!("{}", e.message()));
    eprintln!("engine {engine:?}\nbaseline {baseline:?}");
    assert!(
        engine.ndcg10 > baseline.ndcg10,
        "{engine:?} vs {baseline:?}"
    );
    assert!(engine.mrr >= baseline.mrr, "{engine:?} vs {baseline:?}");
    assert!(
        engine.recall20 >= baseline.recall20,
        "{engine:?} vs {baseline:?}"
    );
}

#[test]
fn metrics_match_a_hand_computed_example() {
    let labels: HashMap<String, u8> = [("a", 2u8), ("b", 1)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let ranked: Vec<String> = ["x", "b", "a"].iter().map(|s| s.to_string()).collect();
    // DCG = 1/log2(3) + 3/log2(4); IDCG = 3/log2(2) + 1/log2(3).
    let dcg = 1.0 / 3f64.log2() + 3.0 / 2.0;
    let idcg = 3.0 + 1.0 / 3f64.log2();
    assert!((eval::ndcg_at(&ranked, &labels, 10) - dcg / idcg).abs() < 1e-12);
    assert_eq!(eval::recall_at(&ranked, &labels, 20), 1.0);
    assert_eq!(eval::recall_at(&ranked, &labels, 2), 0.5);
    assert_eq!(eval::reciprocal_rank(&ranked, &labels), 0.5);
    let m = eval::mean(&[(ranked, &labels)]);
    assert_eq!(m.queries, 1);
}
