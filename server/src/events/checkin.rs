//! At the venue: checking a participant in and recording what came of a meeting.

use super::service::{get, get_meeting, get_participant, require_acting_for};
use crate::audit;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::validate;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use transferhub_schema::entity::event_meeting::{self as meeting, MeetingOutcome};
use transferhub_schema::entity::event_participant as participant;

/// Checks a participant in at the venue.
pub async fn check_in(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    participant_id: i64,
) -> AppResult<participant::Model> {
    let p = get_participant(db, participant_id).await?;
    let e = get(db, p.event_id).await?;
    require_acting_for(viewer, &[&p], &e)?;
    if let Some(t) = p.checked_in_at {
        return Err(AppError::Conflict(format!("already checked in at {t}")));
    }
    let mut a: participant::ActiveModel = p.clone().into();
    a.checked_in_at = Set(Some(Utc::now()));
    let tx = crate::db::begin_write(db).await?;
    let saved = a.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        "event.check_in",
        "event_participant",
        Some(p.id),
        Some(p.organisation_id),
        serde_json::json!({ "event": e.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Records what came of a scheduled meeting.
pub async fn record_outcome(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    meeting_id: i64,
    outcome: MeetingOutcome,
    note: Option<String>,
) -> AppResult<meeting::Model> {
    let m = get_meeting(db, meeting_id).await?;
    let e = get(db, m.event_id).await?;
    let a = get_participant(db, m.requester_id).await?;
    let b = get_participant(db, m.invitee_id).await?;
    require_acting_for(viewer, &[&a, &b], &e)?;
    if m.slot_index.is_none() {
        return Err(AppError::Conflict(
            "only scheduled meetings have outcomes (该洽谈未排期)".into(),
        ));
    }
    let note = validate::optional_text("input.note", note.as_deref(), 1000)?;
    let now = Utc::now();
    let mut am: meeting::ActiveModel = m.clone().into();
    am.outcome = Set(Some(outcome));
    am.outcome_note = Set(note);
    am.outcome_at = Set(Some(now));
    am.updated_at = Set(now);
    let tx = crate::db::begin_write(db).await?;
    let saved = am.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        "event.meeting.outcome",
        "event_meeting",
        Some(m.id),
        Some(e.organiser_id),
        serde_json::json!({ "outcome": format!("{outcome:?}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
