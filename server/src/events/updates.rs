//! Live event changes for the `eventUpdates` subscription: every committed change to an
//! event's registrations, meetings or schedule is published on one broadcast channel.

use async_graphql::{Enum, SimpleObject, ID};
use tokio::sync::broadcast;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
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
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }
}

impl EventBus {
    /// Publishes a change; nobody listening is fine.
    pub fn publish(&self, u: EventUpdate) {
        let _ = self.tx.send(u);
    }

    /// A new listener.
    pub fn subscribe(&self) -> broadcast::Receiver<EventUpdate> {
        self.tx.subscribe()
    }
}
