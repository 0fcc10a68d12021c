//! OAI-PMH connector against recorded repository answers: a fake in-memory [`Fetcher`] serves the
//! fixture files under `tests/fixtures/oai/`, keyed by the exact request URL, and records every
//! URL asked so each test can check what went over the wire.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use transferhub_connectors::oai_pmh::{
    DeletedRecordPolicy, Granularity, MetadataMapping, OaiPmhConnector, OaiRecord,
};
use transferhub_connectors::{
    Connector, ConnectorError, Fetched, Fetcher, HarvestRequest, Item, NormalisedRecord, Page,
};
use transferhub_schema::enums::{AchievementType, TransferMode};

const BASE: &str = "http://repo.example.edu/oai";
const IDENTIFY: &str = "http://repo.example.edu/oai?verb=Identify";
const FIRST: &str = "http://repo.example.edu/oai?verb=ListRecords&metadataPrefix=oai_dc";

/// Serves queued responses per URL; the last response of a queue keeps being served.
#[derive(Default)]
struct FakeRepo {
    routes: Mutex<HashMap<String, VecDeque<Fetched>>>,
    asked: Mutex<Vec<String>>,
}

impl FakeRepo {
    fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn respond(&self, url: &str, response: Fetched) -> &Self {
        self.routes
            .lock()
            .unwrap()
            .entry(url.to_owned())
            .or_default()
            .push_back(response);
        self
    }

    fn fixture(&self, url: &str, name: &str) -> &Self {
        self.respond(url, ok(fixture(name)))
    }

    /// Replaces whatever `url` served.
    fn replace(&self, url: &str, name: &str) {
        self.routes.lock().unwrap().remove(url);
        self.fixture(url, name);
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }

    fn count(&self, url: &str) -> usize {
        self.asked().iter().filter(|u| *u == url).count()
    }
}

#[async_trait]
impl Fetcher for FakeRepo {
    async fn get(&self, url: &str, _headers: &[(&str, &str)]) -> Result<Fetched, ConnectorError> {
        self.asked.lock().unwrap().push(url.to_owned());
        let mut routes = self.routes.lock().unwrap();
        let queue = routes
            .get_mut(url)
            .ok_or_else(|| ConnectorError::Transport(format!("connection refused: {url}")))?;
        let response = if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        };
        response.ok_or_else(|| ConnectorError::Transport(format!("empty route {url}")))
    }

    async fn post_json(
        &self,
        url: &str,
        _body: &serde_json::Value,
    ) -> Result<Fetched, ConnectorError> {
        Err(ConnectorError::Transport(format!(
            "OAI-PMH never POSTs ({url})"
        )))
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oai")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn ok(body: Vec<u8>) -> Fetched {
    Fetched {
        status: 200,
        content_type: Some("text/xml".to_owned()),
        retry_after_secs: None,
        body,
    }
}

fn status(code: u16, retry_after_secs: Option<u64>) -> Fetched {
    Fetched {
        status: code,
        content_type: Some("text/html".to_owned()),
        retry_after_secs,
        body: b"<html><body>busy</body></html>".to_vec(),
    }
}

fn resume_url(token: &str) -> String {
    format!("{BASE}?verb=ListRecords&resumptionToken={token}")
}

/// A repository with day granularity and the three-page harvest.
fn three_page_repo() -> Arc<FakeRepo> {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(FIRST, "list_records_page1.xml")
        .fixture(&resume_url("tok-2"), "list_records_page2.xml")
        .fixture(&resume_url("tok-3"), "list_records_page3.xml");
    repo
}

fn connector(repo: &Arc<FakeRepo>) -> OaiPmhConnector {
    OaiPmhConnector::new(BASE.to_owned(), "oai_dc".to_owned(), None, repo.clone())
}

async fn started(repo: &Arc<FakeRepo>, request: HarvestRequest) -> OaiPmhConnector {
    let mut c = connector(repo);
    c.start(request).await.expect("start");
    c
}

/// Every page until the source is exhausted (bounded so a bug cannot loop forever).
async fn harvest(c: &mut OaiPmhConnector) -> Vec<Page> {
    let mut pages = Vec::new();
    for _ in 0..10 {
        match c.next_page().await.expect("page") {
            Some(page) => pages.push(page),
            None => return pages,
        }
    }
    panic!("harvest did not end")
}

