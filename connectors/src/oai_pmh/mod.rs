//! OAI-PMH 2.0 harvesting: most university and institute repositories in China (DSpace, EPrints,
//! CSpace) expose their achievements this way. [`OaiPmhConnector`] asks Identify for the
//! repository's datestamp granularity, then pages through ListRecords with resumption tokens (one
//! page per [`Connector::next_page`], the token as checkpoint), mapping each record through the
//! [`MetadataMapping`] of the chosen metadata prefix (built in: [`OaiDcMapping`] for `oai_dc`).
//! Pages are decoded (UTF-8 or GBK), parsed as a stream with DTDs refused, and used whole or not at
//! all; `503 Retry-After` is honoured a bounded number of times.

mod decode;
mod dublin_core;
mod mapping;
mod parse;
mod request;
mod xml;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use dublin_core::OaiDcMapping;
pub use mapping::MetadataMapping;
pub use parse::{
    DeletedRecordPolicy, Granularity, IdentifyInfo, MetadataField, OaiHeader, OaiRecord,
};

use crate::{Connector, ConnectorError, Fetcher, HarvestRequest, Item, Page, RecordError};
use decode::decode_body;
use parse::Answer;
use request::Request;
use xml::OaiError;

/// How many times a `503 Retry-After` is retried before the harvest gives up, unless configured.
pub const DEFAULT_MAX_RETRIES: u32 = 5;

/// The longest a `Retry-After` is honoured, unless configured: a repository asking for an hour
/// must not stall a harvest worker that long.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// At most this many ListSets pages are followed, so a looping repository cannot hang the hub.
const MAX_SET_PAGES: usize = 1000;

/// What to send for the next ListRecords request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    NotStarted,
    /// The first request, with `from` already formatted in the repository's granularity.
    Initial {
        from: Option<String>,
    },
    Token(String),
    Done,
}

/// Harvests one OAI-PMH repository (one metadata prefix, optionally one set) into normalised records.
pub struct OaiPmhConnector {
    base_url: String,
    metadata_prefix: String,
    set: Option<String>,
    fetcher: Arc<dyn Fetcher>,
    mappings: Vec<Arc<dyn MetadataMapping>>,
    max_retries: u32,
    max_retry_wait: Duration,
    identify: Option<IdentifyInfo>,
    cursor: Cursor,
}

impl OaiPmhConnector {
    /// A connector for `base_url`, harvesting `metadata_prefix` records (of `set`, when given)
    /// through the caller's `fetcher`; the `oai_dc` mapping is registered.
    pub fn new(
        base_url: String,
        metadata_prefix: String,
        set: Option<String>,
        fetcher: Arc<dyn Fetcher>,
    ) -> Self {
        Self {
            base_url,
            metadata_prefix,
            set,
            fetcher,
            mappings: vec![Arc::new(OaiDcMapping)],
            max_retries: DEFAULT_MAX_RETRIES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            identify: None,
            cursor: Cursor::NotStarted,
        }
    }

    /// Registers a mapping for its metadata prefix, replacing any earlier one for that prefix.
    pub fn with_mapping(mut self, mapping: Arc<dyn MetadataMapping>) -> Self {
        self.mappings
            .retain(|m| m.metadata_prefix() != mapping.metadata_prefix());
        self.mappings.push(mapping);
        self
    }

    /// Sets how many `503 Retry-After` answers are retried before giving up.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Caps how long one `Retry-After` is waited for.
    pub fn with_max_retry_wait(mut self, max_retry_wait: Duration) -> Self {
        self.max_retry_wait = max_retry_wait;
        self
    }

    /// The Identify answer read by [`Connector::start`], for the harvester's records.
    pub fn identify_info(&self) -> Option<&IdentifyInfo> {
        self.identify.as_ref()
    }

    /// Asks the repository to identify itself (granularity, deletion policy, earliest datestamp).
    pub async fn identify(&self) -> Result<IdentifyInfo, ConnectorError> {
        let xml = self.fetch(&Request::Identify.url(&self.base_url)?).await?;
        match parse::identify(&xml)? {
            Answer::Ok(info) => Ok(info),
            Answer::Errors(errors) => Err(protocol_error(errors)),
        }
    }

