//! The JSON API connector against an in-memory fetcher serving fixture responses: each
//! pagination style, checkpoints and resuming, rejected records, HTTP and JSON failures.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use transferhub_connectors::json_api::{JsonApiConfig, JsonApiConnector, Pagination};
use transferhub_connectors::{
    Connector, ConnectorError, Fetched, Fetcher, HarvestRequest, Item, NormalisedRecord, Page,
};
use transferhub_schema::enums::{AchievementType, TransferMode};

/// A request as the fake saw it: URL and headers.
type Request = (String, Vec<(String, String)>);

/// Serves canned responses by exact URL (404 otherwise) and remembers what was asked.
#[derive(Default)]
struct FakeFetcher {
    responses: HashMap<String, (u16, Vec<u8>, Option<u64>)>,
    requests: Mutex<Vec<Request>>,
}

impl FakeFetcher {
    fn with(mut self, url: &str, status: u16, body: impl Into<Vec<u8>>) -> Self {
        self.responses
            .insert(url.to_owned(), (status, body.into(), None));
        self
    }

    fn with_fixture(self, url: &str, name: &str) -> Self {
        self.with(url, 200, fixture_bytes(name))
    }

    fn with_retry_after(mut self, url: &str, status: u16, secs: u64) -> Self {
        self.responses
            .insert(url.to_owned(), (status, Vec::new(), Some(secs)));
        self
    }

    fn urls(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|(u, _)| u.clone())
            .collect()
    }
}

#[async_trait]
impl Fetcher for FakeFetcher {
    async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, ConnectorError> {
        self.requests.lock().unwrap().push((
            url.to_owned(),
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ));
        let (status, body, retry_after_secs) =
            self.responses
                .get(url)
                .cloned()
                .unwrap_or((404, b"not found".to_vec(), None));
        Ok(Fetched {
            status,
            content_type: Some("application/json".into()),
            retry_after_secs,
            body,
        })
    }

    async fn post_json(
        &self,
        url: &str,
        _body: &serde_json::Value,
    ) -> Result<Fetched, ConnectorError> {
        Err(ConnectorError::Transport(format!(
            "unexpected POST to {url}"
        )))
    }
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/json_api")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn source_config() -> JsonApiConfig {
    let text = String::from_utf8(fixture_bytes("source.toml")).unwrap();
    JsonApiConfig::from_toml_str(&text).unwrap()
}

const BASE: &str = "https://kjc.example.edu.cn/api/achievements?status=published";

fn page_url(n: u64) -> String {
    format!("{BASE}&page={n}&pageSize=2")
}

fn paged_fetcher() -> FakeFetcher {
    FakeFetcher::default()
        .with_fixture(&page_url(1), "page1.json")
        .with_fixture(&page_url(2), "page2.json")
        .with_fixture(&page_url(3), "page3.json")
}

async fn harvest(
    connector: &mut JsonApiConnector,
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

fn record(item: &Item) -> &NormalisedRecord {
    match item {
        Item::Record(r) => r,
        other => panic!("expected a record, got {other:?}"),
    }
}

#[tokio::test]
async fn page_pagination_maps_records_and_rejects_the_bad_ones() {
    let fetcher = Arc::new(paged_fetcher());
    let mut connector = JsonApiConnector::new(source_config(), fetcher.clone()).unwrap();
    assert_eq!(connector.kind(), "json_api");
    let pages = harvest(&mut connector, HarvestRequest::default())
        .await
        .unwrap();
    assert_eq!(fetcher.urls(), vec![page_url(1), page_url(2), page_url(3)]);
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("2"), Some("3"), None]);

    let r = record(&pages[0].items[0]);
    assert_eq!(r.source_record_id, "101", "numeric ids become text");
    assert_eq!(r.title, "一种高效稀土催化剂的制备方法");
    assert_eq!(r.achievement_type, Some(AchievementType::Patent));
    assert_eq!(r.institutions, vec!["内蒙古大学"]);
    assert_eq!(
        r.inventors,
        vec!["张三", "李四"],
        "a * pointer over an array"
    );
    assert_eq!(r.keywords, vec!["稀土", "催化剂"], "a delimited string");
    assert_eq!(r.trl, Some(6));
    assert_eq!(
        r.transfer_modes,
        vec![TransferMode::Assignment, TransferMode::Licence]
    );
    assert_eq!(r.asking_price_yuan, Some(500_000));
    assert_eq!(r.patent_numbers, vec!["201710601862.3"]);
    assert_eq!(
        r.source_datestamp.map(|d| d.to_rfc3339()),
        Some("2024-05-01T00:00:00+00:00".to_owned())
    );
    let r = record(&pages[0].items[1]);
    assert_eq!(r.keywords, vec!["遥感", "牧草"], "an array");
    assert_eq!(r.trl, Some(7), "a JSON number");
    assert_eq!(r.transfer_modes, vec![TransferMode::JointImplementation]);
    assert_eq!(r.asking_price_yuan, None, "null price");

    // Missing title: rejected at the record, with the record as raw JSON.
    let Item::Rejected(e) = &pages[1].items[0] else {
        panic!("{:?}", pages[1].items[0])
    };
    assert_eq!(e.location, "$.data.items[0]");
    assert_eq!(e.record_id.as_deref(), Some("103"));
    assert!(e.reason.contains("/name"), "{}", e.reason);
    let raw: serde_json::Value = serde_json::from_str(&e.raw).unwrap();
    assert_eq!(raw["intro"], "这条记录没有名称。");

    let r = record(&pages[1].items[1]);
    assert_eq!(r.asking_price_yuan, Some(1_200_000), "a number in yuan");
    assert_eq!(
        r.achievement_type,
        Some(AchievementType::Patent),
        "from the patent number"
    );

    // A bad value: rejected at the field's path.
    let Item::Rejected(e) = &pages[2].items[0] else {
        panic!("{:?}", pages[2].items[0])
    };
    assert_eq!(e.location, "$.data.items[0].maturity");
    assert!(e.reason.starts_with("trl:"), "{}", e.reason);
}

