//! Fan-out of live events across replicas through PostgreSQL `LISTEN/NOTIFY`.
//!
//! Each local bus (harvest progress, new matches, event updates, catalog changes) is a tokio
//! broadcast channel or, for catalog changes, the `totalCount` cache (`changes/count_cache.rs`).
//! On PostgreSQL a bus is given a [`Notifier`]: publishing then sends `pg_notify(channel,
//! payload)` (compact JSON, well under PostgreSQL's 8000-byte limit) instead of delivering
//! locally, and every replica — the publishing one included — runs one [`spawn_listener`] task
//! that `LISTEN`s on all channels and re-publishes each notification into its local bus. Local
//! delivery only through the loopback means no subscriber sees an event twice. A single
//! publisher task sends the notifications in order; when the database refuses one after a few
//! tries the event is delivered locally instead, so this replica's subscribers still get it. The
//! listener reconnects with backoff; events sent while it was disconnected are lost (live views
//! are best effort, the store stays the truth). On SQLite (one process) buses deliver directly.

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Channel of `harvestProgress` events.
pub const HARVEST_PROGRESS: &str = "thub_harvest_progress";
/// Channel of `newMatches` events.
pub const NEW_MATCHES: &str = "thub_new_matches";
/// Channel of `eventUpdates` events.
pub const EVENT_UPDATES: &str = "thub_event_updates";
/// Channel of committed catalog changes (each replica empties its `totalCount` cache).
pub const CATALOG_CHANGED: &str = "thub_catalog_changed";

/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
pub const MAX_PAYLOAD: usize = 7900;

/// Where the listener delivers one channel's notifications: a local bus.
pub trait Sink: Send + Sync {
    /// Decodes `payload` and publishes it locally; a payload that does not decode is dropped.
    fn deliver(&self, payload: &str);
}

struct Outgoing {
    channel: &'static str,
    payload: String,
    fallback: Box<dyn FnOnce() + Send>,
}

/// Sends notifications on behalf of the local buses, in order, from one task.
#[derive(Clone)]
pub struct Notifier {
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Notifier {
    /// A notifier for a PostgreSQL store (started on the current runtime); `None` on SQLite or
    /// outside a runtime, where buses deliver in process.
    pub fn for_store(db: &DatabaseConnection) -> Option<Self> {
        if !super::is_postgres(db) || tokio::runtime::Handle::try_current().is_err() {
            return None;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(publisher(db.clone(), rx));
        Some(Self { tx })
    }

    /// Queues `payload` for `channel`; `fallback` delivers locally if it cannot be sent. A
    /// payload too large for NOTIFY is delivered locally at once.
    pub fn send(
        &self,
        channel: &'static str,
        payload: String,
        fallback: impl FnOnce() + Send + 'static,
    ) {
        if payload.len() > MAX_PAYLOAD {
            tracing::warn!(
                channel,
                bytes = payload.len(),
                "live event too large to fan out"
            );
            fallback();
            return;
        }
        if let Err(mpsc::error::SendError(o)) = self.tx.send(Outgoing {
            channel,
            payload,
            fallback: Box::new(fallback),
        }) {
            (o.fallback)();
        }
    }
}

async fn publisher(db: DatabaseConnection, mut rx: mpsc::UnboundedReceiver<Outgoing>) {
    while let Some(o) = rx.recv().await {
        let mut attempt = 0u32;
        loop {
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [o.channel.into(), o.payload.clone().into()],
            );
            match db.execute(stmt).await {
                Ok(_) => break,
                Err(e) if attempt < 3 => {
                    attempt += 1;
                    tracing::debug!(channel = o.channel, error = %e, "NOTIFY failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                }
                Err(e) => {
                    tracing::warn!(channel = o.channel, error = %e, "NOTIFY failed; delivering locally only");
                    (o.fallback)();
                    break;
                }
            }
        }
    }
}

/// The listener task and whether its first `LISTEN` is in place.
pub struct Listener {
    /// The task (runs for the life of the runtime).
    pub task: tokio::task::JoinHandle<()>,
    /// Turns true once the listener is subscribed (or gave up its first try).
    pub ready: tokio::sync::watch::Receiver<bool>,
}

impl Listener {
    /// Waits until the listener is subscribed, at most `limit`, so events published after
    /// start-up are not missed.
    pub async fn wait_ready(&self, limit: Duration) {
        let mut ready = self.ready.clone();
        let _ = tokio::time::timeout(limit, ready.wait_for(|r| *r)).await;
    }
}

/// Starts the listener that re-publishes every replica's notifications into the local buses
/// (PostgreSQL inside a runtime; `None` otherwise).
pub fn spawn_listener(
    db: &DatabaseConnection,
    sinks: HashMap<&'static str, Arc<dyn Sink>>,
) -> Option<Listener> {
    if !super::is_postgres(db) || tokio::runtime::Handle::try_current().is_err() {
        return None;
    }
    let pool = db.get_postgres_connection_pool().clone();
    let (ready_tx, ready) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let channels: Vec<&'static str> = sinks.keys().copied().collect();
        let mut backoff = Duration::from_millis(200);
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => match listener.listen_all(channels.iter().copied()).await {
                    Ok(()) => {
                        let _ = ready_tx.send(true);
                        tracing::debug!("listening for live events of every replica");
                        backoff = Duration::from_millis(200);
                        loop {
                            match listener.recv().await {
                                Ok(n) => {
                                    if let Some(sink) = sinks.get(n.channel()) {
                                        sink.deliver(n.payload());
                                    }
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "live event listener lost its connection");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "LISTEN failed"),
                },
                Err(e) => tracing::warn!(error = %e, "live event listener cannot connect"),
            }
            // Let start-up go on; the loop keeps trying.
            let _ = ready_tx.send(true);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    });
    Some(Listener { task, ready })
}

/// Cuts `s` to at most `max` bytes on a character boundary (keeps payloads small).
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clip("锂离子电池", 7), "锂离");
        assert_eq!(clip("abc", 10), "abc");
    }
}
