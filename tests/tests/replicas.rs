//! Several stateless hub replicas on one PostgreSQL database (issue 10): real `transferhub serve`
//! processes on loopback, each with its own data directory (and embedded search index), sharing
//! only the database. Shown here: every source harvested exactly once per interval; a replica
//! SIGKILLed while holding a harvest lease is taken over after the lease expires with nothing
//! lost or duplicated; both replicas serve the same search results after a change; a mutation
//! through one replica reaches a GraphQL subscriber on the other (LISTEN/NOTIFY); a write through
//! one replica shows in the other's `totalCount` at once (its count cache is emptied through
//! LISTEN/NOTIFY, not by the cache's 10 s expiry); a burst split
//! across replicas is limited by the key's total budget; concurrent migrations of a fresh
//! database all succeed and leave one correct schema; replicas racing for a due link check claim
//! it exactly once per interval.
//!
//! PostgreSQL only: skipped (and said so) when it is unreachable, unless
//! `THUB_TEST_REQUIRE_POSTGRES=1`. Every wait is bounded.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{achievement, harvest_run, match_outbox, source, source_record};
use transferhub_schema::enums::{AchievementStatus, Role};
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_tests::{backends, binary, Backend, TestDb};

/// A fresh PostgreSQL database, or `None` (skipped) when PostgreSQL is not reachable.
async fn pg_db() -> Option<TestDb> {
    if !backends().await.contains(&Backend::Postgres) {
        eprintln!("replicas: SKIPPED (needs PostgreSQL)");
        return None;
    }
    Some(TestDb::create(Backend::Postgres).await.expect("database"))
}

/// A `transferhub serve` process.
struct Replica {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

impl Replica {
    /// Writes the replica's config (`extra` is appended TOML) and starts it; returns once it
    /// listens.
    fn start(db_url: &str, extra: &str, demo: bool) -> Replica {
        Self::spawn(db_url, extra, demo).wait_listening()
    }

