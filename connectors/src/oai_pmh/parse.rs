//! What the four OAI-PMH verbs the hub uses answer, read from a decoded response in one streaming
//! pass: Identify, ListSets, ListMetadataFormats and ListRecords (records kept with their raw XML).

use chrono::{DateTime, NaiveDate, Utc};

use super::xml::{drive, path_is, Frame, Handler, OaiError};
use crate::ConnectorError;

/// The datestamp precision a repository supports; `from` must be sent in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// `YYYY-MM-DD`
    Day,
    /// `YYYY-MM-DDThh:mm:ssZ`
    Seconds,
}

impl Granularity {
    /// Formats an instant as this granularity asks (day granularity drops the time of day).
    pub fn format(self, instant: DateTime<Utc>) -> String {
        match self {
            Self::Day => instant.format("%Y-%m-%d").to_string(),
            Self::Seconds => instant.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }

    fn parse(text: &str) -> Result<Self, ConnectorError> {
        match text.trim() {
            "YYYY-MM-DD" => Ok(Self::Day),
            "YYYY-MM-DDThh:mm:ssZ" => Ok(Self::Seconds),
            other => Err(ConnectorError::Malformed(format!(
                "Identify: unknown granularity {other:?}"
            ))),
        }
    }
}

/// How a repository keeps deletions, which decides whether incremental harvests see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedRecordPolicy {
    /// Deletions are not reported.
    No,
    /// Deletions are reported forever.
    Persistent,
    /// Deletions may be reported for a while.
    Transient,
}

/// The Identify answer, as far as harvesting needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyInfo {
    /// `repositoryName`
    pub repository_name: String,
    /// `protocolVersion` (2.0 expected).
    pub protocol_version: String,
    /// `earliestDatestamp` as written.
    pub earliest_datestamp: String,
    /// `deletedRecord`
    pub deleted_record: DeletedRecordPolicy,
    /// `granularity`
    pub granularity: Granularity,
}

/// One metadata element that carries text, e.g. `<dc:title xml:lang="en">…</dc:title>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetadataField {
    /// Name as written (`dc:title`).
    pub name: String,
    /// Name without prefix (`title`).
    pub local_name: String,
    /// `xml:lang`, if given.
    pub lang: Option<String>,
    /// All attributes as written.
    pub attributes: Vec<(String, String)>,
    /// Its own text, trimmed.
    pub value: String,
}

/// The `<header>` of a record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OaiHeader {
    /// OAI identifier, e.g. `oai:imu.edu.cn:123`.
    pub identifier: String,
    /// Datestamp as written.
    pub datestamp: Option<String>,
    /// `setSpec`s.
    pub set_specs: Vec<String>,
    /// `status="deleted"`.
    pub deleted: bool,
}

impl OaiHeader {
    /// The datestamp as an instant (a day datestamp is its midnight UTC), if it parses.
    pub fn datestamp_utc(&self) -> Option<DateTime<Utc>> {
        self.datestamp.as_deref().and_then(parse_datestamp)
    }
}

/// One `<record>` of a ListRecords page, handed to a [`super::MetadataMapping`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OaiRecord {
    /// Its header.
    pub header: OaiHeader,
    /// Text-carrying elements inside `<metadata>`, in document order.
    pub fields: Vec<MetadataField>,
    /// The inner XML of `<metadata>`, for mappings that need structure; `None` when absent.
    pub metadata_xml: Option<String>,
    /// The whole `<record>…</record>` as received, kept for rejected records.
    pub raw: String,
}

/// A parsed ListRecords answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RecordsPage {
    pub(crate) records: Vec<OaiRecord>,
    /// Non-empty resumption token, if more pages follow.
    pub(crate) token: Option<String>,
}

/// Either the verb's answer or the protocol errors the repository sent instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer<T> {
    Ok(T),
    Errors(Vec<OaiError>),
}

/// Parses an instant in either OAI granularity.
pub(crate) fn parse_datestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
}

/// Runs `handler` over `xml`; the verb element must be present unless errors were sent.
fn answer<H: Handler, T>(
    xml: &str,
    verb: &str,
    mut handler: H,
    seen: impl Fn(&H) -> bool,
    finish: impl FnOnce(H) -> Result<T, ConnectorError>,
) -> Result<Answer<T>, ConnectorError> {
    let errors = drive(xml, &mut handler)?;
    if !errors.is_empty() {
        return Ok(Answer::Errors(errors));
    }
    if !seen(&handler) {
        return Err(ConnectorError::Malformed(format!(
            "response has neither <{verb}> nor <error>"
        )));
    }
    finish(handler).map(Answer::Ok)
}

