//! GraphQL surface of search: `search(query, filter, facets, sort, first, after)` as a Relay
//! connection of hits (achievement + score + highlights) with `totalCount` and facet counts,
//! `collections` / `collection(key)` (thematic databases with counts and a scoped search), and
//! `searchStatus` for operators. Resolvers translate to `search::service` and back.

use super::index::{Facet, FacetCounts, Sort};
use super::service::{FilterInput, Search, SearchInput, SearchPage};
use crate::auth::graphql::viewer;
use crate::auth::Viewer;
use crate::catalog::graphql::Achievement;
use crate::error::AppError;
use crate::relay;
use crate::search::config::CollectionConfig;
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;
use transferhub_schema::enums::{AchievementType, TransferMode};
use transferhub_schema::types::{IndustryCode, Trl};

/// A facet of the search results.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SearchFacet {
    /// Achievement type.
    Type,
    /// Owning organisation (key).
    Organisation,
    /// GB/T 4754 section letter.
    IndustrySection,
    /// TRL 1–9.
    Maturity,
    /// Offered transfer mode.
    TransferMode,
    /// Prefecture-level GB/T 2260 region code.
    Region,
    /// Thematic collection (key).
    Collection,
}

impl From<SearchFacet> for Facet {
    fn from(f: SearchFacet) -> Self {
        match f {
            SearchFacet::Type => Facet::Type,
            SearchFacet::Organisation => Facet::Organisation,
            SearchFacet::IndustrySection => Facet::IndustrySection,
            SearchFacet::Maturity => Facet::Maturity,
            SearchFacet::TransferMode => Facet::TransferMode,
            SearchFacet::Region => Facet::Region,
            SearchFacet::Collection => Facet::Collection,
        }
    }
}

impl From<Facet> for SearchFacet {
    fn from(f: Facet) -> Self {
        match f {
            Facet::Type => SearchFacet::Type,
            Facet::Organisation => SearchFacet::Organisation,
            Facet::IndustrySection => SearchFacet::IndustrySection,
            Facet::Maturity => SearchFacet::Maturity,
            Facet::TransferMode => SearchFacet::TransferMode,
            Facet::Region => SearchFacet::Region,
            Facet::Collection => SearchFacet::Collection,
        }
    }
}

/// Order of search results.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum SearchSort {
    /// Best match first (newest first when the query is empty).
    #[default]
    Relevance,
    /// Newest publication first.
    Recency,
}

/// Filters of a search; every one given must hold.
#[derive(InputObject, Default, Clone)]
pub struct SearchFilter {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Achievement type.
    #[graphql(name = "type")]
    pub achievement_type: Option<AchievementType>,
    /// GB/T 4754 code at any level: `C`, `C38`, `C384`, `C3841`.
    pub industry: Option<String>,
    /// Lowest TRL.
    pub maturity_min: Option<i32>,
    /// Highest TRL.
    pub maturity_max: Option<i32>,
    /// Offered transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 code; a province or prefecture covers everything inside it.
    pub region: Option<String>,
    /// Thematic collection key.
    pub collection: Option<String>,
}

impl From<SearchFilter> for FilterInput {
    fn from(f: SearchFilter) -> Self {
        FilterInput {
            organisation: f.organisation,
            achievement_type: f.achievement_type,
            industry: f.industry,
            maturity_min: f.maturity_min,
            maturity_max: f.maturity_max,
            transfer_mode: f.transfer_mode,
            region: f.region,
            collection: f.collection,
        }
    }
}

/// A highlighted excerpt: HTML-escaped text with the matches wrapped in `<mark>`.
#[derive(SimpleObject, Clone)]
pub struct SearchHighlight {
    /// `title`, `titleEn`, `keywords`, `summary` or `summaryEn`.
    pub field: String,
    /// The excerpt.
    pub snippet: String,
}

/// One search result.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// The matching achievement.
    pub achievement: Achievement,
    /// Relevance score (larger is better; only comparable within one response; 0 when sorted by recency).
    pub score: f64,
    /// Excerpts of the fields that matched.
    pub highlights: Vec<SearchHighlight>,
}

/// One value of a facet.
#[derive(SimpleObject, Clone)]
pub struct FacetValue {
    /// The value as used in `filter` (key, code or enum spelling).
    pub value: String,
    /// Human-readable Chinese label, when known.
    pub label: Option<String>,
    /// Matches with this value.
    pub count: u64,
}

/// Counts for one facet over all matches, largest first.
#[derive(SimpleObject, Clone)]
pub struct SearchFacetCounts {
    /// The facet.
    pub facet: SearchFacet,
    /// Values with their counts.
    pub values: Vec<FacetValue>,
}

/// Totals of a search, alongside its edges.
#[derive(SimpleObject)]
pub struct SearchTotals {
    /// Matches in all.
    pub total_count: u64,
    /// Facet counts, in the order asked.
    pub facets: Vec<SearchFacetCounts>,
    /// "Did you mean": the query with same-sounding typos corrected (乳清蛋百 → 乳清蛋白), when
    /// a correction was found; the hits already include what the corrected query finds.
    pub did_you_mean: Option<String>,
}

