//! The Meilisearch backend (`search.backend = "meilisearch"`), for deployments that outgrow one
//! machine. The hub owns the index settings: searchable attributes in weight order (title >
//! keywords > summary), filterable and sortable attributes, synonyms and the pagination limit
//! are applied by `prepare` on every start. Meilisearch segments Chinese itself (charabia/jieba).
//! Filters are built from validated values only and quoted, so no input reaches the filter syntax.

use super::index::{
    escape, Facet, FacetCounts, Filters, Highlight, Hit, SearchDoc, SearchError, SearchIndex,
    SearchRequest, SearchResponse, SearchResult, Sort, Visibility,
};
use super::tokenizer::{is_searchable, is_stop_word, jieba, QueryAnalyzer};
use super::understand::{self, QueryTerms};
use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::{
    FederationOptions, MatchingStrategies, MergeFacets, MultiSearchQuery, SearchQuery, Selectors,
};
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
    terms: QueryTerms,
    /// Words added to the segmenter's dictionary (`search.vocabulary`).
    vocabulary: Vec<String>,
    /// Built on the first query, once the vocabulary is known: loading a dictionary is slow.
    analyzer: std::sync::OnceLock<QueryAnalyzer>,
}

/// Weight of one single-word query against the whole query's (1.0) in the any-word search:
/// Meilisearch's own matching strategies never return a document holding only the query's
/// commonest word, so each word is also asked alone and the answers merged by weighted score
/// (federated search), a document keeping its best. Chosen on the tuning part of the generated
/// relevance set (`search-eval --part tuning --meilisearch URL`).
const WORD_WEIGHT: f32 = 0.5;
/// At most this many single-word queries (the query's first distinct words).
const MAX_WORD_QUERIES: usize = 8;

impl MeiliIndex {
    /// Segments queries with `vocabulary` added to the default dictionary (the configured
    /// `search.vocabulary`), as the embedded index does.
    pub fn with_vocabulary(mut self, vocabulary: &[String]) -> Self {
        self.vocabulary = vocabulary.to_vec();
        self
    }

    /// The distinct words of a (normalised, expanded) query worth asking alone: not stop words,
    /// at most `MAX_WORD_QUERIES`.
    fn word_queries(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let analyzer = self
            .analyzer
            .get_or_init(|| QueryAnalyzer::new(jieba(&self.vocabulary)));
        for w in analyzer.words(text) {
            if !is_stop_word(&w) && !out.contains(&w) && out.len() < MAX_WORD_QUERIES {
                out.push(w);
            }
        }
        out
    }

    /// A client for `url` with an optional API key; nothing is sent until `prepare`.
    pub fn new(url: &str, key: &str, uid: &str, synonyms: &[Vec<String>]) -> SearchResult<Self> {
        let key = (!key.is_empty()).then(|| key.to_string());
        let client = Client::new(url.trim_end_matches('/'), key).map_err(backend_err)?;
        Ok(Self {
            client,
            uid: uid.to_string(),
            synonyms: synonyms.to_vec(),
            terms: QueryTerms::default(),
            vocabulary: Vec::new(),
            analyzer: std::sync::OnceLock::new(),
        })
    }

