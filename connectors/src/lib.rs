//! Connectors turn an external catalog (OAI-PMH, CSV/XLSX, JSON API, peer hub) into normalised
//! achievement records plus per-record errors that keep the raw payload. They never touch the
//! database: the harvester in the server stores what they yield. The source kinds arrive with the
//! federation issue; this crate fixes the record and error types they share.

use serde::{Deserialize, Serialize};
use transferhub_schema::enums::{AchievementType, TransferMode};

/// One achievement as a source describes it, already mapped to the hub's vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedRecord {
    /// Identifier of the record inside its source, stable across harvests.
    pub source_record_id: String,
    /// 成果名称
    pub title: String,
    /// 成果类型
    pub achievement_type: AchievementType,
    /// 完成人
    pub inventors: Vec<String>,
    /// 成果简介
    pub summary: String,
    /// 关键词
    pub keywords: Vec<String>,
    /// GB/T 4754 code as given by the source (validated by the store).
    pub industry_code: Option<String>,
    /// IPC symbols as given by the source.
    pub ipc_codes: Vec<String>,
    /// TRL 1–9.
    pub trl: Option<u8>,
    /// 转化方式
    pub transfer_modes: Vec<TransferMode>,
    /// Asking price in yuan; `None` is 面议.
    pub asking_price_yuan: Option<i64>,
    /// Patent application numbers as given by the source.
    pub patent_numbers: Vec<String>,
    /// Whether the source marked the record deleted.
    pub deleted: bool,
}

/// Why one record from a source could not be used; the raw payload is kept for review.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("record {record_id:?} rejected: {reason}")]
pub struct RecordError {
    /// Source record id when one could be read.
    pub record_id: Option<String>,
    /// Human-readable reason naming the field.
    pub reason: String,
    /// The payload as received.
    pub raw: String,
}
