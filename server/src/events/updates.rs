//! Live event changes for the `eventUpdates` subscription: every committed change to an
//! event's registrations, meetings or schedule is published on one broadcast channel. On
//! PostgreSQL the channel is fed through `LISTEN/NOTIFY`, so subscribers on every replica see
//! changes made through any replica (`cluster/notify.rs`).

use crate::cluster::notify::{self, Notifier};
use async_graphql::{Enum, SimpleObject, ID};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
pub enum EventUpdateKind {
    /// A participant registered.
    Registered,
    /// A meeting was requested, answered, cancelled or expired.
    MeetingChanged,
    /// A new schedule was committed.
    Scheduled,
    /// A participant checked in.
    CheckedIn,
    /// A meeting outcome was recorded.
    OutcomeRecorded,
    /// The event's settings changed.
    EventChanged,
}

/// One change, as sent to subscribers.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject, Serialize, Deserialize)]
pub struct EventUpdate {
    /// The event's global id.
    pub event_id: ID,
    /// What changed.
    pub kind: EventUpdateKind,
    /// The meeting concerned, if any.
    pub meeting_id: Option<ID>,
    /// The participant concerned, if any.
    pub participant_id: Option<ID>,
    /// The event's schedule version after the change.
    pub schedule_version: i64,
    #[graphql(skip)]
    /// Row id of the event, for filtering.
    pub event_row: i64,
}

/// The process-wide channel of event changes.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<EventUpdate>,
    relay: Option<Notifier>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx, relay: None }
    }
}

impl EventBus {
    /// The same channel, fanned out to every replica through `notifier`.
    pub fn with_relay(mut self, notifier: Option<Notifier>) -> Self {
        self.relay = notifier;
        self
    }

    /// Publishes a change (to every replica when relayed); nobody listening is fine.
    pub fn publish(&self, u: EventUpdate) {
        match (&self.relay, serde_json::to_string(&u)) {
            (Some(relay), Ok(payload)) => {
                let tx = self.tx.clone();
                relay.send(notify::EVENT_UPDATES, payload, move || {
                    let _ = tx.send(u);
                });
            }
            _ => {
                let _ = self.tx.send(u);
            }
        }
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<EventUpdate> {
        self.tx.subscribe()
    }
}

impl notify::Sink for EventBus {
    fn deliver(&self, payload: &str) {
        if let Ok(u) = serde_json::from_str::<EventUpdate>(payload) {
            let _ = self.tx.send(u);
        }
    }
}