/// A cursor over ranked results: the offset of the hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor(pub usize);

impl CursorType for OffsetCursor {
    type Error = relay::BadCursor;

    fn decode_cursor(s: &str) -> std::result::Result<Self, Self::Error> {
        match relay::decode_any(s) {
            Some((k, n)) if k == "o" && n >= 0 => Ok(OffsetCursor(n as usize)),
            _ => Err(relay::BadCursor),
        }
    }

    fn encode_cursor(&self) -> String {
        relay::encode_id("o", self.0 as i64).0
    }
}

fn parse_offset(after: Option<&str>) -> Result<usize, AppError> {
    match after {
        None => Ok(0),
        Some(a) => OffsetCursor::decode_cursor(a)
            .map(|c| c.0 + 1)
            .map_err(|e| AppError::bad_input("after", e.to_string())),
    }
}

type SearchConnection = Connection<OffsetCursor, SearchHit, SearchTotals>;

fn search_handle<'a>(ctx: &'a Context<'_>) -> Result<&'a Arc<Search>> {
    ctx.data::<Arc<Search>>()
}

/// Chinese labels for facet values.
async fn labelled(
    ctx: &Context<'_>,
    search: &Search,
    facets: Vec<FacetCounts>,
) -> Result<Vec<SearchFacetCounts>> {
    let org_keys: Vec<String> = facets
        .iter()
        .filter(|f| f.facet == Facet::Organisation)
        .flat_map(|f| f.values.iter().map(|(k, _)| k.clone()))
        .collect();
    let org_names: HashMap<String, String> = if org_keys.is_empty() {
        HashMap::new()
    } else {
        let db = ctx.data::<DatabaseConnection>()?;
        crate::catalog::service::organisation_names(db, org_keys).await?
    };
    let label = |facet: Facet, value: &str| -> Option<String> {
        let enum_value = |v: &str| serde_json::Value::String(v.to_string());
        match facet {
            Facet::Type => serde_json::from_value::<AchievementType>(enum_value(value))
                .ok()
                .map(|t| t.label_zh().to_string()),
            Facet::TransferMode => serde_json::from_value::<TransferMode>(enum_value(value))
                .ok()
                .map(|t| t.label_zh().to_string()),
            Facet::Organisation => org_names.get(value).cloned(),
            Facet::IndustrySection => value
                .chars()
                .next()
                .and_then(IndustryCode::section_name_zh)
                .map(str::to_string),
            Facet::Maturity => value
                .parse::<i64>()
                .ok()
                .and_then(|n| Trl::new(n).ok())
                .map(|t| t.label_zh().to_string()),
            Facet::Region => None,
            Facet::Collection => search
                .collections()
                .iter()
                .find(|c| c.key == value)
                .map(|c| c.name_zh.clone()),
        }
    };
    Ok(facets
        .into_iter()
        .map(|f| SearchFacetCounts {
            facet: f.facet.into(),
            values: f
                .values
                .iter()
                .map(|(v, n)| FacetValue {
                    value: v.clone(),
                    label: label(f.facet, v),
                    count: *n,
                })
                .collect(),
        })
        .collect())
}

/// Arguments shared by `search` and `Collection.search`.
struct Args {
    query: Option<String>,
    filter: FilterInput,
    facets: Vec<SearchFacet>,
    sort: SearchSort,
    first: Option<i32>,
    after: Option<String>,
    highlight: bool,
}

async fn run_search(ctx: &Context<'_>, args: Args) -> Result<SearchConnection> {
    let search = search_handle(ctx)?;
    let first = relay::page_size(args.first)?;
    let offset = parse_offset(args.after.as_deref())?;
    let mut facets: Vec<Facet> = Vec::new();
    for f in args.facets {
        let f: Facet = f.into();
        if !facets.contains(&f) {
            facets.push(f);
        }
    }
    let page: SearchPage = search
        .search(
            viewer(ctx),
            SearchInput {
                query: args.query,
                filter: args.filter,
                facets,
                sort: match args.sort {
                    SearchSort::Relevance => Sort::Relevance,
                    SearchSort::Recency => Sort::Recency,
                },
                first,
                offset,
                highlight: args.highlight,
            },
        )
        .await?;
    let facets = labelled(ctx, search, page.facets).await?;
    let mut conn = Connection::with_additional_fields(
        offset > 0,
        page.has_next,
        SearchTotals {
            total_count: page.total,
            facets,
            did_you_mean: page.suggestion,
        },
    );
    conn.edges.extend(page.hits.into_iter().map(|h| {
        Edge::new(
            OffsetCursor(h.offset),
            SearchHit {
                achievement: Achievement(h.achievement),
                score: h.score,
                highlights: h
                    .highlights
                    .into_iter()
                    .map(|x| SearchHighlight {
                        field: x.field,
                        snippet: x.snippet,
                    })
                    .collect(),
            },
        )
    }));
    Ok(conn)
}