#[tokio::test]
async fn page_pagination_resumes_from_the_checkpoint() {
    let fetcher = Arc::new(paged_fetcher());
    let mut connector = JsonApiConnector::new(source_config(), fetcher.clone()).unwrap();
    let pages = harvest(
        &mut connector,
        HarvestRequest {
            since: None,
            resume_from: Some("3".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(fetcher.urls(), vec![page_url(3)]);
    assert_eq!(pages.len(), 1);
    let bad = connector
        .start(HarvestRequest {
            since: None,
            resume_from: Some("next".into()),
        })
        .await;
    assert!(matches!(bad, Err(ConnectorError::BadResumePoint(_))));
}

#[tokio::test]
async fn page_pagination_without_a_size_stops_at_an_empty_page() {
    let mut config = source_config();
    config.url = "https://api.example.cn/items".into();
    config.pagination = Pagination::Page {
        param: "p".into(),
        start: 0,
        size_param: None,
        size: None,
    };
    let fetcher = Arc::new(
        FakeFetcher::default()
            .with_fixture("https://api.example.cn/items?p=0", "page1.json")
            .with_fixture("https://api.example.cn/items?p=1", "page3.json")
            .with(
                "https://api.example.cn/items?p=2",
                200,
                r#"{"data": {"items": []}}"#,
            ),
    );
    let mut connector = JsonApiConnector::new(config, fetcher.clone()).unwrap();
    let pages = harvest(&mut connector, HarvestRequest::default())
        .await
        .unwrap();
    assert_eq!(fetcher.urls().len(), 3);
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("1"), Some("2")]);
}

#[tokio::test]
async fn offset_pagination_advances_by_records_received() {
    let mut config = source_config();
    config.url = "https://api.example.cn/items".into();
    config.pagination = Pagination::Offset {
        param: "offset".into(),
        limit_param: "limit".into(),
        limit: 2,
    };
    let fetcher = Arc::new(
        FakeFetcher::default()
            .with_fixture(
                "https://api.example.cn/items?offset=0&limit=2",
                "page1.json",
            )
            .with_fixture(
                "https://api.example.cn/items?offset=2&limit=2",
                "page2.json",
            )
            .with_fixture(
                "https://api.example.cn/items?offset=4&limit=2",
                "page3.json",
            ),
    );
    let mut connector = JsonApiConnector::new(config, fetcher.clone()).unwrap();
    let pages = harvest(&mut connector, HarvestRequest::default())
        .await
        .unwrap();
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("2"), Some("4"), None]);
    let items: usize = pages.iter().map(|p| p.items.len()).sum();
    assert_eq!(items, 5);
    // Resuming at offset 4 asks for that offset only.
    let before = fetcher.urls().len();
    let pages = harvest(
        &mut connector,
        HarvestRequest {
            since: None,
            resume_from: Some("4".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        fetcher.urls()[before..],
        ["https://api.example.cn/items?offset=4&limit=2".to_owned()]
    );
}

fn cursor_config() -> JsonApiConfig {
    JsonApiConfig::from_toml_str(
        r#"
        url = "https://hub.example.cn/v2/achievements"
        records = "/results"
        id = "/uid"
        since_param = "modifiedSince"
        [fields]
        title = "/title/zh"
        achievement_type = "/kind"
        [pagination]
        style = "cursor"
        param = "cursor"
        next = "/meta/next"
        [headers]
        "X-Api-Key" = "k-123"
        "#,
    )
    .unwrap()
}

#[tokio::test]
async fn cursor_pagination_follows_next_until_null() {
    let first = "https://hub.example.cn/v2/achievements?modifiedSince=2024-05-01T00%3A00%3A00Z";
    let second = "https://hub.example.cn/v2/achievements?cursor=b2Zmc2V0OjI%3D&modifiedSince=2024-05-01T00%3A00%3A00Z";
    let fetcher = Arc::new(
        FakeFetcher::default()
            .with_fixture(first, "cursor1.json")
            .with_fixture(second, "cursor2.json"),
    );
    let mut connector = JsonApiConnector::new(cursor_config(), fetcher.clone()).unwrap();
    let since = chrono::DateTime::parse_from_rfc3339("2024-05-01T08:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let pages = harvest(
        &mut connector,
        HarvestRequest {
            since: Some(since),
            resume_from: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(fetcher.urls(), vec![first.to_owned(), second.to_owned()]);
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("b2Zmc2V0OjI="), None]);
    let titles: Vec<&str> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| record(i).title.as_str())
        .collect();
    assert_eq!(
        titles,
        vec![
            "耐盐碱苜蓿新品种",
            "肉羊高效繁育技术",
            "马铃薯脱毒种薯繁育技术"
        ]
    );
    assert_eq!(
        record(&pages[1].items[0]).achievement_type,
        Some(AchievementType::Other)
    );
    let requests = fetcher.requests.lock().unwrap();
    assert!(requests[0]
        .1
        .contains(&("X-Api-Key".to_owned(), "k-123".to_owned())));
}

