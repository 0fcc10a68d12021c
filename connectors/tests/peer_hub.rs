//! The peer-hub connector against an in-memory GraphQL peer serving fixture pages: two pages
//! with cursors, incremental `since`, resuming, GraphQL errors and transport failures.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;
use transferhub_connectors::peer_hub::{PeerHubConnector, ACHIEVEMENTS_QUERY};
use transferhub_connectors::{
    Connector, ConnectorError, Fetched, Fetcher, HarvestRequest, Item, Page,
};
use transferhub_schema::enums::{AchievementType, TransferMode};

const URL: &str = "https://peer.example.cn/graphql";

/// A GraphQL peer: answers by the `after` variable ("" for none) and keeps the bodies posted.
#[derive(Default)]
struct FakePeer {
    by_after: HashMap<String, (u16, Vec<u8>, Option<u64>)>,
    posted: Mutex<Vec<Value>>,
}

impl FakePeer {
    fn answer(mut self, after: &str, status: u16, body: impl Into<Vec<u8>>) -> Self {
        self.by_after
            .insert(after.to_owned(), (status, body.into(), None));
        self
    }

    fn fixture(self, after: &str, name: &str) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/peer_hub")
            .join(name);
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.answer(after, 200, body)
    }

    fn posted(&self) -> Vec<Value> {
        self.posted.lock().unwrap().clone()
    }
}

#[async_trait]
impl Fetcher for FakePeer {
    async fn get(&self, url: &str, _headers: &[(&str, &str)]) -> Result<Fetched, ConnectorError> {
        Err(ConnectorError::Transport(format!("unexpected GET {url}")))
    }

    async fn post_json(&self, url: &str, body: &Value) -> Result<Fetched, ConnectorError> {
        assert_eq!(url, URL);
        self.posted.lock().unwrap().push(body.clone());
        let after = body["variables"]["after"].as_str().unwrap_or("").to_owned();
        let (status, body, retry_after_secs) =
            self.by_after
                .get(&after)
                .cloned()
                .unwrap_or((500, b"no such page".to_vec(), None));
        Ok(Fetched {
            status,
            content_type: Some("application/json".into()),
            retry_after_secs,
            body,
        })
    }
}

fn two_pages() -> FakePeer {
    FakePeer::default()
        .fixture("", "page1.json")
        .fixture("Y3Vyc29yOjI=", "page2.json")
}

async fn harvest(
    connector: &mut PeerHubConnector,
    request: HarvestRequest,
) -> Result<Vec<Page>, ConnectorError> {
    connector.start(request).await?;
    let mut pages = Vec::new();
    while let Some(page) = connector.next_page().await? {
        pages.push(page);
        assert!(pages.len() < 50, "harvest does not end");
    }
    Ok(pages)
}

#[tokio::test]
async fn two_pages_follow_end_cursor_and_map_nodes() {
    let peer = Arc::new(two_pages());
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer.clone());
    assert_eq!(connector.kind(), "peer_hub");
    let pages = harvest(&mut connector, HarvestRequest::default())
        .await
        .unwrap();
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("Y3Vyc29yOjI="), None]);

    let posted = peer.posted();
    assert_eq!(posted.len(), 2);
    assert_eq!(posted[0]["query"], ACHIEVEMENTS_QUERY);
    assert_eq!(posted[0]["variables"]["after"], Value::Null);
    assert_eq!(posted[0]["variables"]["since"], Value::Null);
    assert_eq!(posted[1]["variables"]["after"], "Y3Vyc29yOjI=");

    let Item::Record(r) = &pages[0].items[0] else {
        panic!("{:?}", pages[0].items[0])
    };
    assert_eq!(r.source_record_id, "QWNoaWV2ZW1lbnQ6MQ==");
    assert_eq!(r.title, "一种高效稀土催化剂的制备方法");
    assert_eq!(
        r.title_en.as_deref(),
        Some("Preparation of an efficient rare-earth catalyst")
    );
    assert_eq!(r.achievement_type, Some(AchievementType::Patent));
    assert_eq!(r.institutions, vec!["内蒙古大学"]);
    assert_eq!(r.inventors, vec!["张三", "李四"]);
    assert_eq!(r.industry_code.as_deref(), Some("C2661"));
    assert_eq!(r.ipc_codes, vec!["B01J 23/10"]);
    assert_eq!(r.trl, Some(6));
    assert_eq!(
        r.transfer_modes,
        vec![TransferMode::Assignment, TransferMode::Licence]
    );
    assert_eq!(r.asking_price_yuan, Some(500_000));
    assert_eq!(r.contact_name.as_deref(), Some("王老师"));
    assert_eq!(r.contact_phone.as_deref(), Some("0471-4992000"));
    assert_eq!(r.contact_email.as_deref(), Some("kjc@imu.edu.cn"));
    assert_eq!(r.region_code.as_deref(), Some("150100"));
    assert_eq!(r.patent_numbers, vec!["201710601862.3"]);
    assert_eq!(r.publication_numbers, vec!["CN107000000A"]);
    assert_eq!(
        r.source_datestamp.map(|d| d.to_rfc3339()),
        Some("2024-05-01T00:00:00+00:00".to_owned())
    );

    let Item::Record(r) = &pages[0].items[1] else {
        panic!("{:?}", pages[0].items[1])
    };
    assert_eq!(r.institutions, vec!["内蒙古农业大学"]);
    assert_eq!(r.trl, None);
    assert_eq!(r.industry_code, None);
    assert_eq!(r.contact_name, None);

    // A node with a type this hub does not know is rejected alone, with its JSON kept.
    assert_eq!(pages[1].items.len(), 1);
    let Item::Rejected(e) = &pages[1].items[0] else {
        panic!("{:?}", pages[1].items[0])
    };
    assert_eq!(e.record_id.as_deref(), Some("QWNoaWV2ZW1lbnQ6Mw=="));
    assert_eq!(e.location, "$.data.achievements.edges[0].node");
    assert!(e.reason.contains("DATASET"), "{}", e.reason);
    assert!(e.raw.contains("来自新版本同行的成果"));
}