    /// Uses `terms` (the configured bilingual list and abbreviations) instead of the built-in
    /// defaults.
    pub fn with_query_terms(mut self, terms: QueryTerms) -> Self {
        self.terms = terms;
        self
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
            understand::expanded_text(req.text.trim(), &self.terms)
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
        let words = self.word_queries(text);
        if req.sort == Sort::Relevance && words.len() > 1 {
            // Any word may match (BM25's floor, issue 16): the whole query (documents holding
            // more of its words, rarest kept longest) merged with each word alone.
            let mut whole = query_for(&index, text, &filter, req.highlight);
            whole.with_matching_strategy(MatchingStrategies::FREQUENCY);
            let mut multi = MultiSearchQuery::new(&self.client);
            multi.with_search_query_and_weight(whole, 1.0);
            for w in &words {
                multi.with_search_query_and_weight(
                    query_for(&index, w, &filter, req.highlight),
                    WORD_WEIGHT,
                );
            }
            let facets_by_index = (!facet_names.is_empty()).then(|| {
                HashMap::from([(
                    self.uid.clone(),
                    facet_names.iter().map(|f| f.to_string()).collect(),
                )])
            });
            let merge_facets = facets_by_index.as_ref().map(|_| MergeFacets::default());
            let res = multi
                .with_federation(FederationOptions {
                    offset: Some(req.offset),
                    limit: Some(req.limit),
                    facets_by_index,
                    merge_facets,
                })
                .execute::<HashMap<String, Value>>()
                .await
                .map_err(backend_err)?;
            let hits = res
                .hits
                .into_iter()
                .map(|h| {
                    let score = h
                        .federation
                        .as_ref()
                        .map_or(0.0, |f| f64::from(f.weighted_ranking_score));
                    to_hit(h, score)
                })
                .collect::<SearchResult<Vec<Hit>>>()?;
            return Ok(SearchResponse {
                suggestion: None,
                hits,
                total: res.estimated_total_hits as u64,
                facets: facet_counts(req, res.facet_distribution.unwrap_or_default()),
            });
        }
        let mut q = query_for(&index, text, &filter, req.highlight);
        q.with_offset(req.offset)
            .with_limit(req.limit)
            .with_show_ranking_score(true);
        if !facet_names.is_empty() {
            q.with_facets(Selectors::Some(&facet_names));
        }
        if !text.is_empty() {
            // Rarest words kept longest when not every word matches.
            q.with_matching_strategy(MatchingStrategies::FREQUENCY);
        }
        if req.sort == Sort::Recency || text.is_empty() {
            q.with_sort(&sort);
        }
        let res = q
            .execute::<HashMap<String, Value>>()
            .await
            .map_err(backend_err)?;
        let hits = res
            .hits
            .into_iter()
            .map(|h| {
                let score = h.ranking_score.unwrap_or(0.0);
                to_hit(h, score)
            })
            .collect::<SearchResult<Vec<Hit>>>()?;
        Ok(SearchResponse {
            suggestion: None,
            hits,
            total: res.estimated_total_hits.unwrap_or(0) as u64,
            facets: facet_counts(req, res.facet_distribution.unwrap_or_default()),
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

/// One query's shared settings (filter, highlighting); paging and facets are the caller's.
fn query_for<'a>(
    index: &'a meilisearch_sdk::indexes::Index,
    text: &'a str,
    filter: &'a str,
    highlight: bool,
) -> SearchQuery<'a, meilisearch_sdk::reqwest::ReqwestClient> {
    const HIGHLIGHT: [&str; 3] = ["title", "title_en", "keywords"];
    const CROP: [(&str, Option<usize>); 2] = [("summary", Some(40)), ("summary_en", Some(40))];
    let mut q = SearchQuery::new(index);
    q.with_query(text);
    if !filter.is_empty() {
        q.with_filter(filter);
    }
    if highlight && !text.is_empty() {
        q.with_attributes_to_highlight(Selectors::Some(&HIGHLIGHT))
            .with_attributes_to_crop(Selectors::Some(&CROP))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST)
            .with_crop_marker("…");
    }
    q
}

/// One Meilisearch hit as the hub's hit: its id, `score` and the highlighted fields.
fn to_hit(
    h: meilisearch_sdk::search::SearchResult<HashMap<String, Value>>,
    score: f64,
) -> SearchResult<Hit> {
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
    Ok(Hit {
        id,
        score,
        highlights,
    })
}

/// The asked facets' counts from Meilisearch's distribution, most frequent first.
fn facet_counts(
    req: &SearchRequest,
    distribution: HashMap<String, HashMap<String, usize>>,
) -> Vec<FacetCounts> {
    req.facets
        .iter()
        .map(|f: &Facet| {
            let mut values: Vec<(String, u64)> = distribution
                .get(f.attribute())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), *v as u64)).collect())
                .unwrap_or_default();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            FacetCounts { facet: *f, values }
        })
        .collect()
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
