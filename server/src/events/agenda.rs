//! Personal agendas as iCalendar (RFC 5545) for `GET /events/{id}/agenda.ics?participant=…`:
//! one VEVENT per scheduled meeting with the counterpart, table and venue, built with the
//! `icalendar` crate so calendar apps import it as is.

use super::{meetings, service};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use transferhub_schema::entity::{event_participant as participant, organisation};

/// The agenda of `participant_id` in event `event_id` as an iCalendar document.
pub async fn ics(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
    participant_id: i64,
) -> AppResult<String> {
    let e = service::get(db, event_id).await?;
    let me = service::get_participant(db, participant_id).await?;
    if me.event_id != event_id {
        return Err(AppError::NotFound(format!(
            "participant {participant_id} of event {event_id}"
        )));
    }
    meetings::require_reader(viewer, &e, &me)?;
    let meetings = meetings::agenda(db, participant_id).await?;
    let parts: BTreeMap<i64, participant::Model> = participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let orgs: BTreeMap<i64, organisation::Model> = organisation::Entity::find()
        .filter(
            organisation::Column::Id.is_in(
                parts
                    .values()
                    .map(|p| p.organisation_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let name_of = |pid: i64| -> String {
        parts
            .get(&pid)
            .and_then(|p| orgs.get(&p.organisation_id))
            .map_or_else(|| format!("participant {pid}"), |o| o.name_zh.clone())
    };
    let mut cal = Calendar::new();
    cal.name(&format!("{} · {}", e.title, name_of(participant_id)));
    for m in meetings {
        let (Some(start), Some(end)) = (m.starts_at, m.ends_at) else {
            continue;
        };
        let other = if m.requester_id == participant_id {
            m.invitee_id
        } else {
            m.requester_id
        };
        let table = m.table_no.map_or_else(String::new, |t| format!("{t}号桌"));
        let location = match (&e.location, table.is_empty()) {
            (Some(l), false) => format!("{l} {table}"),
            (Some(l), true) => l.clone(),
            (None, _) => table.clone(),
        };
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("meeting-{}-{}@transferhub", e.id, m.id))
            .summary(&format!(
                "洽谈：{} (meeting with {})",
                name_of(other),
                name_of(other)
            ))
            .description(&format!(
                "{}\n{}",
                e.title,
                m.message.as_deref().unwrap_or_default()
            ))
            .starts(start)
            .ends(end)
            .status(EventStatus::Confirmed);
        if !location.is_empty() {
            ev.location(&location);
        }
        cal.push(ev.done());
    }
    Ok(cal.done().to_string())
}
