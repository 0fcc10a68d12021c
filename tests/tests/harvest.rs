//! Federation end to end: a real OAI-PMH data provider (pyoai's server, installed from PyPI by
//! the test script) serves a few hundred Chinese Dublin Core records with sets and deletions;
//! the hub harvests them fully and incrementally, and after every fault — provider killed,
//! hub killed (SIGKILL), truncated XML, 503 storms, a bad resumptionToken, GBK, an entity bomb —
//! the store equals what an undisturbed harvest gives: nothing lost, nothing duplicated.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{achievement, harvest_run, source, source_record};
use transferhub_schema::enums::Role;
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_tests::{backends, binary, error_code, Backend, TestDb, TestHub};

const RECORDS: usize = 240;

/// One provider record (Dublin Core fields as lists).
fn dc_records() -> Vec<Value> {
    let set = demo_set().expect("demo");
    let org_name = |k: &str| {
        set.organisations
            .iter()
            .find(|o| o.key == k)
            .map(|o| o.name_zh.clone())
            .unwrap_or_default()
    };
    set.achievements
        .iter()
        .take(RECORDS)
        .enumerate()
        .map(|(i, a)| {
            let mut subjects = a.keywords.clone();
            subjects.extend(a.ipc_codes.clone());
            let mut identifiers: Vec<String> = a.patents.iter().map(|p| format!("CN{}", p.application_number)).collect();
            identifiers.extend(a.patents.iter().filter_map(|p| p.publication_number.clone()));
            json!({
                "id": format!("oai:repo.example.edu.cn:{i:04}"),
                "datestamp": format!("2024-01-{:02}T{:02}:{:02}:00Z", 1 + i / 60 % 28, i / 60 % 24, i % 60),
                "sets": [a.org],
                "title": [a.title, a.title_en.clone().unwrap_or_default()],
                "creator": a.inventors,
                "subject": subjects,
                "description": [a.summary, a.summary_en.clone().unwrap_or_default()],
                "publisher": [org_name(&a.org)],
                "identifier": identifiers,
                "type": [a.achievement_type.label_zh()],
                "coverage": [a.region_code.clone().unwrap_or_default()],
                // The first ten are already deleted at the provider.
                "deleted": i < 10,
            })
        })
        .collect()
}

fn write(path: &Path, records: &[Value]) {
    std::fs::write(path, serde_json::to_vec(records).expect("json")).expect("write data");
}

struct Provider {
    child: Child,
    url: String,
}

