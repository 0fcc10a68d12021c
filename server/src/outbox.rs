//! One engine for the transactional outboxes (the search index's `search_outbox`, matching's
//! `match_outbox`, and whatever queue a new domain adds). A change writes its rows in its own
//! transaction (see [`crate::changes`]); a background worker per queue takes bounded batches in
//! id order, applies them, and only then deletes them, so a crash anywhere only means some rows
//! are applied again (every consumer is idempotent).
//!
//! - [`claim`]: one batch, claimed, then [`Claim::finish`] once applied. On PostgreSQL the batch is read with `SELECT … FOR
//!   UPDATE SKIP LOCKED` in a transaction that also deletes the rows, so replicas draining the
//!   same queue never apply the same row and a replica that dies mid-batch releases its rows to
//!   the others. On SQLite (one process per file) there is nobody to race with.
//! - [`Waker`]: the in-process signal a commit gives a worker so it need not wait for its poll.
//! - [`run_worker`]: the worker loop — drain while there is work, back off on errors, otherwise
//!   sleep until woken or until the poll interval (other replicas' changes) has passed.
//!
//! The search outbox on an embedded index over PostgreSQL is read as a log with a cursor per
//! replica instead of being claimed; that reader stays in `search/outbox.rs`.

use crate::error::AppResult;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Notify;

/// An outbox table: rows with an increasing integer id.
pub trait Table: EntityTrait {
    /// The id column (rows are taken in its order).
    fn id_column() -> Self::Column;
    /// The id of a row.
    fn row_id(row: &Self::Model) -> i64;
}

impl Table for transferhub_schema::entity::search_outbox::Entity {
    fn id_column() -> Self::Column {
        transferhub_schema::entity::search_outbox::Column::Id
    }
    fn row_id(row: &Self::Model) -> i64 {
        row.id
    }
}

impl Table for transferhub_schema::entity::match_outbox::Entity {
    fn id_column() -> Self::Column {
        transferhub_schema::entity::match_outbox::Column::Id
    }
    fn row_id(row: &Self::Model) -> i64 {
        row.id
    }
}

/// The in-process wake-up of one queue's worker.
pub struct Waker {
    signal: OnceLock<Notify>,
    wakes: AtomicU64,
}

impl Waker {
    /// A waker nobody has rung yet (for a `static`).
    pub const fn new() -> Self {
        Self {
            signal: OnceLock::new(),
            wakes: AtomicU64::new(0),
        }
    }

    fn signal(&self) -> &Notify {
        self.signal.get_or_init(Notify::new)
    }

    /// Tells the worker that a change was committed.
    pub fn wake(&self) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.signal().notify_waiters();
    }
}

impl Default for Waker {
    fn default() -> Self {
        Self::new()
    }
}

/// Rows in the table.
pub async fn pending_rows<T: Table>(db: &DatabaseConnection) -> AppResult<u64>
where
    T::Model: Sync,
{
    Ok(T::find().count(db).await?)
}

/// Deletes `rows` (after they were applied).
pub async fn delete_rows<T: Table, C: ConnectionTrait>(db: &C, rows: &[T::Model]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    T::delete_many()
        .filter(T::id_column().is_in(rows.iter().map(T::row_id)))
        .exec(db)
        .await?;
    Ok(())
}

/// A batch of rows taken from an outbox: apply them, then [`Claim::finish`] deletes them (and,
/// on PostgreSQL, ends the transaction whose row locks are the claim). Dropped unfinished, the
/// rows stay queued.
pub struct Claim<T: Table> {
    /// The rows, oldest first.
    pub rows: Vec<T::Model>,
    tx: Option<DatabaseTransaction>,
}

/// Takes at most `batch` of the oldest rows, claimed (see the module documentation).
pub async fn claim<T: Table>(db: &DatabaseConnection, batch: usize) -> AppResult<Claim<T>> {
    let oldest_first = T::find()
        .order_by_asc(T::id_column())
        .limit(batch.max(1) as u64);
    if db.get_database_backend() != DbBackend::Postgres {
        // One process per SQLite file: nobody to race with.
        let rows = oldest_first.all(db).await?;
        return Ok(Claim { rows, tx: None });
    }
    // The row locks are the claim: other replicas skip these rows until the transaction ends.
    let tx = db.begin().await?;
    let rows = oldest_first
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&tx)
        .await?;
    Ok(Claim { rows, tx: Some(tx) })
}

impl<T: Table> Claim<T> {
    /// The rows were applied: deletes them and releases the claim; returns how many there were.
    pub async fn finish(self, db: &DatabaseConnection) -> AppResult<usize> {
        let n = self.rows.len();
        match self.tx {
            Some(tx) => {
                delete_rows::<T, _>(&tx, &self.rows).await?;
                tx.commit().await?;
            }
            None => delete_rows::<T, _>(db, &self.rows).await?,
        }
        Ok(n)
    }
}

/// The worker loop of one queue: `step` drains one batch and returns how many rows it consumed;
/// it runs again at once while there was work, with backoff (30 s at most) while it fails, and
/// otherwise when `waker` rings or `poll` has passed (changes made by other replicas). `name`
/// labels the log lines.
pub async fn run_worker<F, Fut>(
    name: &'static str,
    waker: &'static Waker,
    poll: Duration,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<usize>>,
{
    let mut backoff = Duration::from_millis(500);
    let mut failing = false;
    loop {
        let notified = waker.signal().notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let before = waker.wakes.load(Ordering::SeqCst);
        match step().await {
            Ok(n) => {
                if failing {
                    tracing::info!(worker = name, "{name} recovered");
                    failing = false;
                }
                backoff = Duration::from_millis(500);
                if n > 0 {
                    continue;
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(worker = name, error = %e.message(), "{name} failed; rows stay queued");
                    failing = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        }
        if waker.wakes.load(Ordering::SeqCst) != before {
            continue;
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    static TEST_WAKER: Waker = Waker::new();

    #[tokio::test]
    async fn a_woken_worker_runs_before_its_poll_and_drains_while_there_is_work() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        // Work on the first three calls, then idle; the poll is far away.
        let worker = tokio::spawn(run_worker(
            "test worker",
            &TEST_WAKER,
            Duration::from_secs(3600),
            move || {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                async move { Ok(usize::from(n < 3)) }
            },
        ));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while calls.load(Ordering::SeqCst) < 4 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            4,
            "drains until a step finds nothing"
        );
        TEST_WAKER.wake();
        while calls.load(Ordering::SeqCst) < 5 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "a wake runs the step again"
        );
        worker.abort();
    }
}
