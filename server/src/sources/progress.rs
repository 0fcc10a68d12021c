//! Live harvest progress: each committed page publishes the run's counters on a broadcast
//! channel that the `harvestProgress` subscription and the CLI progress bar listen to.

use tokio::sync::broadcast;

/// A snapshot of a run after a committed page (or at its end).
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Default for Progress {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self { tx }
    }
}

impl Progress {
    /// Publishes an event; nobody listening is fine.
    pub fn publish(&self, e: ProgressEvent) {
        let _ = self.tx.send(e);
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.tx.subscribe()
    }
}
