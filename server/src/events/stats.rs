//! Per-event statistics: registrations, check-ins, meetings by status and outcomes.

use crate::error::AppResult;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use transferhub_schema::entity::event_meeting::{self as meeting};
use transferhub_schema::entity::event_participant as participant;

/// Per-event counts for statistics.
#[derive(Debug, Clone, Default)]
pub struct EventStats {
    /// Registered participants.
    pub participants: u64,
    /// Checked in.
    pub checked_in: u64,
    /// Meetings by status.
    pub by_status: BTreeMap<String, u64>,
    /// Scheduled meetings.
    pub scheduled: u64,
    /// Outcomes recorded, by kind.
    pub by_outcome: BTreeMap<String, u64>,
}

/// Counts for the event's statistics: registrations, check-ins, meetings and outcomes.
pub async fn stats(db: &DatabaseConnection, event_id: i64) -> AppResult<EventStats> {
    let parts = participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .all(db)
        .await?;
    let ms = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .all(db)
        .await?;
    let mut s = EventStats {
        participants: parts.len() as u64,
        checked_in: parts.iter().filter(|p| p.checked_in_at.is_some()).count() as u64,
        ..Default::default()
    };
    for m in &ms {
        *s.by_status.entry(format!("{:?}", m.status)).or_default() += 1;
        if m.slot_index.is_some() {
            s.scheduled += 1;
        }
        if let Some(o) = m.outcome {
            *s.by_outcome.entry(format!("{o:?}")).or_default() += 1;
        }
    }
    Ok(s)
}