/// A thematic collection (专题数据库) defined in configuration.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Collection {
    /// Stable key, e.g. `clean-energy`.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// One-line Chinese description.
    pub description_zh: String,
    /// GB/T 4754 prefixes that place a record in the collection.
    pub industry_prefixes: Vec<String>,
    /// IPC prefixes that place a record in the collection.
    pub ipc_prefixes: Vec<String>,
    /// Words in a title or keyword that place a record in the collection.
    pub keywords: Vec<String>,
    /// Records in the collection visible to the caller.
    pub count: u64,
}

impl Collection {
    fn new(c: &CollectionConfig, count: u64) -> Self {
        Self {
            key: c.key.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            description_zh: c.description_zh.clone(),
            industry_prefixes: c.industry_prefixes.clone(),
            ipc_prefixes: c.ipc_prefixes.clone(),
            keywords: c.keywords.clone(),
            count,
        }
    }
}

#[ComplexObject]
impl Collection {
    /// Searches inside the collection (same arguments as the root `search`).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<SearchFilter>,
        #[graphql(desc = "Facets to count over all matches.")] facets: Option<Vec<SearchFacet>>,
        #[graphql(desc = "Order; RELEVANCE when omitted.")] sort: Option<SearchSort>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Compute highlights (default true).")] highlight: Option<bool>,
    ) -> Result<SearchConnection> {
        let mut filter: FilterInput = filter.unwrap_or_default().into();
        filter.collection = Some(self.key.clone());
        run_search(
            ctx,
            Args {
                query,
                filter,
                facets: facets.unwrap_or_default(),
                sort: sort.unwrap_or_default(),
                first,
                after,
                highlight: highlight.unwrap_or(true),
            },
        )
        .await
    }
}

/// Totals of the collections list.
#[derive(SimpleObject)]
pub struct CollectionTotals {
    /// Number of collections.
    pub total_count: u64,
}

/// State of the search index, for operators.
#[derive(SimpleObject)]
pub struct SearchStatus {
    /// `embedded` or `meilisearch`.
    pub backend: String,
    /// Documents in the index (every status).
    pub documents: u64,
    /// Store changes not yet in the index.
    pub pending_changes: u64,
}

/// Search queries.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over achievements (Chinese and English) with filters, facet counts,
    /// highlights and relevance or recency order; the public sees PUBLISHED records only.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words, quoted phrases; empty lists everything that passes the filters.")]
        query: Option<String>,
        filter: Option<SearchFilter>,
        #[graphql(desc = "Facets to count over all matches.")] facets: Option<Vec<SearchFacet>>,
        #[graphql(desc = "Order; RELEVANCE when omitted.")] sort: Option<SearchSort>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Compute highlights (default true).")] highlight: Option<bool>,
    ) -> Result<SearchConnection> {
        run_search(
            ctx,
            Args {
                query,
                filter: filter.unwrap_or_default().into(),
                facets: facets.unwrap_or_default(),
                sort: sort.unwrap_or_default(),
                first,
                after,
                highlight: highlight.unwrap_or(true),
            },
        )
        .await
    }

    /// The thematic collections with the number of records each holds.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<OffsetCursor, Collection, CollectionTotals>> {
        let search = search_handle(ctx)?;
        let first = relay::page_size(first)?;
        let offset = parse_offset(after.as_deref())?;
        let all = search.collections();
        let counts = search.collection_counts(viewer(ctx)).await?;
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            offset + first < all.len(),
            CollectionTotals {
                total_count: all.len() as u64,
            },
        );
        conn.edges.extend(
            all.iter()
                .enumerate()
                .skip(offset)
                .take(first)
                .map(|(i, c)| {
                    let n = counts.get(&c.key).copied().unwrap_or(0);
                    Edge::new(OffsetCursor(i), Collection::new(c, n))
                }),
        );
        Ok(conn)
    }

    /// One thematic collection by key.
    async fn collection(&self, ctx: &Context<'_>, key: String) -> Result<Collection> {
        let search = search_handle(ctx)?;
        let c = search
            .collections()
            .iter()
            .find(|c| c.key == key.trim())
            .ok_or_else(|| AppError::NotFound(format!("collection {key:?}")))?;
        let counts = search.collection_counts(viewer(ctx)).await?;
        Ok(Collection::new(c, counts.get(&c.key).copied().unwrap_or(0)))
    }

    /// Backend, size and backlog of the search index (platform admins).
    async fn search_status(&self, ctx: &Context<'_>) -> Result<SearchStatus> {
        let v: Option<&Viewer> = viewer(ctx);
        if !crate::auth::policy::acts_platform_wide(v) {
            return Err(if v.is_none() {
                AppError::Unauthenticated("searchStatus needs a platform admin token".into())
            } else {
                AppError::Forbidden("searchStatus is for platform admins".into())
            }
            .into());
        }
        let (backend, documents, pending_changes) = search_handle(ctx)?.status().await?;
        Ok(SearchStatus {
            backend,
            documents,
            pending_changes,
        })
    }
}
