//! JSON web APIs described declaratively, so a new institution's API needs a config block, not
//! code: where the record array is, which JSON pointer fills which record field, and how the API
//! pages (page number, offset, or a cursor read from the response).
//!
//! ```toml
//! url = "https://kjc.example.edu.cn/api/achievements"
//! records = "/data/items"          # JSON pointer to the array of records
//! id = "/id"                       # pointer to the record id inside a record
//! max_pages = 1000                 # safety bound on requests per run
//! since_param = "updatedSince"     # optional: sent with incremental harvests
//! [fields]
//! title = "/name"
//! inventors = "/people/*/name"     # `*` walks every element of an array
//! transfer_modes = "/modes"        # arrays or delimited strings ("转让、许可")
//! [pagination]
//! style = "page"                   # or "offset", "cursor", "none"
//! param = "page"
//! start = 1
//! size_param = "pageSize"
//! size = 50
//! ```
//!
//! The checkpoint is the next page number, offset or cursor. A record without a title is
//! rejected at `$.<records>[i]` with the record as raw JSON; a bad value at
//! `$.<records>[i].<field pointer>`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vocabulary::{self, Field};
use crate::{
    Connector, ConnectorError, Fetcher, HarvestRequest, Item, NormalisedRecord, Page, RecordError,
};

/// What to fetch and how to read it; deserialised from a source's TOML block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonApiConfig {
    /// Endpoint URL; pagination parameters are appended to its query string.
    pub url: String,
    /// JSON pointer to the array of records in a response ("" = the response is the array).
    #[serde(default)]
    pub records: String,
    /// JSON pointer to a record's id inside a record.
    pub id: String,
    /// [`NormalisedRecord`] field name (or alias, see [`Field::from_name`]) → JSON pointer
    /// inside a record; `title` is required.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// How the API pages.
    #[serde(default)]
    pub pagination: Pagination,
    /// At most this many requests per run, so a source that never stops paging cannot loop.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
    /// Extra request headers (an API key, `Accept-Language`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameter that carries the incremental lower bound (RFC 3339), if the API has one.
    #[serde(default)]
    pub since_param: Option<String>,
}

/// The default bound on requests per run.
fn default_max_pages() -> u32 {
    10_000
}

/// The first page number when none is configured.
fn default_start() -> u64 {
    1
}

/// The offset parameter's page-size companion when none is configured.
fn default_limit_param() -> String {
    "limit".to_owned()
}

/// How a JSON API pages through its records.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    /// One request returns everything.
    #[default]
    None,
    /// `?{param}=N` from `start`, optionally `&{size_param}={size}`. The last page is the one
    /// with fewer than `size` records, or (without `size`) the first empty one.
    Page {
        /// Page number parameter.
        param: String,
        /// First page number (usually 1, sometimes 0).
        #[serde(default = "default_start")]
        start: u64,
        /// Page size parameter.
        #[serde(default)]
        size_param: Option<String>,
        /// Page size asked for.
        #[serde(default)]
        size: Option<u64>,
    },
    /// `?{param}=K&{limit_param}={limit}`; the last page has fewer than `limit` records.
    Offset {
        /// Offset parameter.
        param: String,
        /// Limit parameter.
        #[serde(default = "default_limit_param")]
        limit_param: String,
        /// Records per request.
        limit: u64,
    },
    /// `?{param}={cursor}` with the next cursor read at pointer `next` in each response; the
    /// last page is the one whose next cursor is null, empty or absent.
    Cursor {
        /// Cursor parameter (left out of the first request).
        param: String,
        /// JSON pointer to the next cursor in a response.
        next: String,
    },
}

impl JsonApiConfig {
    /// Parses a config from TOML (a source's block in the hub's configuration).
    pub fn from_toml_str(text: &str) -> Result<Self, ConnectorError> {
        toml::from_str(text)
            .map_err(|e| ConnectorError::Config(format!("JSON API source config: {e}")))
    }
}

/// A JSON API as a source of achievement records.
pub struct JsonApiConnector {
    config: JsonApiConfig,
    fields: Vec<(Field, String)>,
    fetcher: Arc<dyn Fetcher>,
    /// `$.data.items`, the records array as a location prefix.
    records_path: String,
    position: Position,
    since: Option<DateTime<Utc>>,
    requests: u32,
    done: bool,
}

