//! Connectors turn an external catalog (OAI-PMH, CSV/XLSX, JSON API, peer hub) into normalised
//! achievement records plus per-record errors that keep the raw payload. They never touch the
//! database and never open sockets themselves: network access goes through the [`Fetcher`] the
//! caller hands in (the server's guarded outbound client), so every connector can be tested on
//! recorded payloads. A connector yields [`Page`]s; after the harvester commits a page it stores
//! the page's [`Page::checkpoint`], and a restarted harvest resumes from it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use transferhub_schema::enums::{AchievementType, TransferMode};

pub mod error;
pub mod json_api;
pub mod jsonl;
pub mod oai_pmh;
pub mod peer_hub;
pub mod tabular;
pub mod vocabulary;
pub use error::ConnectorError;

/// One achievement as a source describes it, mapped to the hub's vocabulary. Codes are carried
/// as the source wrote them; the store validates them and rejects what fails.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NormalisedRecord {
    /// Identifier of the record inside its source, stable across harvests (OAI identifier, row key…).
    pub source_record_id: String,
    /// When the source last changed it (OAI datestamp, `updatedAt`), if known.
    pub source_datestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// Sets / collections the source files it under.
    pub sets: Vec<String>,
    /// 成果名称
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// 成果类型 (PATENT when a patent number is present and the source says nothing).
    pub achievement_type: Option<AchievementType>,
    /// 完成单位 as written by the source.
    pub institutions: Vec<String>,
    /// 完成人
    pub inventors: Vec<String>,
    /// 成果简介
    pub summary: String,
    /// English summary.
    pub summary_en: Option<String>,
    /// 关键词
    pub keywords: Vec<String>,
    /// GB/T 4754 code as given.
    pub industry_code: Option<String>,
    /// IPC symbols as given.
    pub ipc_codes: Vec<String>,
    /// TRL 1–9 (stage words such as 通过中试 already mapped).
    pub trl: Option<u8>,
    /// 转化方式
    pub transfer_modes: Vec<TransferMode>,
    /// Asking price in yuan; `None` is 面议 or unknown.
    pub asking_price_yuan: Option<i64>,
    /// 联系人
    pub contact_name: Option<String>,
    /// Phone.
    pub contact_phone: Option<String>,
    /// E-mail.
    pub contact_email: Option<String>,
    /// GB/T 2260 code as given.
    pub region_code: Option<String>,
    /// Patent application numbers as given (the store normalises and checks them).
    pub patent_numbers: Vec<String>,
    /// Publication numbers as given.
    pub publication_numbers: Vec<String>,
    /// Landing page of the record at the source.
    pub source_url: Option<String>,
    /// Where the record sits in the source (`row 7`), so errors found later by the store can
    /// name it too. Not part of the content: moving a row does not make it a changed record.
    #[serde(skip)]
    pub origin: Option<String>,
}

/// Why one record from a source could not be used; the raw payload is kept for review and retry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("record {record_id:?} rejected at {location}: {reason}")]
pub struct RecordError {
    /// Source record id when one could be read.
    pub record_id: Option<String>,
    /// Where in the source: `row 17, column 专利号`, `record oai:imu:123`, `$.items[4].price`.
    pub location: String,
    /// Human-readable reason naming the field.
    pub reason: String,
    /// The payload as received (a CSV row re-serialised, an XML fragment, a JSON object).
    pub raw: String,
}

/// One item a connector yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A usable record.
    Record(Box<NormalisedRecord>),
    /// The source says this record was deleted.
    Deleted {
        /// Source record id.
        source_record_id: String,
        /// When it was deleted, if known.
        datestamp: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// A record that could not be mapped.
    Rejected(RecordError),
}

/// A batch of items plus where to resume after it has been committed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Items in source order.
    pub items: Vec<Item>,
    /// Opaque resume point for the next page; `None` when this was the last page.
    pub checkpoint: Option<String>,
}

/// What a harvest asks of a connector.
#[derive(Debug, Clone, Default)]
pub struct HarvestRequest {
    /// Incremental lower bound (records changed since); `None` = full harvest.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Resume point stored after the last committed page of an interrupted run.
    pub resume_from: Option<String>,
}

/// A fetched HTTP response, as much as connectors need.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// `Retry-After` header in seconds, if any.
    pub retry_after_secs: Option<u64>,
    /// Body, already decompressed (gzip handled by the fetcher), size-capped by it.
    pub body: Vec<u8>,
}

/// Outbound HTTP as the caller allows it (timeouts, size caps, redirect caps, address guard).
#[async_trait]
pub trait Fetcher: Send + Sync {
    /// GET `url` with extra headers.
    async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, ConnectorError>;
    /// POST a JSON body to `url` (GraphQL peers).
    async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Fetched, ConnectorError>;
}

/// A source of achievement records.
#[async_trait]
pub trait Connector: Send {
    /// Source kind, e.g. `oai_pmh`.
    fn kind(&self) -> &'static str;
    /// Starts (or resumes) a harvest; call before the first `next_page`.
    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError>;
    /// The next page, or `None` when the source is exhausted.
    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError>;
}
