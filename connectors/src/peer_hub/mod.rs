//! Another TransferHub (a peer city's or province's hub) as a source, read through its public
//! GraphQL API: the `achievements` connection, 100 per page, filtered by `updatedSince` for
//! incremental harvests. The query uses the field names of the published SDL
//! (`schema/transferhub.graphql`); a test checks it against that file.
//!
//! The peer's node id becomes the source record id, its organisation's Chinese name the
//! institution, `updatedAt` the source datestamp. The checkpoint is the page's `endCursor`.
//! GraphQL `errors` stop the harvest as [`ConnectorError::Protocol`] with the first error's
//! `extensions.code`; a node that cannot be mapped is rejected on its own.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use transferhub_schema::enums::{AchievementType, TransferMode};

use crate::{
    Connector, ConnectorError, Fetcher, HarvestRequest, Item, NormalisedRecord, Page, RecordError,
};

/// Nodes asked per request (the GraphQL API's maximum page).
pub const PAGE_SIZE: u32 = 100;

/// The query sent to the peer; `$after` is the resume cursor, `$since` the incremental bound.
pub const ACHIEVEMENTS_QUERY: &str = "query PeerAchievements($after: String, $since: DateTime) {
  achievements(first: 100, after: $after, filter: { updatedSince: $since }) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id title titleEn type inventors summary summaryEn keywords
        industry { code }
        ipcCodes maturity transferModes askingPriceYuan
        contact { name phone email }
        regionCode updatedAt
        organisation { key nameZh }
        patents { applicationNumber publicationNumber }
      }
    }
  }
}";

/// Where a node sits in the response, for rejected-record locations.
const EDGES_PATH: &str = "$.data.achievements.edges";

/// A peer TransferHub as a source of achievement records.
pub struct PeerHubConnector {
    graphql_url: String,
    fetcher: Arc<dyn Fetcher>,
    after: Option<String>,
    since: Option<DateTime<Utc>>,
    done: bool,
}

impl PeerHubConnector {
    /// A connector for the peer whose GraphQL endpoint is `graphql_url` (…/graphql).
    pub fn new(graphql_url: String, fetcher: Arc<dyn Fetcher>) -> Self {
        Self {
            graphql_url,
            fetcher,
            after: None,
            since: None,
            done: false,
        }
    }

    /// The request body for the next page.
    fn request_body(&self) -> Value {
        json!({
            "query": ACHIEVEMENTS_QUERY,
            "operationName": "PeerAchievements",
            "variables": {
                "after": self.after,
                "since": self.since.map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true)),
            }
        })
    }
}

#[async_trait]
impl Connector for PeerHubConnector {
    fn kind(&self) -> &'static str {
        "peer_hub"
    }

    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError> {
        self.after = request.resume_from.filter(|c| !c.is_empty());
        self.since = request.since;
        self.done = false;
        Ok(())
    }

    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError> {
        if self.done {
            return Ok(None);
        }
        let url = self.graphql_url.clone();
        let fetched = self.fetcher.post_json(&url, &self.request_body()).await?;
        let ok = (200..300).contains(&fetched.status);
        let body: Option<Value> = serde_json::from_slice(&fetched.body).ok();
        // Transient failures keep their status (and Retry-After) so the harvester can retry.
        let transient = fetched.status == 429 || fetched.status >= 500;
        if !ok && (transient || body.as_ref().and_then(first_error).is_none()) {
            return Err(ConnectorError::Http {
                status: fetched.status,
                url,
                retry_after_secs: fetched.retry_after_secs,
            });
        }
        let body = body.ok_or_else(|| {
            ConnectorError::Malformed(format!("the peer at {url} did not answer with JSON"))
        })?;
        if let Some(error) = first_error(&body) {
            return Err(error);
        }
        let connection = body
            .pointer("/data/achievements")
            .filter(|v| v.is_object())
            .ok_or_else(|| {
                ConnectorError::Malformed(format!(
                    "the peer at {url} answered without data.achievements"
                ))
            })?;
        let has_next = connection
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let end_cursor = connection
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let edges = match connection.get("edges") {
            Some(Value::Array(edges)) => edges.as_slice(),
            Some(Value::Null) | None => &[],
            Some(_) => {
                return Err(ConnectorError::Malformed(format!(
                    "the peer at {url} sent achievements.edges that is not a list"
                )))
            }
        };
        let items: Vec<Item> = edges
            .iter()
            .enumerate()
            .map(|(i, edge)| map_node(edge.get("node").unwrap_or(&Value::Null), i))
            .collect();
        let checkpoint = if has_next {
            let cursor = end_cursor.ok_or_else(|| {
                ConnectorError::Malformed(format!(
                    "the peer at {url} says hasNextPage but sent no endCursor"
                ))
            })?;
            if self.after.as_deref() == Some(cursor.as_str()) {
                return Err(ConnectorError::Malformed(format!(
                    "the peer at {url} returned the cursor it was given ({cursor:?}) as endCursor"
                )));
            }
            Some(cursor)
        } else {
            None
        };
        match &checkpoint {
            Some(cursor) => self.after = Some(cursor.clone()),
            None => self.done = true,
        }
        if items.is_empty() && checkpoint.is_none() {
            return Ok(None);
        }
        Ok(Some(Page { items, checkpoint }))
    }
}