    /// Lists the repository's sets as (setSpec, setName), following resumption tokens; a
    /// repository without sets (`noSetHierarchy`) has none.
    pub async fn list_sets(&self) -> Result<Vec<(String, String)>, ConnectorError> {
        let mut sets = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_SET_PAGES {
            let url = Request::ListSets {
                token: token.as_deref(),
            }
            .url(&self.base_url)?;
            let xml = self.fetch(&url).await?;
            let (page, next) = match parse::list_sets(&xml)? {
                Answer::Ok(answer) => answer,
                Answer::Errors(errors) if only(&errors, "noSetHierarchy") => return Ok(sets),
                Answer::Errors(errors) => return Err(protocol_error(errors)),
            };
            sets.extend(page);
            if next.is_some() && next == token {
                return Err(stuck_token());
            }
            match next {
                Some(next) => token = Some(next),
                None => return Ok(sets),
            }
        }
        Err(ConnectorError::Malformed(format!(
            "ListSets still not finished after {MAX_SET_PAGES} pages"
        )))
    }

    /// Lists the metadata prefixes the repository offers (`oai_dc` at least, per the protocol).
    pub async fn list_metadata_formats(&self) -> Result<Vec<String>, ConnectorError> {
        let url = Request::ListMetadataFormats.url(&self.base_url)?;
        let xml = self.fetch(&url).await?;
        match parse::list_metadata_formats(&xml)? {
            Answer::Ok(prefixes) => Ok(prefixes),
            Answer::Errors(errors) if only(&errors, "noMetadataFormats") => Ok(Vec::new()),
            Answer::Errors(errors) => Err(protocol_error(errors)),
        }
    }

    /// The mapping for the configured metadata prefix.
    fn mapping(&self) -> Result<&Arc<dyn MetadataMapping>, ConnectorError> {
        self.mappings
            .iter()
            .find(|m| m.metadata_prefix() == self.metadata_prefix)
            .ok_or_else(|| {
                let known: Vec<&str> = self.mappings.iter().map(|m| m.metadata_prefix()).collect();
                ConnectorError::Config(format!(
                    "no mapping for metadataPrefix {:?}; mappings exist for {}",
                    self.metadata_prefix,
                    known.join(", ")
                ))
            })
    }

    /// GETs `url`, honouring `503 Retry-After` a bounded number of times, and decodes the body.
    async fn fetch(&self, url: &str) -> Result<String, ConnectorError> {
        let mut retries = 0;
        loop {
            let response = self
                .fetcher
                .get(url, &[("Accept", "text/xml, application/xml")])
                .await?;
            if (200..300).contains(&response.status) {
                return decode_body(&response.body, response.content_type.as_deref());
            }
            match response.retry_after_secs {
                Some(secs) if response.status == 503 && retries < self.max_retries => {
                    retries += 1;
                    tokio::time::sleep(Duration::from_secs(secs).min(self.max_retry_wait)).await;
                }
                retry_after_secs => {
                    return Err(ConnectorError::Http {
                        status: response.status,
                        url: url.to_owned(),
                        retry_after_secs,
                    })
                }
            }
        }
    }

    /// Turns one parsed record into an item: deleted, mapped, or rejected with its raw XML.
    fn item(&self, mapping: &dyn MetadataMapping, record: OaiRecord, index: usize) -> Item {
        let id = record.header.identifier.clone();
        let reject = |reason: String, raw: String| {
            Item::Rejected(RecordError {
                record_id: (!id.is_empty()).then(|| id.clone()),
                location: if id.is_empty() {
                    format!("record #{} of the page", index + 1)
                } else {
                    format!("record {id}")
                },
                reason,
                raw,
            })
        };
        if id.is_empty() {
            return reject("header has no identifier".to_owned(), record.raw);
        }
        if record.header.deleted {
            return Item::Deleted {
                source_record_id: id,
                datestamp: record.header.datestamp_utc(),
            };
        }
        if record.metadata_xml.is_none() {
            return reject("record has no <metadata>".to_owned(), record.raw);
        }
        match mapping.map(&record) {
            Ok(mut mapped) => {
                if mapped.title.trim().is_empty() {
                    return reject("title missing".to_owned(), record.raw);
                }
                mapped.source_record_id = id.clone();
                mapped.source_datestamp = record.header.datestamp_utc();
                mapped.sets = record.header.set_specs;
                Item::Record(Box::new(mapped))
            }
            Err(reason) => reject(reason, record.raw),
        }
    }
}

