//! Opening the store (SQLite file with WAL by default, PostgreSQL in production) and migrating it.

use crate::app::config::Config;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use transferhub_schema::migration::Migrator;

/// `[storage]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file, search index and other local state live.
    pub data_dir: String,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/transferhub.db?mode=rwc".into(),
            data_dir: "data".into(),
            max_connections: 16,
        }
    }
}

impl StorageConfig {
    /// Checks `[storage]` at load time: the URL names a store the hub speaks.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(
                "storage.database_url must start with sqlite:, postgres:// or postgresql://".into(),
            );
        }
        Ok(())
    }
}

/// Connects to the configured database, creating the SQLite file's directory when needed.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let url = &config.storage.database_url;
    if let Some(path) = sqlite_path(url) {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
    }
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(config.storage.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(opts).await?;
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed while a harvest writes; it persists in the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .await?;
    }
    Ok(db)
}

/// Starts a transaction that is going to write. On SQLite a plain (deferred) transaction that
/// reads first and writes later fails at once with "database is locked" when another connection
/// (a background worker, another request) wrote in between — the busy timeout does not apply to
/// that upgrade. Taking the write lock with the first statement, as `BEGIN IMMEDIATE` would
/// (sea-orm 1.1 cannot issue it), makes the transaction wait its turn instead. PostgreSQL needs
/// nothing: its row locks and MVCC do not fail this way.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let tx = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // A write statement that changes nothing still takes the write lock.
        tx.execute_unprepared("DELETE FROM seaql_migrations WHERE 0")
            .await?;
    }
    Ok(tx)
}

/// Brings the schema to the latest migration. On PostgreSQL the migrator runs under the
/// cluster's start-up advisory lock, so replicas (or `migrate` jobs) started together take turns
/// and the later ones find nothing to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let lock = crate::cluster::startup_lock::StartupLock::acquire(db).await?;
    let result = Migrator::up(db, None).await;
    lock.release().await?;
    result
}

/// Brings the schema to the latest migration when the caller already holds the start-up lock.
pub async fn migrate_locked(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A migrated in-memory SQLite store on a single connection (every pooled connection to
/// `:memory:` would otherwise see its own empty database). For tests and tools.
pub async fn memory() -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new("sqlite::memory:");
    opts.max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let db = Database::connect(opts).await?;
    migrate(&db).await?;
    Ok(db)
}

/// The file path inside a `sqlite://path?…` URL, if it names a file.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_path_is_read_from_url() {
        assert_eq!(
            sqlite_path("sqlite://data/hub.db?mode=rwc").as_deref(),
            Some("data/hub.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
    }
}