/// The first GraphQL error of a response as a `Protocol` error (`extensions.code`, message).
fn first_error(body: &Value) -> Option<ConnectorError> {
    let first = body.get("errors")?.as_array()?.first()?;
    let code = first
        .pointer("/extensions/code")
        .and_then(Value::as_str)
        .unwrap_or("GRAPHQL_ERROR")
        .to_owned();
    let message = first
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the peer reported an error without a message")
        .to_owned();
    Some(ConnectorError::Protocol { code, message })
}

/// A node as the peer sends it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerNode {
    id: String,
    title: String,
    title_en: Option<String>,
    #[serde(rename = "type")]
    achievement_type: Option<AchievementType>,
    #[serde(default, deserialize_with = "nullable")]
    inventors: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    summary: String,
    summary_en: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    keywords: Vec<String>,
    industry: Option<PeerIndustry>,
    #[serde(default, deserialize_with = "nullable")]
    ipc_codes: Vec<String>,
    maturity: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    transfer_modes: Vec<TransferMode>,
    asking_price_yuan: Option<i64>,
    contact: Option<PeerContact>,
    region_code: Option<String>,
    updated_at: Option<DateTime<Utc>>,
    organisation: Option<PeerOrganisation>,
    #[serde(default, deserialize_with = "nullable")]
    patents: Vec<PeerPatent>,
}

/// `industry { code }`
#[derive(Deserialize)]
struct PeerIndustry {
    code: Option<String>,
}