#[derive(Default)]
struct IdentifyHandler {
    seen: bool,
    name: String,
    version: String,
    earliest: String,
    deleted: Option<String>,
    granularity: Option<String>,
}

impl Handler for IdentifyHandler {
    fn start(&mut self, parents: &[Frame], frame: &Frame) -> Result<(), ConnectorError> {
        self.seen |= parents.len() == 1 && frame.local == "Identify";
        Ok(())
    }

    fn end(
        &mut self,
        parents: &[Frame],
        frame: Frame,
        _: usize,
        _: usize,
    ) -> Result<(), ConnectorError> {
        if !path_is(parents, &["Identify"]) {
            return Ok(());
        }
        let text = frame.text.trim().to_owned();
        match frame.local.as_str() {
            "repositoryName" => self.name = text,
            "protocolVersion" => self.version = text,
            "earliestDatestamp" => self.earliest = text,
            "deletedRecord" => self.deleted = Some(text),
            "granularity" => self.granularity = Some(text),
            _ => {}
        }
        Ok(())
    }
}

/// Reads an Identify answer.
pub(crate) fn identify(xml: &str) -> Result<Answer<IdentifyInfo>, ConnectorError> {
    answer(
        xml,
        "Identify",
        IdentifyHandler::default(),
        |h| h.seen,
        |h| {
            let granularity = Granularity::parse(h.granularity.as_deref().ok_or_else(|| {
                ConnectorError::Malformed("Identify has no granularity".to_owned())
            })?)?;
            let deleted_record = match h.deleted.as_deref() {
                Some("no") => DeletedRecordPolicy::No,
                Some("persistent") => DeletedRecordPolicy::Persistent,
                Some("transient") => DeletedRecordPolicy::Transient,
                other => {
                    return Err(ConnectorError::Malformed(format!(
                    "Identify: deletedRecord must be no, persistent or transient, found {other:?}"
                )))
                }
            };
            Ok(IdentifyInfo {
                repository_name: h.name,
                protocol_version: h.version,
                earliest_datestamp: h.earliest,
                deleted_record,
                granularity,
            })
        },
    )
}

#[derive(Default)]
struct ListSetsHandler {
    seen: bool,
    sets: Vec<(String, String)>,
    current: (String, String),
    token: Option<String>,
}

impl Handler for ListSetsHandler {
    fn start(&mut self, parents: &[Frame], frame: &Frame) -> Result<(), ConnectorError> {
        self.seen |= parents.len() == 1 && frame.local == "ListSets";
        if path_is(parents, &["ListSets"]) && frame.local == "set" {
            self.current = Default::default();
        }
        Ok(())
    }

    fn end(
        &mut self,
        parents: &[Frame],
        frame: Frame,
        _: usize,
        _: usize,
    ) -> Result<(), ConnectorError> {
        if path_is(parents, &["ListSets", "set"]) {
            match frame.local.as_str() {
                "setSpec" => self.current.0 = frame.text.trim().to_owned(),
                "setName" => self.current.1 = frame.text.trim().to_owned(),
                _ => {}
            }
        } else if path_is(parents, &["ListSets"]) {
            match frame.local.as_str() {
                "set" => self.sets.push(std::mem::take(&mut self.current)),
                "resumptionToken" => self.token = non_empty(&frame.text),
                _ => {}
            }
        }
        Ok(())
    }
}

/// One ListSets page: (setSpec, setName) pairs and the resumption token.
pub(crate) type SetsPage = (Vec<(String, String)>, Option<String>);

/// Reads a ListSets answer.
pub(crate) fn list_sets(xml: &str) -> Result<Answer<SetsPage>, ConnectorError> {
    answer(
        xml,
        "ListSets",
        ListSetsHandler::default(),
        |h| h.seen,
        |h| Ok((h.sets, h.token)),
    )
}

#[derive(Default)]
struct FormatsHandler {
    seen: bool,
    prefixes: Vec<String>,
}

impl Handler for FormatsHandler {
    fn start(&mut self, parents: &[Frame], frame: &Frame) -> Result<(), ConnectorError> {
        self.seen |= parents.len() == 1 && frame.local == "ListMetadataFormats";
        Ok(())
    }

    fn end(
        &mut self,
        parents: &[Frame],
        frame: Frame,
        _: usize,
        _: usize,
    ) -> Result<(), ConnectorError> {
        if path_is(parents, &["ListMetadataFormats", "metadataFormat"])
            && frame.local == "metadataPrefix"
        {
            self.prefixes.push(frame.text.trim().to_owned());
        }
        Ok(())
    }
}

