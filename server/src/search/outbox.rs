//! The search outbox's reader and the background indexer. Every store change to an achievement
//! writes a `search_outbox` row in the same transaction (`changes::achievement_changed`); the
//! indexer takes bounded batches,
//! re-reads the achievements and applies them to the index. Processing is idempotent (documents
//! are replaced by id, vanished records are deleted), so a crash anywhere only means some rows
//! are applied again. How rows are consumed depends on who owns the index:
//!
//! - **Shared engine (Meilisearch), or any index on SQLite: claim and delete.** One index
//!   serves every replica (and a SQLite file has one process), so each row must be applied once.
//!   On PostgreSQL a batch is claimed in a transaction with `SELECT … FOR UPDATE SKIP LOCKED`,
//!   applied, and deleted in the same transaction: two replicas never process the same row, and
//!   a replica that dies mid-batch releases its rows to the others. (Two replicas may still apply
//!   two changes of one record in either order; each re-reads the record, so the later reader
//!   wins unless its write to the engine overtakes the earlier one's.)
//! - **Per-process index (embedded tantivy) on PostgreSQL: a log with a cursor per replica.**
//!   Every replica keeps its own index under its data directory and must see every change, so
//!   rows are not deleted when applied. Each replica remembers the highest row id it applied in
//!   `<index dir>/outbox.cursor` (written after the index commit) and reads the rows above it.
//!   Ids are taken when a row is inserted but become visible when its transaction commits, so a
//!   row can appear below the cursor after later rows were read: rows younger than
//!   `search.outbox_settle_secs` below the cursor are read again and those this process has not
//!   applied are applied. Rows older than `search.outbox_retention_secs` are pruned by any
//!   replica; a replica whose cursor is older than that (it was away) rebuilds its index from
//!   the store on start.
//!
//! Claiming, the worker loop and its wake-up are the one outbox engine (`crate::outbox`), shared
//! with matching's queue (`matching/recompute.rs`).

use super::service::{self, Search};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use transferhub_schema::entity::search_outbox;

/// How this process consumes the outbox (see the module documentation).
pub enum Reader {
    /// A shared engine: claim rows, apply, delete.
    Claim,
    /// A per-process index: read the outbox as a log from this process's cursor.
    Log(LogCursor),
}

/// One replica's position in the outbox log, persisted beside its index.
pub struct LogCursor {
    path: PathBuf,
    settle: ChronoDuration,
    retention: ChronoDuration,
    state: Mutex<CursorState>,
}

#[derive(Default)]
struct CursorState {
    /// Highest row id applied.
    applied_up_to: i64,
    /// Rows at or below the cursor applied while they were younger than the settle time.
    recent: BTreeMap<i64, DateTime<Utc>>,
    /// The persisted cursor is older than the retention: rows it needs may be gone.
    stale: bool,
    /// When this process last pruned old rows.
    pruned_at: Option<DateTime<Utc>>,
}

/// What `outbox.cursor` holds.
#[derive(Serialize, Deserialize)]
struct SavedCursor {
    applied_up_to: i64,
    saved_at: DateTime<Utc>,
}

impl LogCursor {
    /// Reads the cursor saved in `dir` (none: start from the beginning of the log).
    pub fn open(dir: &Path, settle_secs: u64, retention_secs: u64) -> Self {
        let path = dir.join("outbox.cursor");
        let retention =
            ChronoDuration::seconds(i64::try_from(retention_secs).unwrap_or(i64::MAX / 2_000));
        let settle = ChronoDuration::seconds(i64::try_from(settle_secs).unwrap_or(300));
        let saved = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<SavedCursor>(&t).ok());
        let state = CursorState {
            applied_up_to: saved.as_ref().map_or(0, |s| s.applied_up_to),
            // Rows are pruned at the retention age; a margin of one settle time stays safe.
            stale: saved
                .as_ref()
                .is_some_and(|s| Utc::now() - s.saved_at > retention - settle),
            ..Default::default()
        };
        Self {
            path,
            settle,
            retention,
            state: Mutex::new(state),
        }
    }

    fn save(&self, applied_up_to: i64) -> AppResult<()> {
        let text = serde_json::to_string(&SavedCursor {
            applied_up_to,
            saved_at: Utc::now(),
        })
        .map_err(|e| AppError::Internal(format!("outbox cursor: {e}")))?;
        let tmp = self.path.with_extension("cursor.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", self.path.display())))
    }
}

impl Reader {
    /// The reader for an index of kind `backend` over `db`: a log with its cursor in `dir` for
    /// an embedded index on PostgreSQL (where several replicas may each keep one); claiming
    /// otherwise (a shared engine, or SQLite, which one process owns).
    pub fn for_backend(
        backend: &str,
        db: &DatabaseConnection,
        dir: &Path,
        settle_secs: u64,
        retention_secs: u64,
    ) -> Self {
        if backend == "embedded" && db.get_database_backend() == DbBackend::Postgres {
            Self::Log(LogCursor::open(dir, settle_secs, retention_secs))
        } else {
            Self::Claim
        }
    }