/// `contact { name phone email }`
#[derive(Deserialize)]
struct PeerContact {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// `organisation { key nameZh }`
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerOrganisation {
    key: Option<String>,
    name_zh: Option<String>,
}

/// `patents { applicationNumber publicationNumber }`
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerPatent {
    application_number: Option<String>,
    publication_number: Option<String>,
}

/// Reads null as the type's default (GraphQL lists are non-null, but a peer may differ).
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Maps the node of edge `index`, or rejects it with the node as raw JSON.
fn map_node(node: &Value, index: usize) -> Item {
    let location = format!("{EDGES_PATH}[{index}].node");
    let record_id = node.get("id").and_then(Value::as_str).map(str::to_owned);
    let reject = |reason: String| {
        Item::Rejected(RecordError {
            record_id: record_id.clone(),
            location: location.clone(),
            reason,
            raw: node.to_string(),
        })
    };
    let peer: PeerNode = match PeerNode::deserialize(node) {
        Ok(peer) => peer,
        Err(e) => return reject(format!("node does not match the TransferHub schema: {e}")),
    };
    if peer.id.trim().is_empty() {
        return reject("id is empty".to_owned());
    }
    if peer.title.trim().is_empty() {
        return reject("title is empty".to_owned());
    }
    let trl = match peer.maturity {
        None => None,
        Some(level @ 1..=9) => u8::try_from(level).ok(),
        Some(level) => return reject(format!("maturity {level} is not a TRL from 1 to 9")),
    };
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let contact = peer.contact.unwrap_or(PeerContact {
        name: None,
        phone: None,
        email: None,
    });
    let (org_key, org_name) = peer
        .organisation
        .map_or((None, None), |o| (non_empty(o.key), non_empty(o.name_zh)));
    let mut record = NormalisedRecord {
        source_record_id: peer.id,
        source_datestamp: peer.updated_at,
        sets: org_key.into_iter().collect(),
        title: peer.title.trim().to_owned(),
        title_en: non_empty(peer.title_en),
        achievement_type: peer.achievement_type,
        institutions: org_name.into_iter().collect(),
        inventors: peer.inventors,
        summary: peer.summary,
        summary_en: non_empty(peer.summary_en),
        keywords: peer.keywords,
        industry_code: non_empty(peer.industry.and_then(|i| i.code)),
        ipc_codes: peer.ipc_codes,
        trl,
        transfer_modes: peer.transfer_modes,
        asking_price_yuan: peer.asking_price_yuan,
        contact_name: non_empty(contact.name),
        contact_phone: non_empty(contact.phone),
        contact_email: non_empty(contact.email),
        region_code: non_empty(peer.region_code),
        patent_numbers: Vec::new(),
        publication_numbers: Vec::new(),
        source_url: None,
        origin: None,
    };
    for patent in peer.patents {
        record
            .patent_numbers
            .extend(non_empty(patent.application_number));
        record
            .publication_numbers
            .extend(non_empty(patent.publication_number));
    }
    crate::vocabulary::complete(&mut record);
    Item::Record(Box::new(record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Field name → base type name of each `type`/`input` block in the SDL.
    fn sdl_types(sdl: &str) -> HashMap<String, HashMap<String, String>> {
        let mut types = HashMap::new();
        let mut current: Option<(String, HashMap<String, String>)> = None;
        for line in sdl.lines() {
            let trimmed = line.trim();
            if let Some(rest) = trimmed
                .strip_prefix("type ")
                .or_else(|| trimmed.strip_prefix("input "))
            {
                if trimmed.ends_with('{') {
                    let name = rest.split_whitespace().next().unwrap_or("").to_owned();
                    current = Some((name, HashMap::new()));
                    continue;
                }
            }
            if trimmed == "}" {
                if let Some((name, fields)) = current.take() {
                    types.insert(name, fields);
                }
                continue;
            }
            if let Some((_, fields)) = current.as_mut() {
                if line.starts_with('\t') && !trimmed.starts_with('"') {
                    let name_end = trimmed.find(['(', ':']).unwrap_or(trimmed.len());
                    let name = trimmed[..name_end].trim().to_owned();
                    let ty = trimmed
                        .rsplit(':')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['[', ']', '!', ' '])
                        .split(['!', ']', ' '])
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    if !name.is_empty() && !name.contains(' ') {
                        fields.insert(name, ty);
                    }
                }
            }
        }
        types
    }

    /// Checks a selection set against the SDL, returning the fields it does not have.
    fn check_selection(
        tokens: &[String],
        pos: &mut usize,
        ty: &str,
        types: &HashMap<String, HashMap<String, String>>,
        missing: &mut Vec<String>,
    ) {
        let fields = types.get(ty).cloned().unwrap_or_default();
        let mut last_type: Option<String> = None;
        while *pos < tokens.len() {
            let token = tokens[*pos].clone();
            *pos += 1;
            match token.as_str() {
                "}" => return,
                "{" => {
                    let sub = last_type.clone().unwrap_or_default();
                    check_selection(tokens, pos, &sub, types, missing);
                }
                name => match fields.get(name) {
                    Some(t) => last_type = Some(t.clone()),
                    None => {
                        missing.push(format!("{ty}.{name}"));
                        last_type = None;
                    }
                },
            }
        }
    }

    #[test]
    fn query_uses_only_fields_of_the_published_sdl() {
        let types = sdl_types(transferhub_schema::GRAPHQL_SDL);
        assert!(types.contains_key("Achievement"), "SDL parsed: {types:?}");
        // Strip the operation header and the arguments, keeping names and braces.
        let body = ACHIEVEMENTS_QUERY
            .split_once('{')
            .map(|(_, b)| b)
            .unwrap_or_default();
        let mut without_args = String::new();
        let mut depth = 0;
        for c in body.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth > 0 => {}
                '{' | '}' => {
                    without_args.push(' ');
                    without_args.push(c);
                    without_args.push(' ');
                }
                _ => without_args.push(c),
            }
        }
        let tokens: Vec<String> = without_args.split_whitespace().map(str::to_owned).collect();
        let mut missing = Vec::new();
        let mut pos = 0;
        check_selection(&tokens, &mut pos, "QueryRoot", &types, &mut missing);
        assert!(missing.is_empty(), "not in the SDL: {missing:?}");
        assert_eq!(
            types["AchievementFilter"]
                .get("updatedSince")
                .map(String::as_str),
            Some("DateTime")
        );
        let args = &transferhub_schema::GRAPHQL_SDL;
        assert!(args.contains(
            "achievements(first: Int, after: String, filter: AchievementFilter): AchievementConnection!"
        ));
    }