fn records(page: &Page) -> Vec<&NormalisedRecord> {
    page.items
        .iter()
        .filter_map(|item| match item {
            Item::Record(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn identify_reads_day_granularity() {
    let repo = three_page_repo();
    let info = connector(&repo).identify().await.unwrap();
    assert_eq!(info.granularity, Granularity::Day);
    assert_eq!(info.deleted_record, DeletedRecordPolicy::Persistent);
    assert_eq!(info.earliest_datestamp, "2012-03-01");
    assert_eq!(info.protocol_version, "2.0");
    assert_eq!(info.repository_name, "内蒙古大学科技成果知识库");
}

#[tokio::test]
async fn identify_reads_seconds_granularity_and_start_keeps_it() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_seconds.xml");
    let c = started(&repo, HarvestRequest::default()).await;
    let info = c.identify_info().expect("start calls Identify");
    assert_eq!(info.granularity, Granularity::Seconds);
    assert_eq!(info.deleted_record, DeletedRecordPolicy::Transient);
    assert_eq!(repo.asked(), vec![IDENTIFY]);
}

#[tokio::test]
async fn three_pages_follow_resumption_tokens() {
    let repo = three_page_repo();
    let mut c = started(&repo, HarvestRequest::default()).await;
    let pages = harvest(&mut c).await;
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("tok-2"), Some("tok-3"), None]);
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, vec![2, 2, 2]);
    assert_eq!(
        repo.asked(),
        vec![
            IDENTIFY.to_owned(),
            FIRST.to_owned(),
            resume_url("tok-2"),
            resume_url("tok-3")
        ]
    );
    assert_eq!(
        c.next_page().await.unwrap(),
        None,
        "exhausted stays exhausted"
    );
    assert_eq!(repo.asked().len(), 4);
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(records)
        .map(|r| r.source_record_id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec![
            "oai:repo.example.edu:ach/1001",
            "oai:repo.example.edu:ach/1002",
            "oai:repo.example.edu:ach/1003",
            "oai:repo.example.edu:ach/1004"
        ]
    );
    let types: Vec<Option<AchievementType>> = pages
        .iter()
        .flat_map(records)
        .map(|r| r.achievement_type)
        .collect();
    assert_eq!(
        types,
        vec![
            Some(AchievementType::Patent),
            Some(AchievementType::SoftwareCopyright),
            Some(AchievementType::PlantVariety),
            Some(AchievementType::KnowHow)
        ]
    );
}

#[tokio::test]
async fn deleted_header_becomes_deleted_item() {
    let repo = three_page_repo();
    let mut c = started(&repo, HarvestRequest::default()).await;
    let pages = harvest(&mut c).await;
    let deleted: Vec<&Item> = pages
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| matches!(i, Item::Deleted { .. }))
        .collect();
    assert_eq!(
        deleted,
        vec![&Item::Deleted {
            source_record_id: "oai:repo.example.edu:ach/0999".to_owned(),
            datestamp: Some(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()),
        }]
    );
}

#[tokio::test]
async fn chinese_dublin_core_with_english_title_and_description() {
    let repo = three_page_repo();
    let mut c = started(&repo, HarvestRequest::default()).await;
    let page = c.next_page().await.unwrap().unwrap();
    let r = records(&page)[0];
    assert_eq!(r.source_record_id, "oai:repo.example.edu:ach/1001");
    assert_eq!(
        r.source_datestamp,
        Some(Utc.with_ymd_and_hms(2024, 4, 28, 0, 0, 0).unwrap())
    );
    assert_eq!(r.sets, vec!["patent", "cluster:new-materials"]);
    assert_eq!(r.title, "一种高镍三元正极材料及其制备方法");
    assert_eq!(
        r.title_en.as_deref(),
        Some("High-nickel ternary cathode material and its preparation method")
    );
    assert_eq!(
        r.summary,
        "本发明公开了一种高镍三元正极材料，循环寿命提高30%&成本降低。"
    );
    assert_eq!(
        r.summary_en.as_deref(),
        Some("A high-nickel ternary cathode material with 30% longer cycle life.")
    );
    assert_eq!(r.inventors, vec!["张三", "李四", "王五"]);
    assert_eq!(r.keywords, vec!["锂离子电池", "正极材料"]);
    assert_eq!(r.ipc_codes, vec!["H01M 4/525"]);
    assert_eq!(r.industry_code.as_deref(), Some("C3841"));
    assert_eq!(r.institutions, vec!["内蒙古大学", "内蒙古稀土研究院"]);
    assert_eq!(r.patent_numbers, vec!["ZL201710601862.3"]);
    assert_eq!(r.publication_numbers, vec!["CN105338215A"]);
    assert_eq!(
        r.source_url.as_deref(),
        Some("https://repo.example.edu/handle/ach/1001")
    );
    assert_eq!(r.achievement_type, Some(AchievementType::Patent));
    assert_eq!(
        r.transfer_modes,
        vec![
            TransferMode::Licence,
            TransferMode::Assignment,
            TransferMode::EquityInvestment
        ]
    );
    assert_eq!(r.trl, Some(6));
    assert_eq!(r.region_code.as_deref(), Some("150100"));
}

