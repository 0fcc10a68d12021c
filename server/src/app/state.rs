//! State shared by every request handler.

use crate::app::config::Config;
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
    /// The `LISTEN/NOTIFY` listener that feeds this replica's live buses (PostgreSQL only).
    pub fanout: Option<Arc<crate::cluster::notify::Listener>>,
}

impl AppState {
    /// Builds the state and the schema around an open store.
    pub fn new(db: DatabaseConnection, config: Config) -> Result<Self, String> {
        let config = Arc::new(config);
        let outbound = Outbound::new(&config.outbound)?;
        // Live buses: on PostgreSQL they publish through NOTIFY and are fed by the listener.
        let notifier = crate::cluster::notify::Notifier::for_store(&db);
        // Committed changes empty the other replicas' count caches through it too.
        crate::changes::set_relay(notifier.clone());
        let progress = Progress::default().with_relay(notifier.clone());
        let events = crate::events::updates::EventBus::default().with_relay(notifier.clone());
        let harvester = Harvester::new(
            db.clone(),
            Arc::new(outbound),
            progress.clone(),
            config.harvest.lease_secs,
        );
        let search = Search::open(db.clone(), &config).map_err(|e| e.to_string())?;
        // The indexer drains the search outbox for as long as the runtime runs (serve, tests).
        search.spawn_indexer();
        let mut matching = Matching::new(db.clone(), search.clone(), config.matching.clone());
        matching.live = crate::matching::live::Live::default().with_relay(notifier.clone());
        let fanout = notifier.as_ref().and_then(|_| {
            use crate::cluster::notify::{self, Sink};
            let sinks: std::collections::HashMap<&'static str, Arc<dyn Sink>> = [
                (
                    notify::HARVEST_PROGRESS,
                    Arc::new(progress.clone()) as Arc<dyn Sink>,
                ),
                (
                    notify::NEW_MATCHES,
                    Arc::new(matching.live.clone()) as Arc<dyn Sink>,
                ),
                (
                    notify::EVENT_UPDATES,
                    Arc::new(events.clone()) as Arc<dyn Sink>,
                ),
                (
                    notify::CATALOG_CHANGED,
                    Arc::new(crate::changes::ChangeSink) as Arc<dyn Sink>,
                ),
            ]
            .into_iter()
            .collect();
            notify::spawn_listener(&db, sinks).map(Arc::new)
        });
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
            events,
        );
        let oidc = Arc::new(crate::auth::oidc::Oidc::new(&config)?);
        let key_limits = Arc::new(crate::auth::rate_limit::KeyLimits::configured(
            &config.auth.rate_limit_store,
            config.auth.default_rate_limit_per_minute,
            &db,
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
            fanout,
        })
    }
}