    #[test]
    fn the_sdl_checker_notices_a_wrong_field() {
        let types = sdl_types(transferhub_schema::GRAPHQL_SDL);
        let tokens: Vec<String> = "achievements { edges { node { id maturityLevel } } }"
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let mut missing = Vec::new();
        check_selection(&tokens, &mut 0, "QueryRoot", &types, &mut missing);
        assert_eq!(missing, vec!["Achievement.maturityLevel".to_owned()]);
    }

    #[test]
    fn maps_a_full_node() {
        let node = json!({
            "id": "QWNoaWV2ZW1lbnQ6NDI=", "title": " 高效催化剂 ", "titleEn": "Catalyst",
            "type": "PATENT", "inventors": ["张三"], "summary": "简介", "summaryEn": null,
            "keywords": ["催化"], "industry": {"code": "C2661"}, "ipcCodes": ["B01J 23/00"],
            "maturity": 6, "transferModes": ["LICENCE", "ASSIGNMENT"], "askingPriceYuan": 500000,
            "contact": {"name": "李老师", "phone": "0471-1234567", "email": null},
            "regionCode": "150100", "updatedAt": "2024-05-01T00:00:00Z",
            "organisation": {"key": "imu", "nameZh": "内蒙古大学"},
            "patents": [{"applicationNumber": "201710601862.3", "publicationNumber": "CN107000000A"}]
        });
        let Item::Record(r) = map_node(&node, 0) else {
            panic!()
        };
        assert_eq!(r.source_record_id, "QWNoaWV2ZW1lbnQ6NDI=");
        assert_eq!(r.title, "高效催化剂");
        assert_eq!(r.institutions, vec!["内蒙古大学"]);
        assert_eq!(r.sets, vec!["imu"]);
        assert_eq!(r.trl, Some(6));
        assert_eq!(r.industry_code.as_deref(), Some("C2661"));
        assert_eq!(
            r.transfer_modes,
            vec![TransferMode::Licence, TransferMode::Assignment]
        );
        assert_eq!(r.contact_email, None);
        assert_eq!(r.patent_numbers, vec!["201710601862.3"]);
        assert_eq!(r.publication_numbers, vec!["CN107000000A"]);
        assert_eq!(
            r.source_datestamp.map(|d| d.to_rfc3339()),
            Some("2024-05-01T00:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn rejects_nodes_it_cannot_map() {
        for (node, reason) in [
            (
                json!({"id": "a", "title": "t", "maturity": 12}),
                "maturity 12",
            ),
            (json!({"id": "a", "title": "  "}), "title is empty"),
            (json!({"id": "a", "title": "t", "type": "ROCKET"}), "ROCKET"),
            (json!({"title": "t"}), "missing field `id`"),
        ] {
            let Item::Rejected(e) = map_node(&node, 3) else {
                panic!("{node}")
            };
            assert_eq!(e.location, "$.data.achievements.edges[3].node");
            assert!(e.reason.contains(reason), "{}", e.reason);
            assert_eq!(e.raw, node.to_string());
        }
    }
}