#[tokio::test]
async fn record_without_title_is_rejected_with_its_raw_fragment() {
    let repo = three_page_repo();
    let mut c = started(&repo, HarvestRequest::default()).await;
    let pages = harvest(&mut c).await;
    let rejected: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Rejected(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(rejected.len(), 1);
    let e = rejected[0];
    assert_eq!(
        e.record_id.as_deref(),
        Some("oai:repo.example.edu:ach/1005")
    );
    assert_eq!(e.location, "record oai:repo.example.edu:ach/1005");
    assert!(e.reason.contains("title"), "{}", e.reason);
    assert!(e.raw.starts_with("<record>"), "{}", e.raw);
    assert!(e.raw.trim_end().ends_with("</record>"), "{}", e.raw);
    assert!(e.raw.contains("<dc:creator>钱七</dc:creator>"));
    assert!(e.raw.contains("oai:repo.example.edu:ach/1005"));
    assert!(!e.raw.contains("ach/1004"), "only this record's fragment");
    // The good record on the same page still arrives.
    assert_eq!(records(&pages[2]).len(), 1);
}

#[tokio::test]
async fn no_records_match_is_an_empty_last_page() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(FIRST, "no_records_match.xml");
    let mut c = started(&repo, HarvestRequest::default()).await;
    assert_eq!(
        c.next_page().await.unwrap(),
        Some(Page {
            items: Vec::new(),
            checkpoint: None
        })
    );
    assert_eq!(c.next_page().await.unwrap(), None);
    assert_eq!(repo.count(FIRST), 1);
}

#[tokio::test]
async fn bad_resumption_token_is_a_bad_resume_point() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(&resume_url("expired-42"), "bad_resumption_token.xml");
    let request = HarvestRequest {
        since: None,
        resume_from: Some("expired-42".to_owned()),
    };
    let mut c = started(&repo, request).await;
    let err = c.next_page().await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::BadResumePoint(
            "The resumptionToken expired-42 is invalid or has expired.".to_owned()
        )
    );
}

#[tokio::test]
async fn other_oai_errors_are_protocol_errors() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(FIRST, "bad_argument.xml");
    let mut c = started(&repo, HarvestRequest::default()).await;
    assert_eq!(
        c.next_page().await.unwrap_err(),
        ConnectorError::Protocol {
            code: "badArgument".to_owned(),
            message: "The from argument 2024-13-45 is not a valid date.".to_owned()
        }
    );
}

#[tokio::test]
async fn resume_from_token_continues_there() {
    let repo = three_page_repo();
    let request = HarvestRequest {
        since: Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()),
        resume_from: Some("tok-3".to_owned()),
    };
    let mut c = started(&repo, request).await;
    let pages = harvest(&mut c).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].checkpoint, None);
    assert_eq!(
        records(&pages[0])[0].source_record_id,
        "oai:repo.example.edu:ach/1004"
    );
    assert_eq!(repo.asked(), vec![IDENTIFY.to_owned(), resume_url("tok-3")]);
}

