//! Search logic free of GraphQL types: the `Search` handle (backend + store + settings), input
//! validation, the visibility rule, turning stored achievements into index documents, loading
//! hits back from the store, rebuilding the index, and the settings fingerprint that makes a
//! changed vocabulary, synonym list or collection definition rebuild the index on start.

use super::index::{
    Facet, FacetCounts, Filters, Highlight, SearchDoc, SearchError, SearchIndex, SearchRequest,
    Sort, Visibility,
};
use super::meili_backend::MeiliIndex;
use super::tantivy_backend::{TantivyIndex, SCHEMA_VERSION};
use super::understand::QueryTerms;
use super::{collections, outbox};
use crate::app::config::Config;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::search::config::{CollectionConfig, SearchConfig};
use crate::validate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use transferhub_schema::entity::{achievement, organisation};
use transferhub_schema::enums::{AchievementType, TransferMode};
use transferhub_schema::types::RegionCode;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Deepest result reachable by paging.
pub const MAX_OFFSET: usize = 10_000;

/// The search subsystem of one process.
pub struct Search {
    index: Arc<dyn SearchIndex>,
    db: DatabaseConnection,
    config: SearchConfig,
    fingerprint: String,
    outbox: outbox::Reader,
}

/// Writer memory for the serving process (small batches) and for `reindex` (bulk).
const SERVE_WRITER_BYTES: usize = 64_000_000;
const BULK_WRITER_BYTES: usize = 512_000_000;

/// Where the embedded index lives.
pub fn index_dir(config: &Config) -> PathBuf {
    PathBuf::from(&config.storage.data_dir).join("search")
}

impl Search {
    /// Opens the configured backend for a serving process.
    pub fn open(db: DatabaseConnection, config: &Config) -> Result<Arc<Self>, SearchError> {
        Self::open_with(db, config, SERVE_WRITER_BYTES, 1)
    }

    /// Opens the configured backend with a large writer, for rebuilding.
    pub fn open_bulk(db: DatabaseConnection, config: &Config) -> Result<Arc<Self>, SearchError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        Self::open_with(db, config, BULK_WRITER_BYTES, threads)
    }

    fn open_with(
        db: DatabaseConnection,
        config: &Config,
        heap: usize,
        threads: usize,
    ) -> Result<Arc<Self>, SearchError> {
        let c = &config.search;
        let dir = index_dir(config);
        let index: Arc<dyn SearchIndex> = match c.backend.as_str() {
            "meilisearch" => Arc::new(
                MeiliIndex::new(
                    &c.meilisearch_url,
                    &c.meilisearch_key,
                    &c.meilisearch_index,
                    &c.synonyms,
                )?
                .with_vocabulary(&c.vocabulary)
                .with_query_terms(QueryTerms::from_config(c)),
            ),
            _ => Arc::new(TantivyIndex::open_configured(&dir, c, heap, threads)?),
        };
        let reader = outbox::Reader::for_backend(
            index.backend(),
            &db,
            &dir,
            c.outbox_settle_secs,
            c.outbox_retention_secs,
        );
        let mut search = Self::with_index(db, c.clone(), index);
        search.outbox = reader;
        Ok(Arc::new(search))
    }

    /// Wraps an already opened backend (tests, the contract suite); it consumes the outbox by
    /// claiming and deleting rows, as a single process or a shared engine does.
    pub fn with_index(
        db: DatabaseConnection,
        config: SearchConfig,
        index: Arc<dyn SearchIndex>,
    ) -> Self {
        let fingerprint = fingerprint(index.backend(), &config);
        Self {
            index,
            db,
            config,
            fingerprint,
            outbox: outbox::Reader::Claim,
        }
    }

    /// How this process consumes the search outbox.
    pub fn outbox(&self) -> &outbox::Reader {
        &self.outbox
    }

    /// The backend.
    pub fn index(&self) -> &dyn SearchIndex {
        self.index.as_ref()
    }

    /// The store.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The search settings.
    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// The configured thematic collections.
    pub fn collections(&self) -> &[CollectionConfig] {
        &self.config.collections
    }

    /// Starts the background indexer when a Tokio runtime is running.
    pub fn spawn_indexer(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        tokio::runtime::Handle::try_current()
            .ok()
            .map(|_| outbox::spawn(self.clone()))
    }
}

