//! Scheduling an event's meetings into slots and tables: the pure scheduler between a load
//! and one writing transaction, one caller at a time per event (a lease).

use super::meetings::suggestions;
use super::scheduler::{self, Instance, MeetingRequest, Participant, Placement, Reason, Slot};
use super::service::{get, ids, pair_key, sessions, slot_times};
use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::{BTreeMap, BTreeSet};
use transferhub_schema::entity::event::{self};
use transferhub_schema::entity::event_meeting::{self as meeting, MeetingOrigin, MeetingStatus};
use transferhub_schema::entity::event_participant as participant;

/// Seconds after which a scheduling lease is considered abandoned.
const LEASE_SECS: i64 = 120;

/// A meeting that stayed out of the schedule, and why.
#[derive(Debug, Clone)]
pub struct UnplacedMeeting {
    /// The meeting.
    pub meeting: meeting::Model,
    /// Why.
    pub reason: Reason,
}

/// What `scheduleEvent` did.
#[derive(Debug, Clone)]
pub struct ScheduleReport {
    /// The event after scheduling.
    pub event: event::Model,
    /// Meetings with a slot.
    pub placed: usize,
    /// Meetings without one.
    pub unplaced: Vec<UnplacedMeeting>,
    /// Earlier placements that changed.
    pub moved: usize,
    /// Sum of priorities placed.
    pub total_priority: u64,
    /// An upper bound on the best possible total.
    pub upper_bound: u64,
}

