//! Importing and federating beyond OAI-PMH: a GBK spreadsheet export with bad rows through the
//! real binary (rows named in errors, fixed and re-imported), one invention arriving from two
//! sources (one achievement, two provenances), sources that require review, and one hub
//! harvesting another hub's GraphQL API incrementally.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use transferhub_schema::entity::{achievement, rejected_record};
use transferhub_schema::enums::Role;
use transferhub_schema::types::PatentApplicationNumber;
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_tests::{backends, binary, Backend, TestHub};

/// A valid application number with serial `n` (not in the demo data: year 2009 is unused there).
fn number(n: u32) -> String {
    let body = format!("20091{n:07}");
    let c = PatentApplicationNumber::check_digit(&body).expect("digit");
    format!("{body}.{c}")
}

fn gbk(text: &str) -> Vec<u8> {
    let mut child = Command::new("python3")
        .args(["-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().decode('utf-8').encode('gbk'))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    child.wait_with_output().expect("gbk").stdout
}

fn csv(bad: bool) -> String {
    let mut s = String::from("成果编号,成果名称,成果类型,完成人,成果简介,关键词,技术领域,IPC分类号,成熟度,转化方式,价格,联系人,专利号\n");
    for i in 0..7u32 {
        let (trl, patent) = match (bad, i) {
            (true, 2) => ("很成熟".to_string(), number(i)),
            // The right number with its check digit replaced by a wrong one.
            (true, 5) => ("通过中试".to_string(), format!("{}9", &number(i)[..13])),
            _ => ("通过中试".to_string(), number(i)),
        };
        s.push_str(&format!(
            "IMP-{i},一种草原生态修复用复合菌剂的制备方法{i},专利,乌力吉、张伟,本发明公开了一种用于退化草原修复的复合微生物菌剂，植被盖度提高{}%。,草原；菌剂,N7721,C12N 1/20,{trl},许可、转让,{}万元,其其格,ZL {patent}\n",
            10 + i,
            20 + i
        ));
    }
    s
}

fn hub_cmd(dir: &Path) -> Command {
    let mut c = Command::new(binary().expect("binary"));
    c.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("TRANSFERHUB_LOG__LEVEL", "warn");
    c
}

#[tokio::test]
async fn gbk_spreadsheet_import_names_bad_rows_and_a_fixed_reimport_resolves_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("成果清单.csv");
    std::fs::write(&file, gbk(&csv(true))).expect("write");
    assert!(
        std::str::from_utf8(&std::fs::read(&file).expect("read")).is_err(),
        "fixture really is GBK"
    );
    let seed = hub_cmd(dir.path())
        .arg("migrate")
        .output()
        .expect("migrate");
    assert!(seed.status.success());
    let db = sea_orm::Database::connect(format!(
        "sqlite://{}/data/transferhub.db",
        dir.path().display()
    ))
    .await
    .expect("db");
    seed_organisations(&db, &demo_set().expect("demo").organisations)
        .await
        .map_err(|e| e.message())
        .expect("orgs");
    let out = hub_cmd(dir.path())
        .arg("import")
        .arg(&file)
        .args(["--org", "imu"])
        .output()
        .expect("import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("7 seen, 5 created"), "{stdout}");
    assert!(stdout.contains("2 rejected"), "{stdout}");
    assert!(
        stderr.contains("row 4, column 成熟度"),
        "row 4 = header + 3rd data row: {stderr}"
    );
    assert!(
        stderr.contains("row 7 (record IMP-5), field patents[0].applicationNumber"),
        "{stderr}"
    );
    assert!(
        stderr.contains("needs 3"),
        "the expected check digit is named: {stderr}"
    );
    let titles: Vec<String> = achievement::Entity::find()
        .all(&db)
        .await
        .expect("rows")
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("复合菌剂")),
        "GBK text decoded: {titles:?}"
    );

    std::fs::write(&file, gbk(&csv(false))).expect("rewrite");
    let out = hub_cmd(dir.path())
        .arg("import")
        .arg(&file)
        .args(["--org", "imu"])
        .output()
        .expect("reimport");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("7 seen, 2 created, 0 updated, 5 unchanged"),
        "{stdout}"
    );
    assert_eq!(
        achievement::Entity::find().count(&db).await.expect("count"),
        7,
        "no duplicates"
    );
    let resolved = rejected_record::Entity::find()
        .filter(rejected_record::Column::ResolvedAt.is_not_null())
        .count(&db)
        .await
        .expect("count");
    assert_eq!(resolved, 2, "fixed rows resolve their rejections");

    let out = hub_cmd(dir.path())
        .args(["import", "notes.txt", "--org", "imu"])
        .output()
        .expect("bad type");
    assert_eq!(out.status.code(), Some(2));
    let out = hub_cmd(dir.path())
        .args(["import", "missing.csv", "--org", "imu"])
        .output()
        .expect("missing");
    assert_eq!(out.status.code(), Some(2));
    let out = hub_cmd(dir.path())
        .arg("import")
        .arg(&file)
        .args(["--org", "no-such-org"])
        .output()
        .expect("org");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn run(hub: &TestHub, admin: &str, key: &str) -> serde_json::Value {
    let r = hub
        .gql(
            "mutation($k:String!){ runHarvest(sourceKey:$k){ run{ id } } }",
            json!({"k": key}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = hub
            .gql(
                "query($k:String!){ harvestRuns(sourceKey:$k, first:1){ edges{ node{ status seen created updated unchanged rejected error since startedAt } } } }",
                json!({"k": key}),
                Some(admin),
            )
            .await;
        let node = r["data"]["harvestRuns"]["edges"][0]["node"].clone();
        if node["status"] != "RUNNING" {
            return node;
        }
        assert!(Instant::now() < deadline, "{node}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn source(hub: &TestHub, admin: &str, input: serde_json::Value) {
    let r = hub
        .gql(
            "mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key } } }",
            json!({"i": input}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

async fn organisations_only(backend: Backend) -> (TestHub, String) {
    let hub = TestHub::start(backend, false).await.expect("hub");
    seed_organisations(&hub.db, &demo_set().expect("demo").organisations)
        .await
        .map_err(|e| e.message())
        .expect("orgs");
    let admin = hub.token("hhht-ipc", Role::PlatformAdmin).await;
    (hub, admin)
}

#[tokio::test]
async fn one_invention_from_two_sources_is_one_achievement_with_two_provenances() {
    for backend in backends().await {
        let (hub, admin) = organisations_only(backend).await;
        let dir = tempfile::tempdir().expect("tmp");
        let jsonl = dir.path().join("repo.jsonl");
        std::fs::write(
            &jsonl,
            format!(
                "{}\n",
                json!({"source_record_id": "r1", "title": "一种稀土永磁材料的晶界扩散方法", "summary": "矫顽力提高30%。", "achievement_type": "PATENT",
                       "patents": [{"application_number": number(42)}]})
            ),
        )
        .expect("write");
        let sheet = dir.path().join("sheet.csv");
        let spaced = format!(
            "ZL {} {} {}",
            &number(42)[..4],
            &number(42)[4..5],
            &number(42)[5..]
        );
        std::fs::write(
            &sheet,
            format!(
                "成果名称,成果简介,专利号\n稀土永磁晶界扩散技术,同一发明的另一份登记。,{spaced}\n"
            ),
        )
        .expect("write");
        source(&hub, &admin, json!({"key": "repo", "kind": "jsonl", "organisation": "brire", "path": jsonl.display().to_string()})).await;
        source(&hub, &admin, json!({"key": "sheet", "kind": "tabular", "organisation": "imust", "path": sheet.display().to_string()})).await;
        assert_eq!(run(&hub, &admin, "repo").await["created"], 1);
        let second = run(&hub, &admin, "sheet").await;
        assert_eq!(second["created"], 0, "{second}");
        assert_eq!(
            second["updated"], 1,
            "merged into the existing achievement: {second}"
        );
        assert_eq!(
            achievement::Entity::find()
                .count(&hub.db)
                .await
                .expect("count"),
            1,
            "{backend:?}"
        );
        let r = hub
            .gql("{ achievements(first:5){ edges{ node{ title provenance{ source recordId } patents{ applicationNumber } } } } }", json!({}), None)
            .await;
        let node = &r["data"]["achievements"]["edges"][0]["node"];
        let sources: Vec<&str> = node["provenance"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|p| p["source"].as_str())
            .collect();
        assert_eq!(sources, vec!["repo", "sheet"], "{node}");
        assert_eq!(node["patents"].as_array().expect("patents").len(), 1);
    }
}

#[tokio::test]
async fn sources_that_require_review_hold_records_as_drafts() {
    let (hub, admin) = organisations_only(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("tmp");
    let sheet = dir.path().join("sheet.csv");
    std::fs::write(
        &sheet,
        "成果名称,成果简介\n一种燕麦β-葡聚糖提取工艺,得率提高12%。\n",
    )
    .expect("write");
    source(&hub, &admin, json!({"key": "sheet", "kind": "tabular", "organisation": "imau", "path": sheet.display().to_string(), "requiresReview": true})).await;
    assert_eq!(run(&hub, &admin, "sheet").await["created"], 1);
    let r = hub
        .gql("{ achievements(first:5){ totalCount } }", json!({}), None)
        .await;
    assert_eq!(
        r["data"]["achievements"]["totalCount"], 0,
        "held for review: {r}"
    );
    let reviewer = hub.token("imau", Role::OrgAdmin).await;
    let r = hub
        .gql(
            "{ achievements(first:5, filter:{status:DRAFT}){ edges{ node{ id } } } }",
            json!({}),
            Some(&reviewer),
        )
        .await;
    let id = r["data"]["achievements"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("draft")
        .to_string();
    let r = hub
        .gql(
            "mutation($id:ID!){ publishAchievement(id:$id){ achievement{ status } } }",
            json!({"id": id}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(
        r["data"]["publishAchievement"]["achievement"]["status"], "PUBLISHED",
        "{r}"
    );
}

#[tokio::test]
async fn a_hub_federates_another_hub_incrementally() {
    let peer = TestHub::start(Backend::Sqlite, true).await.expect("peer");
    let (hub, admin) = organisations_only(Backend::Sqlite).await;
    // The peer connector asks with whole-second bounds; keep the seed and the first harvest
    // in different seconds so the incremental step has a clean edge.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    source(&hub, &admin, json!({"key": "peer", "kind": "peer_hub", "organisation": "nmg-portal", "url": format!("{}/graphql", peer.url)})).await;
    let first = run(&hub, &admin, "peer").await;
    let published = peer
        .gql("{ achievements(first:1){ totalCount } }", json!({}), None)
        .await["data"]["achievements"]["totalCount"]
        .as_u64()
        .expect("count");
    assert_eq!(first["created"].as_u64(), Some(published), "{first}");
    assert_eq!(first["rejected"], 0, "{first}");
    let r = hub
        .gql("{ achievements(first:1){ totalCount } }", json!({}), None)
        .await;
    assert_eq!(
        r["data"]["achievements"]["totalCount"].as_u64(),
        Some(published)
    );

    // A change at the peer reaches the hub on the next (incremental) harvest.
    let token = peer.token("imu", Role::Member).await;
    let r = peer
        .gql(
            "{ achievements(first:1, filter:{organisation:\"imu\"}){ edges{ node{ id } } } }",
            json!({}),
            None,
        )
        .await;
    let id = r["data"]["achievements"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = peer
        .gql("mutation($id:ID!){ updateAchievement(id:$id, input:{title:\"内蒙古大学：更新后的成果名称\"}){ achievement{ title } } }", json!({"id": id}), Some(&token))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let second = run(&hub, &admin, "peer").await;
    assert_eq!(second["seen"], 1, "only the changed record: {second}");
    assert_eq!(second["updated"], 1, "{second}");
    let titles: Vec<String> = achievement::Entity::find()
        .all(&hub.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(titles.iter().any(|t| t == "内蒙古大学：更新后的成果名称"));
}
