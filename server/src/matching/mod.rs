//! Supply-demand matching (issue 6): achievements for a need and needs for an achievement,
//! ranked by text relevance from the search index combined with structured compatibility
//! (industry, IPC, maturity, transfer mode, price, region, recency, responsiveness), each match
//! explained in Chinese; suggestions recomputed in the background from an outbox, announced live,
//! improved by feedback; experts (inventors) behind the matches; and an evaluation harness.

pub mod config;
pub mod engine;
pub mod eval;
pub mod explain;
pub mod features;
pub mod feedback;
pub mod graphql;
pub mod live;
pub mod recompute;
pub mod score;
pub mod terms;

use crate::matching::config::MatchingConfig;
use crate::search::Search;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The matching subsystem of one process: the engine and the live channel, cheap to clone.
#[derive(Clone)]
pub struct Matching {
    /// The engine.
    pub matcher: Arc<engine::Matcher>,
    /// New-match announcements.
    pub live: live::Live,
}

impl Matching {
    /// Builds the engine over the store and search index.
    pub fn new(db: DatabaseConnection, search: Arc<Search>, config: MatchingConfig) -> Self {
        Self {
            matcher: Arc::new(engine::Matcher::new(db, search, config)),
            live: live::Live::default(),
        }
    }

    /// Starts the background recompute when a Tokio runtime is running.
    pub fn spawn_worker(&self) -> Option<tokio::task::JoinHandle<()>> {
        tokio::runtime::Handle::try_current()
            .ok()
            .map(|_| tokio::spawn(recompute::run(self.clone())))
    }
}
