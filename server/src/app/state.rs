//! State shared by every request handler.

use super::config::Config;
use crate::graphql::HubSchema;
use crate::metrics::Metrics;
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
}

impl AppState {
    /// Builds the state and the schema around an open store.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        let config = Arc::new(config);
        let schema = crate::graphql::build_schema(db.clone(), config.clone());
        Self {
            db,
            config,
            schema,
            metrics: Arc::new(Metrics::default()),
        }
    }
}
