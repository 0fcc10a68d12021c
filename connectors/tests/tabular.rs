//! The tabular connector on fixture files: CSV in UTF-8, UTF-8 with BOM and GBK, an XLSX
//! workbook, a mapping file, row-level rejections, paging and resuming.

use std::path::{Path, PathBuf};

use transferhub_connectors::tabular::{Mapping, TabularConnector, PAGE_ROWS};
use transferhub_connectors::vocabulary::Field;
use transferhub_connectors::{
    Connector, ConnectorError, HarvestRequest, Item, NormalisedRecord, Page, RecordError,
};
use transferhub_schema::enums::{AchievementType, TransferMode};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tabular")
        .join(name)
}

/// Runs a whole harvest (from `resume`) and returns its pages.
async fn harvest(connector: &mut TabularConnector, resume: Option<&str>) -> Vec<Page> {
    connector
        .start(HarvestRequest {
            since: None,
            resume_from: resume.map(str::to_owned),
        })
        .await
        .expect("start");
    let mut pages = Vec::new();
    while let Some(page) = connector.next_page().await.expect("page") {
        pages.push(page);
        assert!(pages.len() < 100, "harvest does not end");
    }
    pages
}

async fn items_of(path: &Path, mapping: Option<Mapping>) -> Vec<Item> {
    let mut connector = TabularConnector::open(path, mapping).expect("open");
    harvest(&mut connector, None)
        .await
        .into_iter()
        .flat_map(|p| p.items)
        .collect()
}

fn records(items: &[Item]) -> Vec<&NormalisedRecord> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

