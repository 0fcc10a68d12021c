//! Running several stateless hub replicas on one PostgreSQL (issue 10). Replicas share nothing
//! but the database and the search engine:
//!
//! - `startup_lock`: migrations and the other start-up writes (demo seed, `[[sources]]` and
//!   `[[links]]` sync) run under a PostgreSQL advisory lock, so replicas started together take
//!   turns and the later ones find nothing to do.
//! - `notify`: subscription events (`harvestProgress`, `newMatches`, `eventUpdates`) fan out to
//!   every replica through `LISTEN/NOTIFY`; on SQLite they stay in process.
//! - Elsewhere, each background job claims its work through the database: harvest leases and the
//!   interval scheduler (`sources/scheduler.rs`, one conditional UPDATE), the matching outbox and
//!   the Meilisearch outbox (`FOR UPDATE SKIP LOCKED`), the embedded search index (each replica
//!   reads the outbox as a log with its own cursor, `search/outbox.rs`), link checks
//!   (`links/checker.rs`, a conditional UPDATE per link), and the global rate limit
//!   (`auth/rate_limit.rs`, one UPSERT … RETURNING per request). Sessions and OpenID login
//!   states live in the database; event scheduling takes a per-event lease there.
//!
//! - The `totalCount` cache is per process but every committed change is announced on
//!   `CATALOG_CHANGED`, so each replica empties its own as soon as the notification arrives
//!   (`changes/count_cache.rs`; the 10 s TTL only bounds a lost notification).
//!
//! What stays per process, on purpose: page-view counters
//! (flushed every 5 s as additive upserts, so no view is lost or counted twice), and the OpenID
//! discovery and key caches.

pub mod notify;
pub mod startup_lock;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// True when the store is PostgreSQL (the only store several replicas can share).
pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}