#[tokio::test]
async fn from_is_a_date_for_day_granularity() {
    let repo = FakeRepo::new();
    let url = format!("{FIRST}&from=2024-05-01");
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(&url, "list_records_page3.xml");
    let since = Utc.with_ymd_and_hms(2024, 5, 1, 8, 30, 15).unwrap();
    let mut c = started(
        &repo,
        HarvestRequest {
            since: Some(since),
            resume_from: None,
        },
    )
    .await;
    let page = c.next_page().await.unwrap().unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(repo.asked(), vec![IDENTIFY.to_owned(), url]);
}

#[tokio::test]
async fn from_has_seconds_for_seconds_granularity() {
    let repo = FakeRepo::new();
    let url = format!("{FIRST}&from=2024-05-01T08%3A30%3A15Z");
    repo.fixture(IDENTIFY, "identify_seconds.xml")
        .fixture(&url, "list_records_page3.xml");
    let since = Utc.with_ymd_and_hms(2024, 5, 1, 8, 30, 15).unwrap();
    let mut c = started(
        &repo,
        HarvestRequest {
            since: Some(since),
            resume_from: None,
        },
    )
    .await;
    assert!(c.next_page().await.unwrap().is_some());
    assert_eq!(repo.asked(), vec![IDENTIFY.to_owned(), url]);
}

#[tokio::test]
async fn set_is_sent() {
    let repo = FakeRepo::new();
    let url = format!("{FIRST}&set=cluster%3Anew-materials");
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(&url, "list_records_page3.xml");
    let mut c = OaiPmhConnector::new(
        BASE.to_owned(),
        "oai_dc".to_owned(),
        Some("cluster:new-materials".to_owned()),
        repo.clone(),
    );
    c.start(HarvestRequest::default()).await.unwrap();
    assert!(c.next_page().await.unwrap().is_some());
    assert_eq!(repo.asked(), vec![IDENTIFY.to_owned(), url]);
}

#[tokio::test]
async fn retry_after_503_then_success() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .respond(FIRST, status(503, Some(120)))
        .respond(FIRST, status(503, Some(120)))
        .fixture(FIRST, "list_records_page1.xml");
    let mut c = connector(&repo).with_max_retry_wait(Duration::from_millis(5));
    c.start(HarvestRequest::default()).await.unwrap();
    let began = Instant::now();
    let page = c.next_page().await.unwrap().unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "Retry-After 120 must be capped"
    );
    assert_eq!(page.checkpoint.as_deref(), Some("tok-2"));
    assert_eq!(records(&page).len(), 2);
    assert_eq!(repo.count(FIRST), 3);
}

#[tokio::test]
async fn retry_after_waits_when_below_the_cap() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .respond(FIRST, status(503, Some(1)))
        .fixture(FIRST, "list_records_page1.xml");
    let mut c = connector(&repo).with_max_retry_wait(Duration::from_millis(300));
    c.start(HarvestRequest::default()).await.unwrap();
    let began = Instant::now();
    assert!(c.next_page().await.unwrap().is_some());
    assert!(
        began.elapsed() >= Duration::from_millis(300),
        "it slept min(1 s, cap)"
    );
}

#[tokio::test]
async fn a_503_storm_exhausts_the_retries() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .respond(FIRST, status(503, Some(1)));
    let mut c = connector(&repo)
        .with_max_retries(3)
        .with_max_retry_wait(Duration::from_millis(1));
    c.start(HarvestRequest::default()).await.unwrap();
    assert_eq!(
        c.next_page().await.unwrap_err(),
        ConnectorError::Http {
            status: 503,
            url: FIRST.to_owned(),
            retry_after_secs: Some(1)
        }
    );
    assert_eq!(repo.count(FIRST), 4, "one try and three retries");
}

#[tokio::test]
async fn default_retry_budget_is_five() {
    let repo = FakeRepo::new();
    repo.respond(IDENTIFY, status(503, Some(0)));
    let c = connector(&repo).with_max_retry_wait(Duration::from_millis(1));
    assert!(matches!(
        c.identify().await,
        Err(ConnectorError::Http { status: 503, .. })
    ));
    assert_eq!(repo.count(IDENTIFY), 6);
}