/// The next request.
#[derive(Debug, Clone, PartialEq)]
enum Position {
    Single,
    Page(u64),
    Offset(u64),
    Cursor(Option<String>),
}

impl JsonApiConnector {
    /// Checks the config (URL, pointers, field names, a title mapping, paging sizes) and builds
    /// the connector; a bad config is `Config`.
    pub fn new(config: JsonApiConfig, fetcher: Arc<dyn Fetcher>) -> Result<Self, ConnectorError> {
        let bad = |m: String| Err(ConnectorError::Config(format!("JSON API source: {m}")));
        let url = config.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return bad(format!("url {url:?} is not an http(s) URL"));
        }
        check_pointer("records", &config.records)?;
        check_pointer("id", &config.id)?;
        if config.id.is_empty() {
            return bad("id must point inside a record, e.g. \"/id\"".to_owned());
        }
        let mut fields = Vec::new();
        for (name, pointer) in &config.fields {
            let field = Field::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                ConnectorError::Config(format!(
                    "JSON API source: fields.{name} is not a record field; use one of {}",
                    names.join(", ")
                ))
            })?;
            check_pointer(&format!("fields.{name}"), pointer)?;
            fields.push((field, pointer.clone()));
        }
        if !fields.iter().any(|(f, _)| *f == Field::Title) {
            return bad("fields.title is required (the pointer to 成果名称)".to_owned());
        }
        if config.max_pages == 0 {
            return bad("max_pages must be at least 1".to_owned());
        }
        match &config.pagination {
            Pagination::Page { size: Some(0), .. } => return bad("page size is 0".to_owned()),
            Pagination::Offset { limit: 0, .. } => return bad("offset limit is 0".to_owned()),
            Pagination::Cursor { next, .. } => check_pointer("pagination.next", next)?,
            _ => {}
        }
        let records_path = json_path("$", &config.records);
        let position = initial_position(&config.pagination);
        Ok(Self {
            config,
            fields,
            fetcher,
            records_path,
            position,
            since: None,
            requests: 0,
            done: false,
        })
    }

    /// The URL of the next request.
    fn request_url(&self) -> String {
        let mut params: Vec<(String, String)> = Vec::new();
        match (&self.config.pagination, &self.position) {
            (
                Pagination::Page {
                    param,
                    size_param,
                    size,
                    ..
                },
                Position::Page(n),
            ) => {
                params.push((param.clone(), n.to_string()));
                if let (Some(size_param), Some(size)) = (size_param, size) {
                    params.push((size_param.clone(), size.to_string()));
                }
            }
            (
                Pagination::Offset {
                    param,
                    limit_param,
                    limit,
                },
                Position::Offset(k),
            ) => {
                params.push((param.clone(), k.to_string()));
                params.push((limit_param.clone(), limit.to_string()));
            }
            (Pagination::Cursor { param, .. }, Position::Cursor(Some(cursor))) => {
                params.push((param.clone(), cursor.clone()));
            }
            _ => {}
        }
        if let (Some(param), Some(since)) = (&self.config.since_param, self.since) {
            params.push((
                param.clone(),
                since.to_rfc3339_opts(SecondsFormat::Secs, true),
            ));
        }
        with_query(self.config.url.trim(), &params)
    }

    /// Maps one record of a response; `index` is its place in the page's array.
    fn map_record(&self, value: &Value, index: usize) -> Item {
        let location = format!("{}[{index}]", self.records_path);
        let id = select(value, &self.config.id)
            .into_iter()
            .find_map(scalar_text)
            .filter(|s| !s.trim().is_empty());
        let reject = |location: String, reason: String| {
            Item::Rejected(RecordError {
                record_id: id.clone(),
                location,
                reason,
                raw: value.to_string(),
            })
        };
        let mut record = NormalisedRecord::default();
        for (field, pointer) in &self.fields {
            // Texts found, each marked whether it was an array element (kept whole) or a
            // string (split on delimiters for list fields).
            let mut texts: Vec<(String, bool)> = Vec::new();
            let starred = pointer_tokens(pointer).iter().any(|t| t == "*");
            for v in select(value, pointer) {
                if let Err(reason) = collect_texts(v, starred, &mut texts) {
                    return reject(
                        json_path(&location, pointer),
                        format!("{}: {reason}", field.name()),
                    );
                }
            }
            let result = if field.is_list() {
                texts.iter().try_for_each(|(text, element)| {
                    if *element {
                        vocabulary::apply_one(&mut record, *field, text)
                    } else {
                        vocabulary::apply(&mut record, *field, text)
                    }
                })
            } else {
                let joined: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
                vocabulary::apply(&mut record, *field, &joined.join("\n"))
            };
            if let Err(e) = result {
                return reject(
                    json_path(&location, pointer),
                    format!("{}: {e}", field.name()),
                );
            }
        }
        let title_pointer = self
            .fields
            .iter()
            .find(|(f, _)| *f == Field::Title)
            .map_or("", |(_, p)| p.as_str());
        if record.title.is_empty() {
            return reject(
                location,
                format!("title missing: nothing at {title_pointer} in this record"),
            );
        }
        let Some(id) = id.clone() else {
            return reject(
                location,
                format!("id missing: nothing at {} in this record", self.config.id),
            );
        };
        record.source_record_id = id;
        vocabulary::complete(&mut record);
        Item::Record(Box::new(record))
    }
}

