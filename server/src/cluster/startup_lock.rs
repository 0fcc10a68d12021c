//! A cluster-wide lock around start-up writes. On PostgreSQL it is a session-level advisory lock
//! (`pg_advisory_lock`) held on one dedicated pooled connection: the first replica migrates and
//! syncs, the others wait on the lock and then find the schema current and the rows present.
//! If the holder dies its connection closes and PostgreSQL releases the lock. On SQLite (one
//! process per file) it is a no-op.

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{Executor, Postgres};
use sea_orm::{DatabaseConnection, DbErr};

/// The advisory lock key: "THUBMIGR" as a big-endian integer, so it will not collide with
/// another application's small keys.
pub const LOCK_KEY: i64 = 0x5448_5542_4d49_4752;

/// Held while start-up writes run; call [`StartupLock::release`] when done (dropping it also
/// releases the lock, when its connection is closed or reused after a reset).
pub struct StartupLock {
    conn: Option<PoolConnection<Postgres>>,
    key: i64,
}

impl StartupLock {
    /// Waits for the start-up lock (PostgreSQL) or returns at once (SQLite).
    pub async fn acquire(db: &DatabaseConnection) -> Result<Self, DbErr> {
        Self::acquire_key(db, LOCK_KEY).await
    }

    /// Waits for the advisory lock `key` (PostgreSQL) or returns at once (SQLite); for other
    /// once-per-cluster steps such as rebuilding a shared search index.
    pub async fn acquire_key(db: &DatabaseConnection, key: i64) -> Result<Self, DbErr> {
        if !super::is_postgres(db) {
            return Ok(Self { conn: None, key });
        }
        let pool = db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(sql_err)?;
        conn.execute(sea_orm::sqlx::query("SELECT pg_advisory_lock($1)").bind(key))
            .await
            .map_err(sql_err)?;
        Ok(Self {
            conn: Some(conn),
            key,
        })
    }

    /// Releases the lock.
    pub async fn release(mut self) -> Result<(), DbErr> {
        if let Some(mut conn) = self.conn.take() {
            conn.execute(sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)").bind(self.key))
                .await
                .map_err(sql_err)?;
        }
        Ok(())
    }
}

impl Drop for StartupLock {
    fn drop(&mut self) {
        // Not released explicitly (an error path): close the connection instead of returning it
        // to the pool, which ends the session and with it the lock.
        if let Some(mut conn) = self.conn.take() {
            conn.close_on_drop();
        }
    }
}

fn sql_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("startup lock: {e}"))
}
