//! Live harvest progress: each committed page publishes the run's counters on a broadcast
//! channel that the `harvestProgress` subscription and the CLI progress bar listen to. On
//! PostgreSQL the channel is fed through `LISTEN/NOTIFY` so every replica's subscribers see every
//! replica's harvests (`cluster/notify.rs`).

use crate::cluster::notify::{self, Notifier};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// A snapshot of a run after a committed page (or at its end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// Source key.
    pub source_key: String,
    /// Run id.
    pub run_id: i64,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    /// Records seen so far.
    pub seen: i64,
    /// Achievements created.
    pub created: i64,
    /// Achievements updated (or merged into).
    pub updated: i64,
    /// Records unchanged since the last harvest.
    pub unchanged: i64,
    /// Records the source deleted.
    pub deleted: i64,
    /// Records rejected.
    pub rejected: i64,
    /// Pages committed.
    pub pages: i64,
}

/// The process-wide progress channel.
#[derive(Clone)]
pub struct Progress {
    tx: broadcast::Sender<ProgressEvent>,
    relay: Option<Notifier>,
}

impl Default for Progress {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self { tx, relay: None }
    }
}

impl Progress {
    /// The same channel, fanned out to every replica through `notifier`.
    pub fn with_relay(mut self, notifier: Option<Notifier>) -> Self {
        self.relay = notifier;
        self
    }

    /// Publishes an event (to every replica when relayed); nobody listening is fine.
    pub fn publish(&self, e: ProgressEvent) {
        match (&self.relay, serde_json::to_string(&e)) {
            (Some(relay), Ok(payload)) => {
                let tx = self.tx.clone();
                relay.send(notify::HARVEST_PROGRESS, payload, move || {
                    let _ = tx.send(e);
                });
            }
            _ => {
                let _ = self.tx.send(e);
            }
        }
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.tx.subscribe()
    }
}

impl notify::Sink for Progress {
    fn deliver(&self, payload: &str) {
        if let Ok(e) = serde_json::from_str::<ProgressEvent>(payload) {
            let _ = self.tx.send(e);
        }
    }
}