#[async_trait]
impl Connector for JsonApiConnector {
    fn kind(&self) -> &'static str {
        "json_api"
    }

    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError> {
        self.since = request.since;
        self.requests = 0;
        self.done = false;
        self.position = match request.resume_from {
            None => initial_position(&self.config.pagination),
            Some(resume) => match &self.config.pagination {
                Pagination::None => {
                    return Err(ConnectorError::BadResumePoint(format!(
                        "{resume:?}: this source is not paged"
                    )))
                }
                Pagination::Page { .. } => Position::Page(parse_number(&resume, "page number")?),
                Pagination::Offset { .. } => Position::Offset(parse_number(&resume, "offset")?),
                Pagination::Cursor { .. } => Position::Cursor(Some(resume)),
            },
        };
        Ok(())
    }

    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError> {
        if self.done {
            return Ok(None);
        }
        if self.requests >= self.config.max_pages {
            return Err(ConnectorError::Config(format!(
                "JSON API source {} still had pages after max_pages = {} requests; raise \
                 max_pages if it really has more, or check its pagination settings",
                self.config.url, self.config.max_pages
            )));
        }
        let url = self.request_url();
        let mut headers: Vec<(&str, &str)> = vec![("Accept", "application/json")];
        headers.extend(
            self.config
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let fetched = self.fetcher.get(&url, &headers).await?;
        self.requests += 1;
        if !(200..300).contains(&fetched.status) {
            return Err(ConnectorError::Http {
                status: fetched.status,
                url,
                retry_after_secs: fetched.retry_after_secs,
            });
        }
        let body: Value = serde_json::from_slice(&fetched.body)
            .map_err(|e| ConnectorError::Malformed(format!("invalid JSON from {url}: {e}")))?;
        let records = match body.pointer(&self.config.records) {
            Some(Value::Array(items)) => items.as_slice(),
            Some(Value::Null) => &[],
            Some(other) => {
                return Err(ConnectorError::Malformed(format!(
                    "{} in the response from {url} is {}, not an array of records",
                    self.records_path,
                    kind_of(other)
                )))
            }
            None => {
                return Err(ConnectorError::Malformed(format!(
                    "the response from {url} has no records array at {}",
                    self.records_path
                )))
            }
        };
        let count = records.len() as u64;
        let next = match (&self.config.pagination, &self.position) {
            (Pagination::Page { size, .. }, Position::Page(n)) => {
                (count > 0 && size.is_none_or(|s| count >= s)).then(|| Position::Page(n + 1))
            }
            (Pagination::Offset { limit, .. }, Position::Offset(k)) => {
                (count >= *limit).then(|| Position::Offset(k + count))
            }
            (Pagination::Cursor { next, .. }, Position::Cursor(current)) => {
                match body.pointer(next).and_then(scalar_text) {
                    Some(cursor) if !cursor.is_empty() => {
                        if current.as_deref() == Some(cursor.as_str()) {
                            return Err(ConnectorError::Malformed(format!(
                                "{url} returned its own cursor {cursor:?} as the next one"
                            )));
                        }
                        Some(Position::Cursor(Some(cursor)))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let items: Vec<Item> = records
            .iter()
            .enumerate()
            .map(|(i, v)| self.map_record(v, i))
            .collect();
        let checkpoint = next.as_ref().map(|p| match p {
            Position::Page(n) | Position::Offset(n) => n.to_string(),
            Position::Cursor(c) => c.clone().unwrap_or_default(),
            Position::Single => String::new(),
        });
        match next {
            Some(position) => self.position = position,
            None => self.done = true,
        }
        if items.is_empty() && checkpoint.is_none() {
            return Ok(None);
        }
        Ok(Some(Page { items, checkpoint }))
    }
}

/// Where a fresh harvest starts.
fn initial_position(pagination: &Pagination) -> Position {
    match pagination {
        Pagination::None => Position::Single,
        Pagination::Page { start, .. } => Position::Page(*start),
        Pagination::Offset { .. } => Position::Offset(0),
        Pagination::Cursor { .. } => Position::Cursor(None),
    }
}

/// A resume point that must be a number.
fn parse_number(resume: &str, what: &str) -> Result<u64, ConnectorError> {
    resume.trim().parse().map_err(|_| {
        ConnectorError::BadResumePoint(format!("{resume:?} is not a {what} for this source"))
    })
}

/// Rejects a pointer that is neither empty nor starts with `/`.
fn check_pointer(what: &str, pointer: &str) -> Result<(), ConnectorError> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(ConnectorError::Config(format!(
            "JSON API source: {what} = {pointer:?} is not a JSON pointer (it must start with \
             '/', e.g. \"/name\")"
        )))
    }
}

/// The tokens of a JSON pointer, unescaped (`~1` → `/`, `~0` → `~`).
fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The values a pointer selects; a `*` token walks every element of an array (or object).
fn select<'a>(value: &'a Value, pointer: &str) -> Vec<&'a Value> {
    let mut current = vec![value];
    for token in pointer_tokens(pointer) {
        let mut next = Vec::new();
        for v in current {
            match (v, token.as_str()) {
                (Value::Array(items), "*") => next.extend(items.iter()),
                (Value::Object(map), "*") => next.extend(map.values()),
                (Value::Array(items), t) => {
                    if let Some(item) = t.parse::<usize>().ok().and_then(|i| items.get(i)) {
                        next.push(item);
                    }
                }
                (Value::Object(map), t) => {
                    if let Some(item) = map.get(t) {
                        next.push(item);
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// Text of a scalar JSON value (`None` for null, arrays and objects).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Adds the texts of a value (a scalar or an array of scalars) to `out`, each marked whether
/// it was an array element (`element` says a scalar came out of a `*` walk, which counts too).
fn collect_texts(
    value: &Value,
    element: bool,
    out: &mut Vec<(String, bool)>,
) -> Result<(), String> {
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => items.iter().try_for_each(|item| match item {
            Value::Array(_) | Value::Object(_) => Err(format!(
                "expected text, a number or a list of them; found a list holding {}",
                kind_of(item)
            )),
            other => {
                out.extend(scalar_text(other).map(|t| (t, true)));
                Ok(())
            }
        }),
        Value::Object(_) => Err(
            "expected text, a number or a list of them; found an object (point inside it, \
             e.g. /contact/name)"
                .to_owned(),
        ),
        other => {
            out.extend(scalar_text(other).map(|t| (t, element)));
            Ok(())
        }
    }
}

/// What kind of JSON value this is, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSONPath-like location: `json_path("$", "/data/items")` → `$.data.items`, numeric tokens
/// as `[n]`.
fn json_path(prefix: &str, pointer: &str) -> String {
    let mut path = prefix.to_owned();
    for token in pointer_tokens(pointer) {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{token}]"));
        } else {
            path.push('.');
            path.push_str(&token);
        }
    }
    path
}

/// `url` with `params` appended to its query string, values percent-encoded.
fn with_query(url: &str, params: &[(String, String)]) -> String {
    let mut out = url.to_owned();
    for (name, value) in params {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn select_follows_pointers_and_stars() {
        let v = json!({"a": {"b": [{"n": "x"}, {"n": "y"}, {"m": 1}]}, "k~/": 2});
        assert_eq!(select(&v, "/a/b/1/n"), vec![&json!("y")]);
        assert_eq!(select(&v, "/a/b/*/n"), vec![&json!("x"), &json!("y")]);
        assert_eq!(select(&v, "/k~0~1"), vec![&json!(2)]);
        assert!(select(&v, "/missing").is_empty());
        assert_eq!(select(&v, ""), vec![&v]);
    }

    #[test]
    fn array_items_and_star_walks_stay_whole_strings_split() {
        let config = JsonApiConfig::from_toml_str(
            "url = \"https://x.cn/a\"\nid = \"/id\"\n[fields]\ntitle = \"/t\"\n\
             inventors = \"/people/*/name\"\nkeywords = \"/kw\"\ninstitutions = \"/orgs\"\n",
        )
        .unwrap();
        struct NoFetch;
        #[async_trait]
        impl Fetcher for NoFetch {
            async fn get(
                &self,
                _: &str,
                _: &[(&str, &str)],
            ) -> Result<crate::Fetched, ConnectorError> {
                Err(ConnectorError::Transport("offline".into()))
            }
            async fn post_json(
                &self,
                _: &str,
                _: &Value,
            ) -> Result<crate::Fetched, ConnectorError> {
                Err(ConnectorError::Transport("offline".into()))
            }
        }
        let connector = JsonApiConnector::new(config, Arc::new(NoFetch)).unwrap();
        let value = json!({
            "id": 1, "t": "x",
            "people": [{"name": "Smith, John"}, {"name": "李四"}],
            "kw": "稀土、催化剂",
            "orgs": ["内蒙古大学, 化学学院"]
        });
        let Item::Record(r) = connector.map_record(&value, 0) else {
            panic!()
        };
        assert_eq!(r.inventors, vec!["Smith, John", "李四"]);
        assert_eq!(r.keywords, vec!["稀土", "催化剂"]);
        assert_eq!(r.institutions, vec!["内蒙古大学, 化学学院"]);
        let bad = json!({"id": 2, "t": "y", "kw": {"a": 1}});
        let Item::Rejected(e) = connector.map_record(&bad, 4) else {
            panic!()
        };
        assert_eq!(e.location, "$[4].kw");
        assert!(e.reason.contains("object"), "{}", e.reason);
        let no_id = json!({"t": "z"});
        let Item::Rejected(e) = connector.map_record(&no_id, 0) else {
            panic!()
        };
        assert!(e.reason.contains("id missing"), "{}", e.reason);
    }

    #[test]
    fn paths_and_urls() {
        assert_eq!(json_path("$", "/data/items"), "$.data.items");
        assert_eq!(json_path("$", ""), "$");
        assert_eq!(
            json_path("$.items[3]", "/people/0/name"),
            "$.items[3].people[0].name"
        );
        assert_eq!(
            with_query(
                "https://x.cn/api?type=1",
                &[("cursor".into(), "a+b/c=".into())]
            ),
            "https://x.cn/api?type=1&cursor=a%2Bb%2Fc%3D"
        );
        assert_eq!(
            with_query("https://x.cn/api", &[("page".into(), "2".into())]),
            "https://x.cn/api?page=2"
        );
    }

    #[test]
    fn config_parses_each_pagination_style() {
        let c = JsonApiConfig::from_toml_str(
            "url = \"https://x.cn/a\"\nid = \"/id\"\n[fields]\ntitle = \"/name\"\n\
             [pagination]\nstyle = \"offset\"\nparam = \"skip\"\nlimit = 20\n",
        )
        .unwrap();
        assert_eq!(
            c.pagination,
            Pagination::Offset {
                param: "skip".into(),
                limit_param: "limit".into(),
                limit: 20
            }
        );
        assert_eq!(c.max_pages, 10_000);
        let c = JsonApiConfig::from_toml_str(
            "url = \"https://x.cn/a\"\nid = \"/id\"\n[pagination]\nstyle = \"cursor\"\n\
             param = \"after\"\nnext = \"/meta/next\"\n",
        )
        .unwrap();
        assert!(matches!(c.pagination, Pagination::Cursor { .. }));
        let c = JsonApiConfig::from_toml_str("url = \"https://x.cn/a\"\nid = \"/id\"\n").unwrap();
        assert_eq!(c.pagination, Pagination::None);
        assert!(JsonApiConfig::from_toml_str(
            "url = \"https://x.cn/a\"\nid = \"/id\"\n[pagination]\nstyle = \"pages\"\n"
        )
        .is_err());
        assert!(JsonApiConfig::from_toml_str(
            "url = \"https://x.cn/a\"\nid = \"/id\"\nrecord = \"/x\"\n"
        )
        .is_err());
    }
}
