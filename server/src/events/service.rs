//! Events and their sessions over sea-orm: reading, listing, creating and changing an event,
//! the lookups every other part of the event logic shares (`get_participant`, `get_meeting`)
//! and who may act on an event. Registration, meetings, scheduling, check-in and statistics
//! live beside it (`registration.rs`, `meetings.rs`, `scheduling.rs`, `checkin.rs`,
//! `stats.rs`). No GraphQL types here.

use super::slots::{self, SessionSpec, SlotTime};
use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::catalog::service::{find_org_by_key, target_org};
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::collections::BTreeSet;
use transferhub_schema::entity::event::{self, RequestMode};
use transferhub_schema::entity::event_meeting::{self as meeting};
use transferhub_schema::entity::{event_participant as participant, event_session as session};
use transferhub_schema::enums::OrganisationKind;

/// Most tables an event may have.
pub const MAX_TABLES: i64 = 2000;

/// A session as submitted.
#[derive(Debug, Clone)]
pub struct SessionDraft {
    /// Display name (上午场).
    pub name: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Per-participant meeting cap.
    pub meeting_cap: Option<i32>,
    /// Breaks.
    pub breaks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Event fields as submitted; `None` keeps (updates) or defaults (creation).
#[derive(Debug, Clone, Default)]
pub struct EventDraft {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Venue.
    pub location: Option<Option<String>>,
    /// Meeting length.
    pub meeting_minutes: Option<i32>,
    /// Tables.
    pub tables: Option<i32>,
    /// Hosts receive at fixed booths.
    pub fixed_booths: Option<bool>,
    /// Request mode.
    pub request_mode: Option<RequestMode>,
    /// Hours until an unanswered request expires.
    pub request_expiry_hours: Option<Option<i32>>,
    /// Registration opens.
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    /// Registration closes.
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
    /// Organisation kinds that may register (empty = all).
    pub participant_types: Option<Vec<OrganisationKind>>,
    /// Participant cap.
    pub max_participants: Option<Option<i32>>,
    /// Sessions (replace all).
    pub sessions: Option<Vec<SessionDraft>>,
}

/// Parses a stored JSON id list.
pub fn ids(s: &str) -> Vec<i64> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Stored breaks of a session.
pub fn breaks_of(s: &session::Model) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    serde_json::from_str(&s.breaks).unwrap_or_default()
}

/// Kinds allowed to register.
pub fn participant_types(e: &event::Model) -> Vec<OrganisationKind> {
    serde_json::from_str(&e.participant_types).unwrap_or_default()
}

/// The key of an unordered pair of participants (`3-7`), unique per event.
pub(super) fn pair_key(a: i64, b: i64) -> String {
    format!("{}-{}", a.min(b), a.max(b))
}

/// One event.
pub async fn get(db: &DatabaseConnection, id: i64) -> AppResult<event::Model> {
    event::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("event {id}")))
}

/// Events, newest first, optionally of one organiser or only those not yet over.
pub async fn list(
    db: &DatabaseConnection,
    organiser: Option<&str>,
    upcoming: bool,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<event::Model>, bool)> {
    let mut q = event::Entity::find();
    if let Some(key) = organiser {
        let org = find_org_by_key(db, key).await?.ok_or_else(|| {
            AppError::bad_input(
                "filter.organiser",
                format!("no organisation with key {key:?}"),
            )
        })?;
        q = q.filter(event::Column::OrganiserId.eq(org.id));
    }
    if upcoming {
        let ongoing = session::Entity::find()
            .select_only()
            .column(session::Column::EventId)
            .filter(session::Column::EndsAt.gte(Utc::now()))
            .into_query();
        q = q.filter(event::Column::Id.in_subquery(ongoing));
    }
    keyset_page(db, q, event::Column::Id, Order::NewestFirst, after, first).await
}

/// Sessions of an event in order.
pub async fn sessions<C: ConnectionTrait>(db: &C, event_id: i64) -> AppResult<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::EventId.eq(event_id))
        .order_by_asc(session::Column::Position)
        .all(db)
        .await?)
}

/// The slots of an event's sessions.
pub fn slot_times(e: &event::Model, ss: &[session::Model]) -> Vec<SlotTime> {
    let specs: Vec<SessionSpec> = ss
        .iter()
        .map(|s| SessionSpec {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            breaks: breaks_of(s),
        })
        .collect();
    slots::slots(&specs, e.meeting_minutes).unwrap_or_default()
}

fn check_sessions(drafts: &[SessionDraft], minutes: i64) -> AppResult<()> {
    let specs: Vec<SessionSpec> = drafts
        .iter()
        .map(|s| SessionSpec {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            breaks: s.breaks.clone(),
        })
        .collect();
    slots::slots(&specs, minutes).map_err(|(f, m)| AppError::bad_input(format!("input.{f}"), m))?;
    for (i, s) in drafts.iter().enumerate() {
        if s.meeting_cap.is_some_and(|c| c < 1) {
            return Err(AppError::bad_input(
                format!("input.sessions[{i}].meetingCap"),
                "must be at least 1",
            ));
        }
    }
    Ok(())
}

