//! The Meilisearch backend (`search.backend = "meilisearch"`), for deployments that outgrow one
//! machine. The hub owns the index settings: searchable attributes in weight order (title >
//! keywords > summary), filterable and sortable attributes, synonyms and the pagination limit
//! are applied by `prepare` on every start. Meilisearch segments Chinese itself (charabia/jieba).
//! Filters are built from validated values only and quoted, so no input reaches the filter syntax.

use super::index::{
    escape, Facet, FacetCounts, Filters, Highlight, Hit, SearchDoc, SearchError, SearchIndex,
    SearchRequest, SearchResponse, SearchResult, Sort, Visibility,
};
use super::tokenizer::is_searchable;
use super::understand;
use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{PaginationSetting, Settings};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// Searchable attributes, most important first (Meilisearch ranks by this order).
const SEARCHABLE: [&str; 7] = [
    "title",
    "keywords",
    "title_en",
    "summary",
    "inventors",
    "organisation_name",
    "summary_en",
];

/// Attributes filters and facets use.
const FILTERABLE: [&str; 12] = [
    "status",
    "organisation_id",
    "organisation",
    "achievement_type",
    "industry",
    "industry_section",
    "maturity",
    "trl",
    "transfer_modes",
    "region",
    "region_prefecture",
    "collections",
];

/// Highest offset + limit a search may reach (also the engine's `maxTotalHits`).
const MAX_TOTAL_HITS: usize = 10_100;

/// Private-use characters stand in for highlight tags until the text is escaped.
const PRE: &str = "\u{E000}";
const POST: &str = "\u{E001}";

fn backend_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Backend(e.to_string())
}

/// A Meilisearch index of achievements.
pub struct MeiliIndex {
    client: Client,
    uid: String,
    synonyms: Vec<Vec<String>>,
    bilingual: Vec<(String, String)>,
}

impl MeiliIndex {
    /// A client for `url` with an optional API key; nothing is sent until `prepare`.
    pub fn new(url: &str, key: &str, uid: &str, synonyms: &[Vec<String>]) -> SearchResult<Self> {
        let key = (!key.is_empty()).then(|| key.to_string());
        let client = Client::new(url.trim_end_matches('/'), key).map_err(backend_err)?;
        Ok(Self {
            client,
            uid: uid.to_string(),
            synonyms: synonyms.to_vec(),
            bilingual: understand::default_bilingual(),
        })
    }

    async fn wait(&self, task: TaskInfo) -> SearchResult<()> {
        let done = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(Duration::from_secs(300)),
            )
            .await
            .map_err(backend_err)?;
        if let Task::Failed { content } = done {
            return Err(backend_err(format!("task failed: {}", content.error)));
        }
        Ok(())
    }

    async fn ensure_index(&self, uid: &str) -> SearchResult<()> {
        match self.client.get_index(uid).await {
            Ok(_) => return Ok(()),
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {}
            Err(e) => return Err(backend_err(e)),
        }
        let task = self
            .client
            .create_index(uid, Some("id"))
            .await
            .map_err(backend_err)?;
        self.wait(task).await
    }

    fn synonym_map(&self) -> HashMap<String, Vec<String>> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for group in &self.synonyms {
            for term in group {
                let others: Vec<String> = group.iter().filter(|t| *t != term).cloned().collect();
                map.entry(term.clone()).or_default().extend(others);
            }
        }
        map
    }

    fn meta_uid(&self) -> String {
        format!("{}_meta", self.uid)
    }
}

