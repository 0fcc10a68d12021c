//! Event logic over sea-orm: events and sessions, registration, meeting requests and answers,
//! scheduling (the pure scheduler between a load and one writing transaction), check-in,
//! outcomes, agendas and statistics. No GraphQL types here.

use super::scheduler::{self, Instance, MeetingRequest, Participant, Placement, Reason, Slot};
use super::slots::{self, SessionSpec, SlotTime};
use super::suggest::{self, Profile, Registrant};
use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::catalog::service::{find_org_by_key, target_org};
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::collections::{BTreeMap, BTreeSet};
use transferhub_schema::entity::event::{self, RequestMode};
use transferhub_schema::entity::event_meeting::{
    self as meeting, MeetingOrigin, MeetingOutcome, MeetingStatus,
};
use transferhub_schema::entity::{
    achievement, event_participant as participant, event_session as session, need, organisation,
};
use transferhub_schema::enums::OrganisationKind;

/// Most tables an event may have.
pub const MAX_TABLES: i64 = 2000;
/// Seconds after which a scheduling lease is considered abandoned.
const LEASE_SECS: i64 = 120;

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

/// A registration as submitted.
#[derive(Debug, Clone, Default)]
pub struct RegistrationDraft {
    /// Organisation key; defaults to the viewer's.
    pub organisation: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Offered achievement ids.
    pub offers: Vec<i64>,
    /// Sought need ids.
    pub seeks: Vec<i64>,
    /// Session ids attended; `None` = all.
    pub availability: Option<Vec<i64>>,
    /// Receives at a fixed booth.
    pub host: bool,
}

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

