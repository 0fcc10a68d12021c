//! Meetings between participants: requests and answers, the suggested pairs not yet requested,
//! and the meetings and agenda a viewer may read.

use super::registration::own_participant;
use super::service::{
    get, get_meeting, get_participant, ids, organises, pair_key, require_acting_for,
    require_side_or_organiser,
};
use super::suggest::{self, Profile, Registrant};
use crate::audit;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::{BTreeMap, BTreeSet};
use transferhub_schema::entity::event::{self, RequestMode};
use transferhub_schema::entity::event_meeting::{self as meeting, MeetingOrigin, MeetingStatus};
use transferhub_schema::entity::{achievement, event_participant as participant, need};

/// An answer to a meeting request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Yes.
    Accept,
    /// No.
    Decline,
    /// Withdraw.
    Cancel,
}

/// Asks for a meeting; in AUTO_ACCEPT events it is accepted at once.
pub async fn request_meeting(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
    from: Option<i64>,
    to: i64,
    message: Option<String>,
    priority: Option<i32>,
) -> AppResult<meeting::Model> {
    let e = get(db, event_id).await?;
    let from = match from {
        Some(id) => get_participant(db, id)
            .await
            .map_err(|_| AppError::bad_input("input.from", "no such participant"))?,
        None => own_participant(db, viewer, event_id).await?,
    };
    if from.event_id != event_id {
        return Err(AppError::bad_input(
            "input.from",
            "participant of another event",
        ));
    }
    require_acting_for(viewer, &[&from], &e)?;
    let to = get_participant(db, to)
        .await
        .map_err(|_| AppError::bad_input("input.to", "no such participant"))?;
    if to.event_id != event_id {
        return Err(AppError::bad_input(
            "input.to",
            "participant of another event",
        ));
    }
    if to.id == from.id || to.organisation_id == from.organisation_id {
        return Err(AppError::bad_input(
            "input.to",
            "cannot request a meeting with yourself (不能向自己发起洽谈)",
        ));
    }
    let priority = priority.unwrap_or(3);
    if !(1..=5).contains(&priority) {
        return Err(AppError::bad_input(
            "input.priority",
            "must be between 1 and 5",
        ));
    }
    let message = validate::optional_text("input.message", message.as_deref(), 500)?;
    let key = pair_key(from.id, to.id);
    if let Some(m) = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::PairKey.eq(key.clone()))
        .one(db)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "a meeting between these participants already exists (status {:?})",
            m.status
        )));
    }
    let now = Utc::now();
    let status = match e.request_mode {
        RequestMode::AutoAccept => MeetingStatus::Accepted,
        RequestMode::AcceptDecline => MeetingStatus::Requested,
    };
    let tx = crate::db::begin_write(db).await?;
    let saved = meeting::ActiveModel {
        event_id: Set(event_id),
        requester_id: Set(from.id),
        invitee_id: Set(to.id),
        pair_key: Set(key),
        message: Set(message),
        priority: Set(i64::from(priority)),
        status: Set(status),
        origin: Set(MeetingOrigin::Request),
        expires_at: Set(match status {
            MeetingStatus::Requested => e.request_expiry_hours.map(|h| now + Duration::hours(h)),
            _ => None,
        }),
        slot_index: Set(None),
        starts_at: Set(None),
        ends_at: Set(None),
        table_no: Set(None),
        outcome: Set(None),
        outcome_note: Set(None),
        outcome_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        viewer,
        "event.meeting.request",
        "event_meeting",
        Some(saved.id),
        Some(from.organisation_id),
        serde_json::json!({ "event": event_id, "to": to.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Accepts, declines or cancels a meeting. Only the invitee (or the organiser) answers a
/// request; either side (or the organiser) answers a suggestion or cancels.
pub async fn respond(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
    response: Response,
) -> AppResult<meeting::Model> {
    let m = get_meeting(db, id).await?;
    let e = get(db, m.event_id).await?;
    let requester = get_participant(db, m.requester_id).await?;
    let invitee = get_participant(db, m.invitee_id).await?;
    let now = Utc::now();
    let answering = match (response, m.status) {
        (Response::Cancel, _) | (_, MeetingStatus::Suggested) => vec![&requester, &invitee],
        _ => vec![&invitee],
    };
    // A person answers for their own registration only (or their organisation's admin).
    require_acting_for(viewer, &answering, &e)?;
    if m.status == MeetingStatus::Requested && m.expires_at.is_some_and(|t| t < now) {
        let mut a: meeting::ActiveModel = m.clone().into();
        a.status = Set(MeetingStatus::Expired);
        a.updated_at = Set(now);
        a.update(db).await?;
        return Err(AppError::Conflict(
            "the request has expired (请求已过期)".into(),
        ));
    }
    let next = match (response, m.status) {
        (Response::Accept, MeetingStatus::Requested | MeetingStatus::Suggested) => {
            MeetingStatus::Accepted
        }
        (Response::Decline, MeetingStatus::Requested | MeetingStatus::Suggested) => {
            MeetingStatus::Declined
        }
        (
            Response::Cancel,
            MeetingStatus::Requested | MeetingStatus::Accepted | MeetingStatus::Suggested,
        ) if m.outcome.is_none() => MeetingStatus::Cancelled,
        (r, s) => {
            return Err(AppError::Conflict(format!(
                "a {s:?} meeting cannot be answered with {r:?}"
            )))
        }
    };
    let mut a: meeting::ActiveModel = m.clone().into();
    a.status = Set(next);
    a.updated_at = Set(now);
    if next == MeetingStatus::Cancelled {
        // A cancelled meeting frees its slot; the next scheduleEvent fills it.
        a.slot_index = Set(None);
        a.starts_at = Set(None);
        a.ends_at = Set(None);
        a.table_no = Set(None);
    }
    let tx = crate::db::begin_write(db).await?;
    let saved = a.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        "event.meeting.respond",
        "event_meeting",
        Some(id),
        Some(e.organiser_id),
        serde_json::json!({ "response": format!("{response:?}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Facets of achievements and needs, by id.
async fn profiles(
    db: &DatabaseConnection,
    parts: &[participant::Model],
) -> AppResult<(BTreeMap<i64, Profile>, BTreeMap<i64, Profile>)> {
    let offer_ids: Vec<i64> = parts.iter().flat_map(|p| ids(&p.offers)).collect();
    let seek_ids: Vec<i64> = parts.iter().flat_map(|p| ids(&p.seeks)).collect();
    let offers = achievement::Entity::find()
        .filter(achievement::Column::Id.is_in(offer_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let p = Profile::from_stored(a.id, a.industry_code, &a.ipc_codes, &a.keywords);
            (a.id, p)
        })
        .collect();
    let seeks = need::Entity::find()
        .filter(need::Column::Id.is_in(seek_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| {
            let p = Profile::from_stored(n.id, n.industry_code, &n.ipc_codes, &n.keywords);
            (n.id, p)
        })
        .collect();
    Ok((offers, seeks))
}

/// Suggested pairs for an event not yet requested, best first.
pub async fn suggestions(
    db: &DatabaseConnection,
    event_id: i64,
    per_participant: usize,
) -> AppResult<Vec<suggest::Suggestion>> {
    let parts = participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?;
    let (offers, seeks) = profiles(db, &parts).await?;
    let regs: Vec<Registrant> = parts
        .iter()
        .map(|p| Registrant {
            id: p.id,
            offers: ids(&p.offers)
                .iter()
                .filter_map(|i| offers.get(i).cloned())
                .collect(),
            seeks: ids(&p.seeks)
                .iter()
                .filter_map(|i| seeks.get(i).cloned())
                .collect(),
        })
        .collect();
    let exclude: BTreeSet<(i64, i64)> = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            (
                m.requester_id.min(m.invitee_id),
                m.requester_id.max(m.invitee_id),
            )
        })
        .collect();
    Ok(suggest::suggest(&regs, &exclude, per_participant))
}

/// Refuses unless the viewer may read this participant's meetings.
pub fn require_reader(
    viewer: Option<&Viewer>,
    e: &event::Model,
    p: &participant::Model,
) -> AppResult<()> {
    if viewer.is_none() {
        return Err(AppError::Unauthenticated(
            "agendas are personal; send a bearer token".into(),
        ));
    }
    require_side_or_organiser(viewer, &[p.organisation_id], e)
}

/// A participant's scheduled meetings in time order.
pub async fn agenda(
    db: &DatabaseConnection,
    participant_id: i64,
) -> AppResult<Vec<meeting::Model>> {
    Ok(meeting::Entity::find()
        .filter(
            Condition::any()
                .add(meeting::Column::RequesterId.eq(participant_id))
                .add(meeting::Column::InviteeId.eq(participant_id)),
        )
        .filter(meeting::Column::SlotIndex.is_not_null())
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?)
}

/// Meetings of an event the viewer may see: all for organisers, their own for participants.
pub async fn meetings(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    e: &event::Model,
    status: Option<MeetingStatus>,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<meeting::Model>, bool)> {
    let v = viewer.ok_or_else(|| {
        AppError::Unauthenticated("meetings are visible to their sides; send a bearer token".into())
    })?;
    let mut q = meeting::Entity::find().filter(meeting::Column::EventId.eq(e.id));
    if !organises(viewer, e) {
        let own: Vec<i64> = participant::Entity::find()
            .filter(participant::Column::EventId.eq(e.id))
            .filter(participant::Column::OrganisationId.eq(v.organisation_id))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        q = q.filter(
            Condition::any()
                .add(meeting::Column::RequesterId.is_in(own.clone()))
                .add(meeting::Column::InviteeId.is_in(own)),
        );
    }
    if let Some(s) = status {
        q = q.filter(meeting::Column::Status.eq(s));
    }
    keyset_page(db, q, meeting::Column::Id, Order::NewestFirst, after, first).await
}
