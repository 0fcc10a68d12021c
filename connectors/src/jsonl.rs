//! JSON Lines files (one achievement object per line, as `transferhub generate --out` writes and
//! as the demo data is shaped): the simplest bulk import. Streams the file; pages of 1,000 lines;
//! the checkpoint is the number of lines consumed.

use crate::{Connector, ConnectorError, HarvestRequest, Item, NormalisedRecord, Page, RecordError};
use async_trait::async_trait;
use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use transferhub_schema::enums::{AchievementType, TransferMode};

const PAGE: usize = 1000;

/// Streams achievements from a JSONL file.
pub struct JsonlConnector {
    path: PathBuf,
    reader: Option<BufReader<std::fs::File>>,
    line: u64,
}

#[derive(Deserialize)]
struct Patent {
    application_number: String,
    #[serde(default)]
    publication_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, alias = "id")]
    source_record_id: Option<String>,
    #[serde(default)]
    org: Option<String>,
    title: String,
    #[serde(default)]
    title_en: Option<String>,
    #[serde(default)]
    achievement_type: Option<AchievementType>,
    #[serde(default)]
    inventors: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    summary_en: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    industry_code: Option<String>,
    #[serde(default)]
    ipc_codes: Vec<String>,
    #[serde(default)]
    trl: Option<u8>,
    #[serde(default)]
    transfer_modes: Vec<TransferMode>,
    #[serde(default)]
    asking_price_yuan: Option<i64>,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    contact_phone: Option<String>,
    #[serde(default)]
    contact_email: Option<String>,
    #[serde(default)]
    region_code: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    published_on: Option<String>,
    #[serde(default)]
    registration_number: Option<String>,
    #[serde(default)]
    patents: Vec<Patent>,
}

impl JsonlConnector {
    /// Opens a JSONL file; a missing file is an I/O error naming it.
    pub fn open(path: &Path) -> Result<Self, ConnectorError> {
        if !path.is_file() {
            return Err(ConnectorError::Io {
                path: path.display().to_string(),
                message: "no such file".into(),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            reader: None,
            line: 0,
        })
    }

    fn map(&self, text: &str) -> Item {
        let n = self.line;
        let reject = |reason: String, id: Option<String>| {
            Item::Rejected(RecordError {
                record_id: id,
                location: format!("line {n}"),
                reason,
                raw: text.chars().take(10_000).collect(),
            })
        };
        let l: Line = match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => return reject(format!("not a JSON achievement object: {e}"), None),
        };
        let _ = (&l.org, &l.status, &l.published_on, &l.registration_number);
        let id = l
            .source_record_id
            .clone()
            .unwrap_or_else(|| format!("line-{n}"));
        if let Some(kind) = l.kind.as_deref() {
            if kind != "achievement" {
                return reject(
                    format!("kind {kind:?} is not imported as an achievement"),
                    Some(id),
                );
            }
        }
        if l.title.trim().is_empty() {
            return reject("title is empty".into(), Some(id));
        }
        let (numbers, publications): (Vec<String>, Vec<String>) = l
            .patents
            .into_iter()
            .map(|p| {
                (
                    p.application_number,
                    p.publication_number.unwrap_or_default(),
                )
            })
            .unzip();
        let publications = if publications.iter().all(|p| !p.is_empty()) {
            publications
        } else {
            vec![]
        };
        Item::Record(Box::new(NormalisedRecord {
            source_record_id: id,
            title: l.title,
            title_en: l.title_en,
            achievement_type: l.achievement_type,
            inventors: l.inventors,
            summary: l.summary,
            summary_en: l.summary_en,
            keywords: l.keywords,
            industry_code: l.industry_code,
            ipc_codes: l.ipc_codes,
            trl: l.trl,
            transfer_modes: l.transfer_modes,
            asking_price_yuan: l.asking_price_yuan,
            contact_name: l.contact_name,
            contact_phone: l.contact_phone,
            contact_email: l.contact_email,
            region_code: l.region_code,
            patent_numbers: numbers,
            publication_numbers: publications,
            origin: Some(format!("line {n}")),
            ..NormalisedRecord::default()
        }))
    }
}

#[async_trait]
impl Connector for JsonlConnector {
    fn kind(&self) -> &'static str {
        "jsonl"
    }

    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError> {
        let io = |e: std::io::Error| ConnectorError::Io {
            path: self.path.display().to_string(),
            message: e.to_string(),
        };
        let file = std::fs::File::open(&self.path).map_err(io)?;
        let mut reader = BufReader::new(file);
        let skip: u64 = match request.resume_from.as_deref() {
            None => 0,
            Some(c) => c.parse().map_err(|_| {
                ConnectorError::BadResumePoint(format!("{c:?} is not a line count"))
            })?,
        };
        let mut buf = Vec::new();
        for _ in 0..skip {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
                break;
            }
        }
        self.line = skip;
        self.reader = Some(reader);
        Ok(())
    }

    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError> {
        let Some(mut reader) = self.reader.take() else {
            return Ok(None);
        };
        let mut items = Vec::with_capacity(PAGE);
        let mut buf = Vec::new();
        let mut eof = false;
        while items.len() < PAGE {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| ConnectorError::Io {
                    path: self.path.display().to_string(),
                    message: e.to_string(),
                })?;
            if n == 0 {
                eof = true;
                break;
            }
            self.line += 1;
            let text = String::from_utf8_lossy(&buf);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            items.push(self.map(text));
        }
        if !eof {
            self.reader = Some(reader);
        }
        Ok(Some(Page {
            items,
            checkpoint: (!eof).then(|| self.line.to_string()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(path: &Path, resume: Option<String>) -> Vec<Item> {
        let mut c = JsonlConnector::open(path).expect("open");
        c.start(HarvestRequest {
            since: None,
            resume_from: resume,
        })
        .await
        .expect("start");
        let mut out = vec![];
        while let Some(p) = c.next_page().await.expect("page") {
            out.extend(p.items);
        }
        out
    }

    #[tokio::test]
    async fn lines_become_records_rejections_and_resume_points() {
        let dir = std::env::temp_dir().join(format!("jsonl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("a.jsonl");
        let mut text = String::new();
        for i in 0..1500 {
            text.push_str(&format!(
                "{{\"kind\":\"achievement\",\"title\":\"成果{i}\",\"patents\":[{{\"application_number\":\"201710601862.3\"}}]}}\n"
            ));
        }
        text.push_str("{broken\n{\"kind\":\"need\",\"title\":\"需求\"}\n");
        std::fs::write(&path, text).expect("write");
        let items = all(&path, None).await;
        assert_eq!(items.len(), 1502);
        match &items[0] {
            Item::Record(r) => {
                assert_eq!(r.source_record_id, "line-1");
                assert_eq!(r.patent_numbers, vec!["201710601862.3"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&items[1500], Item::Rejected(e) if e.location == "line 1501"));
        assert!(matches!(&items[1501], Item::Rejected(e) if e.reason.contains("need")));
        let rest = all(&path, Some("1000".into())).await;
        assert_eq!(rest.len(), 502);
        assert!(matches!(&rest[0], Item::Record(r) if r.source_record_id == "line-1001"));
        assert!(JsonlConnector::open(&dir.join("missing.jsonl")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