fn rejected(items: &[Item]) -> Vec<&RecordError> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Rejected(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// A temporary CSV with `rows` generated data rows (titles 成果1…), removed on drop.
struct TempCsv(PathBuf);

impl TempCsv {
    fn new(name: &str, rows: usize) -> Self {
        let path = std::env::temp_dir().join(format!(
            "transferhub-tabular-{}-{name}.csv",
            std::process::id()
        ));
        let mut text = String::from("成果名称,成熟度,意向价格\n");
        for i in 1..=rows {
            text.push_str(&format!("成果{i},{},{i}万元\n", 1 + i % 9));
        }
        std::fs::write(&path, text).expect("write temp csv");
        Self(path)
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn utf8_csv_maps_chinese_headers_and_values() {
    let items = items_of(&fixture("achievements_utf8.csv"), None).await;
    // Rows 2–8 hold content; row 9 is blank and yields nothing.
    assert_eq!(items.len(), 7, "{items:#?}");
    let records = records(&items);
    assert_eq!(records.len(), 4);

    let r = records[0];
    assert_eq!(r.source_record_id, "IMU-001");
    assert_eq!(r.title, "一种高效稀土催化剂的制备方法");
    assert_eq!(r.achievement_type, Some(AchievementType::Patent));
    assert_eq!(r.institutions, vec!["内蒙古大学"]);
    assert_eq!(r.inventors, vec!["张三", "李四"]);
    assert_eq!(
        r.summary,
        "以稀土为原料，制备高效催化剂, 用于尾气净化。\n可在中试线上连续生产。"
    );
    assert_eq!(r.keywords, vec!["稀土", "催化剂"]);
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
    assert_eq!(r.patent_numbers, vec!["201710601862.3"]);
    assert_eq!(r.publication_numbers, vec!["CN107000000A"]);
    assert_eq!(r.region_code.as_deref(), Some("150100"));

    let r = records[1];
    assert_eq!(r.achievement_type, Some(AchievementType::SoftwareCopyright));
    assert_eq!(r.trl, Some(7));
    assert_eq!(r.asking_price_yuan, None, "面议");
    assert_eq!(r.transfer_modes, vec![TransferMode::JointImplementation]);

    let r = records[2];
    assert_eq!(r.source_record_id, "IMU-003");
    assert_eq!(
        r.achievement_type,
        Some(AchievementType::Patent),
        "a patent number and no type means PATENT"
    );
    assert_eq!(r.institutions, vec!["内蒙古大学", "内蒙古农业大学"]);
    assert_eq!(r.asking_price_yuan, Some(1_200_000));
    assert_eq!(r.transfer_modes, vec![TransferMode::EquityInvestment]);

    let r = records[3];
    assert_eq!(r.source_record_id, "row-8", "no 编号: the spreadsheet row");
    assert_eq!(r.achievement_type, Some(AchievementType::KnowHow));
    assert_eq!(r.inventors, vec!["钱七", "孙八"]);
    assert_eq!(r.trl, Some(5));
    assert_eq!(r.asking_price_yuan, Some(8_000));
}

#[tokio::test]
async fn bad_rows_are_rejected_with_row_column_and_raw_csv() {
    let items = items_of(&fixture("achievements_utf8.csv"), None).await;
    let errors = rejected(&items);
    let locations: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        locations,
        vec![
            "row 5, column 成熟度",
            "row 6, column 意向价格",
            "row 7, column 成果名称"
        ]
    );
    assert_eq!(errors[0].record_id.as_deref(), Some("IMU-004"));
    assert!(errors[0].reason.contains("TRL"), "{}", errors[0].reason);
    assert!(errors[1].reason.contains("五十万"), "{}", errors[1].reason);
    assert!(errors[2].reason.contains("title"), "{}", errors[2].reason);
    assert_eq!(
        errors[0].raw,
        "IMU-004,成熟度写错的成果,专利,内蒙古大学,,,,,,TRL 12,转让,10万元,,,,,,,"
    );
    // Good rows around the bad ones are kept, in file order.
    let kinds: Vec<&str> = items
        .iter()
        .map(|i| match i {
            Item::Record(_) => "record",
            Item::Rejected(_) => "rejected",
            Item::Deleted { .. } => "deleted",
        })
        .collect();
    assert_eq!(
        kinds,
        vec!["record", "record", "record", "rejected", "rejected", "rejected", "record"]
    );
}

#[tokio::test]
async fn gbk_csv_yields_the_same_items_as_utf8() {
    let gbk = std::fs::read(fixture("achievements_gbk.csv")).unwrap();
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the GBK fixture must not be valid UTF-8"
    );
    let from_gbk = items_of(&fixture("achievements_gbk.csv"), None).await;
    let from_utf8 = items_of(&fixture("achievements_utf8.csv"), None).await;
    assert_eq!(from_gbk, from_utf8);
}

#[tokio::test]
async fn utf8_bom_csv_with_english_headers() {
    let items = items_of(&fixture("english_bom.csv"), None).await;
    let records = records(&items);
    assert_eq!(records.len(), 2, "{items:#?}");
    // The BOM does not hide the first header.
    assert_eq!(records[0].source_record_id, "EN-1");
    assert_eq!(records[0].title, "Rare-earth catalyst");
    assert_eq!(records[0].achievement_type, Some(AchievementType::Patent));
    assert_eq!(records[0].inventors, vec!["Zhang San", "Li Si"]);
    assert_eq!(
        records[0].transfer_modes,
        vec![TransferMode::Assignment, TransferMode::Licence]
    );
    assert_eq!(records[0].asking_price_yuan, Some(500_000));
    assert_eq!(records[1].trl, Some(7));
    assert_eq!(records[1].transfer_modes, vec![TransferMode::Licence]);
    assert_eq!(records[1].asking_price_yuan, None);
}

#[tokio::test]
async fn xlsx_workbook_finds_the_sheet_and_header_and_uses_header_units() {
    let connector = TabularConnector::open(&fixture("achievements.xlsx"), None).unwrap();
    assert!(connector
        .mapped_columns()
        .contains(&("转让价格（万元）".to_owned(), Field::AskingPriceYuan)));
    let items = items_of(&fixture("achievements.xlsx"), None).await;
    assert_eq!(items.len(), 3, "{items:#?}");
    let records = records(&items);
    let r = records[0];
    assert_eq!(r.source_record_id, "IMAU-01");
    assert_eq!(r.title, "耐盐碱苜蓿新品种");
    assert_eq!(r.achievement_type, Some(AchievementType::PlantVariety));
    assert_eq!(r.trl, Some(8));
    assert_eq!(
        r.transfer_modes,
        vec![TransferMode::Licence, TransferMode::EquityInvestment]
    );
    assert_eq!(r.asking_price_yuan, Some(500_000), "50 in a 万元 column");
    assert_eq!(r.region_code.as_deref(), Some("150100"), "a numeric cell");
    assert_eq!(
        r.source_datestamp.map(|d| d.to_rfc3339()),
        Some("2024-05-01T00:00:00+00:00".to_owned()),
        "08:00 China time"
    );
    let r = records[1];
    assert_eq!(r.inventors, vec!["吴二", "郑三"]);
    assert_eq!(r.trl, Some(4));
    assert_eq!(r.asking_price_yuan, Some(125_000));
    // Row 1 is the sheet title, row 2 the header: the third data row is row 5.
    let errors = rejected(&items);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].location, "row 5, column 技术成熟度");
    assert!(errors[0].raw.starts_with("IMAU-03,成熟度写错的成果,"));
}

#[tokio::test]
async fn mapping_file_overrides_columns_and_fills_defaults() {
    let mapping = Mapping::load(&fixture("custom_mapping.toml")).unwrap();
    let items = items_of(&fixture("custom_columns.csv"), Some(mapping)).await;
    let records = records(&items);
    assert_eq!(records.len(), 3, "{items:#?}");
    let r = records[0];
    assert_eq!(r.title, "耐盐碱苜蓿新品种");
    assert_eq!(
        r.summary, "抗逆性强的苜蓿",
        "名称 mapped to summary, not title"
    );
    assert_eq!(r.asking_price_yuan, Some(30_000));
    assert_eq!(r.achievement_type, Some(AchievementType::PlantVariety));
    assert_eq!(r.transfer_modes, vec![TransferMode::Licence]);
    assert_eq!(r.source_record_id, "row-2", "序号 is ignored");
    assert_eq!(
        records[1].institutions,
        vec!["内蒙古农业大学"],
        "default fills an empty cell"
    );
    assert_eq!(records[1].asking_price_yuan, None);

    // Without the mapping: 名称 is one more title column (the first one wins), 价钱 is unknown
    // and no defaults apply.
    let items = items_of(&fixture("custom_columns.csv"), None).await;
    let plain = self::records(&items);
    assert_eq!(plain[0].title, "耐盐碱苜蓿新品种");
    assert_eq!(plain[0].summary, "");
    assert_eq!(plain[0].asking_price_yuan, None);
    assert_eq!(plain[0].achievement_type, None);
    assert_eq!(plain[0].transfer_modes, vec![]);
}