#[async_trait]
impl Connector for OaiPmhConnector {
    fn kind(&self) -> &'static str {
        "oai_pmh"
    }

    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError> {
        self.mapping()?;
        let info = self.identify().await?;
        self.cursor = match request.resume_from.filter(|t| !t.trim().is_empty()) {
            Some(token) => Cursor::Token(token),
            None => Cursor::Initial {
                from: request.since.map(|since| info.granularity.format(since)),
            },
        };
        self.identify = Some(info);
        Ok(())
    }

    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError> {
        let (url, used_token) = match &self.cursor {
            Cursor::NotStarted => {
                return Err(ConnectorError::Config(
                    "next_page called before start".to_owned(),
                ))
            }
            Cursor::Done => return Ok(None),
            Cursor::Initial { from } => {
                let request = Request::ListRecords {
                    prefix: &self.metadata_prefix,
                    set: self.set.as_deref(),
                    from: from.as_deref(),
                };
                (request.url(&self.base_url)?, None)
            }
            Cursor::Token(token) => {
                let request = Request::ResumeRecords { token };
                (request.url(&self.base_url)?, Some(token.clone()))
            }
        };
        let xml = self.fetch(&url).await?;
        let page = match parse::list_records(&xml)? {
            Answer::Ok(page) => page,
            Answer::Errors(errors) if only(&errors, "noRecordsMatch") => {
                self.cursor = Cursor::Done;
                return Ok(Some(Page::default()));
            }
            Answer::Errors(errors) => return Err(protocol_error(errors)),
        };
        if page.token.is_some() && page.token == used_token {
            return Err(stuck_token());
        }
        let mapping = Arc::clone(self.mapping()?);
        let items = page
            .records
            .into_iter()
            .enumerate()
            .map(|(index, record)| self.item(mapping.as_ref(), record, index))
            .collect();
        self.cursor = match &page.token {
            Some(token) => Cursor::Token(token.clone()),
            None => Cursor::Done,
        };
        Ok(Some(Page {
            items,
            checkpoint: page.token,
        }))
    }
}

/// Whether every error carries `code` (and there is at least one).
fn only(errors: &[OaiError], code: &str) -> bool {
    !errors.is_empty() && errors.iter().all(|e| e.code == code)
}

/// The harvest-stopping error for protocol errors: a rejected token is a bad resume point.
fn protocol_error(errors: Vec<OaiError>) -> ConnectorError {
    if let Some(bad) = errors.iter().find(|e| e.code == "badResumptionToken") {
        return ConnectorError::BadResumePoint(bad.message.clone());
    }
    match errors.into_iter().next() {
        Some(first) => ConnectorError::Protocol {
            code: first.code,
            message: first.message,
        },
        None => ConnectorError::Malformed("empty error list".to_owned()),
    }
}

fn stuck_token() -> ConnectorError {
    ConnectorError::Malformed(
        "the repository returned the resumptionToken it was sent; refusing to loop".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, message: &str) -> OaiError {
        OaiError {
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn protocol_errors_map_to_connector_errors() {
        assert_eq!(
            protocol_error(vec![err("badResumptionToken", "expired")]),
            ConnectorError::BadResumePoint("expired".to_owned())
        );
        assert_eq!(
            protocol_error(vec![err("badArgument", "bad from"), err("badVerb", "x")]),
            ConnectorError::Protocol {
                code: "badArgument".to_owned(),
                message: "bad from".to_owned()
            }
        );
        assert!(only(&[err("noRecordsMatch", "")], "noRecordsMatch"));
        assert!(!only(&[], "noRecordsMatch"));
        assert!(!only(
            &[err("noRecordsMatch", ""), err("badArgument", "")],
            "noRecordsMatch"
        ));
    }
}