    fn spawn(db_url: &str, extra: &str, demo: bool) -> Starting {
        let data = tempfile::tempdir().expect("tmp");
        let config = data.path().join("hub.toml");
        std::fs::write(
            &config,
            format!(
                "[storage]\ndatabase_url = \"{db_url}\"\ndata_dir = \"{}\"\nmax_connections = 6\n\
                 [outbound]\nallow_private_addresses = true\n[link_check]\nscheduler = false\n\
                 [search]\nindexer_poll_ms = 200\n{extra}",
                data.path().join("data").display()
            ),
        )
        .expect("config");
        let mut cmd = Command::new(binary().expect("binary"));
        cmd.arg("--config")
            .arg(&config)
            .args(["serve", "--listen", "127.0.0.1:0"]);
        if demo {
            cmd.arg("--demo");
        }
        let child = cmd
            .env("TRANSFERHUB_LOG__LEVEL", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn transferhub serve");
        Starting { child, data }
    }

    /// The replica's lease-owner prefix (`<pid>-`).
    fn owner_prefix(&self) -> String {
        format!("{}-", self.child.id())
    }

    async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> (u16, Value) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/graphql", self.url))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("json"))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A replica that was spawned but may not listen yet.
struct Starting {
    child: Child,
    data: tempfile::TempDir,
}

impl Starting {
    fn wait_listening(mut self) -> Replica {
        let stdout = self.child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(rest) = line.trim().strip_prefix("TransferHub listening on ") {
                    let url = rest.split('/').take(3).collect::<Vec<_>>().join("/");
                    let _ = tx.send(url);
                }
                line.clear();
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("replica did not start listening within 120 s");
        Replica {
            child: self.child,
            url,
            _data: self.data,
        }
    }
}

/// A real OAI-PMH data provider (pyoai) on a free loopback port.
struct Provider {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Provider {
    fn start(records: usize, delay: Option<&str>) -> Provider {
        let dir = tempfile::tempdir().expect("tmp");
        let data = dir.path().join("records.json");
        std::fs::write(
            &data,
            serde_json::to_vec(&dc_records(records)).expect("json"),
        )
        .expect("write");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/oai_provider.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .args(["--port", "0", "--batch", "50", "--data"])
            .arg(&data);
        if let Some(d) = delay {
            cmd.args(["--delay", d]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with pyoai (pip install pyoai)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("READY line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("provider said {line:?}"))
            .to_string();
        Provider {
            child,
            url: format!("http://127.0.0.1:{port}/oai"),
            _dir: dir,
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Dublin Core records made from the demo achievements, without patent numbers (so no record
/// merges into another) and without deletions: one achievement per record.
fn dc_records(n: usize) -> Vec<Value> {
    let set = demo_set().expect("demo");
    set.achievements
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, a)| {
            json!({
                "id": format!("oai:repo.example.edu.cn:{i:04}"),
                "datestamp": format!("2024-01-{:02}T{:02}:{:02}:00Z", 1 + i / 60 % 28, i / 60 % 24, i % 60),
                "sets": [a.org],
                "title": [a.title],
                "creator": a.inventors,
                "subject": a.keywords,
                "description": [a.summary],
                "type": [a.achievement_type.label_zh()],
            })
        })
        .collect()
}

/// Migrates the database and adds the demo organisations (sources need their organisation).
async fn prepare(db: &TestDb) -> sea_orm::DatabaseConnection {
    let store = sea_orm::Database::connect(&db.url).await.expect("connect");
    transferhub_server::db::migrate(&store)
        .await
        .expect("migrate");
    seed_organisations(&store, &demo_set().expect("demo").organisations)
        .await
        .map_err(|e| e.message())
        .expect("organisations");
    store
}

fn sources_toml(keys: &[&str], url: &str, interval: &str) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "[[sources]]\nkey = \"{k}\"\nkind = \"oai_pmh\"\norg = \"imu\"\nurl = \"{url}\"\ninterval = \"{interval}\"\n"
            )
        })
        .collect()
}

#[tokio::test]
async fn every_source_is_harvested_exactly_once_per_interval() {
    let Some(db) = pg_db().await else { return };
    let store = prepare(&db).await;
    let provider = Provider::start(30, None);
    let keys = ["repo-a", "repo-b", "repo-c"];
    let interval_secs = 4i64;
    let extra = format!(
        "[harvest]\ntick_secs = 1\nlease_secs = 30\n{}",
        sources_toml(&keys, &provider.url, &format!("{interval_secs}s"))
    );
    // Started together: the start-up lock lets them sync the same sources without a clash.
    let a = Replica::spawn(&db.url, &extra, false);
    let b = Replica::spawn(&db.url, &extra, false);
    let (mut a, mut b) = (a.wait_listening(), b.wait_listening());
    let window = Duration::from_secs(15);
    tokio::time::sleep(window).await;
    a.kill();
    b.kill();
    let mut per_source: BTreeMap<String, Vec<harvest_run::Model>> = BTreeMap::new();
    for s in source::Entity::find().all(&store).await.expect("sources") {
        let runs = harvest_run::Entity::find()
            .filter(harvest_run::Column::SourceId.eq(s.id))
            .all(&store)
            .await
            .expect("runs");
        per_source.insert(s.key, runs);
    }
    assert_eq!(per_source.len(), keys.len(), "{per_source:?}");
    let most = window.as_secs() as usize / interval_secs as usize + 1;
    for (key, runs) in &mut per_source {
        runs.sort_by_key(|r| r.started_at);
        let starts: Vec<String> = runs.iter().map(|r| r.started_at.to_rfc3339()).collect();
        eprintln!("{key}: {} runs at {starts:?}", runs.len());
        assert!(
            runs.len() >= 2,
            "{key}: harvested in every interval: {starts:?}"
        );
        assert!(
            runs.len() <= most,
            "{key}: at most one run per interval: {starts:?}"
        );
        for w in runs.windows(2) {
            let gap = w[1].started_at - w[0].started_at;
            assert!(
                gap >= chrono::Duration::milliseconds(interval_secs * 1000 - 1),
                "{key}: two runs within one interval: {starts:?}"
            );
        }
        assert!(
            runs.iter()
                .all(|r| r.status == "SUCCEEDED" || r.status == "RUNNING"),
            "{key}: {runs:?}"
        );
    }
}

#[tokio::test]
async fn a_killed_replicas_harvest_is_taken_over_after_its_lease_expires() {
    let Some(db) = pg_db().await else { return };
    let store = prepare(&db).await;
    const RECORDS: usize = 240;
    // Five pages of 50, 0.4 s each: long enough to kill the harvesting replica mid-run.
    let provider = Provider::start(RECORDS, Some("0.4"));
    let extra = format!(
        "[harvest]\ntick_secs = 1\nlease_secs = 3\n{}",
        sources_toml(&["repo"], &provider.url, "1h")
    );
    let mut replicas = [
        Replica::start(&db.url, &extra, false),
        Replica::start(&db.url, &extra, false),
    ];
    // Wait until one replica holds the lease and has committed a page.
    let deadline = Instant::now() + Duration::from_secs(60);
    let owner = loop {
        let src = source::Entity::find()
            .one(&store)
            .await
            .expect("source")
            .expect("source");
        let pages: i64 = harvest_run::Entity::find()
            .all(&store)
            .await
            .expect("runs")
            .iter()
            .map(|r| r.pages)
            .sum();
        if let (Some(owner), true) = (src.lease_owner, pages >= 1) {
            break owner;
        }
        assert!(Instant::now() < deadline, "no harvest started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let holder = replicas
        .iter()
        .position(|r| owner.starts_with(&r.owner_prefix()))
        .unwrap_or_else(|| panic!("lease owner {owner} is not one of the replicas"));
    replicas[holder].kill(); // SIGKILL
    let interrupted = harvest_run::Entity::find()
        .one(&store)
        .await
        .expect("run")
        .expect("run");
    assert_eq!(interrupted.status, "RUNNING", "the killed run stays open");
    let killed_at = Instant::now();
    // The survivor's scheduler takes the expired lease and resumes the run.
    let deadline = Instant::now() + Duration::from_secs(90);
    let run = loop {
        let runs = harvest_run::Entity::find().all(&store).await.expect("runs");
        if runs.iter().any(|r| r.status != "RUNNING") {
            assert_eq!(runs.len(), 1, "the interrupted run was resumed: {runs:?}");
            break runs[0].clone();
        }
        assert!(Instant::now() < deadline, "the run was not taken over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "taken over and finished {:?} after the SIGKILL",
        killed_at.elapsed()
    );
    assert_eq!(run.status, "SUCCEEDED", "{run:?}");
    assert_eq!(run.seen as usize, RECORDS, "each record counted once");
    let src = source::Entity::find()
        .one(&store)
        .await
        .expect("source")
        .expect("source");
    assert!(src.lease_owner.is_none(), "the survivor released the lease");
    let records = source_record::Entity::find()
        .count(&store)
        .await
        .expect("count");
    let achievements = achievement::Entity::find()
        .count(&store)
        .await
        .expect("count");
    assert_eq!(records as usize, RECORDS, "nothing lost or duplicated");
    assert_eq!(achievements as usize, RECORDS, "no duplicate achievements");
}

const SEARCH: &str =
    "query($q:String!){ search(query:$q, first:50){ totalCount edges{ node{ achievement{ id title } } } } }";

fn hits(r: &Value) -> (u64, Vec<String>) {
    let s = &r["data"]["search"];
    let ids = s["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter_map(|e| e["node"]["achievement"]["id"].as_str().map(str::to_string))
        .collect();
    (s["totalCount"].as_u64().unwrap_or_default(), ids)
}

/// Waits until both replicas answer `q` alike and `ok` holds; returns the common answer.
async fn same_search(
    a: &Replica,
    b: &Replica,
    q: &str,
    ok: impl Fn(&(u64, Vec<String>)) -> bool,
) -> (u64, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ra = hits(&a.gql(SEARCH, json!({"q": q}), None).await.1);
        let rb = hits(&b.gql(SEARCH, json!({"q": q}), None).await.1);
        if ra == rb && ok(&ra) {
            return ra;
        }
        assert!(
            Instant::now() < deadline,
            "replicas disagree on {q:?}: {ra:?} vs {rb:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn replicas_serve_the_same_search_results_and_share_live_events() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let Some(db) = pg_db().await else { return };
    let a = Replica::start(&db.url, "", true);
    let b = Replica::start(&db.url, "", false);
    let store = sea_orm::Database::connect(&db.url).await.expect("connect");
    // Each replica builds its own embedded index from the store and the shared outbox; an empty
    // query lists every published record once both are complete.
    let published = achievement::Entity::find()
        .filter(achievement::Column::Status.eq(AchievementStatus::Published))
        .count(&store)
        .await
        .expect("count");
    same_search(&a, &b, "", |h| h.0 == published).await;
    let (total, before) = same_search(&a, &b, "羊肉", |h| h.0 > 0).await;
    eprintln!("both replicas find {total} hits for 羊肉");
    // A change through replica A reaches replica B's index through the outbox log.
    let admin = transferhub_server::auth::token::create(&store, "imu", Role::PlatformAdmin, "t")
        .await
        .map_err(|e| e.message())
        .expect("token");
    let mutton = achievement::Entity::find()
        .filter(achievement::Column::Title.eq("一种冷鲜羊肉复合生物保鲜剂及其使用方法"))
        .one(&store)
        .await
        .expect("query")
        .expect("demo achievement");
    let mutton_id = transferhub_server::relay::encode_id("Achievement", mutton.id).0;
    // Withdraw another hit: the mutton achievement is matched below.
    let gone = before
        .iter()
        .find(|id| **id != mutton_id)
        .expect("another hit")
        .clone();
    let (_, r) = a
        .gql(
            "mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ id status } } }",
            json!({"id": gone}),
            Some(&admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    // Both indexes drop it (hits are also re-checked against the store, so the count is what
    // shows that each index applied the change).
    same_search(&a, &b, "羊肉", |h| {
        h.0 == total - 1 && !h.1.contains(&gone)
    })
    .await;

    // Live events: a subscriber on B, a mutation on A, the match found by either worker.
    let deadline = Instant::now() + Duration::from_secs(240);
    while match_outbox::Entity::find()
        .count(&store)
        .await
        .expect("count")
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "demo recompute backlog not drained"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut req = format!("{}/graphql/ws", b.url.replace("http://", "ws://"))
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
        "subscription{{ newMatches(achievementId:\"{}\"){{ needId achievementId summary }} }}",
        mutton_id
    );
    ws.send(send(
        json!({"id": "1", "type": "subscribe", "payload": {"query": q}}),
    ))
    .await
    .expect("subscribe");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let firm = transferhub_server::auth::token::create(&store, "xlhq-meat", Role::Member, "t")
        .await
        .map_err(|e| e.message())
        .expect("token");
    let (_, r) = a
        .gql(
            "mutation($input:CreateNeedInput!){ createNeed(input:$input){ need{ id } } }",
            json!({"input": {
                "title": "冷鲜羊肉保鲜剂需求",
                "description": "企业生产冷鲜羊肉，需要天然复合生物保鲜剂延长货架期，减少汁液流失。",
                "keywords": ["冷鲜羊肉", "保鲜剂"],
                "industryCode": "C1351"}}),
            Some(&firm),
        )
        .await;
    let need = r["data"]["createNeed"]["need"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(
        deadline.saturating_duration_since(Instant::now()),
        ws.next(),
    )
    .await
    {
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_ne!(v["type"], "error", "{v}");
        if v["type"] == "next" && v["payload"]["data"]["newMatches"]["needId"] == need.as_str() {
            got.push(v["payload"]["data"]["newMatches"].clone());
            // Wait a moment for a duplicate, which must not come.
            if let Ok(Some(Ok(Message::Text(more)))) =
                tokio::time::timeout(Duration::from_secs(2), ws.next()).await
            {
                let v: Value = serde_json::from_str(&more).expect("json");
                if v["payload"]["data"]["newMatches"]["needId"] == need.as_str() {
                    got.push(v["payload"]["data"]["newMatches"].clone());
                }
            }
            break;
        }
    }
    assert_eq!(
        got.len(),
        1,
        "the new match reached the subscriber on the other replica once: {got:?}"
    );
    assert!(
        got[0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("羊肉")),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_burst_split_across_replicas_is_limited_by_the_total() {
    let Some(db) = pg_db().await else { return };
    let store = prepare(&db).await;
    let extra = "[auth]\ndefault_rate_limit_per_minute = 10\n";
    let a = Replica::start(&db.url, extra, false);
    let b = Replica::start(&db.url, extra, false);
    let token = transferhub_server::auth::token::create(&store, "imu", Role::Member, "burst")
        .await
        .map_err(|e| e.message())
        .expect("token");
    // Not across a minute boundary (the window is one minute).
    let into_minute = chrono::Utc::now().timestamp().rem_euclid(60);
    if into_minute > 50 {
        tokio::time::sleep(Duration::from_secs((62 - into_minute) as u64)).await;
    }
    let (mut ok, mut limited) = (0, 0);
    for i in 0..20 {
        let replica = if i % 2 == 0 { &a } else { &b };
        let (status, body) = replica
            .gql("{ viewer { role } }", json!({}), Some(&token))
            .await;
        match status {
            200 => ok += 1,
            429 => {
                assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
                limited += 1;
            }
            s => panic!("unexpected {s}: {body}"),
        }
    }
    assert_eq!(
        (ok, limited),
        (10, 10),
        "one budget of 10 for both replicas"
    );
}

#[tokio::test]
async fn concurrent_migrations_of_a_fresh_database_all_succeed() {
    use sea_orm_migration::MigratorTrait;
    let Some(db) = pg_db().await else { return };
    let config: PathBuf = db.dir().join("hub.toml");
    std::fs::write(
        &config,
        format!("[storage]\ndatabase_url = \"{}\"\n", db.url),
    )
    .expect("config");
    let children: Vec<Child> = (0..4)
        .map(|_| {
            Command::new(binary().expect("binary"))
                .arg("--config")
                .arg(&config)
                .arg("migrate")
                .env("TRANSFERHUB_LOG__LEVEL", "warn")
                .env_remove("DATABASE_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn migrate")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("migrate");
        assert!(
            out.status.success(),
            "a concurrent migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = sea_orm::Database::connect(&db.url).await.expect("connect");
    let applied = store
        .query_all(Statement::from_string(
            store.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .expect("versions");
    let versions: Vec<String> = applied
        .iter()
        .map(|r| r.try_get::<String>("", "version").expect("version"))
        .collect();
    let expected: Vec<String> = transferhub_schema::migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    assert_eq!(versions, expected, "each migration applied once");
    for table in [
        "achievements",
        "sources",
        "rate_limit_windows",
        "match_outbox",
    ] {
        let n = store
            .query_one(Statement::from_string(
                store.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await;
        assert!(n.is_ok(), "table {table} exists");
    }
}

#[tokio::test]
async fn replicas_racing_for_a_due_link_check_claim_it_once() {
    use transferhub_server::links::service;
    let Some(db) = pg_db().await else { return };
    let store = prepare(&db).await;
    let config = transferhub_server::app::config::Config::default();
    service::sync_config(&store, &config.links.0)
        .await
        .map_err(|e| e.message())
        .expect("links");
    let links = service::list(&store, None, false)
        .await
        .map_err(|e| e.message())
        .expect("list");
    assert!(!links.is_empty());
    race_for(&store, links).await;
    // Next interval: the stamps written by the claims compare equal when read back, so a
    // checked link can be claimed again — once.
    let links = service::list(&store, None, false)
        .await
        .map_err(|e| e.message())
        .expect("list");
    assert!(links.iter().all(|l| l.last_checked_at.is_some()));
    race_for(&store, links).await;
}

async fn race_for(
    store: &sea_orm::DatabaseConnection,
    links: Vec<transferhub_schema::entity::link::Model>,
) {
    use transferhub_server::links::checker;
    for l in links {
        // Eight replicas read the same due link and claim it at once.
        let claims: Vec<_> = (0..8)
            .map(|_| {
                let (store, l) = (store.clone(), l.clone());
                tokio::spawn(async move { checker::claim_due(&store, &l).await })
            })
            .collect();
        let mut won = 0;
        for c in claims {
            if c.await
                .expect("task")
                .map_err(|e| e.message())
                .expect("claim")
            {
                won += 1;
            }
        }
        assert_eq!(won, 1, "link {} claimed by exactly one replica", l.key);
    }
}

/// `achievements.totalCount` as an anonymous caller sees it on `r`.
async fn published_total(r: &Replica) -> u64 {
    let (status, body) = r
        .gql("{ achievements(first:1){ totalCount } }", json!({}), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["achievements"]["totalCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("no totalCount: {body}"))
}

#[tokio::test]
async fn a_write_through_one_replica_shows_in_the_others_total_count_at_once() {
    let Some(db) = pg_db().await else { return };
    let a = Replica::start(&db.url, "", true);
    let b = Replica::start(&db.url, "", false);
    let store = sea_orm::Database::connect(&db.url).await.expect("connect");
    let published = || {
        achievement::Entity::find()
            .filter(achievement::Column::Status.eq(AchievementStatus::Published))
            .order_by_asc(achievement::Column::Id)
    };
    let rows = published().limit(2).all(&store).await.expect("query");
    assert_eq!(rows.len(), 2, "the demo publishes achievements");
    // B counts (and keeps the count for up to count_cache::TTL = 10 s).
    let before = published_total(&b).await;
    assert!(before >= 2, "{before}");
    let started = Instant::now();
    // A change behind every hub's back (no hub commits it, so nothing is announced): B keeps
    // answering from its cache, which shows the cache is in play.
    achievement::Entity::update_many()
        .col_expr(
            achievement::Column::Status,
            sea_orm::sea_query::Expr::value(AchievementStatus::Withdrawn),
        )
        .filter(achievement::Column::Id.eq(rows[0].id))
        .exec(&store)
        .await
        .expect("withdraw behind the hubs' back");
    assert_eq!(
        published_total(&b).await,
        before,
        "B answers from its cache"
    );
    // A change through replica A: A announces it (LISTEN/NOTIFY) and B's count follows at once,
    // long before its cached count would expire.
    let admin = transferhub_server::auth::token::create(&store, "imu", Role::PlatformAdmin, "t")
        .await
        .map_err(|e| e.message())
        .expect("token");
    let (_, r) = a
        .gql(
            "mutation($id:ID!){ withdrawAchievement(id:$id){ achievement{ id status } } }",
            json!({"id": transferhub_server::relay::encode_id("Achievement", rows[1].id).0}),
            Some(&admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let now = published_total(&b).await;
        if now == before - 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B still counts {now} (expected {}) 3 s after the write through A",
            before - 2
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        started.elapsed() < transferhub_server::changes::count_cache::TTL,
        "the test took longer than the cache TTL ({:?}), so it showed nothing",
        started.elapsed()
    );
}
