//! Change propagation, in one place. A write that changes achievements or needs calls, inside its
//! own transaction,
//!
//! - [`achievement_changed`]`(tx, ids)`: the search index and matching must look at these
//!   achievements again (a `search_outbox` and a `match_outbox` row each);
//! - [`need_changed`]`(tx, ids)`: matching must look at these needs again (`match_outbox`);
//!
//! and, after the commit, [`committed`]: wakes this process's search indexer and matching worker
//! (so nothing waits for their poll) and invalidates the `totalCount` cache here and, on
//! PostgreSQL, on every other replica. The queue rows are drained by the workers through the one
//! outbox engine ([`crate::outbox`]); a crash between commit and wake only delays them until the
//! next poll. A new domain whose records reach search or matching adds its `…_changed` here.

pub mod count_cache;

use crate::cluster::notify::{self, Notifier};
use crate::outbox::Waker;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Iterable, Set};
use std::sync::RwLock;
use transferhub_schema::entity::{match_outbox, search_outbox};

/// Wakes the search indexer (`search/outbox.rs`).
pub static SEARCH_QUEUE: Waker = Waker::new();
/// Wakes the matching recompute worker (`matching/recompute.rs`).
pub static MATCHING_QUEUE: Waker = Waker::new();

/// Matching queue subject for needs.
pub const NEED: &str = "NEED";
/// Matching queue subject for achievements.
pub const ACHIEVEMENT: &str = "ACHIEVEMENT";

/// Bound parameters per statement: well under SQLite's limit.
const MAX_PARAMS: usize = 30_000;

/// Achievements `ids` were created, changed or deleted: queue them for the search index and for
/// matching. Call inside the transaction of the change; call [`committed`] after it.
pub async fn achievement_changed<C: ConnectionTrait>(tx: &C, ids: &[i64]) -> Result<(), DbErr> {
    search_queue(tx, ids).await?;
    matching_queue(tx, ACHIEVEMENT, ids).await
}

/// Needs `ids` were created, changed or closed (or their feedback changed): queue them for
/// matching. Call inside the transaction of the change; call [`committed`] after it.
pub async fn need_changed<C: ConnectionTrait>(tx: &C, ids: &[i64]) -> Result<(), DbErr> {
    matching_queue(tx, NEED, ids).await
}

/// Several rows per statement (one statement per record cost more than the rest of an import).
async fn search_queue<C: ConnectionTrait>(tx: &C, ids: &[i64]) -> Result<(), DbErr> {
    let now = Utc::now();
    for chunk in ids.chunks(MAX_PARAMS / search_outbox::Column::iter().count()) {
        search_outbox::Entity::insert_many(chunk.iter().map(|&id| search_outbox::ActiveModel {
            achievement_id: Set(id),
            enqueued_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

async fn matching_queue<C: ConnectionTrait>(
    tx: &C,
    subject: &str,
    ids: &[i64],
) -> Result<(), DbErr> {
    let now = Utc::now();
    for chunk in ids.chunks(MAX_PARAMS / match_outbox::Column::iter().count()) {
        match_outbox::Entity::insert_many(chunk.iter().map(|&id| match_outbox::ActiveModel {
            subject: Set(subject.to_string()),
            subject_id: Set(id),
            enqueued_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// The after-commit hook of every write: wakes the workers and invalidates the counts, here and
/// (PostgreSQL) on the other replicas.
pub fn committed() {
    SEARCH_QUEUE.wake();
    MATCHING_QUEUE.wake();
    count_cache::invalidate();
    let relay = RELAY.read().ok().and_then(|r| r.clone());
    if let Some(relay) = relay {
        // Every replica's listener (this one's too) invalidates on arrival; if the notification
        // cannot be sent, this replica has already invalidated its own cache.
        relay.send(notify::CATALOG_CHANGED, String::new(), || {});
    }
}

static RELAY: RwLock<Option<Notifier>> = RwLock::new(None);

/// Sets where [`committed`] announces changes to the other replicas (the hub's notifier on
/// PostgreSQL; `None` keeps them in this process).
pub fn set_relay(notifier: Option<Notifier>) {
    if let Ok(mut r) = RELAY.write() {
        *r = notifier;
    }
}

/// Receives other replicas' [`committed`] announcements (registered with the listener).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChangeSink;

impl notify::Sink for ChangeSink {
    fn deliver(&self, _payload: &str) {
        count_cache::invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{Database, PaginatorTrait};

    #[tokio::test]
    async fn changes_queue_rows_for_search_and_matching_in_the_callers_transaction() {
        let db = Database::connect("sqlite::memory:").await.expect("db");
        crate::db::migrate(&db).await.expect("migrate");
        let ids: Vec<i64> = (1..=7_000).collect();
        achievement_changed(&db, &ids).await.expect("achievements");
        need_changed(&db, &[3, 4]).await.expect("needs");
        assert_eq!(
            search_outbox::Entity::find().count(&db).await.ok(),
            Some(7_000)
        );
        assert_eq!(
            match_outbox::Entity::find().count(&db).await.ok(),
            Some(7_002)
        );
        let g = count_cache::generation();
        committed();
        assert!(
            count_cache::generation() > g,
            "the count cache is invalidated"
        );
    }
}