#[tokio::test]
async fn other_statuses_fail_at_once_and_transport_errors_bubble_up() {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .respond(FIRST, status(500, None));
    let mut c = started(&repo, HarvestRequest::default()).await;
    assert!(matches!(
        c.next_page().await,
        Err(ConnectorError::Http { status: 500, .. })
    ));
    assert_eq!(repo.count(FIRST), 1);
    // 503 without Retry-After is an outage, not flow control: no retry either.
    let repo = FakeRepo::new();
    repo.respond(IDENTIFY, status(503, None));
    assert!(matches!(
        connector(&repo).identify().await,
        Err(ConnectorError::Http {
            status: 503,
            retry_after_secs: None,
            ..
        })
    ));
    assert_eq!(repo.count(IDENTIFY), 1);
    // No route: the fake fails like a refused connection.
    let mut c = connector(&FakeRepo::new());
    assert!(matches!(
        c.start(HarvestRequest::default()).await,
        Err(ConnectorError::Transport(_))
    ));
}

async fn single_page(name: &str, content_type: &str) -> Result<Option<Page>, ConnectorError> {
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml").respond(
        FIRST,
        Fetched {
            content_type: Some(content_type.to_owned()),
            ..ok(fixture(name))
        },
    );
    let mut c = started(&repo, HarvestRequest::default()).await;
    c.next_page().await
}

fn assert_gbk_record(page: &Page) {
    let r = records(page);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].title, "一种羊绒纤维分梳装置");
    assert_eq!(r[0].inventors, vec!["乌力吉"]);
    assert_eq!(r[0].institutions, vec!["内蒙古工业大学"]);
    assert_eq!(
        r[0].summary,
        "提高羊绒分梳效率，适用于乳制品以外的草原畜产品加工。"
    );
}

#[tokio::test]
async fn gbk_declared_page_is_decoded() {
    let bytes = fixture("gbk_declared.xml");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must be GBK bytes"
    );
    assert!(String::from_utf8_lossy(&bytes).contains("encoding=\"GBK\""));
    let page = single_page("gbk_declared.xml", "text/xml")
        .await
        .unwrap()
        .unwrap();
    assert_gbk_record(&page);
}

#[tokio::test]
async fn undeclared_gbk_page_is_decoded() {
    let bytes = fixture("gbk_undeclared.xml");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must be GBK bytes"
    );
    assert!(!String::from_utf8_lossy(&bytes).contains("encoding="));
    let page = single_page("gbk_undeclared.xml", "text/xml")
        .await
        .unwrap()
        .unwrap();
    assert_gbk_record(&page);
    // A Content-Type charset says the same thing.
    let page = single_page("gbk_undeclared.xml", "text/xml; charset=GB2312")
        .await
        .unwrap()
        .unwrap();
    assert_gbk_record(&page);
}