#[tokio::test]
async fn file_level_errors() {
    let missing = TabularConnector::open(&fixture("does_not_exist.csv"), None);
    assert!(
        matches!(&missing, Err(ConnectorError::Io { path, .. }) if path.ends_with("does_not_exist.csv")),
        "{:?}",
        missing.err()
    );
    match TabularConnector::open(&fixture("no_title.csv"), None) {
        Err(ConnectorError::Config(message)) => {
            assert!(message.contains("名字, 价格, 单位"), "{message}");
            assert!(message.contains("title"), "{message}");
        }
        other => panic!("expected Config, got {:?}", other.err()),
    }
    let wrong_kind = TabularConnector::open(&fixture("custom_mapping.toml"), None);
    assert!(matches!(wrong_kind, Err(ConnectorError::Config(_))));
    let bad_sheet = Mapping::from_toml_str("sheet = \"不存在\"").unwrap();
    match TabularConnector::open(&fixture("achievements.xlsx"), Some(bad_sheet)) {
        Err(ConnectorError::Config(message)) => assert!(message.contains("成果清单"), "{message}"),
        other => panic!("expected Config, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn csv_of_2500_rows_pages_in_thousands() {
    let csv = TempCsv::new("paging", 2_500);
    let mut connector = TabularConnector::open(&csv.0, None).unwrap();
    let pages = harvest(&mut connector, None).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, vec![1_000, 1_000, 500]);
    let checkpoints: Vec<Option<&str>> = pages.iter().map(|p| p.checkpoint.as_deref()).collect();
    assert_eq!(checkpoints, vec![Some("1000"), Some("2000"), None]);
    assert_eq!(PAGE_ROWS, 1_000);
    let all: Vec<Item> = pages.into_iter().flat_map(|p| p.items).collect();
    let records = records(&all);
    assert_eq!(records.len(), 2_500);
    assert_eq!(records[0].source_record_id, "row-2");
    assert_eq!(records[2_499].source_record_id, "row-2501");
    assert_eq!(records[2_499].title, "成果2500");
    assert_eq!(records[2_499].asking_price_yuan, Some(25_000_000));
}

#[tokio::test]
async fn exactly_one_page_of_rows_ends_with_that_page() {
    let csv = TempCsv::new("exact", 1_000);
    let mut connector = TabularConnector::open(&csv.0, None).unwrap();
    let pages = harvest(&mut connector, None).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items.len(), 1_000);
    assert_eq!(pages[0].checkpoint, None);
}

#[tokio::test]
async fn resume_skips_the_rows_already_consumed() {
    let csv = TempCsv::new("resume", 2_500);
    let mut connector = TabularConnector::open(&csv.0, None).unwrap();
    let pages = harvest(&mut connector, Some("1000")).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, vec![1_000, 500]);
    assert_eq!(pages[0].checkpoint.as_deref(), Some("2000"));
    let Item::Record(first) = &pages[0].items[0] else {
        panic!("{:?}", pages[0].items[0])
    };
    assert_eq!(first.source_record_id, "row-1002");
    assert_eq!(first.title, "成果1001");

    // On the fixture: after 3 rows, the next item is row 5 (the bad TRL), with its row number.
    let mut connector = TabularConnector::open(&fixture("achievements_utf8.csv"), None).unwrap();
    let pages = harvest(&mut connector, Some("3")).await;
    let items: Vec<Item> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(items.len(), 4);
    assert!(
        matches!(&items[0], Item::Rejected(e) if e.location == "row 5, column 成熟度"),
        "{:?}",
        items[0]
    );
    // Past the end: nothing.
    let mut connector = TabularConnector::open(&fixture("achievements_utf8.csv"), None).unwrap();
    assert!(harvest(&mut connector, Some("50")).await.is_empty());
    // Not a row count.
    let mut connector = TabularConnector::open(&fixture("achievements_utf8.csv"), None).unwrap();
    let bad = connector
        .start(HarvestRequest {
            since: None,
            resume_from: Some("cursor-abc".into()),
        })
        .await;
    assert!(matches!(bad, Err(ConnectorError::BadResumePoint(_))));
}

#[tokio::test]
async fn a_second_start_reads_the_file_again() {
    let mut connector = TabularConnector::open(&fixture("english_bom.csv"), None).unwrap();
    let first = harvest(&mut connector, None).await;
    let second = harvest(&mut connector, None).await;
    assert_eq!(first, second);
    assert_eq!(connector.kind(), "tabular");
}
