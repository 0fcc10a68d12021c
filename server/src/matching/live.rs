//! Live new-match announcements: the recompute worker publishes each pair it had not suggested
//! before on a broadcast channel the `newMatches` subscription listens to. On PostgreSQL the
//! channel is fed through `LISTEN/NOTIFY`, so a subscriber on any replica sees matches found by
//! any replica's worker (`cluster/notify.rs`).

use crate::cluster::notify::{self, Notifier};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Longest summary sent between replicas, in bytes (keeps a NOTIFY payload small).
const MAX_SUMMARY_BYTES: usize = 2000;

/// A pair suggested for the first time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMatch {
    /// The need.
    pub need_id: i64,
    /// The achievement.
    pub achievement_id: i64,
    /// Score when found.
    pub score: f64,
    /// One-line explanation.
    pub summary: String,
}

/// The process-wide channel of new matches.
#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<NewMatch>,
    relay: Option<Notifier>,
}

impl Default for Live {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx, relay: None }
    }
}

impl Live {
    /// The same channel, fanned out to every replica through `notifier`.
    pub fn with_relay(mut self, notifier: Option<Notifier>) -> Self {
        self.relay = notifier;
        self
    }

    /// Publishes one new match (to every replica when relayed); nobody listening is fine.
    pub fn publish(&self, mut m: NewMatch) {
        let Some(relay) = &self.relay else {
            let _ = self.tx.send(m);
            return;
        };
        m.summary = notify::clip(&m.summary, MAX_SUMMARY_BYTES);
        match serde_json::to_string(&m) {
            Ok(payload) => {
                let tx = self.tx.clone();
                relay.send(notify::NEW_MATCHES, payload, move || {
                    let _ = tx.send(m);
                });
            }
            Err(_) => {
                let _ = self.tx.send(m);
            }
        }
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<NewMatch> {
        self.tx.subscribe()
    }
}

impl notify::Sink for Live {
    fn deliver(&self, payload: &str) {
        if let Ok(m) = serde_json::from_str::<NewMatch>(payload) {
            let _ = self.tx.send(m);
        }
    }
}
