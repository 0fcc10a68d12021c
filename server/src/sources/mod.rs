//! Federation: harvest sources (from config and `upsertSource`), the harvester that drives a
//! connector page by page with leases and checkpoints, ingestion of normalised records into the
//! catalog, the interval scheduler, and the GraphQL surface (sources, runs, rejected records,
//! progress).

pub mod config;
pub mod factory;
pub mod governance_graphql;
pub mod graphql;
pub mod harvest;
pub mod ingest;
pub mod progress;
pub mod quality;
pub mod review;
pub mod scheduler;
pub mod service;