/// Schedules an event's accepted meetings (and, if asked, suggested ones) into slots and
/// tables. One caller at a time per event (a lease); `if_version` makes the call conditional on
/// the schedule the caller last saw; the schedule is written in one transaction.
pub async fn schedule(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
    include_suggested: bool,
    if_version: Option<i64>,
) -> AppResult<ScheduleReport> {
    let e = get(db, event_id).await?;
    policy::require(viewer, Action::ManageEvents, e.organiser_id)?;
    if let Some(v) = if_version {
        if v != e.schedule_version {
            return Err(AppError::Conflict(format!(
                "the schedule changed (version {} now, {v} expected)",
                e.schedule_version
            )));
        }
    }
    let now = Utc::now();
    let took = event::Entity::update_many()
        .col_expr(event::Column::SchedulingSince, Expr::value(Some(now)))
        .filter(event::Column::Id.eq(event_id))
        .filter(
            Condition::any()
                .add(event::Column::SchedulingSince.is_null())
                .add(event::Column::SchedulingSince.lt(now - Duration::seconds(LEASE_SECS))),
        )
        .exec(db)
        .await?;
    if took.rows_affected != 1 {
        return Err(AppError::Conflict(
            "this event is being scheduled right now; try again when it finishes".into(),
        ));
    }
    let result = schedule_leased(db, viewer, &e, include_suggested, now).await;
    // The lease goes whatever happened (the commit already cleared it on success).
    let _ = event::Entity::update_many()
        .col_expr(
            event::Column::SchedulingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(event::Column::Id.eq(event_id))
        .filter(event::Column::SchedulingSince.eq(now))
        .exec(db)
        .await;
    result
}

/// A meeting to schedule: stored, or a suggestion not yet stored.
struct Candidate {
    stored: Option<meeting::Model>,
    requester: i64,
    invitee: i64,
    priority: i64,
}

async fn schedule_leased(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    e: &event::Model,
    include_suggested: bool,
    now: DateTime<Utc>,
) -> AppResult<ScheduleReport> {
    let ss = sessions(db, e.id).await?;
    let slot_list = slot_times(e, &ss);
    if slot_list.is_empty() {
        return Err(AppError::Conflict("the event has no meeting slots".into()));
    }
    let parts = participant::Entity::find()
        .filter(participant::Column::EventId.eq(e.id))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?;
    let index: BTreeMap<i64, usize> = parts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut statuses = vec![MeetingStatus::Accepted];
    if include_suggested {
        statuses.push(MeetingStatus::Suggested);
    }
    let stored = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(e.id))
        .filter(meeting::Column::Status.is_in(statuses))
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?;
    let mut cands: Vec<Candidate> = stored
        .into_iter()
        .map(|m| Candidate {
            requester: m.requester_id,
            invitee: m.invitee_id,
            priority: m.priority,
            stored: Some(m),
        })
        .collect();
    if include_suggested {
        for s in suggestions(db, e.id, 5).await? {
            cands.push(Candidate {
                stored: None,
                requester: s.seeker,
                invitee: s.offerer,
                priority: 1,
            });
        }
    }
    let session_pos: BTreeMap<i64, usize> = ss.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let inst = Instance {
        slots: slot_list
            .iter()
            .map(|s| Slot { session: s.session })
            .collect(),
        session_caps: ss.iter().map(|s| s.meeting_cap.map(|c| c as u32)).collect(),
        tables: e.tables as u32,
        participants: parts
            .iter()
            .map(|p| {
                let avail: BTreeSet<usize> = ids(&p.availability)
                    .iter()
                    .filter_map(|s| session_pos.get(s).copied())
                    .collect();
                Participant {
                    available: slot_list
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| avail.is_empty() || avail.contains(&s.session))
                        .map(|(i, _)| i)
                        .collect(),
                    booth: p.booth.filter(|_| e.fixed_booths).map(|b| (b - 1) as u32),
                    max_meetings: p
                        .max_meetings
                        .map(|c| c.clamp(0, i64::from(u32::MAX)) as u32),
                    max_per_session: p
                        .max_meetings_per_session
                        .map(|c| c.clamp(0, i64::from(u32::MAX)) as u32),
                }
            })
            .collect(),
        meetings: cands
            .iter()
            .map(|c| MeetingRequest {
                a: index.get(&c.requester).copied().unwrap_or(usize::MAX),
                b: index.get(&c.invitee).copied().unwrap_or(usize::MAX),
                priority: c.priority.clamp(0, i64::from(u32::MAX)) as u32,
                previous: c
                    .stored
                    .as_ref()
                    .and_then(|m| match (m.slot_index, m.table_no) {
                        (Some(s), Some(t)) if s >= 0 && t >= 1 => Some(Placement {
                            slot: s as usize,
                            table: (t - 1) as u32,
                        }),
                        _ => None,
                    }),
            })
            .collect(),
    };
    let upper_bound = inst.upper_bound();
    let (inst, result) = tokio::task::spawn_blocking(move || {
        let r = scheduler::schedule(&inst);
        (inst, r)
    })
    .await
    .map_err(|e| AppError::Internal(format!("scheduler task: {e}")))?;
    let sched = result.map_err(|err| match err {
        scheduler::SchedulerError::NoTables => {
            AppError::bad_input("input.tables", "the event has no tables")
        }
        other => AppError::Internal(format!("scheduler input: {other}")),
    })?;
    debug_assert!(sched.verify(&inst).is_ok());

    let tx = crate::db::begin_write(db).await?;
    let bumped = event::Entity::update_many()
        .col_expr(
            event::Column::ScheduleVersion,
            Expr::value(e.schedule_version + 1),
        )
        .col_expr(event::Column::ScheduledAt, Expr::value(Some(now)))
        .col_expr(
            event::Column::SchedulingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(event::Column::Id.eq(e.id))
        .filter(event::Column::ScheduleVersion.eq(e.schedule_version))
        .exec(&tx)
        .await?;
    if bumped.rows_affected != 1 {
        return Err(AppError::Conflict(
            "another schedule was committed meanwhile; nothing was changed".into(),
        ));
    }
    // Expired requests are closed in the same transaction.
    meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value("EXPIRED"))
        .col_expr(meeting::Column::UpdatedAt, Expr::value(now))
        .filter(meeting::Column::EventId.eq(e.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Requested))
        .filter(meeting::Column::ExpiresAt.lt(now))
        .exec(&tx)
        .await?;
    // Anything not in this schedule's candidates loses its slot.
    let kept: Vec<i64> = cands
        .iter()
        .filter_map(|c| c.stored.as_ref().map(|m| m.id))
        .collect();
    let mut clear = meeting::Entity::update_many()
        .col_expr(meeting::Column::SlotIndex, Expr::value(Option::<i64>::None))
        .col_expr(meeting::Column::TableNo, Expr::value(Option::<i64>::None))
        .col_expr(
            meeting::Column::StartsAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            meeting::Column::EndsAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(meeting::Column::EventId.eq(e.id))
        .filter(meeting::Column::SlotIndex.is_not_null());
    if !kept.is_empty() {
        clear = clear.filter(meeting::Column::Id.is_not_in(kept));
    }
    clear.exec(&tx).await?;
    let mut unplaced = Vec::new();
    let reasons: BTreeMap<usize, Reason> = sched
        .unplaced
        .iter()
        .map(|u| (u.meeting, u.reason))
        .collect();
    for (i, (c, p)) in cands.iter().zip(&sched.placements).enumerate() {
        let (slot, table, starts, ends) = match p {
            Some(p) => {
                let t = slot_list[p.slot];
                (
                    Some(p.slot as i64),
                    Some(i64::from(p.table) + 1),
                    Some(t.starts_at),
                    Some(t.ends_at),
                )
            }
            None => (None, None, None, None),
        };
        match &c.stored {
            Some(m) => {
                if m.slot_index != slot || m.table_no != table || m.starts_at != starts {
                    let mut a: meeting::ActiveModel = m.clone().into();
                    a.slot_index = Set(slot);
                    a.table_no = Set(table);
                    a.starts_at = Set(starts);
                    a.ends_at = Set(ends);
                    a.updated_at = Set(now);
                    a.update(&tx).await?;
                }
                if let Some(r) = reasons.get(&i) {
                    unplaced.push(UnplacedMeeting {
                        meeting: m.clone(),
                        reason: *r,
                    });
                }
            }
            None if p.is_some() => {
                meeting::ActiveModel {
                    event_id: Set(e.id),
                    requester_id: Set(c.requester),
                    invitee_id: Set(c.invitee),
                    pair_key: Set(pair_key(c.requester, c.invitee)),
                    message: Set(None),
                    priority: Set(c.priority),
                    status: Set(MeetingStatus::Suggested),
                    origin: Set(MeetingOrigin::Suggestion),
                    expires_at: Set(None),
                    slot_index: Set(slot),
                    starts_at: Set(starts),
                    ends_at: Set(ends),
                    table_no: Set(table),
                    outcome: Set(None),
                    outcome_note: Set(None),
                    outcome_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
            }
            None => {}
        }
    }
    audit::record(
        &tx,
        viewer,
        "event.schedule",
        "event",
        Some(e.id),
        Some(e.organiser_id),
        serde_json::json!({
            "placed": sched.placements.iter().flatten().count(),
            "unplaced": sched.unplaced.len(),
            "moved": sched.moved,
            "totalPriority": sched.total_priority,
        }),
    )
    .await?;
    tx.commit().await?;
    let event = get(db, e.id).await?;
    Ok(ScheduleReport {
        event,
        placed: sched.placements.iter().flatten().count(),
        unplaced,
        moved: sched.moved,
        total_priority: sched.total_priority,
        upper_bound,
    })
}