#[tokio::test]
async fn incremental_harvest_sends_since_and_resume_sends_after() {
    let peer = Arc::new(two_pages());
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer.clone());
    let since = chrono::DateTime::parse_from_rfc3339("2024-05-01T08:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let pages = harvest(
        &mut connector,
        HarvestRequest {
            since: Some(since),
            resume_from: Some("Y3Vyc29yOjI=".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(pages.len(), 1);
    let posted = peer.posted();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["variables"]["since"], "2024-05-01T00:00:00Z");
    assert_eq!(posted[0]["variables"]["after"], "Y3Vyc29yOjI=");
}

#[tokio::test]
async fn graphql_errors_become_protocol_errors_with_the_first_code() {
    let peer = Arc::new(FakePeer::default().fixture("", "errors.json"));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert_eq!(
        result.err(),
        Some(ConnectorError::Protocol {
            code: "RATE_LIMITED".into(),
            message: "too many requests; retry in 60 s".into()
        })
    );

    // A 400 carrying GraphQL errors is still the peer's word, not a transport failure.
    let peer = Arc::new(FakePeer::default().answer(
        "",
        400,
        r#"{"errors": [{"message": "Unknown field \"maturityLevel\""}]}"#,
    ));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert_eq!(
        result.err(),
        Some(ConnectorError::Protocol {
            code: "GRAPHQL_ERROR".into(),
            message: "Unknown field \"maturityLevel\"".into()
        })
    );
}

#[tokio::test]
async fn transport_and_shape_failures() {
    let peer = Arc::new(FakePeer::default().answer("", 503, "maintenance"));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert!(
        matches!(result, Err(ConnectorError::Http { status: 503, .. })),
        "{result:?}"
    );

    let peer = Arc::new(FakePeer::default().answer("", 200, "<html></html>"));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert!(
        matches!(result, Err(ConnectorError::Malformed(_))),
        "{result:?}"
    );

    let peer = Arc::new(FakePeer::default().answer("", 200, r#"{"data": {}}"#));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert!(
        matches!(result, Err(ConnectorError::Malformed(_))),
        "{result:?}"
    );

    // A peer that keeps handing back the cursor it was given would loop forever.
    let stuck = r#"{"data": {"achievements": {"pageInfo": {"hasNextPage": true, "endCursor": "c1"}, "edges": []}}}"#;
    let peer = Arc::new(FakePeer::default().answer("c1", 200, stuck));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let result = harvest(
        &mut connector,
        HarvestRequest {
            since: None,
            resume_from: Some("c1".into()),
        },
    )
    .await;
    assert!(
        matches!(result, Err(ConnectorError::Malformed(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_empty_peer_yields_no_pages() {
    let empty = r#"{"data": {"achievements": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": []}}}"#;
    let peer = Arc::new(FakePeer::default().answer("", 200, empty));
    let mut connector = PeerHubConnector::new(URL.to_owned(), peer);
    let pages = harvest(&mut connector, HarvestRequest::default())
        .await
        .unwrap();
    assert!(pages.is_empty());
}