/// A hash of everything that decides how records are indexed.
pub fn fingerprint(backend: &str, c: &SearchConfig) -> String {
    #[derive(Serialize)]
    struct Basis<'a> {
        schema: u32,
        backend: &'a str,
        vocabulary: &'a [String],
        synonyms: &'a [Vec<String>],
        collections: &'a [CollectionConfig],
    }
    let basis = Basis {
        schema: SCHEMA_VERSION,
        backend,
        vocabulary: &c.vocabulary,
        synonyms: &c.synonyms,
        collections: &c.collections,
    };
    let json = serde_json::to_vec(&basis).unwrap_or_default();
    hex::encode(&Sha256::digest(&json)[..12])
}

/// Spelling of an enum as GraphQL and the index write it (`PATENT`).
fn spelled<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// An index document for a stored achievement.
pub fn document(
    a: &achievement::Model,
    org: Option<&organisation::Model>,
    cols: &[CollectionConfig],
) -> SearchDoc {
    let keywords = json_list(&a.keywords);
    let ipcs = json_list(&a.ipc_codes);
    let industry: Vec<String> = [
        &a.industry_section,
        &a.industry_division,
        &a.industry_group,
        &a.industry_code,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect::<BTreeSet<String>>()
    .into_iter()
    .collect();
    let region_code = a
        .region_code
        .as_deref()
        .and_then(|r| RegionCode::parse(r).ok());
    let (region, region_prefecture) = match &region_code {
        Some(r) => {
            let levels: BTreeSet<String> = [
                r.province().as_str().to_string(),
                r.prefecture().as_str().to_string(),
                r.as_str().to_string(),
            ]
            .into_iter()
            .collect();
            (
                levels.into_iter().collect(),
                r.prefecture().as_str().to_string(),
            )
        }
        None => (Vec::new(), String::new()),
    };
    SearchDoc {
        id: a.id,
        title: a.title.clone(),
        title_en: a.title_en.clone().unwrap_or_default(),
        collections: collections::memberships(
            cols,
            a.industry_code.as_deref(),
            &ipcs,
            &a.title,
            &keywords,
        ),
        keywords,
        summary: a.summary.clone(),
        summary_en: a.summary_en.clone().unwrap_or_default(),
        inventors: json_list(&a.inventors),
        organisation: org.map(|o| o.key.clone()).unwrap_or_default(),
        organisation_name: org.map(|o| o.name_zh.clone()).unwrap_or_default(),
        organisation_id: a.organisation_id,
        achievement_type: spelled(&a.achievement_type),
        industry,
        industry_section: a.industry_section.clone().unwrap_or_default(),
        maturity: a.trl.map(|t| t.to_string()).unwrap_or_default(),
        trl: a.trl.map_or(0, i64::from),
        transfer_modes: TransferMode::from_mask(a.transfer_modes)
            .iter()
            .map(spelled)
            .collect(),
        region,
        region_prefecture,
        status: spelled(&a.status),
        recency: a.published_at.unwrap_or(a.updated_at).timestamp(),
    }
}

/// Documents for the achievements among `ids` that still exist.
pub async fn documents(
    db: &DatabaseConnection,
    cols: &[CollectionConfig],
    ids: &BTreeSet<i64>,
) -> AppResult<Vec<SearchDoc>> {
    let rows = achievement::Entity::find()
        .filter(achievement::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let org_ids: BTreeSet<i64> = rows.iter().map(|a| a.organisation_id).collect();
    let orgs: HashMap<i64, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(rows
        .iter()
        .map(|a| document(a, orgs.get(&a.organisation_id), cols))
        .collect())
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy)]
pub struct RebuildReport {
    /// Documents indexed.
    pub documents: u64,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Rebuilds the index from the store in pages of `page` records, calling `progress` with the
/// running count. Outbox rows present before the rebuild started are covered and removed.
pub async fn rebuild(
    search: &Search,
    page: usize,
    mut progress: impl FnMut(u64),
) -> AppResult<RebuildReport> {
    let started = Instant::now();
    let db = search.db();
    let covered = outbox::max_id(db).await?;
    let index = search.index();
    index.prepare().await?;
    index.clear().await?;
    let orgs: HashMap<i64, organisation::Model> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let rows = achievement::Entity::find()
            .filter(achievement::Column::Id.gt(after))
            .order_by_asc(achievement::Column::Id)
            .limit(page.max(1) as u64)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let docs: Vec<SearchDoc> = rows
            .iter()
            .map(|a| document(a, orgs.get(&a.organisation_id), search.collections()))
            .collect();
        done += docs.len() as u64;
        index.apply(docs, Vec::new()).await?;
        progress(done);
    }
    search.outbox.covered(db, covered).await?;
    index.set_fingerprint(&search.fingerprint).await?;
    Ok(RebuildReport {
        documents: done,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Prepares the backend and rebuilds the index when it was built with other settings (or never).
///
/// A shared engine is checked and rebuilt under a cluster-wide advisory lock, so replicas that
/// start together rebuild it once; a per-process index also rebuilds when its replica was away
/// longer than the outbox retention.
pub async fn ensure_current(search: &Search) -> AppResult<()> {
    let shared = matches!(search.outbox, outbox::Reader::Claim);
    let lock = if shared {
        Some(
            crate::cluster::startup_lock::StartupLock::acquire_key(&search.db, REBUILD_LOCK_KEY)
                .await?,
        )
    } else {
        None
    };
    let result = ensure_current_locked(search).await;
    if let Some(l) = lock {
        l.release().await?;
    }
    result
}

/// Advisory lock key for rebuilding a shared index ("THUBINDX").
const REBUILD_LOCK_KEY: i64 = 0x5448_5542_494e_4458;

async fn ensure_current_locked(search: &Search) -> AppResult<()> {
    search.index().prepare().await?;
    let stored = search.index().fingerprint().await?;
    let away = search.outbox.needs_rebuild().await;
    if stored.as_deref() != Some(search.fingerprint.as_str()) || away {
        tracing::info!(
            search.backend = search.index().backend(),
            away,
            "search settings changed, index new or replica away too long; rebuilding from the store"
        );
        let report = rebuild(search, 5000, |_| {}).await?;
        tracing::info!(
            search.documents = report.documents,
            duration_ms = (report.seconds * 1000.0) as u64,
            "search index rebuilt"
        );
    }
    Ok(())
}

/// Filters as the API accepts them, before validation.
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Achievement type.
    pub achievement_type: Option<AchievementType>,
    /// GB/T 4754 code at any level.
    pub industry: Option<String>,
    /// Lowest TRL.
    pub maturity_min: Option<i32>,
    /// Highest TRL.
    pub maturity_max: Option<i32>,
    /// Offered transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 code at any level.
    pub region: Option<String>,
    /// Collection key.
    pub collection: Option<String>,
}

/// One search as the API asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    /// Query text (may be empty).
    pub query: Option<String>,
    /// Filters.
    pub filter: FilterInput,
    /// Facets to count.
    pub facets: Vec<Facet>,
    /// Order.
    pub sort: Sort,
    /// Page size.
    pub first: usize,
    /// Offset of the page.
    pub offset: usize,
    /// Compute highlights.
    pub highlight: bool,
}

/// One hit with its record.
pub struct SearchHit {
    /// The achievement.
    pub achievement: achievement::Model,
    /// Relevance score.
    pub score: f64,
    /// Highlighted excerpts.
    pub highlights: Vec<Highlight>,
    /// Offset of this hit in the whole result.
    pub offset: usize,
}

/// A page of results.
pub struct SearchPage {
    /// Hits of the page.
    pub hits: Vec<SearchHit>,
    /// Matches in all.
    pub total: u64,
    /// Facet counts.
    pub facets: Vec<FacetCounts>,
    /// More hits follow this page.
    pub has_next: bool,
    /// "Did you mean": the query with typos corrected, when the backend found a correction.
    pub suggestion: Option<String>,
}

/// Cleans query text: control characters become spaces, whitespace is collapsed; too long is
/// BAD_INPUT. Anything else (operators, quotes, SQL, emoji) is just text to the backends.
pub fn clean_query(q: Option<&str>) -> AppResult<String> {
    let raw = q.unwrap_or_default();
    if raw.chars().count() > MAX_QUERY_CHARS * 4 {
        return Err(AppError::bad_input(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::bad_input(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(cleaned)
}

impl Search {
    /// Validates filters into index filters (unknown organisations and collections are BAD_INPUT).
    pub async fn filters(&self, f: &FilterInput) -> AppResult<Filters> {
        let mut out = Filters::default();
        if let Some(key) = f
            .organisation
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            if crate::catalog::service::find_org_by_key(&self.db, key)
                .await?
                .is_none()
            {
                return Err(AppError::bad_input(
                    "filter.organisation",
                    format!("no organisation with key {key:?}"),
                ));
            }
            out.organisation = Some(key.to_string());
        }
        out.achievement_type = f.achievement_type.as_ref().map(spelled);
        out.transfer_mode = f.transfer_mode.as_ref().map(spelled);
        if let Some(i) = &f.industry {
            out.industry =
                validate::industry("filter.industry", Some(i))?.map(|c| c.as_str().to_string());
        }
        if let Some(r) = &f.region {
            out.region =
                validate::region("filter.region", Some(r))?.map(|c| c.as_str().to_string());
        }
        let min = validate::trl("filter.maturityMin", f.maturity_min)?;
        let max = validate::trl("filter.maturityMax", f.maturity_max)?;
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                return Err(AppError::bad_input(
                    "filter.maturityMin",
                    "must not exceed maturityMax",
                ));
            }
        }
        out.maturity_min = min.map(i64::from);
        out.maturity_max = max.map(i64::from);
        if let Some(c) = f.collection.as_deref().map(str::trim) {
            if !self.collections().iter().any(|k| k.key == c) {
                return Err(AppError::bad_input(
                    "filter.collection",
                    format!("no collection with key {c:?}"),
                ));
            }
            out.collection = Some(c.to_string());
        }
        Ok(out)
    }

    /// Runs a search for `viewer` and loads the hits from the store.
    pub async fn search(
        &self,
        viewer: Option<&Viewer>,
        input: SearchInput,
    ) -> AppResult<SearchPage> {
        let text = clean_query(input.query.as_deref())?;
        if input.offset > MAX_OFFSET {
            return Err(AppError::bad_input(
                "after",
                format!("results beyond the first {MAX_OFFSET} cannot be paged to"),
            ));
        }
        let vis = Visibility::of(viewer);
        let filters = self.filters(&input.filter).await?;
        let request = SearchRequest {
            text,
            filters,
            visibility: vis,
            facets: input.facets.clone(),
            sort: input.sort,
            offset: input.offset,
            limit: input.first,
            highlight: input.highlight,
            match_any: false,
        };
        let res = self.index.search(&request).await?;
        let ids: Vec<i64> = res.hits.iter().map(|h| h.id).collect();
        let mut rows: HashMap<i64, achievement::Model> = achievement::Entity::find()
            .filter(achievement::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let has_next = (input.offset + res.hits.len()) < res.total as usize;
        let hits = res
            .hits
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| {
                // The index may lag the store by a moment: re-check what the caller may see.
                let a = rows.remove(&h.id)?;
                vis.admits(a.status, a.organisation_id)
                    .then_some(SearchHit {
                        achievement: a,
                        score: h.score,
                        highlights: h.highlights,
                        offset: input.offset + i,
                    })
            })
            .collect();
        Ok(SearchPage {
            hits,
            total: res.total,
            facets: res.facets,
            has_next,
            suggestion: res.suggestion,
        })
    }

    /// Visible records per collection key.
    pub async fn collection_counts(
        &self,
        viewer: Option<&Viewer>,
    ) -> AppResult<HashMap<String, u64>> {
        let page = self
            .search(
                viewer,
                SearchInput {
                    facets: vec![Facet::Collection],
                    first: 0,
                    ..Default::default()
                },
            )
            .await?;
        Ok(page.facets.into_iter().flat_map(|f| f.values).collect())
    }

    /// Backend name, documents held and outbox rows waiting.
    pub async fn status(&self) -> AppResult<(String, u64, u64)> {
        let docs = self.index.count().await?;
        let pending = outbox::pending(self).await?;
        Ok((self.index.backend().to_string(), docs, pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_cleaned_and_bounded() {
        assert_eq!(clean_query(None).expect("none"), "");
        assert_eq!(
            clean_query(Some("  锂电池\t\n正极 ")).expect("ok"),
            "锂电池 正极"
        );
        assert!(clean_query(Some(&"长".repeat(201))).is_err());
        assert!(clean_query(Some(&"x".repeat(10_000))).is_err());
        assert_eq!(clean_query(Some("a\u{0}b")).expect("control"), "a b");
    }

    #[test]
    fn fingerprint_changes_with_collections() {
        let a = SearchConfig::default();
        let mut b = SearchConfig::default();
        b.collections[0].keywords.push("奶粉".into());
        assert_ne!(fingerprint("embedded", &a), fingerprint("embedded", &b));
        assert_eq!(fingerprint("embedded", &a), fingerprint("embedded", &a));
    }
}
