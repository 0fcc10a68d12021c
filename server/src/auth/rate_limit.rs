//! Per-key rate limits for bearer tokens and API keys. Each key gets a budget of its
//! `rate_limit_per_minute` (or the configured default); a key over its budget gets 429 /
//! RATE_LIMITED with the seconds to wait. Two stores, chosen by `auth.rate_limit_store`:
//!
//! - `memory`: per process, GCRA via `governor` (no database work per request). With several
//!   replicas each one grants the full budget.
//! - `database`: one budget for the whole cluster. A fixed one-minute window per key is counted
//!   in `rate_limit_windows` with a single `INSERT … ON CONFLICT DO UPDATE … RETURNING hits`,
//!   atomic on PostgreSQL and SQLite, so a burst split across replicas is limited by the total.
//!   Like the GCRA bucket (whose burst is the whole minute's budget), a key can spend its budget
//!   at the end of one window and again at the start of the next. Old windows are pruned.
//!
//! `auto` (the default) picks `database` on PostgreSQL and `memory` on SQLite.

use crate::error::{AppError, AppResult};
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// Length of a database window in seconds.
const WINDOW_SECS: i64 = 60;

/// The budgets of every key, in process or in the database.
pub struct KeyLimits {
    default_per_minute: u32,
    store: Store,
}

enum Store {
    Memory(MemoryBuckets),
    Database(DatabaseWindows),
}

impl KeyLimits {
    /// In-process buckets sized `default_per_minute` unless a key says otherwise.
    pub fn new(default_per_minute: u32) -> Self {
        Self {
            default_per_minute,
            store: Store::Memory(MemoryBuckets::default()),
        }
    }

    /// Budgets counted in the shared database, so every replica draws on the same one.
    pub fn database(default_per_minute: u32, db: DatabaseConnection) -> Self {
        Self {
            default_per_minute,
            store: Store::Database(DatabaseWindows {
                db,
                pruned_window: AtomicI64::new(0),
            }),
        }
    }

    /// The store `auth.rate_limit_store` asks for (`auto`: database on PostgreSQL).
    pub fn configured(store: &str, default_per_minute: u32, db: &DatabaseConnection) -> Self {
        let database = match store {
            "database" => true,
            "memory" => false,
            _ => db.get_database_backend() == DbBackend::Postgres,
        };
        if database {
            Self::database(default_per_minute, db.clone())
        } else {
            Self::new(default_per_minute)
        }
    }

    /// Which store is in use (`memory` or `database`).
    pub fn store_name(&self) -> &'static str {
        match self.store {
            Store::Memory(_) => "memory",
            Store::Database(_) => "database",
        }
    }

    /// Takes one request from `token_id`'s budget, or says how long to wait.
    pub async fn check(&self, token_id: i64, per_minute: Option<i32>) -> AppResult<()> {
        let rate = per_minute
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(self.default_per_minute)
            .max(1);
        match &self.store {
            Store::Memory(m) => m.check(token_id, rate),
            Store::Database(d) => d.check(token_id, rate).await,
        }
    }
}

#[derive(Default)]
struct MemoryBuckets {
    clock: DefaultClock,
    buckets: Mutex<HashMap<i64, (u32, Arc<DefaultDirectRateLimiter>)>>,
}

impl MemoryBuckets {
    fn check(&self, token_id: i64, rate: u32) -> AppResult<()> {
        let limiter = {
            let mut buckets = self
                .buckets
                .lock()
                .map_err(|_| AppError::Internal("rate limit table poisoned".into()))?;
            let entry = buckets
                .entry(token_id)
                .or_insert_with(|| (rate, bucket(rate)));
            if entry.0 != rate {
                *entry = (rate, bucket(rate));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

fn bucket(per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct(Quota::per_minute(n)))
}

struct DatabaseWindows {
    db: DatabaseConnection,
    /// The window whose predecessors were last pruned by this process.
    pruned_window: AtomicI64,
}

impl DatabaseWindows {
    async fn check(&self, token_id: i64, rate: u32) -> AppResult<()> {
        let now = Utc::now().timestamp();
        let window = now - now.rem_euclid(WINDOW_SECS);
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "INSERT INTO rate_limit_windows (token_id, window_start, hits) VALUES ($1, $2, 1) \
                 ON CONFLICT (token_id, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1 \
                 RETURNING hits"
            }
            _ => {
                "INSERT INTO rate_limit_windows (token_id, window_start, hits) VALUES (?, ?, 1) \
                 ON CONFLICT (token_id, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1 \
                 RETURNING hits"
            }
        };
        let row = self
            .db
            .query_one(Statement::from_sql_and_values(
                backend,
                sql,
                [token_id.into(), window.into()],
            ))
            .await?
            .ok_or_else(|| AppError::Internal("rate limit counter returned nothing".into()))?;
        let hits: i64 = row.try_get("", "hits")?;
        if self.pruned_window.swap(window, Ordering::Relaxed) != window {
            self.prune(window - WINDOW_SECS).await;
        }
        if hits > i64::from(rate) {
            let wait = (window + WINDOW_SECS - now).max(1);
            return Err(AppError::RateLimited {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
        Ok(())
    }

    /// Deletes windows older than `keep_from` (once per window per process; failures only log).
    async fn prune(&self, keep_from: i64) {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => "DELETE FROM rate_limit_windows WHERE window_start < $1",
            _ => "DELETE FROM rate_limit_windows WHERE window_start < ?",
        };
        if let Err(e) = self
            .db
            .execute(Statement::from_sql_and_values(
                backend,
                sql,
                [keep_from.into()],
            ))
            .await
        {
            tracing::warn!(error = %e, "cannot prune old rate limit windows");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn refused_after_three(limits: &KeyLimits) {
        for _ in 0..3 {
            limits.check(7, Some(3)).await.expect("within budget");
        }
        match limits.check(7, Some(3)).await {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
        // Another key has its own budget.
        limits.check(8, Some(3)).await.expect("other key");
    }

    #[tokio::test]
    async fn a_burst_beyond_the_budget_is_refused_with_a_wait() {
        refused_after_three(&KeyLimits::new(600)).await;
    }

    #[tokio::test]
    async fn the_database_store_counts_one_budget() {
        let db = crate::db::memory().await.expect("db");
        let limits = KeyLimits::configured("database", 600, &db);
        assert_eq!(limits.store_name(), "database");
        // Avoid straddling a window boundary.
        let into = Utc::now().timestamp().rem_euclid(WINDOW_SECS);
        if into > WINDOW_SECS - 3 {
            tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        }
        refused_after_three(&limits).await;
        // A second limiter on the same store (another replica) sees the spent budget.
        let other = KeyLimits::database(600, db.clone());
        assert!(other.check(7, Some(3)).await.is_err());
        assert_eq!(
            KeyLimits::configured("auto", 600, &db).store_name(),
            "memory"
        );
    }
}