    /// True when this replica was away longer than the retention and must rebuild its index.
    pub async fn needs_rebuild(&self) -> bool {
        match self {
            Self::Claim => false,
            Self::Log(c) => c.state.lock().await.stale,
        }
    }

    /// A rebuild read the store after every row up to `max_id` was written: those rows are
    /// done (deleted for a shared engine; behind the cursor for a per-process index).
    pub async fn covered(&self, db: &DatabaseConnection, max_id: i64) -> AppResult<()> {
        match self {
            Self::Claim => forget_up_to(db, max_id).await,
            Self::Log(c) => {
                let mut st = c.state.lock().await;
                st.applied_up_to = st.applied_up_to.max(max_id);
                st.stale = false;
                c.save(st.applied_up_to)
            }
        }
    }
}

/// Rows this process has yet to apply.
pub async fn pending(search: &Search) -> AppResult<u64> {
    let db = search.db();
    match search.outbox() {
        Reader::Claim => pending_rows(db).await,
        Reader::Log(c) => {
            let cursor = c.state.lock().await.applied_up_to;
            Ok(search_outbox::Entity::find()
                .filter(search_outbox::Column::Id.gt(cursor))
                .count(db)
                .await?)
        }
    }
}

/// Rows in the outbox table.
pub async fn pending_rows(db: &DatabaseConnection) -> AppResult<u64> {
    crate::outbox::pending_rows::<search_outbox::Entity>(db).await
}

/// Indexes one batch of at most `batch` outbox rows; returns how many rows it consumed.
pub async fn drain_once(search: &Search, batch: usize) -> AppResult<usize> {
    match search.outbox() {
        Reader::Claim => drain_claimed(search, batch).await,
        Reader::Log(c) => drain_log(search, c, batch).await,
    }
}

/// Applies the rows' achievements to the index.
async fn apply_rows(search: &Search, rows: &[search_outbox::Model]) -> AppResult<()> {
    let db = search.db();
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.achievement_id).collect();
    let docs = service::documents(db, search.collections(), &ids).await?;
    let present: BTreeSet<i64> = docs.iter().map(|d| d.id).collect();
    let gone: Vec<i64> = ids.difference(&present).copied().collect();
    search.index().apply(docs, gone).await?;
    Ok(())
}

async fn drain_claimed(search: &Search, batch: usize) -> AppResult<usize> {
    let claim = crate::outbox::claim::<search_outbox::Entity>(search.db(), batch).await?;
    if !claim.rows.is_empty() {
        apply_rows(search, &claim.rows).await?;
    }
    claim.finish(search.db()).await
}

async fn drain_log(search: &Search, c: &LogCursor, batch: usize) -> AppResult<usize> {
    let db = search.db();
    let batch = batch.max(1) as u64;
    // One drain at a time per process; the lock also guards the cursor.
    let mut st = c.state.lock().await;
    let now = Utc::now();
    let mut rows = search_outbox::Entity::find()
        .filter(search_outbox::Column::Id.gt(st.applied_up_to))
        .order_by_asc(search_outbox::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    let settle_from = now - c.settle;
    st.recent.retain(|_, at| *at >= settle_from);
    if db.get_database_backend() == DbBackend::Postgres {
        // Rows that became visible below the cursor (committed after later rows were read).
        let late: Vec<search_outbox::Model> = search_outbox::Entity::find()
            .filter(search_outbox::Column::Id.lte(st.applied_up_to))
            .filter(search_outbox::Column::EnqueuedAt.gte(settle_from))
            .order_by_asc(search_outbox::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .filter(|r| !st.recent.contains_key(&r.id))
            .take(batch as usize)
            .collect();
        rows.extend(late);
    }
    if rows.is_empty() {
        prune(db, c, &mut st, now).await;
        return Ok(0);
    }
    apply_rows(search, &rows).await?;
    for r in &rows {
        if r.enqueued_at >= settle_from {
            st.recent.insert(r.id, r.enqueued_at);
        }
        st.applied_up_to = st.applied_up_to.max(r.id);
    }
    c.save(st.applied_up_to)?;
    Ok(rows.len())
}

/// Deletes rows older than the retention, at most once a minute per process; failures only log.
async fn prune(db: &DatabaseConnection, c: &LogCursor, st: &mut CursorState, now: DateTime<Utc>) {
    if st
        .pruned_at
        .is_some_and(|t| now - t < ChronoDuration::seconds(60))
    {
        return;
    }
    st.pruned_at = Some(now);
    if let Err(e) = search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::EnqueuedAt.lt(now - c.retention))
        .exec(db)
        .await
    {
        tracing::warn!(error = %e, "cannot prune the search outbox");
    }
}

/// Deletes the rows up to `max_id` (after a rebuild of a shared index has covered them).
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
    crate::outbox::run_worker(
        "search indexer",
        &crate::changes::SEARCH_QUEUE,
        poll,
        move || indexer_step(search.clone(), batch),
    )
    .await;
}

async fn indexer_step(search: Arc<Search>, batch: usize) -> AppResult<usize> {
    let n = drain_once(&search, batch).await?;
    if n > 0 {
        tracing::debug!(search.indexed = n, "search outbox batch indexed");
    }
    Ok(n)
}
