//! The transactional outbox and the background indexer. Every store change to an achievement
//! writes a `search_outbox` row in the same transaction; the indexer takes bounded batches in
//! id order, re-reads the achievements, applies them to the index and only then deletes the rows.
//! A crash anywhere in between leaves the rows to be processed again, and processing is
//! idempotent (documents are replaced by id, vanished records are deleted).

use super::service::{self, Search};
use crate::error::AppResult;
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;
use transferhub_schema::entity::search_outbox;

/// Records that achievement `achievement_id` changed; call inside the transaction of the change.
pub async fn enqueue<C: ConnectionTrait>(tx: &C, achievement_id: i64) -> Result<(), DbErr> {
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        achievement_id: Set(achievement_id),
        enqueued_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

fn signal() -> &'static Notify {
    static SIGNAL: OnceLock<Notify> = OnceLock::new();
    SIGNAL.get_or_init(Notify::new)
}

static WAKES: AtomicU64 = AtomicU64::new(0);

/// Tells this process's indexer that a change was committed, so it need not wait for its poll.
pub fn wake() {
    WAKES.fetch_add(1, Ordering::SeqCst);
    signal().notify_waiters();
}

/// Rows waiting to be indexed.
pub async fn pending(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(search_outbox::Entity::find().count(db).await?)
}

/// Indexes one batch of at most `batch` outbox rows; returns how many rows it consumed.
pub async fn drain_once(search: &Search, batch: usize) -> AppResult<usize> {
    let db = search.db();
    let rows = search_outbox::Entity::find()
        .order_by_asc(search_outbox::Column::Id)
        .limit(batch as u64)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.achievement_id).collect();
    let docs = service::documents(db, search.collections(), &ids).await?;
    let present: BTreeSet<i64> = docs.iter().map(|d| d.id).collect();
    let gone: Vec<i64> = ids.difference(&present).copied().collect();
    search.index().apply(docs, gone).await?;
    search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(db)
        .await?;
    Ok(rows.len())
}

/// Deletes the rows up to `max_id` (after a rebuild has covered them).
pub async fn forget_up_to(db: &DatabaseConnection, max_id: i64) -> AppResult<()> {
    search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::Id.lte(max_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Highest outbox row id, or 0.
pub async fn max_id(db: &DatabaseConnection) -> AppResult<i64> {
    Ok(search_outbox::Entity::find()
        .order_by_desc(search_outbox::Column::Id)
        .one(db)
        .await?
        .map_or(0, |r| r.id))
}

/// Starts the background indexer on the current Tokio runtime.
pub fn spawn(search: Arc<Search>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(search))
}

/// The indexer loop: make the index current with the settings (rebuilding when they changed),
/// then drain the outbox whenever woken, or every poll interval for other processes' changes.
async fn run(search: Arc<Search>) {
    let poll = Duration::from_millis(search.config().indexer_poll_ms.max(10));
    let batch = search.config().indexer_batch.max(1);
    let mut backoff = Duration::from_millis(500);
    loop {
        match service::ensure_current(&search).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e.message(), retry_in_ms = backoff.as_millis() as u64, "search index not ready");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
    backoff = Duration::from_millis(500);
    let mut failing = false;
    loop {
        let notified = signal().notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let before = WAKES.load(Ordering::SeqCst);
        match drain_once(&search, batch).await {
            Ok(n) => {
                if failing {
                    tracing::info!("search indexer recovered");
                    failing = false;
                }
                backoff = Duration::from_millis(500);
                if n > 0 {
                    tracing::debug!(search.indexed = n, "search outbox batch indexed");
                    continue;
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e.message(), "search indexer failed; rows stay queued");
                    failing = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        }
        if WAKES.load(Ordering::SeqCst) != before {
            continue;
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