/// Reads a ListMetadataFormats answer: the metadata prefixes offered.
pub(crate) fn list_metadata_formats(xml: &str) -> Result<Answer<Vec<String>>, ConnectorError> {
    answer(
        xml,
        "ListMetadataFormats",
        FormatsHandler::default(),
        |h| h.seen,
        |h| Ok(h.prefixes),
    )
}

struct RecordsHandler<'x> {
    xml: &'x str,
    seen: bool,
    page: RecordsPage,
    current: OaiRecord,
    in_metadata: bool,
}

impl Handler for RecordsHandler<'_> {
    fn start(&mut self, parents: &[Frame], frame: &Frame) -> Result<(), ConnectorError> {
        self.seen |= parents.len() == 1 && frame.local == "ListRecords";
        if path_is(parents, &["ListRecords"]) && frame.local == "record" {
            self.current = OaiRecord::default();
        } else if path_is(parents, &["ListRecords", "record"]) {
            match frame.local.as_str() {
                "header" => self.current.header.deleted = frame.attr("status") == Some("deleted"),
                "metadata" => self.in_metadata = true,
                _ => {}
            }
        }
        Ok(())
    }

    fn end(
        &mut self,
        parents: &[Frame],
        frame: Frame,
        content_end: usize,
        end: usize,
    ) -> Result<(), ConnectorError> {
        if self.in_metadata && parents.len() > 3 {
            let value = frame.text.trim();
            if !value.is_empty() {
                self.current.fields.push(MetadataField {
                    lang: frame.attr("xml:lang").map(str::to_owned),
                    value: value.to_owned(),
                    name: frame.name,
                    local_name: frame.local,
                    attributes: frame.attrs,
                });
            }
            return Ok(());
        }
        if path_is(parents, &["ListRecords", "record", "header"]) {
            let header = &mut self.current.header;
            let text = frame.text.trim().to_owned();
            match frame.local.as_str() {
                "identifier" => header.identifier = text,
                "datestamp" => header.datestamp = Some(text),
                "setSpec" => header.set_specs.push(text),
                _ => {}
            }
        } else if path_is(parents, &["ListRecords", "record"]) && frame.local == "metadata" {
            self.in_metadata = false;
            let inner = self
                .xml
                .get(frame.content_start..content_end)
                .unwrap_or_default();
            self.current.metadata_xml = Some(inner.to_owned());
        } else if path_is(parents, &["ListRecords"]) {
            match frame.local.as_str() {
                "record" => {
                    let mut record = std::mem::take(&mut self.current);
                    record.raw = self
                        .xml
                        .get(frame.start..end)
                        .unwrap_or_default()
                        .to_owned();
                    self.page.records.push(record);
                }
                "resumptionToken" => self.page.token = non_empty(&frame.text),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Reads a ListRecords answer: every record (with its raw XML) and the resumption token.
pub(crate) fn list_records(xml: &str) -> Result<Answer<RecordsPage>, ConnectorError> {
    let handler = RecordsHandler {
        xml,
        seen: false,
        page: RecordsPage::default(),
        current: OaiRecord::default(),
        in_metadata: false,
    };
    answer(xml, "ListRecords", handler, |h| h.seen, |h| Ok(h.page))
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn identify_xml(granularity: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2024-05-01T00:00:00Z</responseDate>
  <request verb="Identify">http://repo.example.edu/oai</request>
  <Identify>
    <repositoryName>内蒙古大学机构知识库</repositoryName>
    <baseURL>http://repo.example.edu/oai</baseURL>
    <protocolVersion>2.0</protocolVersion>
    <adminEmail>admin@example.edu</adminEmail>
    <earliestDatestamp>2010-01-01</earliestDatestamp>
    <deletedRecord>persistent</deletedRecord>
    <granularity>{granularity}</granularity>
  </Identify>
</OAI-PMH>"#
        )
    }

    #[test]
    fn identify_reads_both_granularities() {
        let Answer::Ok(day) = identify(&identify_xml("YYYY-MM-DD")).unwrap() else {
            panic!("expected an Identify answer")
        };
        assert_eq!(day.granularity, Granularity::Day);
        assert_eq!(day.deleted_record, DeletedRecordPolicy::Persistent);
        assert_eq!(day.earliest_datestamp, "2010-01-01");
        assert_eq!(day.repository_name, "内蒙古大学机构知识库");
        let Answer::Ok(secs) = identify(&identify_xml("YYYY-MM-DDThh:mm:ssZ")).unwrap() else {
            panic!("expected an Identify answer")
        };
        assert_eq!(secs.granularity, Granularity::Seconds);
        assert!(matches!(
            identify(&identify_xml("hourly")),
            Err(ConnectorError::Malformed(m)) if m.contains("hourly")
        ));
    }

    #[test]
    fn granularity_formats_from() {
        let instant = Utc.with_ymd_and_hms(2024, 5, 1, 8, 30, 15).unwrap();
        assert_eq!(Granularity::Day.format(instant), "2024-05-01");
        assert_eq!(Granularity::Seconds.format(instant), "2024-05-01T08:30:15Z");
    }

    #[test]
    fn datestamps_parse_in_both_granularities() {
        assert_eq!(
            parse_datestamp("2024-05-01"),
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            parse_datestamp("2024-05-01T08:30:15Z"),
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 8, 30, 15).unwrap())
        );
        assert_eq!(parse_datestamp("yesterday"), None);
    }

    #[test]
    fn list_records_keeps_fields_raw_and_token() {
        let xml = r#"<OAI-PMH><ListRecords>
<record><header><identifier>oai:x:1</identifier><datestamp>2024-01-02</datestamp><setSpec>a</setSpec><setSpec>b</setSpec></header>
<metadata><oai_dc:dc xmlns:oai_dc="o" xmlns:dc="d"><dc:title xml:lang="zh">稀土永磁 &amp; 电机</dc:title><dc:subject/></oai_dc:dc></metadata></record>
<record><header status="deleted"><identifier>oai:x:2</identifier></header></record>
<resumptionToken completeListSize="9" cursor="0">tok-2</resumptionToken>
</ListRecords></OAI-PMH>"#;
        let Answer::Ok(page) = list_records(xml).unwrap() else {
            panic!("expected records")
        };
        assert_eq!(page.token.as_deref(), Some("tok-2"));
        assert_eq!(page.records.len(), 2);
        let first = &page.records[0];
        assert_eq!(first.header.identifier, "oai:x:1");
        assert_eq!(first.header.set_specs, vec!["a", "b"]);
        assert!(!first.header.deleted);
        assert_eq!(first.fields.len(), 1, "empty elements carry no field");
        assert_eq!(first.fields[0].name, "dc:title");
        assert_eq!(first.fields[0].local_name, "title");
        assert_eq!(first.fields[0].lang.as_deref(), Some("zh"));
        assert_eq!(first.fields[0].value, "稀土永磁 & 电机");
        assert!(first.raw.starts_with("<record><header>"));
        assert!(first.raw.ends_with("</metadata></record>"));
        assert!(first
            .metadata_xml
            .as_deref()
            .unwrap()
            .starts_with("<oai_dc:dc"));
        assert!(page.records[1].header.deleted);
        assert_eq!(page.records[1].metadata_xml, None);
    }

    #[test]
    fn empty_token_means_last_page() {
        let xml = "<OAI-PMH><ListRecords><resumptionToken completeListSize=\"3\"/></ListRecords></OAI-PMH>";
        let Answer::Ok(page) = list_records(xml).unwrap() else {
            panic!("expected records")
        };
        assert_eq!(page.token, None);
    }

    #[test]
    fn errors_replace_the_answer() {
        let xml = r#"<OAI-PMH><error code="noRecordsMatch">none</error></OAI-PMH>"#;
        assert!(
            matches!(list_records(xml).unwrap(), Answer::Errors(e) if e[0].code == "noRecordsMatch")
        );
        assert!(matches!(
            list_records("<OAI-PMH><Identify/></OAI-PMH>"),
            Err(ConnectorError::Malformed(m)) if m.contains("ListRecords")
        ));
    }

    #[test]
    fn sets_and_formats() {
        let xml = r#"<OAI-PMH><ListSets><set><setSpec>patent</setSpec><setName>专利</setName></set>
<set><setSpec>soft</setSpec><setName>软件</setName></set><resumptionToken>s2</resumptionToken></ListSets></OAI-PMH>"#;
        let Answer::Ok((sets, token)) = list_sets(xml).unwrap() else {
            panic!("expected sets")
        };
        assert_eq!(
            sets,
            vec![
                ("patent".to_owned(), "专利".to_owned()),
                ("soft".to_owned(), "软件".to_owned())
            ]
        );
        assert_eq!(token.as_deref(), Some("s2"));
        let xml = r#"<OAI-PMH><ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix><schema>x</schema></metadataFormat>
<metadataFormat><metadataPrefix>mods</metadataPrefix></metadataFormat></ListMetadataFormats></OAI-PMH>"#;
        let Answer::Ok(prefixes) = list_metadata_formats(xml).unwrap() else {
            panic!("expected formats")
        };
        assert_eq!(prefixes, vec!["oai_dc", "mods"]);
    }
}
