//! The `SearchIndex` abstraction both backends implement (embedded tantivy, Meilisearch), and the
//! backend-neutral types that cross it: the indexed document, the request (text, filters,
//! visibility, facets, sort, page) and the response (hits with highlights, total, facet counts).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What can go wrong inside a search backend.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query cannot be run as given; `field` names the input.
    #[error("{field}: {message}")]
    BadQuery {
        /// The offending input field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The embedded index is held by another process (a running `serve`).
    #[error("the search index at {0} is in use by another transferhub process")]
    Locked(String),
    /// The backend failed or cannot be reached.
    #[error("search backend: {0}")]
    Backend(String),
}

impl From<SearchError> for crate::error::AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::BadQuery { field, message } => Self::bad_input(field, message),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Result alias for backend calls.
pub type SearchResult<T> = Result<T, SearchError>;

/// One achievement as the index sees it: searchable text plus the keyword fields used for
/// filters, facets, visibility and sorting. Built from the store by `service::document`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// Achievement row id (the primary key in every backend).
    pub id: i64,
    /// 成果名称
    pub title: String,
    /// English title.
    pub title_en: String,
    /// 关键词
    pub keywords: Vec<String>,
    /// 成果简介
    pub summary: String,
    /// English summary.
    pub summary_en: String,
    /// 完成人
    pub inventors: Vec<String>,
    /// Owning organisation's key (facet, filter).
    pub organisation: String,
    /// Owning organisation's Chinese name (searchable).
    pub organisation_name: String,
    /// Owning organisation's row id (visibility).
    pub organisation_id: i64,
    /// `AchievementType` as spelled in GraphQL (`PATENT`).
    pub achievement_type: String,
    /// GB/T 4754 code at every level (`C`, `C38`, `C384`, `C3841`) for filters.
    pub industry: Vec<String>,
    /// GB/T 4754 section letter (facet).
    pub industry_section: String,
    /// TRL as text (`1`..`9`), empty when unknown (facet).
    pub maturity: String,
    /// TRL as a number, 0 when unknown (range filters).
    pub trl: i64,
    /// `TransferMode` values as spelled in GraphQL.
    pub transfer_modes: Vec<String>,
    /// GB/T 2260 code at every level (`150000`, `150100`, `150102`) for filters.
    pub region: Vec<String>,
    /// Prefecture-level region code (facet).
    pub region_prefecture: String,
    /// Keys of the thematic collections the record belongs to.
    pub collections: Vec<String>,
    /// `AchievementStatus` as spelled in GraphQL (`PUBLISHED`).
    pub status: String,
    /// Publication (or last change) time as Unix seconds, for recency sorting.
    pub recency: i64,
}

/// Who is asking, which decides the records that can match: the policy's one visibility rule.
pub use crate::auth::policy::Visibility;

/// A facet the caller can ask counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    /// Achievement type.
    Type,
    /// Owning organisation key.
    Organisation,
    /// GB/T 4754 section letter.
    IndustrySection,
    /// TRL 1–9.
    Maturity,
    /// Offered transfer mode.
    TransferMode,
    /// Prefecture-level region code.
    Region,
    /// Thematic collection key.
    Collection,
}

impl Facet {
    /// Every facet, in display order.
    pub const ALL: [Facet; 7] = [
        Facet::Type,
        Facet::Organisation,
        Facet::IndustrySection,
        Facet::Maturity,
        Facet::TransferMode,
        Facet::Region,
        Facet::Collection,
    ];

    /// The document attribute the facet counts.
    pub fn attribute(self) -> &'static str {
        match self {
            Facet::Type => "achievement_type",
            Facet::Organisation => "organisation",
            Facet::IndustrySection => "industry_section",
            Facet::Maturity => "maturity",
            Facet::TransferMode => "transfer_modes",
            Facet::Region => "region_prefecture",
            Facet::Collection => "collections",
        }
    }
}