/// A filter value in double quotes, with quotes and backslashes escaped.
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The Meilisearch filter expression for a request.
pub fn filter_expression(filters: &Filters, visibility: Visibility) -> String {
    let mut parts: Vec<String> = Vec::new();
    match visibility {
        Visibility::All => {}
        Visibility::Published => parts.push("status = \"PUBLISHED\"".into()),
        Visibility::PublishedOrOrganisation(org) => parts.push(format!(
            "(status = \"PUBLISHED\" OR organisation_id = {org})"
        )),
    }
    let pairs = [
        ("organisation", &filters.organisation),
        ("achievement_type", &filters.achievement_type),
        ("industry", &filters.industry),
        ("transfer_modes", &filters.transfer_mode),
        ("region", &filters.region),
        ("collections", &filters.collection),
    ];
    for (attr, value) in pairs {
        if let Some(v) = value {
            parts.push(format!("{attr} = {}", quoted(v)));
        }
    }
    if filters.maturity_min.is_some() || filters.maturity_max.is_some() {
        let lo = filters.maturity_min.unwrap_or(1).max(1);
        let hi = filters.maturity_max.unwrap_or(9);
        parts.push(format!("trl {lo} TO {hi}"));
    }
    parts.join(" AND ")
}

/// Turns a `_formatted` value into an escaped snippet, if it holds a highlighted match.
fn snippet(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| s.contains(PRE))
            .collect::<Vec<_>>()
            .join("、"),
        _ => return None,
    };
    text.contains(PRE).then(|| {
        escape(&text)
            .replace(PRE, "<mark>")
            .replace(POST, "</mark>")
    })
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn prepare(&self) -> SearchResult<()> {
        self.ensure_index(&self.uid).await?;
        self.ensure_index(&self.meta_uid()).await?;
        let settings = Settings::new()
            .with_searchable_attributes(SEARCHABLE)
            .with_filterable_attributes(FILTERABLE)
            .with_sortable_attributes(["recency"])
            .with_synonyms(self.synonym_map())
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_TOTAL_HITS,
            });
        let task = self
            .client
            .index(&self.uid)
            .set_settings(&settings)
            .await
            .map_err(backend_err)?;
        self.wait(task).await
    }

    async fn apply(&self, upserts: Vec<SearchDoc>, deletes: Vec<i64>) -> SearchResult<()> {
        let index = self.client.index(&self.uid);
        if !deletes.is_empty() {
            let task = index
                .delete_documents(&deletes)
                .await
                .map_err(backend_err)?;
            self.wait(task).await?;
        }
        if !upserts.is_empty() {
            let task = index
                .add_or_replace(&upserts, Some("id"))
                .await
                .map_err(backend_err)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn clear(&self) -> SearchResult<()> {
        let task = self
            .client
            .index(&self.uid)
            .delete_all_documents()
            .await
            .map_err(backend_err)?;
        self.wait(task).await
    }

    async fn search(&self, req: &SearchRequest) -> SearchResult<SearchResponse> {
        let expanded = if req.text.trim().is_empty() {
            String::new()
        } else {
            understand::expanded_text(req.text.trim(), &self.bilingual)
        };
        let text = expanded.as_str();
        if !text.is_empty() && !is_searchable(text) {
            return Ok(SearchResponse {
                suggestion: None,
                hits: Vec::new(),
                total: 0,
                facets: req
                    .facets
                    .iter()
                    .map(|f| FacetCounts {
                        facet: *f,
                        values: Vec::new(),
                    })
                    .collect(),
            });
        }
        if req.offset + req.limit > MAX_TOTAL_HITS {
            return Err(SearchError::BadQuery {
                field: "after".into(),
                message: format!("results beyond the first {MAX_TOTAL_HITS} cannot be paged to"),
            });
        }
        let index = self.client.index(&self.uid);
        let filter = filter_expression(&req.filters, req.visibility);
        let facet_names: Vec<&str> = req.facets.iter().map(|f| f.attribute()).collect();
        let sort = ["recency:desc"];
        let highlight = ["title", "title_en", "keywords"];
        let crop = [("summary", Some(40)), ("summary_en", Some(40))];
        let mut q = index.search();
        q.with_query(text)
            .with_offset(req.offset)
            .with_limit(req.limit)
            .with_show_ranking_score(true);
        if !filter.is_empty() {
            q.with_filter(&filter);
        }
        if !facet_names.is_empty() {
            q.with_facets(Selectors::Some(&facet_names));
        }
        if !text.is_empty() {
            // Any of the words may match (BM25's floor, issue 16): documents matching fewer of
            // them still rank, rare words kept longest.
            q.with_matching_strategy(MatchingStrategies::FREQUENCY);
        }
        if req.sort == Sort::Recency || text.is_empty() {
            q.with_sort(&sort);
        }
        if req.highlight && !text.is_empty() {
            q.with_attributes_to_highlight(Selectors::Some(&highlight))
                .with_attributes_to_crop(Selectors::Some(&crop))
                .with_highlight_pre_tag(PRE)
                .with_highlight_post_tag(POST)
                .with_crop_marker("…");
        }
        let res = q
            .execute::<HashMap<String, Value>>()
            .await
            .map_err(backend_err)?;
        let mut hits = Vec::with_capacity(res.hits.len());
        for h in res.hits {
            let id = h
                .result
                .get("id")
                .and_then(Value::as_i64)
                .ok_or_else(|| backend_err("hit without numeric id"))?;
            let mut highlights = Vec::new();
            if let Some(f) = &h.formatted_result {
                for (attr, name) in [
                    ("title", "title"),
                    ("title_en", "titleEn"),
                    ("keywords", "keywords"),
                    ("summary", "summary"),
                    ("summary_en", "summaryEn"),
                ] {
                    if let Some(s) = f.get(attr).and_then(snippet) {
                        highlights.push(Highlight {
                            field: name.into(),
                            snippet: s,
                        });
                    }
                }
            }
            hits.push(Hit {
                id,
                score: h.ranking_score.unwrap_or(0.0),
                highlights,
            });
        }
        let distribution = res.facet_distribution.unwrap_or_default();
        let facets = req
            .facets
            .iter()
            .map(|f: &Facet| {
                let mut values: Vec<(String, u64)> = distribution
                    .get(f.attribute())
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), *v as u64)).collect())
                    .unwrap_or_default();
                values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                FacetCounts { facet: *f, values }
            })
            .collect();
        Ok(SearchResponse {
            suggestion: None,
            hits,
            total: res.estimated_total_hits.unwrap_or(0) as u64,
            facets,
        })
    }

    async fn count(&self) -> SearchResult<u64> {
        let stats = self
            .client
            .index(&self.uid)
            .get_stats()
            .await
            .map_err(backend_err)?;
        Ok(stats.number_of_documents as u64)
    }

    async fn fingerprint(&self) -> SearchResult<Option<String>> {
        match self
            .client
            .index(self.meta_uid())
            .get_document::<HashMap<String, Value>>("fingerprint")
            .await
        {
            Ok(doc) => Ok(doc.get("value").and_then(Value::as_str).map(str::to_string)),
            Err(MeiliError::Meilisearch(e))
                if matches!(
                    e.error_code,
                    ErrorCode::DocumentNotFound | ErrorCode::IndexNotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn set_fingerprint(&self, fingerprint: &str) -> SearchResult<()> {
        let doc = serde_json::json!({ "id": "fingerprint", "value": fingerprint });
        let task = self
            .client
            .index(self.meta_uid())
            .add_or_replace(&[doc], Some("id"))
            .await
            .map_err(backend_err)?;
        self.wait(task).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted_and_combined() {
        let f = Filters {
            organisation: Some("im\"u".into()),
            maturity_min: Some(5),
            collection: Some("clean-energy".into()),
            ..Default::default()
        };
        let e = filter_expression(&f, Visibility::PublishedOrOrganisation(7));
        assert_eq!(
            e,
            "(status = \"PUBLISHED\" OR organisation_id = 7) AND organisation = \"im\\\"u\" AND collections = \"clean-energy\" AND trl 5 TO 9"
        );
        assert_eq!(filter_expression(&Filters::default(), Visibility::All), "");
    }

    #[test]
    fn formatted_values_become_escaped_snippets() {
        let v = Value::String(format!("a<{PRE}锂电池{POST}>"));
        assert_eq!(snippet(&v).as_deref(), Some("a&lt;<mark>锂电池</mark>&gt;"));
        assert_eq!(snippet(&Value::String("none".into())), None);
    }
}