#[tokio::test]
async fn entity_bomb_and_external_entity_are_refused() {
    for name in ["billion_laughs.xml", "external_entity.xml"] {
        assert!(String::from_utf8(fixture(name))
            .unwrap()
            .contains("<!ENTITY"));
        assert_eq!(
            single_page(name, "text/xml").await,
            Err(ConnectorError::Malformed("DTD not allowed".to_owned())),
            "{name}"
        );
    }
    match single_page("undeclared_entity.xml", "text/xml").await {
        Err(ConnectorError::Malformed(m)) => assert!(m.contains("&xxe;"), "{m}"),
        other => panic!("undeclared entity must be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_page_is_refused_whole_and_can_be_retried() {
    let truncated = String::from_utf8(fixture("truncated.xml")).unwrap();
    assert!(
        truncated.contains("</record>"),
        "a complete record precedes the cut, so half-use would be visible"
    );
    let repo = FakeRepo::new();
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(FIRST, "truncated.xml");
    let mut c = started(&repo, HarvestRequest::default()).await;
    assert!(matches!(
        c.next_page().await,
        Err(ConnectorError::Malformed(m)) if m.contains("truncated")
    ));
    // The cursor did not move: asking again re-requests the same page.
    repo.replace(FIRST, "list_records_page1.xml");
    let page = c.next_page().await.unwrap().unwrap();
    assert_eq!(page.checkpoint.as_deref(), Some("tok-2"));
    assert_eq!(repo.count(FIRST), 2);
}

#[tokio::test]
async fn html_instead_of_xml_is_malformed() {
    let repo = FakeRepo::new();
    repo.respond(IDENTIFY, ok(b"<html><body>Login</body></html>".to_vec()));
    assert!(matches!(
        connector(&repo).identify().await,
        Err(ConnectorError::Malformed(m)) if m.contains("html")
    ));
}

#[tokio::test]
async fn list_sets_follows_tokens_and_formats_are_listed() {
    let repo = FakeRepo::new();
    repo.fixture(&format!("{BASE}?verb=ListSets"), "list_sets_1.xml")
        .fixture(
            &format!("{BASE}?verb=ListSets&resumptionToken=sets-2"),
            "list_sets_2.xml",
        )
        .fixture(
            &format!("{BASE}?verb=ListMetadataFormats"),
            "list_metadata_formats.xml",
        );
    let c = connector(&repo);
    let sets = c.list_sets().await.unwrap();
    let expected: Vec<(String, String)> = [
        ("patent", "专利"),
        ("software", "软件著作权"),
        ("variety", "植物新品种"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(sets, expected);
    assert_eq!(
        c.list_metadata_formats().await.unwrap(),
        vec!["oai_dc", "cstr_achievement"]
    );
}

#[tokio::test]
async fn no_set_hierarchy_means_no_sets() {
    let repo = FakeRepo::new();
    repo.fixture(&format!("{BASE}?verb=ListSets"), "no_set_hierarchy.xml");
    assert_eq!(connector(&repo).list_sets().await.unwrap(), Vec::new());
}

/// A repository-specific mapping: reads only `title`, prefixes it to prove it was used.
struct Custom;

impl MetadataMapping for Custom {
    fn metadata_prefix(&self) -> &str {
        "cstr_achievement"
    }

    fn map(&self, record: &OaiRecord) -> Result<NormalisedRecord, String> {
        let title = record
            .fields
            .iter()
            .find(|f| f.local_name == "title")
            .ok_or("no title")?;
        Ok(NormalisedRecord {
            title: format!("custom:{}", title.value),
            ..NormalisedRecord::default()
        })
    }
}

#[tokio::test]
async fn pluggable_mapping_is_used_for_its_prefix() {
    let repo = FakeRepo::new();
    let url = format!("{BASE}?verb=ListRecords&metadataPrefix=cstr_achievement");
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(&url, "list_records_page2.xml");
    let mut plain = OaiPmhConnector::new(
        BASE.to_owned(),
        "cstr_achievement".to_owned(),
        None,
        repo.clone(),
    );
    assert!(matches!(
        plain.start(HarvestRequest::default()).await,
        Err(ConnectorError::Config(m)) if m.contains("cstr_achievement")
    ));
    let mut c = OaiPmhConnector::new(
        BASE.to_owned(),
        "cstr_achievement".to_owned(),
        None,
        repo.clone(),
    )
    .with_mapping(Arc::new(Custom));
    c.start(HarvestRequest::default()).await.unwrap();
    let page = c.next_page().await.unwrap().unwrap();
    let r = records(&page);
    assert_eq!(r[0].title, "custom:蒙农杂种冰草1号");
    assert_eq!(r[0].source_record_id, "oai:repo.example.edu:ach/1003");
    assert_eq!(r[0].sets, vec!["variety"]);
}

#[tokio::test]
async fn next_page_before_start_is_a_config_error() {
    let mut c = connector(&FakeRepo::new());
    assert!(matches!(
        c.next_page().await,
        Err(ConnectorError::Config(_))
    ));
    assert_eq!(c.kind(), "oai_pmh");
}

#[tokio::test]
async fn a_token_that_does_not_advance_is_refused() {
    let repo = FakeRepo::new();
    // The page served for tok-2 carries tok-2 again: following it would loop forever.
    repo.fixture(IDENTIFY, "identify_day.xml")
        .fixture(&resume_url("tok-2"), "list_records_page1.xml");
    let request = HarvestRequest {
        since: None,
        resume_from: Some("tok-2".to_owned()),
    };
    let mut c = started(&repo, request).await;
    assert!(matches!(
        c.next_page().await,
        Err(ConnectorError::Malformed(m)) if m.contains("resumptionToken")
    ));
}
