//! Opening the store (SQLite file with WAL by default, PostgreSQL in production) and migrating it.

use crate::app::config::Config;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use transferhub_schema::migration::Migrator;

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

/// Brings the schema to the latest migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
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
