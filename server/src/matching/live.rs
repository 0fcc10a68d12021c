//! Live new-match announcements: the recompute worker publishes each pair it had not suggested
//! before on a broadcast channel the `newMatches` subscription listens to.

use tokio::sync::broadcast;

/// A pair suggested for the first time.
#[derive(Debug, Clone, PartialEq)]
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
}

impl Default for Live {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }
}

impl Live {
    /// Publishes one new match; nobody listening is fine.
    pub fn publish(&self, m: NewMatch) {
        let _ = self.tx.send(m);
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<NewMatch> {
        self.tx.subscribe()
    }
}
