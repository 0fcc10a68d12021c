//! Search (issue 4): Chinese full-text search with facets over the achievements, behind one
//! `SearchIndex` trait with two backends that pass one contract suite — embedded tantivy with a
//! jieba tokenizer (default, on disk under the data directory) and Meilisearch for scale. The
//! index follows the store through a transactional outbox drained by a background indexer;
//! `transferhub reindex` rebuilds it. Thematic collections, synonyms and an industry vocabulary
//! come from configuration.

pub mod collections;
pub mod config;
pub mod contract;
pub mod eval;
pub mod graphql;
pub mod index;
pub mod meili_backend;
pub mod outbox;
pub mod service;
pub mod tantivy_backend;
pub mod tokenizer;
pub mod understand;

pub use index::{SearchError, SearchIndex};
pub use service::Search;