/// Exact-match filters; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Organisation key.
    pub organisation: Option<String>,
    /// `AchievementType` spelling.
    pub achievement_type: Option<String>,
    /// GB/T 4754 code at any level, normalised.
    pub industry: Option<String>,
    /// Lowest TRL.
    pub maturity_min: Option<i64>,
    /// Highest TRL.
    pub maturity_max: Option<i64>,
    /// `TransferMode` spelling.
    pub transfer_mode: Option<String>,
    /// GB/T 2260 code at any level.
    pub region: Option<String>,
    /// Collection key.
    pub collection: Option<String>,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (newest first when there is no query text).
    #[default]
    Relevance,
    /// Newest publication first.
    Recency,
}

/// One search, already validated by the service.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Cleaned query text; empty means "everything that passes the filters".
    pub text: String,
    /// Filters.
    pub filters: Filters,
    /// Visibility rule for the caller.
    pub visibility: Visibility,
    /// Facets to count (over every match, not only the page).
    pub facets: Vec<Facet>,
    /// Order.
    pub sort: Sort,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Compute highlights for the returned hits.
    pub highlight: bool,
    /// Rank documents matching any of the query's terms instead of (nearly) all of them: the
    /// matcher sends a need's words as a bag, where requiring every word would find nothing.
    pub match_any: bool,
}

/// A highlighted excerpt of one field: text HTML-escaped, matches wrapped in `<mark>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// `title`, `titleEn`, `summary`, `summaryEn` or `keywords`.
    pub field: String,
    /// The excerpt.
    pub snippet: String,
}

/// One match.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Achievement row id.
    pub id: i64,
    /// Backend relevance score (larger is better; only comparable within one response).
    pub score: f64,
    /// Highlighted excerpts of the fields that matched.
    pub highlights: Vec<Highlight>,
}

/// Counts per value of one facet, largest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    /// The facet.
    pub facet: Facet,
    /// `(value, count)` pairs.
    pub values: Vec<(String, u64)>,
}

/// The page of hits plus totals.
#[derive(Debug, Clone)]
pub struct SearchResponse {
    /// Hits of the requested page.
    pub hits: Vec<Hit>,
    /// Number of matches in all.
    pub total: u64,
    /// Facet counts, in the order asked.
    pub facets: Vec<FacetCounts>,
    /// "Did you mean": the query with same-sounding typos corrected, when a correction was
    /// found (the hits already include what the corrected query finds).
    pub suggestion: Option<String>,
}

/// A search engine holding achievements. Both backends pass `search::contract`.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// `embedded` or `meilisearch`.
    fn backend(&self) -> &'static str;

    /// Creates the index and applies the hub's settings; run before indexing or searching.
    async fn prepare(&self) -> SearchResult<()> {
        Ok(())
    }

    /// Adds or replaces `upserts` and removes `deletes`, visible to searches when it returns.
    async fn apply(&self, upserts: Vec<SearchDoc>, deletes: Vec<i64>) -> SearchResult<()>;

    /// Removes every document (the first step of a rebuild).
    async fn clear(&self) -> SearchResult<()>;

    /// Runs a search.
    async fn search(&self, request: &SearchRequest) -> SearchResult<SearchResponse>;

    /// Number of documents held.
    async fn count(&self) -> SearchResult<u64>;

    /// The settings fingerprint the index was last built with (see `service::fingerprint`).
    async fn fingerprint(&self) -> SearchResult<Option<String>>;

    /// Records the settings fingerprint after a rebuild.
    async fn set_fingerprint(&self, fingerprint: &str) -> SearchResult<()>;
}

/// Escapes text for HTML and wraps the byte `ranges` of `text` in `<mark>`; ranges may overlap.
pub fn mark(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut rs: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= text.len())
        .filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        .cloned()
        .collect();
    rs.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in rs {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 13);
    let mut at = 0;
    for r in merged {
        out.push_str(&escape(&text[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// Minimal HTML escaping for snippets.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_overlaps_and_escape() {
        let t = "锂离子电池<b>";
        assert_eq!(mark(t, &[0..9, 3..15]), "<mark>锂离子电池</mark>&lt;b&gt;");
        assert_eq!(mark("abc", &[5..9, 1..2]), "a<mark>b</mark>c");
    }
}