fn apply(d: &EventDraft, m: &mut event::ActiveModel) -> AppResult<()> {
    if let Some(t) = &d.title {
        m.title = Set(validate::required_text("input.title", t, 200)?);
    }
    if let Some(t) = &d.description {
        m.description =
            Set(validate::optional_text("input.description", Some(t), 5000)?.unwrap_or_default());
    }
    if let Some(l) = &d.location {
        m.location = Set(validate::optional_text(
            "input.location",
            l.as_deref(),
            200,
        )?);
    }
    if let Some(n) = d.tables {
        if !(1..=MAX_TABLES).contains(&i64::from(n)) {
            return Err(AppError::bad_input(
                "input.tables",
                format!("an event needs between 1 and {MAX_TABLES} tables"),
            ));
        }
        m.tables = Set(i64::from(n));
    }
    if let Some(b) = d.fixed_booths {
        m.fixed_booths = Set(b);
    }
    if let Some(r) = d.request_mode {
        m.request_mode = Set(r);
    }
    if let Some(h) = d.request_expiry_hours {
        if h.is_some_and(|h| !(1..=24 * 90).contains(&h)) {
            return Err(AppError::bad_input(
                "input.requestExpiryHours",
                "must be between 1 hour and 90 days",
            ));
        }
        m.request_expiry_hours = Set(h.map(i64::from));
    }
    if let Some(t) = d.registration_opens_at {
        m.registration_opens_at = Set(t);
    }
    if let Some(t) = d.registration_closes_at {
        m.registration_closes_at = Set(t);
    }
    if let (Some(Some(o)), Some(Some(c))) = (
        m.registration_opens_at.try_as_ref(),
        m.registration_closes_at.try_as_ref(),
    ) {
        if c <= o {
            return Err(AppError::bad_input(
                "input.registrationClosesAt",
                "must be after registrationOpensAt",
            ));
        }
    }
    if let Some(k) = &d.participant_types {
        let set: BTreeSet<String> = k.iter().map(|k| format!("{k:?}")).collect();
        if set.len() != k.len() {
            return Err(AppError::bad_input(
                "input.participantTypes",
                "lists a kind twice",
            ));
        }
        m.participant_types = Set(serde_json::to_string(k).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(c) = d.max_participants {
        if c.is_some_and(|c| !(2..=100_000).contains(&c)) {
            return Err(AppError::bad_input(
                "input.maxParticipants",
                "must be between 2 and 100000",
            ));
        }
        m.max_participants = Set(c.map(i64::from));
    }
    Ok(())
}

async fn insert_sessions<C: ConnectionTrait>(
    tx: &C,
    event_id: i64,
    drafts: &[SessionDraft],
) -> AppResult<()> {
    for (i, s) in drafts.iter().enumerate() {
        session::ActiveModel {
            event_id: Set(event_id),
            position: Set(i as i64),
            name: Set(validate::optional_text(
                &format!("input.sessions[{i}].name"),
                s.name.as_deref(),
                100,
            )?),
            starts_at: Set(s.starts_at),
            ends_at: Set(s.ends_at),
            meeting_cap: Set(s.meeting_cap.map(i64::from)),
            breaks: Set(serde_json::to_string(&s.breaks).unwrap_or_else(|_| "[]".into())),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Creates an event for the organiser organisation named (or the viewer's).
pub async fn create(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    org_key: Option<&str>,
    d: EventDraft,
) -> AppResult<event::Model> {
    let org = target_org(db, viewer, org_key).await?;
    policy::require(viewer, Action::ManageEvents, org.id)?;
    // An event is public once created: only verified, active organisations create one.
    policy::may_publish(&org)?;
    let minutes = i64::from(d.meeting_minutes.unwrap_or(20));
    let sessions = d.sessions.clone().unwrap_or_default();
    check_sessions(&sessions, minutes)?;
    if d.title.is_none() {
        return Err(AppError::bad_input("input.title", "is required"));
    }
    if d.tables.is_none() {
        return Err(AppError::bad_input("input.tables", "is required"));
    }
    let now = Utc::now();
    let mut m = event::ActiveModel {
        organiser_id: Set(org.id),
        description: Set(String::new()),
        location: Set(None),
        meeting_minutes: Set(minutes),
        fixed_booths: Set(false),
        request_mode: Set(RequestMode::AcceptDecline),
        request_expiry_hours: Set(None),
        registration_opens_at: Set(None),
        registration_closes_at: Set(None),
        participant_types: Set("[]".into()),
        max_participants: Set(None),
        schedule_version: Set(0),
        scheduled_at: Set(None),
        scheduling_since: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&d, &mut m)?;
    let tx = crate::db::begin_write(db).await?;
    let saved = m.insert(&tx).await?;
    insert_sessions(&tx, saved.id, &sessions).await?;
    audit::record(
        &tx,
        viewer,
        "event.create",
        "event",
        Some(saved.id),
        Some(org.id),
        serde_json::json!({ "title": saved.title }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Changes an event. Sessions and meeting length can change only before the first schedule.
pub async fn update(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
    d: EventDraft,
) -> AppResult<event::Model> {
    let current = get(db, id).await?;
    policy::require(viewer, Action::ManageEvents, current.organiser_id)?;
    let reslot = d.sessions.is_some() || d.meeting_minutes.is_some();
    if reslot && current.schedule_version > 0 {
        return Err(AppError::Conflict(
            "sessions and meeting length are fixed once a schedule exists (日程已生成)".into(),
        ));
    }
    let minutes = d.meeting_minutes.map_or(current.meeting_minutes, i64::from);
    if let Some(s) = &d.sessions {
        check_sessions(s, minutes)?;
    } else if d.meeting_minutes.is_some() {
        let ss = sessions(db, id).await?;
        let specs: Vec<SessionDraft> = ss
            .iter()
            .map(|s| SessionDraft {
                name: s.name.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                meeting_cap: s.meeting_cap.map(|c| c as i32),
                breaks: breaks_of(s),
            })
            .collect();
        check_sessions(&specs, minutes)?;
    }
    if let Some(t) = d.tables {
        let booths = participant::Entity::find()
            .filter(participant::Column::EventId.eq(id))
            .filter(participant::Column::Booth.gt(i64::from(t)))
            .count_rows(db)
            .await?;
        if booths > 0 {
            return Err(AppError::Conflict(format!(
                "{booths} booth(s) have numbers above {t}; tables cannot shrink below them"
            )));
        }
    }
    let mut m: event::ActiveModel = current.clone().into();
    apply(&d, &mut m)?;
    m.meeting_minutes = Set(minutes);
    m.updated_at = Set(Utc::now());
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    if let Some(s) = &d.sessions {
        session::Entity::delete_many()
            .filter(session::Column::EventId.eq(id))
            .exec(&tx)
            .await?;
        insert_sessions(&tx, id, s).await?;
        // Availability named old sessions: everyone is available in all new ones.
        participant::Entity::update_many()
            .col_expr(participant::Column::Availability, Expr::value("[]"))
            .filter(participant::Column::EventId.eq(id))
            .exec(&tx)
            .await?;
    }
    audit::record(
        &tx,
        viewer,
        "event.update",
        "event",
        Some(id),
        Some(current.organiser_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

trait CountRows {
    async fn count_rows(self, db: &DatabaseConnection) -> AppResult<u64>;
}

impl<E: EntityTrait> CountRows for sea_orm::Select<E>
where
    E::Model: Sync,
{
    async fn count_rows(self, db: &DatabaseConnection) -> AppResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(self.count(db).await?)
    }
}

/// One participant.
pub async fn get_participant<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<participant::Model> {
    participant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("participant {id}")))
}

/// One meeting.
pub async fn get_meeting<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("meeting {id}")))
}

/// Refuses unless the viewer acts for `org_id` or organises the event.
pub(super) fn require_side_or_organiser(
    viewer: Option<&Viewer>,
    org_ids: &[i64],
    e: &event::Model,
) -> AppResult<()> {
    if policy::require(viewer, Action::ManageEvents, e.organiser_id).is_ok() {
        return Ok(());
    }
    let mut last = None;
    for &o in org_ids {
        match policy::require(viewer, Action::TakePartInEvents, o) {
            Ok(()) => return Ok(()),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| AppError::Forbidden("not a side of this meeting".into())))
}

/// Refuses unless the viewer may act for one of `parts` (request, answer, check in, record an
/// outcome): the event's organiser and platform admins always; for an organisation's
/// registration any member of it (as before); for one person's registration that person or an
/// admin of their organisation, never a colleague.
pub(super) fn require_acting_for(
    viewer: Option<&Viewer>,
    parts: &[&participant::Model],
    e: &event::Model,
) -> AppResult<()> {
    if organises(viewer, e) {
        return Ok(());
    }
    let mut last = None;
    for p in parts {
        match policy::require_for_person(
            viewer,
            Action::TakePartInEvents,
            p.organisation_id,
            p.user_id,
        ) {
            Ok(()) => return Ok(()),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| AppError::Forbidden("not a side of this meeting".into())))
}

/// True when the viewer may see everything of the event (its organiser, platform admins).
pub fn organises(viewer: Option<&Viewer>, e: &event::Model) -> bool {
    policy::require(viewer, Action::ManageEvents, e.organiser_id).is_ok()
}