fn json_ids(v: &[i64]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
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

fn pair_key(a: i64, b: i64) -> String {
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
fn require_side_or_organiser(
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

/// True when the viewer may see everything of the event (its organiser, platform admins).
pub fn organises(viewer: Option<&Viewer>, e: &event::Model) -> bool {
    policy::require(viewer, Action::ManageEvents, e.organiser_id).is_ok()
}

/// Registers an organisation for an event.
pub async fn register(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
    d: RegistrationDraft,
) -> AppResult<participant::Model> {
    let e = get(db, event_id).await?;
    let org = target_org(db, viewer, d.organisation.as_deref()).await?;
    require_side_or_organiser(viewer, &[org.id], &e)?;
    let now = Utc::now();
    if e.registration_opens_at.is_some_and(|t| now < t) {
        return Err(AppError::Conflict(
            "registration has not opened yet (报名未开始)".into(),
        ));
    }
    if e.registration_closes_at.is_some_and(|t| now > t) {
        return Err(AppError::Conflict(
            "registration is closed (报名已截止)".into(),
        ));
    }
    let kinds = participant_types(&e);
    if !kinds.is_empty() && !kinds.contains(&org.kind) {
        return Err(AppError::bad_input(
            "input.organisation",
            format!("this event admits {kinds:?}, not {:?}", org.kind),
        ));
    }
    let ss = sessions(db, event_id).await?;
    let availability = match &d.availability {
        None => Vec::new(),
        Some(v) if v.is_empty() => {
            return Err(AppError::bad_input(
                "input.availability",
                "a participant must be available in at least one session (至少选择一个场次)",
            ))
        }
        Some(v) => {
            let known: BTreeSet<i64> = ss.iter().map(|s| s.id).collect();
            for (i, s) in v.iter().enumerate() {
                if !known.contains(s) {
                    return Err(AppError::bad_input(
                        format!("input.availability[{i}]"),
                        "not a session of this event",
                    ));
                }
            }
            let set: BTreeSet<i64> = v.iter().copied().collect();
            set.into_iter().collect()
        }
    };
    check_owned(db, &org, &d.offers, &d.seeks).await?;
    let contact = validate::optional_text("input.contactName", d.contact_name.as_deref(), 50)?;
    let tx = crate::db::begin_write(db).await?;
    if let Some(cap) = e.max_participants {
        let n = participant::Entity::find()
            .filter(participant::Column::EventId.eq(event_id))
            .count_rows_tx(&tx)
            .await?;
        if n as i64 >= cap {
            return Err(AppError::Conflict(format!(
                "the event is full ({cap} participants)"
            )));
        }
    }
    let booth = if d.host && e.fixed_booths {
        let taken: BTreeSet<i64> = participant::Entity::find()
            .filter(participant::Column::EventId.eq(event_id))
            .all(&tx)
            .await?
            .into_iter()
            .filter_map(|p| p.booth)
            .collect();
        let free = (1..=e.tables).find(|b| !taken.contains(b));
        Some(free.ok_or_else(|| AppError::Conflict("every booth is taken (展位已满)".into()))?)
    } else {
        None
    };
    let existing = participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .filter(participant::Column::OrganisationId.eq(org.id))
        .one(&tx)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict(format!(
            "{} is already registered for this event",
            org.key
        )));
    }
    let saved = participant::ActiveModel {
        event_id: Set(event_id),
        organisation_id: Set(org.id),
        contact_name: Set(contact),
        offers: Set(json_ids(&d.offers)),
        seeks: Set(json_ids(&d.seeks)),
        availability: Set(json_ids(&availability)),
        host: Set(d.host),
        booth: Set(booth),
        checked_in_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        viewer,
        "event.register",
        "event_participant",
        Some(saved.id),
        Some(org.id),
        serde_json::json!({ "event": event_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

trait CountRowsTx {
    async fn count_rows_tx<C: ConnectionTrait>(self, db: &C) -> AppResult<u64>;
}

impl<E: EntityTrait> CountRowsTx for sea_orm::Select<E>
where
    E::Model: Sync,
{
    async fn count_rows_tx<C: ConnectionTrait>(self, db: &C) -> AppResult<u64> {
        use sea_orm::PaginatorTrait;
        Ok(self.count(db).await?)
    }
}

/// Offers must be the organisation's achievements, seeks its needs.
async fn check_owned(
    db: &DatabaseConnection,
    org: &organisation::Model,
    offers: &[i64],
    seeks: &[i64],
) -> AppResult<()> {
    if offers.len() > 50 || seeks.len() > 50 {
        return Err(AppError::bad_input(
            if offers.len() > 50 {
                "input.offers"
            } else {
                "input.seeks"
            },
            "at most 50 entries",
        ));
    }
    let found: BTreeMap<i64, i64> = achievement::Entity::find()
        .filter(achievement::Column::Id.is_in(offers.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.organisation_id))
        .collect();
    for (i, id) in offers.iter().enumerate() {
        match found.get(id) {
            Some(&o) if o == org.id => {}
            Some(_) => {
                return Err(AppError::bad_input(
                    format!("input.offers[{i}]"),
                    format!(
                        "achievement belongs to another organisation than {}",
                        org.key
                    ),
                ))
            }
            None => {
                return Err(AppError::bad_input(
                    format!("input.offers[{i}]"),
                    "no such achievement",
                ))
            }
        }
    }
    let found: BTreeMap<i64, i64> = need::Entity::find()
        .filter(need::Column::Id.is_in(seeks.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organisation_id))
        .collect();
    for (i, id) in seeks.iter().enumerate() {
        match found.get(id) {
            Some(&o) if o == org.id => {}
            Some(_) => {
                return Err(AppError::bad_input(
                    format!("input.seeks[{i}]"),
                    format!("need belongs to another organisation than {}", org.key),
                ))
            }
            None => {
                return Err(AppError::bad_input(
                    format!("input.seeks[{i}]"),
                    "no such need",
                ))
            }
        }
    }
    Ok(())
}

/// The viewer's own registration for an event.
/// An organisation's registration for an event, if any.
pub async fn participant_of(
    db: &DatabaseConnection,
    event_id: i64,
    organisation_id: i64,
) -> AppResult<Option<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .filter(participant::Column::OrganisationId.eq(organisation_id))
        .one(db)
        .await?)
}

async fn own_participant(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
) -> AppResult<participant::Model> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("this mutation needs a bearer token".into()))?;
    participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .filter(participant::Column::OrganisationId.eq(v.organisation_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "input.from",
                format!("{} is not registered for this event", v.organisation_key),
            )
        })
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
    require_side_or_organiser(viewer, &[from.organisation_id], &e)?;
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
        (Response::Cancel, _) => vec![requester.organisation_id, invitee.organisation_id],
        (_, MeetingStatus::Suggested) => vec![requester.organisation_id, invitee.organisation_id],
        _ => vec![invitee.organisation_id],
    };
    require_side_or_organiser(viewer, &answering, &e)?;
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

/// Checks a participant in at the venue.
pub async fn check_in(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    participant_id: i64,
) -> AppResult<participant::Model> {
    let p = get_participant(db, participant_id).await?;
    let e = get(db, p.event_id).await?;
    require_side_or_organiser(viewer, &[p.organisation_id], &e)?;
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
    require_side_or_organiser(viewer, &[a.organisation_id, b.organisation_id], &e)?;
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

/// Participants of an event, newest first.
pub async fn participants(
    db: &DatabaseConnection,
    event_id: i64,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<participant::Model>, bool)> {
    keyset_page(
        db,
        participant::Entity::find().filter(participant::Column::EventId.eq(event_id)),
        participant::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
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