impl Provider {
    fn start(data: &Path, args: &[&str]) -> Provider {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/oai_provider.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--port", "0", "--batch", "50", "--data"])
            .arg(data)
            .args(args)
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
            .unwrap_or_else(|| panic!("provider said {line:?}"));
        Provider {
            child,
            url: format!("http://127.0.0.1:{port}/oai"),
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn hub(backend: Backend) -> (TestHub, String) {
    let hub = TestHub::start(backend, false).await.expect("hub");
    seed_organisations(&hub.db, &demo_set().expect("demo").organisations)
        .await
        .map_err(|e| e.message())
        .expect("organisations");
    let admin = hub.token("hhht-ipc", Role::PlatformAdmin).await;
    (hub, admin)
}

async fn upsert(hub: &TestHub, admin: &str, key: &str, url: &str) {
    let r = hub
        .gql(
            "mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key kind url metadataPrefix } } }",
            json!({"i": {"key": key, "kind": "oai_pmh", "organisation": "imu", "url": url, "interval": "1d"}}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(
        r["data"]["upsertSource"]["source"]["metadataPrefix"],
        "oai_dc"
    );
}

/// Starts a harvest and waits for its end; returns the finished run.
async fn harvest(hub: &TestHub, admin: &str, key: &str) -> Value {
    let r = hub
        .gql(
            "mutation($k:String!){ runHarvest(sourceKey:$k){ run{ id status } } }",
            json!({"k": key}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = hub
            .gql(
                "query($k:String!){ harvestRuns(sourceKey:$k, first:1){ edges{ node{ id status seen created updated unchanged deleted rejected pages error durationMs } } } }",
                json!({"k": key}),
                Some(admin),
            )
            .await;
        let run = r["data"]["harvestRuns"]["edges"][0]["node"].clone();
        if run["status"] != "RUNNING" {
            return run;
        }
        assert!(Instant::now() < deadline, "harvest did not finish: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The store as harvesting left it: per source record, the achievement's title and status,
/// plus the number of achievements (duplicates would show there).
async fn state(
    db: &sea_orm::DatabaseConnection,
    key: &str,
) -> (BTreeMap<String, (String, String, bool)>, u64) {
    let src = source::Entity::find()
        .filter(source::Column::Key.eq(key))
        .one(db)
        .await
        .expect("query")
        .expect("source");
    let mut out = BTreeMap::new();
    for sr in source_record::Entity::find()
        .filter(source_record::Column::SourceId.eq(src.id))
        .all(db)
        .await
        .expect("records")
    {
        let a = achievement::Entity::find_by_id(sr.achievement_id.expect("linked"))
            .one(db)
            .await
            .expect("query")
            .expect("achievement");
        out.insert(
            sr.source_record_id,
            (a.title, format!("{:?}", a.status), sr.deleted),
        );
    }
    let n = achievement::Entity::find().count(db).await.expect("count");
    (out, n)
}

async fn baseline(data: &Path) -> (BTreeMap<String, (String, String, bool)>, u64) {
    let provider = Provider::start(data, &[]);
    let (hub, admin) = hub(Backend::Sqlite).await;
    upsert(&hub, &admin, "repo", &provider.url).await;
    let run = harvest(&hub, &admin, "repo").await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    state(&hub.db, "repo").await
}

fn temp_data(records: &[Value]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("records.json");
    write(&path, records);
    (dir, path)
}

#[tokio::test]
async fn full_then_incremental_harvest_from_a_real_oai_pmh_provider() {
    for backend in backends().await {
        let mut records = dc_records();
        let (_dir, data) = temp_data(&records);
        let provider = Provider::start(&data, &[]);
        let (hub, admin) = hub(backend).await;
        upsert(&hub, &admin, "repo", &provider.url).await;
        let run = harvest(&hub, &admin, "repo").await;
        assert_eq!(run["status"], "SUCCEEDED", "{backend:?}: {run}");
        assert_eq!(run["seen"], RECORDS, "{run}");
        assert_eq!(run["created"], RECORDS - 10, "{run}");
        assert_eq!(run["rejected"], 0, "{run}");
        assert_eq!(run["pages"], RECORDS.div_ceil(50), "{run}");
        let r = hub
            .gql("{ achievements(first:5, filter:{organisation:\"imu\"}){ totalCount edges{ node{ title provenance{ source recordId } patents{ applicationNumber } } } } }", json!({}), None)
            .await;
        assert_eq!(r["data"]["achievements"]["totalCount"], RECORDS - 10, "{r}");
        let node = &r["data"]["achievements"]["edges"][0]["node"];
        assert_eq!(node["provenance"][0]["source"], "repo", "{node}");
        assert!(node["title"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .any(|c| c > '\u{4e00}'));

        // The same harvest again changes nothing.
        let again = harvest(&hub, &admin, "repo").await;
        assert_eq!(again["created"], 0, "{again}");
        assert_eq!(again["updated"], 0, "{again}");

        // Provider-side changes after the last harvest: 5 edited, 3 deleted, 2 added.
        let fresh = chrono_stamp(chrono_now() + 2);
        for r in records.iter_mut().skip(20).take(5) {
            r["title"][0] = json!(format!(
                "{}（修订版）",
                r["title"][0].as_str().unwrap_or_default()
            ));
            r["datestamp"] = json!(fresh);
        }
        for r in records.iter_mut().skip(40).take(3) {
            r["deleted"] = json!(true);
            r["datestamp"] = json!(fresh);
        }
        for i in 0..2 {
            let mut n = records[100 + i].clone();
            n["id"] = json!(format!("oai:repo.example.edu.cn:new-{i}"));
            n["title"][0] = json!(format!("新增成果：一种沙棘果渣综合利用方法 {i}"));
            n["identifier"] = json!([]);
            n["datestamp"] = json!(fresh);
            records.push(n);
        }
        write(&data, &records);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let inc = harvest(&hub, &admin, "repo").await;
        assert_eq!(inc["status"], "SUCCEEDED", "{inc}");
        assert_eq!(inc["seen"], 10, "only changed records are asked for: {inc}");
        assert_eq!(inc["updated"], 5, "{inc}");
        assert_eq!(inc["deleted"], 3, "{inc}");
        assert_eq!(inc["created"], 2, "{inc}");
        let r = hub
            .gql(
                "{ achievements(first:1, filter:{organisation:\"imu\"}){ totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(
            r["data"]["achievements"]["totalCount"],
            RECORDS - 10 - 3 + 2,
            "{r}"
        );
        eprintln!("backend {backend:?}: OAI-PMH full + incremental harvest ran");
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// `YYYY-MM-DDThh:mm:ssZ` for a Unix time.
fn chrono_stamp(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Harvests through a fault, then retries until a run succeeds, and compares with the baseline.
async fn survives(args: &[&str], restart_provider_clean: bool) {
    let records = dc_records();
    let (_dir, data) = temp_data(&records);
    let expected = baseline(&data).await;
    let faulty = Provider::start(&data, args);
    let (hub, admin) = hub(Backend::Sqlite).await;
    upsert(&hub, &admin, "repo", &faulty.url).await;
    let first = harvest(&hub, &admin, "repo").await;
    let mut _clean = None;
    if restart_provider_clean {
        drop(faulty);
        let p = Provider::start(&data, &[]);
        upsert(&hub, &admin, "repo", &p.url).await;
        _clean = Some(p);
    }
    let mut last = first.clone();
    for _ in 0..3 {
        if last["status"] == "SUCCEEDED" {
            break;
        }
        last = harvest(&hub, &admin, "repo").await;
    }
    assert_eq!(
        last["status"], "SUCCEEDED",
        "{args:?}: first {first}, last {last}"
    );
    assert_eq!(
        state(&hub.db, "repo").await,
        expected,
        "{args:?}: store differs from an undisturbed harvest"
    );
}

#[tokio::test]
async fn provider_killed_mid_harvest_then_restarted_loses_and_duplicates_nothing() {
    survives(&["--exit-after", "3"], true).await;
}

#[tokio::test]
async fn truncated_xml_page_is_refused_and_the_retry_completes() {
    survives(&["--truncate-page", "2"], false).await;
}

#[tokio::test]
async fn a_503_storm_is_ridden_out_with_retry_after() {
    survives(&["--storm", "3"], false).await;
}

#[tokio::test]
async fn a_rejected_resumption_token_restarts_the_run_safely() {
    survives(&["--reject-token-once"], false).await;
}

#[tokio::test]
async fn gbk_encoded_responses_keep_their_chinese_text() {
    survives(&["--encoding", "gbk"], false).await;
}

#[tokio::test]
async fn an_entity_bomb_is_refused_and_nothing_is_stored() {
    let (_dir, data) = temp_data(&dc_records());
    let provider = Provider::start(&data, &["--bomb"]);
    let (hub, admin) = hub(Backend::Sqlite).await;
    upsert(&hub, &admin, "repo", &provider.url).await;
    let run = harvest(&hub, &admin, "repo").await;
    assert_eq!(run["status"], "FAILED", "{run}");
    assert!(
        run["error"].as_str().unwrap_or_default().contains("DTD"),
        "{run}"
    );
    assert_eq!(
        achievement::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn hub_killed_mid_harvest_resumes_from_its_checkpoint() {
    for backend in backends().await {
        let records = dc_records();
        let (_dir, data) = temp_data(&records);
        let expected = baseline(&data).await;
        let provider = Provider::start(&data, &["--delay", "0.4"]);
        let db = TestDb::create(backend).await.expect("db");
        let config = db.dir().join("hub.toml");
        std::fs::write(
            &config,
            format!(
                "[storage]\ndatabase_url = \"{}\"\n[outbound]\nallow_private_addresses = true\n[harvest]\nlease_secs = 2\n[[sources]]\nkey = \"repo\"\nkind = \"oai_pmh\"\norg = \"imu\"\nurl = \"{}\"\ninterval = \"1d\"\n",
                db.url, provider.url
            ),
        )
        .expect("config");
        let run_cli = || {
            Command::new(binary().expect("binary"))
                .args(["--config"])
                .arg(&config)
                .args(["harvest", "--source", "repo"])
                .env("TRANSFERHUB_LOG__LEVEL", "warn")
                .env_remove("DATABASE_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let migrate = Command::new(binary().expect("binary"))
            .args(["--config"])
            .arg(&config)
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .output()
            .expect("migrate");
        assert!(
            migrate.status.success(),
            "{}",
            String::from_utf8_lossy(&migrate.stderr)
        );
        let store = sea_orm::Database::connect(&db.url).await.expect("connect");
        seed_organisations(&store, &demo_set().expect("demo").organisations)
            .await
            .map_err(|e| e.message())
            .expect("organisations");
        let mut child = run_cli();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let pages = harvest_run::Entity::find()
                .all(&store)
                .await
                .expect("runs")
                .iter()
                .map(|r| r.pages)
                .sum::<i64>();
            if pages >= 2 {
                break;
            }
            assert!(Instant::now() < deadline, "harvest made no progress");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let interrupted = harvest_run::Entity::find()
            .one(&store)
            .await
            .expect("run")
            .expect("run");
        assert_eq!(interrupted.status, "RUNNING", "the killed run stays open");
        assert!(interrupted.checkpoint.is_some());
        // Another process must wait for the lease to expire, then resumes from the checkpoint.
        tokio::time::sleep(Duration::from_millis(2200)).await;
        let out = run_cli().wait_with_output().expect("rerun");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let runs = harvest_run::Entity::find().all(&store).await.expect("runs");
        assert_eq!(
            runs.len(),
            1,
            "the interrupted run was resumed, not restarted"
        );
        assert_eq!(runs[0].status, "SUCCEEDED");
        assert_eq!(runs[0].seen as usize, RECORDS, "each record counted once");
        let (got, total) = state(&store, "repo").await;
        assert_eq!(got, expected.0, "{backend:?}");
        assert_eq!(total, expected.1, "{backend:?}: no duplicates");
        eprintln!("backend {backend:?}: SIGKILL mid-harvest resumed");
    }
}

#[tokio::test]
async fn sources_are_guarded_and_validated() {
    let (hub, admin) = hub(Backend::Sqlite).await;
    let member = hub.token("imu", Role::Member).await;
    let other = hub.token("imau", Role::OrgAdmin).await;
    let q = "mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key } } }";
    let input = json!({"key": "repo", "kind": "oai_pmh", "organisation": "imu", "url": "http://127.0.0.1:9/oai"});
    assert_eq!(
        error_code(&hub.gql(q, json!({"i": input}), Some(&member)).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&hub.gql(q, json!({"i": input}), Some(&other)).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&hub.gql(q, json!({"i": input}), None).await),
        Some("UNAUTHENTICATED")
    );
    let mut bad = input.clone();
    bad["kind"] = json!("ftp");
    let r = hub.gql(q, json!({"i": bad}), Some(&admin)).await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "input.kind", "{r}");
    let mut bad = input.clone();
    bad["url"] = json!("file:///etc/passwd");
    let r = hub.gql(q, json!({"i": bad}), Some(&admin)).await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "input.url", "{r}");
    assert!(hub.gql(q, json!({"i": input}), Some(&admin)).await["errors"].is_null());
    let r = hub
        .gql(
            "{ rejectedRecords(sourceKey:\"repo\", first:5){ edges{ node{ reason } } } }",
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = hub
        .gql("{ source(key:\"nope\"){ key } }", json!({}), Some(&admin))
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
}

#[tokio::test]
async fn harvest_progress_streams_over_the_websocket_subscription() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let (_dir, data) = temp_data(&dc_records());
    let provider = Provider::start(&data, &["--delay", "0.1"]);
    let (hub, admin) = hub(Backend::Sqlite).await;
    upsert(&hub, &admin, "repo", &provider.url).await;
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
    ws.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {admin}")}}),
    ))
    .await
    .expect("init");
    ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription{ harvestProgress(sourceKey:\"repo\"){ status seen pages } }"}})))
        .await
        .expect("subscribe");
    let mut events = Vec::new();
    let started = tokio::spawn({
        let url = hub.url.clone();
        let admin = admin.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            reqwest::Client::new()
                .post(format!("{url}/graphql"))
                .bearer_auth(admin)
                .json(&json!({"query": "mutation{ runHarvest(sourceKey:\"repo\"){ run{ id } } }"}))
                .send()
                .await
                .expect("run")
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(deadline - Instant::now(), ws.next()).await {
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).expect("json");
        if v["type"] == "next" {
            let p = v["payload"]["data"]["harvestProgress"].clone();
            let done = p["status"] != "RUNNING";
            events.push(p);
            if done {
                break;
            }
        }
    }
    started.await.expect("mutation");
    assert!(
        events.len() >= 3,
        "a progress event per page and one at the end: {events:?}"
    );
    let last = events.last().expect("events");
    assert_eq!(last["status"], "SUCCEEDED");
    assert_eq!(last["seen"], RECORDS);
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["seen"].as_i64() <= w[1]["seen"].as_i64()),
        "{events:?}"
    );
}
