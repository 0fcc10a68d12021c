//! Data governance end to end: records from a source that requires review wait in the review
//! queue until an organisation admin approves or rejects them (`reviewRecord`), the data-quality
//! report of a source (rejections by reason, staleness, duplicates merged, missing fields),
//! and a record's history (who or which source changed what, when).

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use transferhub_schema::enums::Role;
use transferhub_schema::types::PatentApplicationNumber;
use transferhub_server::demo::{demo_set, seed_organisations};
use transferhub_tests::{backends, error_code, Backend, TestHub};

fn number(n: u32) -> String {
    let body = format!("20081{n:07}");
    let c = PatentApplicationNumber::check_digit(&body).expect("digit");
    format!("{body}.{c}")
}

async fn run(hub: &TestHub, admin: &str, key: &str) -> Value {
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
            .gql("query($k:String!){ harvestRuns(sourceKey:$k, first:1){ edges{ node{ status created updated rejected error } } } }", json!({"k": key}), Some(admin))
            .await;
        let node = r["data"]["harvestRuns"]["edges"][0]["node"].clone();
        if node["status"] != "RUNNING" {
            return node;
        }
        assert!(Instant::now() < deadline, "{node}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn source(hub: &TestHub, admin: &str, input: Value) {
    let r = hub
        .gql(
            "mutation($i: UpsertSourceInput!){ upsertSource(input:$i){ source{ key } } }",
            json!({"i": input}),
            Some(admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

/// Two sheets of imau: `reviewed` (requires review; 4 good rows, 3 bad ones of two kinds) and
/// `open` (publishes at once; one row sharing a patent with `reviewed`).
async fn setup(backend: Backend) -> (TestHub, String, tempfile::TempDir) {
    let hub = TestHub::start(backend, false).await.expect("hub");
    seed_organisations(&hub.db, &demo_set().expect("demo").organisations)
        .await
        .expect("organisations");
    let admin = hub.token("imu", Role::PlatformAdmin).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut sheet = String::from("成果编号,成果名称,成果简介,成熟度,专利号\n");
    for i in 0..4u32 {
        let trl = if i < 2 { "通过中试" } else { "" };
        sheet.push_str(&format!(
            "R{i},一种燕麦加工工艺{i},工艺简介{i}。,{trl},ZL {}\n",
            number(i)
        ));
    }
    // Two wrong check digits (one reason, different numbers) and one bad maturity.
    let wrong: Vec<String> = (10..40u32)
        .map(number)
        .filter(|n| !n.ends_with('9') && !n.ends_with('X'))
        .take(2)
        .map(|n| format!("{}9", &n[..13]))
        .collect();
    sheet.push_str(&format!("R4,坏专利号甲,简介。,,{}\n", wrong[0]));
    sheet.push_str(&format!("R5,坏专利号乙,简介。,,{}\n", wrong[1]));
    sheet.push_str(&format!("R6,坏成熟度,简介。,很成熟,{}\n", number(6)));
    let reviewed = dir.path().join("reviewed.csv");
    std::fs::write(&reviewed, sheet).expect("write");
    let open = dir.path().join("open.csv");
    std::fs::write(
        &open,
        format!(
            "成果编号,成果名称,成果简介,专利号\nO1,同一发明的另一份登记,简介。,{}\n",
            number(0)
        ),
    )
    .expect("write");
    source(&hub, &admin, json!({"key": "reviewed", "kind": "tabular", "organisation": "imau", "path": reviewed.display().to_string(), "requiresReview": true})).await;
    let node = run(&hub, &admin, "reviewed").await;
    assert_eq!(node["created"], 4, "{node}");
    assert_eq!(node["rejected"], 3, "{node}");
    source(&hub, &admin, json!({"key": "open", "kind": "tabular", "organisation": "imau", "path": open.display().to_string()})).await;
    let node = run(&hub, &admin, "open").await;
    assert_eq!(
        node["updated"], 1,
        "merged into the reviewed record: {node}"
    );
    (hub, admin, dir)
}

const QUEUE: &str =
    "query($s:String){ reviewQueue(sourceKey:$s, first:10){ totalCount edges{ node{ id title status } } } }";
const REVIEW: &str = "mutation($i:ReviewRecordInput!){ reviewRecord(input:$i){ decision reviewer achievement{ id status } } }";

fn queue_ids(r: &Value) -> Vec<String> {
    r["data"]["reviewQueue"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn org_admins_approve_or_reject_queued_records_and_others_cannot() {
    for backend in backends().await {
        let (hub, admin, _dir) = setup(backend).await;
        let reviewer = hub.token("imau", Role::OrgAdmin).await;
        let member = hub.token("imau", Role::Member).await;
        let other = hub.token("imu", Role::OrgAdmin).await;

        let r = hub
            .gql(QUEUE, json!({"s": "reviewed"}), Some(&reviewer))
            .await;
        let queued = queue_ids(&r);
        assert_eq!(queued.len(), 4, "{r}");
        assert_eq!(r["data"]["reviewQueue"]["totalCount"], 4, "{r}");
        let r1 = hub.gql("query{ reviewQueue(first:1){ totalCount pageInfo{ hasNextPage endCursor } edges{ node{ id } } } }", json!({}), Some(&reviewer)).await;
        assert_eq!(r1["data"]["reviewQueue"]["totalCount"], 4, "{r1}");
        assert_eq!(
            r1["data"]["reviewQueue"]["pageInfo"]["hasNextPage"], true,
            "{r1}"
        );
        assert_eq!(queue_ids(&r1), queued[..1].to_vec());
        assert!(r["data"]["reviewQueue"]["edges"]
            .as_array()
            .expect("e")
            .iter()
            .all(|e| e["node"]["status"] == "DRAFT"));
        // The public catalog does not show them.
        let r = hub
            .gql("{ achievements{ totalCount } }", json!({}), None)
            .await;
        assert_eq!(r["data"]["achievements"]["totalCount"], 0, "{r}");
        // Who may see the queue.
        let r = hub.gql(QUEUE, json!({"s": null}), None).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        let r = hub
            .gql(QUEUE, json!({"s": "reviewed"}), Some(&member))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub.gql(QUEUE, json!({"s": "reviewed"}), Some(&other)).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub.gql(QUEUE, json!({"s": null}), Some(&other)).await;
        assert_eq!(
            queue_ids(&r).len(),
            0,
            "another organisation's queue is empty: {r}"
        );
        let r = hub.gql(QUEUE, json!({"s": null}), Some(&admin)).await;
        assert_eq!(queue_ids(&r).len(), 4, "{r}");
        let r = hub.gql(QUEUE, json!({"s": "no-such"}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");

        // Refusals leave everything as it was.
        for (input, token, code) in [
            (
                json!({"achievementId": queued[0], "decision": "APPROVE"}),
                None,
                "UNAUTHENTICATED",
            ),
            (
                json!({"achievementId": queued[0], "decision": "APPROVE"}),
                Some(&member),
                "FORBIDDEN",
            ),
            (
                json!({"achievementId": queued[0], "decision": "APPROVE"}),
                Some(&other),
                "NOT_FOUND",
            ),
            (
                json!({"achievementId": queued[0], "decision": "REJECT"}),
                Some(&reviewer),
                "BAD_INPUT",
            ),
            (
                json!({"achievementId": queued[0], "decision": "REJECT", "reason": "  "}),
                Some(&reviewer),
                "BAD_INPUT",
            ),
            (
                json!({"achievementId": queued[0], "decision": "REJECT", "reason": "长".repeat(501)}),
                Some(&reviewer),
                "BAD_INPUT",
            ),
            (
                json!({"achievementId": "Tm90QW5JZA", "decision": "APPROVE"}),
                Some(&reviewer),
                "BAD_INPUT",
            ),
            (
                json!({"achievementId": queued[0], "decision": "MAYBE"}),
                Some(&reviewer),
                "BAD_INPUT",
            ),
        ] {
            let r = hub
                .gql(REVIEW, json!({"i": input}), token.map(String::as_str))
                .await;
            assert_eq!(error_code(&r), Some(code), "{input}: {r}");
        }
        let r = hub
            .gql(QUEUE, json!({"s": "reviewed"}), Some(&reviewer))
            .await;
        assert_eq!(queue_ids(&r).len(), 4, "nothing changed: {r}");

        let r = hub
            .gql(
                REVIEW,
                json!({"i": {"achievementId": queued[0], "decision": "APPROVE"}}),
                Some(&reviewer),
            )
            .await;
        assert_eq!(
            r["data"]["reviewRecord"]["achievement"]["status"], "PUBLISHED",
            "{r}"
        );
        assert_eq!(r["data"]["reviewRecord"]["decision"], "APPROVED");
        let r = hub.gql(REVIEW, json!({"i": {"achievementId": queued[1], "decision": "REJECT", "reason": "简介过短,请补充技术指标"}}), Some(&reviewer)).await;
        assert_eq!(
            r["data"]["reviewRecord"]["achievement"]["status"], "WITHDRAWN",
            "{r}"
        );
        // Deciding twice is a conflict.
        let r = hub
            .gql(
                REVIEW,
                json!({"i": {"achievementId": queued[0], "decision": "REJECT", "reason": "x"}}),
                Some(&reviewer),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let r = hub
            .gql(QUEUE, json!({"s": "reviewed"}), Some(&reviewer))
            .await;
        assert_eq!(queue_ids(&r), queued[2..].to_vec(), "{r}");
        let r = hub
            .gql("{ achievements{ totalCount } }", json!({}), None)
            .await;
        assert_eq!(r["data"]["achievements"]["totalCount"], 1, "{r}");

        // A record the reviewer made by hand never came from a review source.
        let r = hub
            .gql("mutation{ createAchievement(input:{title:\"手工录入\", type:OTHER, summary:\"x\"}){ achievement{ id } } }", json!({}), Some(&reviewer))
            .await;
        let manual = r["data"]["createAchievement"]["achievement"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let r = hub
            .gql(
                REVIEW,
                json!({"i": {"achievementId": manual, "decision": "APPROVE"}}),
                Some(&reviewer),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");

        // History: the source delivered it, then the reviewer rejected it, with the reason.
        let r = hub
            .gql(
                "query($id:ID!){ recordHistory(achievementId:$id){ at actor action detail } }",
                json!({"id": queued[1]}),
                Some(&reviewer),
            )
            .await;
        let h = r["data"]["recordHistory"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        assert_eq!(h[0]["action"], "achievement.review.reject", "{r}");
        assert!(h[0]["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("token:")));
        assert!(
            h[0]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("简介过短")),
            "{r}"
        );
        assert!(
            h.iter()
                .any(|e| e["action"] == "source.first_received" && e["actor"] == "source:reviewed"),
            "{r}"
        );
        // The merged record names both sources.
        let r = hub
            .gql(
                "query($id:ID!){ recordHistory(achievementId:$id){ actor action } }",
                json!({"id": queued[0]}),
                Some(&admin),
            )
            .await;
        let actors: Vec<&str> = r["data"]["recordHistory"]
            .as_array()
            .expect("h")
            .iter()
            .filter_map(|e| e["actor"].as_str())
            .collect();
        assert!(
            actors.contains(&"source:reviewed") && actors.contains(&"source:open"),
            "{r}"
        );
        let r = hub
            .gql(
                "query($id:ID!){ recordHistory(achievementId:$id){ action } }",
                json!({"id": queued[1]}),
                Some(&other),
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("NOT_FOUND"),
            "another organisation's withdrawn record: {r}"
        );
        let r = hub
            .gql(
                "query($id:ID!){ recordHistory(achievementId:$id){ action } }",
                json!({"id": queued[0]}),
                Some(&other),
            )
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
}

#[tokio::test]
async fn the_quality_report_counts_rejections_staleness_duplicates_and_missing_fields() {
    for backend in backends().await {
        let (hub, admin, _dir) = setup(backend).await;
        let q = "query($k:String!){ dataQuality(sourceKey:$k){ sourceKey requiresReview records openRejections resolvedRejections rejectionsByReason{ field reason count example } stale lastRunStatus hoursSinceSuccess duplicatesMerged missingFields{ field count } pendingReview } }";
        let r = hub.gql(q, json!({"k": "reviewed"}), Some(&admin)).await;
        let d = &r["data"]["dataQuality"];
        assert_eq!(d["records"], 4, "{r}");
        assert_eq!(d["openRejections"], 3);
        assert_eq!(d["resolvedRejections"], 0);
        let reasons = d["rejectionsByReason"].as_array().expect("reasons");
        assert_eq!(reasons.len(), 2, "two kinds of rejection: {r}");
        assert_eq!(reasons[0]["count"], 2, "{r}");
        assert!(
            reasons[0]["example"]
                .as_str()
                .is_some_and(|e| e.contains("check digit")),
            "{r}"
        );
        assert_eq!(reasons[1]["count"], 1);
        assert_eq!(d["stale"], false);
        assert_eq!(d["lastRunStatus"], "SUCCEEDED");
        assert_eq!(d["hoursSinceSuccess"], 0);
        assert_eq!(
            d["duplicatesMerged"], 1,
            "one invention also came from `open`: {r}"
        );
        assert_eq!(d["pendingReview"], 4);
        let missing: std::collections::BTreeMap<String, i64> = d["missingFields"]
            .as_array()
            .expect("missing")
            .iter()
            .map(|m| {
                (
                    m["field"].as_str().expect("f").to_string(),
                    m["count"].as_i64().expect("n"),
                )
            })
            .collect();
        assert_eq!(missing["maturity"], 2, "two rows left 成熟度 empty: {r}");
        assert_eq!(missing["industryCode"], 4);
        assert_eq!(missing["patents"], 0);
        assert_eq!(missing["summary"], 0);

        let r = hub.gql(q, json!({"k": "open"}), Some(&admin)).await;
        assert_eq!(r["data"]["dataQuality"]["duplicatesMerged"], 1, "{r}");
        assert_eq!(r["data"]["dataQuality"]["openRejections"], 0);

        // Fixing the sheet resolves the rejections on the next harvest.
        let member = hub.token("imu", Role::Member).await;
        let r = hub.gql(q, json!({"k": "reviewed"}), Some(&member)).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub.gql(q, json!({"k": "nope"}), Some(&admin)).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        let r = hub
            .gql(
                "{ dataQualityReport{ sourceKey openRejections } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            r["data"]["dataQualityReport"].as_array().map(Vec::len),
            Some(2),
            "{r}"
        );
        let org_admin = hub.token("imau", Role::OrgAdmin).await;
        let r = hub
            .gql(
                "{ dataQualityReport{ sourceKey } }",
                json!({}),
                Some(&org_admin),
            )
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = hub.gql(q, json!({"k": "reviewed"}), Some(&org_admin)).await;
        assert_eq!(
            r["data"]["dataQuality"]["records"], 4,
            "own organisation's source: {r}"
        );
    }
}