#[tokio::test]
async fn cursor_pagination_resumes_from_the_cursor() {
    let url = "https://hub.example.cn/v2/achievements?cursor=b2Zmc2V0OjI%3D";
    let fetcher = Arc::new(FakeFetcher::default().with_fixture(url, "cursor2.json"));
    let mut connector = JsonApiConnector::new(cursor_config(), fetcher.clone()).unwrap();
    let pages = harvest(
        &mut connector,
        HarvestRequest {
            since: None,
            resume_from: Some("b2Zmc2V0OjI=".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(fetcher.urls(), vec![url.to_owned()]);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].checkpoint, None);
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_is_malformed() {
    let url = "https://hub.example.cn/v2/achievements?cursor=same";
    let fetcher = Arc::new(FakeFetcher::default().with(
        url,
        200,
        r#"{"results": [], "meta": {"next": "same"}}"#,
    ));
    let mut connector = JsonApiConnector::new(cursor_config(), fetcher).unwrap();
    let result = harvest(
        &mut connector,
        HarvestRequest {
            since: None,
            resume_from: Some("same".into()),
        },
    )
    .await;
    assert!(
        matches!(result, Err(ConnectorError::Malformed(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn http_failures_and_invalid_json_stop_the_harvest() {
    let fetcher = Arc::new(FakeFetcher::default().with_retry_after(&page_url(1), 503, 120));
    let mut connector = JsonApiConnector::new(source_config(), fetcher).unwrap();
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert_eq!(
        result.err(),
        Some(ConnectorError::Http {
            status: 503,
            url: page_url(1),
            retry_after_secs: Some(120)
        })
    );

    let fetcher = Arc::new(FakeFetcher::default().with(&page_url(1), 200, "<html>维护中</html>"));
    let mut connector = JsonApiConnector::new(source_config(), fetcher).unwrap();
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert!(
        matches!(&result, Err(ConnectorError::Malformed(m)) if m.contains("invalid JSON")),
        "{result:?}"
    );

    let fetcher = Arc::new(FakeFetcher::default().with(&page_url(1), 200, r#"{"data": {}}"#));
    let mut connector = JsonApiConnector::new(source_config(), fetcher).unwrap();
    let result = harvest(&mut connector, HarvestRequest::default()).await;
    assert!(
        matches!(&result, Err(ConnectorError::Malformed(m)) if m.contains("$.data.items")),
        "{result:?}"
    );
}

#[tokio::test]
async fn max_pages_bounds_a_source_that_never_stops() {
    let mut config = source_config();
    config.max_pages = 2;
    let fetcher = Arc::new(paged_fetcher());
    let mut connector = JsonApiConnector::new(config, fetcher.clone()).unwrap();
    connector.start(HarvestRequest::default()).await.unwrap();
    assert!(connector.next_page().await.unwrap().is_some());
    assert!(connector.next_page().await.unwrap().is_some());
    let third = connector.next_page().await;
    assert!(
        matches!(&third, Err(ConnectorError::Config(m)) if m.contains("max_pages")),
        "{third:?}"
    );
    assert_eq!(fetcher.urls().len(), 2);
}

#[tokio::test]
async fn bad_configs_are_refused_up_front() {
    let fetcher: Arc<dyn Fetcher> = Arc::new(FakeFetcher::default());
    let mut no_title = source_config();
    no_title.fields.remove("title");
    let mut unknown_field = source_config();
    unknown_field
        .fields
        .insert("colour".into(), "/colour".into());
    let mut bad_pointer = source_config();
    bad_pointer.fields.insert("summary".into(), "intro".into());
    let mut bad_url = source_config();
    bad_url.url = "ftp://example.cn/x".into();
    for (config, needle) in [
        (no_title, "fields.title"),
        (unknown_field, "colour"),
        (bad_pointer, "intro"),
        (bad_url, "ftp://"),
    ] {
        match JsonApiConnector::new(config, fetcher.clone()) {
            Err(ConnectorError::Config(m)) => assert!(m.contains(needle), "{m}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("accepted a config without {needle}"),
        }
    }
}
