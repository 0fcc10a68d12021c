//! State shared by every request handler.

use super::config::Config;
use crate::graphql::HubSchema;
use crate::matching::Matching;
use crate::metrics::Metrics;
use crate::outbound::Outbound;
use crate::search::Search;
use crate::sources::harvest::Harvester;
use crate::sources::progress::Progress;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: DatabaseConnection,
    /// Effective configuration.
    pub config: Arc<Config>,
    /// The GraphQL schema (built once).
    pub schema: HubSchema,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Drives harvests (shared with the scheduler and GraphQL).
    pub harvester: Harvester,
    /// The search index and its settings.
    pub search: Arc<Search>,
    /// OpenID Connect logins.
    pub oidc: Arc<crate::auth::oidc::Oidc>,
    /// Per-key request budgets.
    pub key_limits: Arc<crate::auth::rate_limit::KeyLimits>,
    /// The matching engine and its live channel.
    pub matching: Matching,
    /// Page views counted since the last write.
    pub views: crate::stats::views::ViewCounter,
}

impl AppState {
    /// Builds the state and the schema around an open store.
    pub fn new(db: DatabaseConnection, config: Config) -> Result<Self, String> {
        let config = Arc::new(config);
        let outbound = Outbound::new(&config.outbound)?;
        let harvester = Harvester::new(
            db.clone(),
            Arc::new(outbound),
            Progress::default(),
            config.harvest.lease_secs,
        );
        let search = Search::open(db.clone(), &config).map_err(|e| e.to_string())?;
        // The indexer drains the search outbox for as long as the runtime runs (serve, tests).
        search.spawn_indexer();
        let matching = Matching::new(db.clone(), search.clone(), config.matching.clone());
        // The recompute worker drains the matching outbox in the background (serve, tests).
        if config.matching.recompute {
            matching.spawn_worker();
        }
        // Page views are counted in memory and written in batches (stats/views.rs).
        let views = crate::stats::views::ViewCounter::default();
        views.spawn_flusher(db.clone());
        let schema = crate::graphql::build_schema(
            db.clone(),
            config.clone(),
            harvester.clone(),
            search.clone(),
            matching.clone(),
            views.clone(),
        );
        let oidc = Arc::new(crate::auth::oidc::Oidc::new(&config)?);
        let key_limits = Arc::new(crate::auth::rate_limit::KeyLimits::new(
            config.auth.default_rate_limit_per_minute,
        ));
        Ok(Self {
            oidc,
            key_limits,
            db,
            config,
            schema,
            metrics: Arc::new(Metrics::default()),
            harvester,
            search,
            matching,
            views,
        })
    }
}
