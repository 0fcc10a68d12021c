//! GraphQL objects, inputs, queries, mutations and the `eventUpdates` subscription for
//! matchmaking events. Resolvers stay short: the service decides, the bus tells subscribers.

use super::meetings::{self, Response};
use super::registration::{self, PersonChoice, RegistrationDraft};
use super::scheduler::Reason;
use super::service::{self, EventDraft, SessionDraft};
use super::updates::{EventBus, EventUpdate, EventUpdateKind};
use super::{checkin, scheduling, stats};
use crate::auth::graphql::viewer;
use crate::auth::policy::Visibility;
use crate::catalog::graphql::{Achievement, Organisation};
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::needs::graphql::Need;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{
    Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, Subscription, ID,
};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use transferhub_schema::entity::event::{self, RequestMode};
use transferhub_schema::entity::event_meeting::{
    self as meeting, MeetingOrigin, MeetingOutcome, MeetingStatus,
};
use transferhub_schema::entity::{event_participant as participant, event_session as session};
use transferhub_schema::enums::OrganisationKind;

fn event_id(id: i64) -> ID {
    relay::encode_id("Event", id)
}

fn publish(
    ctx: &Context<'_>,
    e: &event::Model,
    kind: EventUpdateKind,
    meeting: Option<i64>,
    participant: Option<i64>,
) {
    if let Ok(bus) = ctx.data::<EventBus>() {
        bus.publish(EventUpdate {
            event_id: event_id(e.id),
            kind,
            meeting_id: meeting.map(|m| relay::encode_id("Meeting", m)),
            participant_id: participant.map(|p| relay::encode_id("EventParticipant", p)),
            schedule_version: e.schedule_version,
            event_row: e.id,
        });
    }
}

/// A matchmaking event (对接活动).
pub struct Event(pub event::Model);

/// A time range (a break).
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "TimeRangeInput")]
pub struct TimeRange {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// A session of an event (上午场, 下午场).
pub struct EventSession(pub session::Model);

#[Object]
impl EventSession {
    /// Opaque global id; used in registration availability.
    async fn id(&self) -> ID {
        relay::encode_id("EventSession", self.0.id)
    }
    /// Name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// Start.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// End.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// Most meetings one participant may have in this session.
    async fn meeting_cap(&self) -> Option<i64> {
        self.0.meeting_cap
    }
    /// Breaks without meetings.
    async fn breaks(&self) -> Vec<TimeRange> {
        service::breaks_of(&self.0)
            .into_iter()
            .map(|(s, e)| TimeRange {
                starts_at: s,
                ends_at: e,
            })
            .collect()
    }
}

/// A meeting slot.
#[derive(SimpleObject)]
pub struct EventSlot {
    /// Position in the event's schedule.
    pub index: i32,
    /// Index of its session.
    pub session_index: i32,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// The person behind a registration (a user of the registered organisation).
#[derive(SimpleObject)]
pub struct EventPerson {
    /// Opaque global id of the user (`personId` when an org admin registers them).
    pub id: ID,
    /// Display name.
    pub display_name: String,
}

/// A registration for an event: an organisation as a whole, or one person of it.
pub struct EventParticipant(pub participant::Model);

#[Object]
impl EventParticipant {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("EventParticipant", self.0.id)
    }
    /// The organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .ok_or_else(|| AppError::Internal("participant without organisation".into()))?;
        Ok(Organisation(org))
    }
    /// Contact person.
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    /// The person registered (null = the organisation as a whole).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<EventPerson>> {
        let Some(u) = self.0.user_id else {
            return Ok(None);
        };
        let found = ctx.data::<Loaders>()?.users.load_one(u).await?;
        Ok(found.map(|u| EventPerson {
            id: relay::encode_id("Person", u.id),
            display_name: u.display_name,
        }))
    }
    /// The person's display name (null = the organisation as a whole).
    async fn person_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.person(ctx).await?.map(|p| p.display_name))
    }
    /// Most meetings this participant takes over the whole event (null = no own cap).
    async fn max_meetings(&self) -> Option<i64> {
        self.0.max_meetings
    }
    /// Most meetings this participant takes in any one session (null = only the session's cap;
    /// with both, the smaller applies).
    async fn max_meetings_per_session(&self) -> Option<i64> {
        self.0.max_meetings_per_session
    }
    /// Offered achievements (global ids).
    async fn offers(&self) -> Vec<ID> {
        service::ids(&self.0.offers)
            .into_iter()
            .map(|i| relay::encode_id("Achievement", i))
            .collect()
    }
    /// Sought needs (global ids).
    async fn seeks(&self) -> Vec<ID> {
        service::ids(&self.0.seeks)
            .into_iter()
            .map(|i| relay::encode_id("Need", i))
            .collect()
    }
    /// The offered achievements the caller may see, in the registrant's order.
    async fn offered_achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>> {
        let ids = service::ids(&self.0.offers);
        let mut found = ctx
            .data::<Loaders>()?
            .achievements
            .load_many(ids.iter().copied())
            .await?;
        let visible = Visibility::of(viewer(ctx));
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .filter(|a| visible.admits(a.status, a.organisation_id))
            .map(Achievement)
            .collect())
    }
    /// The sought needs, in the registrant's order.
    async fn sought_needs(&self, ctx: &Context<'_>) -> Result<Vec<Need>> {
        let ids = service::ids(&self.0.seeks);
        let mut found = ctx
            .data::<Loaders>()?
            .needs
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Need)
            .collect())
    }
    /// Sessions attended (global ids); empty = all.
    async fn availability(&self) -> Vec<ID> {
        service::ids(&self.0.availability)
            .into_iter()
            .map(|i| relay::encode_id("EventSession", i))
            .collect()
    }
    /// Receives visitors at a fixed booth.
    async fn host(&self) -> bool {
        self.0.host
    }
    /// Booth number (fixed-booth events).
    async fn booth(&self) -> Option<i64> {
        self.0.booth
    }
    /// When the participant checked in.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }
}

/// One side of a meeting or suggestion, through the request's loader (one query for a page).
async fn participant(ctx: &Context<'_>, id: i64) -> Result<participant::Model> {
    ctx.data::<Loaders>()?
        .participants
        .load_one(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("participant {id}")).into())
}

/// A 1:1 meeting (洽谈).
pub struct Meeting(pub meeting::Model);

#[Object]
impl Meeting {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("Meeting", self.0.id)
    }
    /// Who asked (or the seeker, for suggestions).
    async fn requester(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        Ok(EventParticipant(
            participant(ctx, self.0.requester_id).await?,
        ))
    }
    /// Who was asked.
    async fn invitee(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        Ok(EventParticipant(participant(ctx, self.0.invitee_id).await?))
    }
    /// The requester's note.
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    /// Priority 1–5; the scheduler maximises the total.
    async fn priority(&self) -> i64 {
        self.0.priority
    }
    /// Status.
    async fn status(&self) -> MeetingStatus {
        self.0.status
    }
    /// Request or suggestion.
    async fn origin(&self) -> MeetingOrigin {
        self.0.origin
    }
    /// When an unanswered request expires.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// Slot index in the schedule.
    async fn slot_index(&self) -> Option<i64> {
        self.0.slot_index
    }
    /// Scheduled start.
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }
    /// Scheduled end.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// Table (or booth) number.
    async fn table(&self) -> Option<i64> {
        self.0.table_no
    }
    /// What came of it.
    async fn outcome(&self) -> Option<MeetingOutcome> {
        self.0.outcome
    }
    /// Notes on the outcome.
    async fn outcome_note(&self) -> Option<&str> {
        self.0.outcome_note.as_deref()
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A pair the hub suggests, shown to both sides.
pub struct SuggestedMeeting(super::suggest::Suggestion);

#[Object]
impl SuggestedMeeting {
    /// The side with a matching achievement.
    async fn offerer(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        Ok(EventParticipant(participant(ctx, self.0.offerer).await?))
    }
    /// The side with the need.
    async fn seeker(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        Ok(EventParticipant(participant(ctx, self.0.seeker).await?))
    }
    /// Overlap score (industry, IPC, keywords).
    async fn score(&self) -> u32 {
        self.0.score
    }
    /// The offerer's achievement behind the suggestion (null if the caller may not see it).
    async fn achievement(&self, ctx: &Context<'_>) -> Result<Option<Achievement>> {
        // Invisible or gone is null; a failing store is an error, not a silent null.
        let a = ctx
            .data::<Loaders>()?
            .achievements
            .load_one(self.0.achievement)
            .await?;
        let visible = Visibility::of(viewer(ctx));
        Ok(a.filter(|a| visible.admits(a.status, a.organisation_id))
            .map(Achievement))
    }
    /// The seeker's need behind the suggestion.
    async fn need(&self, ctx: &Context<'_>) -> Result<Option<Need>> {
        let n = ctx.data::<Loaders>()?.needs.load_one(self.0.need).await?;
        Ok(n.map(Need))
    }
    /// Why the pair is suggested, in words (Chinese first, English in brackets).
    async fn reasons(&self) -> &[String] {
        &self.0.reasons
    }
}

/// Meetings in one status.
#[derive(SimpleObject)]
pub struct MeetingStatusCount {
    /// Status.
    pub status: MeetingStatus,
    /// Meetings.
    pub count: u64,
}

/// Meetings with one outcome.
#[derive(SimpleObject)]
pub struct MeetingOutcomeCount {
    /// Outcome.
    pub outcome: MeetingOutcome,
    /// Meetings.
    pub count: u64,
}

/// An event's figures for the statistics.
#[derive(SimpleObject)]
pub struct EventStats {
    /// Registered participants.
    pub participants: u64,
    /// Checked in.
    pub checked_in: u64,
    /// Scheduled meetings.
    pub scheduled: u64,
    /// Meetings by status.
    pub meetings_by_status: Vec<MeetingStatusCount>,
    /// Outcomes recorded.
    pub outcomes: Vec<MeetingOutcomeCount>,
}

fn decode_opt(id: Option<&ID>, kind: &str, field: &str) -> Result<Option<i64>, AppError> {
    id.map(|i| relay::decode_id(i, kind, field)).transpose()
}

#[Object]
impl Event {
    /// Opaque global id.
    async fn id(&self) -> ID {
        event_id(self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Venue.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Meeting length in minutes.
    async fn meeting_minutes(&self) -> i64 {
        self.0.meeting_minutes
    }
    /// Tables (booths included).
    async fn tables(&self) -> i64 {
        self.0.tables
    }
    /// Hosts receive at fixed booths.
    async fn fixed_booths(&self) -> bool {
        self.0.fixed_booths
    }
    /// How requests become meetings.
    async fn request_mode(&self) -> RequestMode {
        self.0.request_mode
    }
    /// Hours until an unanswered request expires.
    async fn request_expiry_hours(&self) -> Option<i64> {
        self.0.request_expiry_hours
    }
    /// Registration opens.
    async fn registration_opens_at(&self) -> Option<DateTime<Utc>> {
        self.0.registration_opens_at
    }
    /// Registration closes.
    async fn registration_closes_at(&self) -> Option<DateTime<Utc>> {
        self.0.registration_closes_at
    }
    /// Organisation kinds admitted (empty = all).
    async fn participant_types(&self) -> Vec<OrganisationKind> {
        service::participant_types(&self.0)
    }
    /// Participant cap.
    async fn max_participants(&self) -> Option<i64> {
        self.0.max_participants
    }
    /// Committed schedules so far; pass it to `scheduleEvent(ifScheduleVersion)`.
    async fn schedule_version(&self) -> i64 {
        self.0.schedule_version
    }
    /// When the last schedule was committed.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.scheduled_at
    }
    /// The organiser.
    async fn organiser(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(self.0.organiser_id)
            .await?
            .ok_or_else(|| AppError::Internal("event without organiser".into()))?;
        Ok(Organisation(org))
    }
    /// Sessions in order.
    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<EventSession>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::sessions(db, self.0.id)
            .await?
            .into_iter()
            .map(EventSession)
            .collect())
    }
    /// Meeting slots in order.
    async fn slots(&self, ctx: &Context<'_>) -> Result<Vec<EventSlot>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let ss = service::sessions(db, self.0.id).await?;
        Ok(service::slot_times(&self.0, &ss)
            .into_iter()
            .enumerate()
            .map(|(i, s)| EventSlot {
                index: i as i32,
                session_index: s.session as i32,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect())
    }
    /// The caller's registration for this event: a person's own (browser sessions), else
    /// their organisation's as a whole (null when anonymous or not registered), so a page knows
    /// its own participant id without paging the directory.
    async fn viewer_participant(&self, ctx: &Context<'_>) -> Result<Option<EventParticipant>> {
        let Some(v) = viewer(ctx) else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(registration::viewer_participant(db, v, self.0.id)
            .await?
            .map(EventParticipant))
    }
    /// Registered participants, newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, EventParticipant, EmptyFields>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) = registration::participants(db, self.0.id, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|p| Edge::new(IdCursor(p.id), EventParticipant(p))),
        );
        Ok(conn)
    }
    /// Meetings the viewer may see (all for the organiser, own for participants), newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        status: Option<MeetingStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, Meeting, EmptyFields>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) =
            meetings::meetings(db, viewer(ctx), &self.0, status, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|m| Edge::new(IdCursor(m.id), Meeting(m))),
        );
        Ok(conn)
    }
    /// A participant's scheduled meetings in time order (the participant's side or organiser).
    async fn agenda(&self, ctx: &Context<'_>, participant: ID) -> Result<Vec<Meeting>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let pid = relay::decode_id(&participant, "EventParticipant", "participant")?;
        let p = service::get_participant(db, pid).await?;
        if p.event_id != self.0.id {
            return Err(AppError::bad_input("participant", "participant of another event").into());
        }
        meetings::require_reader(viewer(ctx), &self.0, &p)?;
        Ok(meetings::agenda(db, pid)
            .await?
            .into_iter()
            .map(Meeting)
            .collect())
    }
    /// Pairs the hub suggests from offers and needs, not yet requested; with `participant`,
    /// only those involving it (either side sees the same suggestion).
    async fn suggested_meetings(
        &self,
        ctx: &Context<'_>,
        participant: Option<ID>,
    ) -> Result<Vec<SuggestedMeeting>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let pid = decode_opt(participant.as_ref(), "EventParticipant", "participant")?;
        Ok(meetings::suggestions(db, self.0.id, 10)
            .await?
            .into_iter()
            .filter(|s| pid.is_none_or(|p| s.offerer == p || s.seeker == p))
            .map(SuggestedMeeting)
            .collect())
    }
    /// Figures for the statistics.
    async fn stats(&self, ctx: &Context<'_>) -> Result<EventStats> {
        use sea_orm::Iterable;
        let db = ctx.data::<DatabaseConnection>()?;
        let s = stats::stats(db, self.0.id).await?;
        Ok(EventStats {
            participants: s.participants,
            checked_in: s.checked_in,
            scheduled: s.scheduled,
            meetings_by_status: MeetingStatus::iter()
                .map(|st| MeetingStatusCount {
                    status: st,
                    count: s.by_status.get(&format!("{st:?}")).copied().unwrap_or(0),
                })
                .collect(),
            outcomes: MeetingOutcome::iter()
                .map(|o| MeetingOutcomeCount {
                    outcome: o,
                    count: s.by_outcome.get(&format!("{o:?}")).copied().unwrap_or(0),
                })
                .collect(),
        })
    }
}

/// Filters for event lists.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Organiser organisation key.
    pub organiser: Option<String>,
    /// Only events with a session not yet over.
    #[graphql(default)]
    pub upcoming: bool,
}

/// Event queries.
#[derive(Default)]
pub struct EventsQuery;

#[Object]
impl EventsQuery {
    /// Matchmaking events, newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EventFilter>,
    ) -> Result<Connection<IdCursor, Event, EmptyFields>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let f = filter.unwrap_or_default();
        let (rows, more) =
            service::list(db, f.organiser.as_deref(), f.upcoming, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|e| Edge::new(IdCursor(e.id), Event(e))),
        );
        Ok(conn)
    }

    /// One event by global id.
    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Event> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Event", "id")?;
        Ok(Event(service::get(db, n).await?))
    }
}

/// A session of a new event.
#[derive(InputObject)]
pub struct EventSessionInput {
    /// Name (上午场).
    pub name: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Most meetings one participant may have in this session.
    pub meeting_cap: Option<i32>,
    /// Breaks without meetings.
    #[graphql(default)]
    pub breaks: Vec<TimeRange>,
}

impl From<EventSessionInput> for SessionDraft {
    fn from(s: EventSessionInput) -> Self {
        SessionDraft {
            name: s.name,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            meeting_cap: s.meeting_cap,
            breaks: s
                .breaks
                .into_iter()
                .map(|b| (b.starts_at, b.ends_at))
                .collect(),
        }
    }
}

/// Fields of a new event.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// Organiser organisation key; defaults to the token's.
    pub organisation: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    #[graphql(default)]
    pub description: String,
    /// Venue.
    pub location: Option<String>,
    /// Meeting length in minutes (5–240).
    #[graphql(default = 20)]
    pub meeting_minutes: i32,
    /// Tables (booths included), at least 1.
    pub tables: i32,
    /// Hosts receive at fixed booths.
    #[graphql(default)]
    pub fixed_booths: bool,
    /// Accept/decline or auto-accept.
    #[graphql(default_with = "RequestMode::AcceptDecline")]
    pub request_mode: RequestMode,
    /// Hours until an unanswered request expires.
    pub request_expiry_hours: Option<i32>,
    /// Registration opens.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Registration closes.
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Organisation kinds admitted (empty = all).
    #[graphql(default)]
    pub participant_types: Vec<OrganisationKind>,
    /// Participant cap.
    pub max_participants: Option<i32>,
    /// Sessions, not overlapping.
    pub sessions: Vec<EventSessionInput>,
}

/// Fields to change; omitted fields stay, null clears.
#[derive(InputObject, Default)]
pub struct UpdateEventInput {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Venue.
    pub location: MaybeUndefined<String>,
    /// Meeting length (only before the first schedule).
    pub meeting_minutes: Option<i32>,
    /// Tables.
    pub tables: Option<i32>,
    /// Request mode.
    pub request_mode: Option<RequestMode>,
    /// Request expiry.
    pub request_expiry_hours: MaybeUndefined<i32>,
    /// Registration opens.
    pub registration_opens_at: MaybeUndefined<DateTime<Utc>>,
    /// Registration closes.
    pub registration_closes_at: MaybeUndefined<DateTime<Utc>>,
    /// Kinds admitted.
    pub participant_types: Option<Vec<OrganisationKind>>,
    /// Participant cap.
    pub max_participants: MaybeUndefined<i32>,
    /// Sessions, replacing all (only before the first schedule).
    pub sessions: Option<Vec<EventSessionInput>>,
}

fn maybe<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(x)),
    }
}

/// Registration of an organisation, or of one person of it.
#[derive(InputObject, Default)]
pub struct RegisterForEventInput {
    /// Organisation key; defaults to the token's.
    pub organisation: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Offered achievements (the organisation's own).
    #[graphql(default)]
    pub offers: Vec<ID>,
    /// Sought needs (the organisation's own).
    #[graphql(default)]
    pub seeks: Vec<ID>,
    /// Sessions attended; omitted = all, empty is refused.
    pub availability: Option<Vec<ID>>,
    /// Receives at a fixed booth.
    #[graphql(default)]
    pub host: bool,
    /// Register this member of the organisation (a user id; yourself, or a colleague for org
    /// admins). Omitted: yourself when you are logged in as a person of the organisation, else
    /// the organisation as a whole.
    pub person_id: Option<ID>,
    /// Register the member with this e-mail address (instead of `personId`).
    pub person_email: Option<String>,
    /// Register the organisation as a whole even when logged in as a person.
    #[graphql(default)]
    pub as_organisation: bool,
    /// Most meetings over the whole event (1–200; omitted = no own cap).
    pub max_meetings: Option<i32>,
    /// Most meetings in any one session (1–200; the session's own cap applies too).
    pub max_meetings_per_session: Option<i32>,
}

/// A meeting request.
#[derive(InputObject)]
pub struct RequestMeetingInput {
    /// The event.
    pub event_id: ID,
    /// Requesting participant; defaults to the token's organisation's registration.
    pub from: Option<ID>,
    /// The participant asked.
    pub to: ID,
    /// A note for the invitee.
    pub message: Option<String>,
    /// 1–5, default 3.
    pub priority: Option<i32>,
}

/// An answer to a meeting.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MeetingResponse {
    /// Accept.
    Accept,
    /// Decline.
    Decline,
    /// Withdraw.
    Cancel,
}

/// Scheduling options.
#[derive(InputObject, Default)]
pub struct ScheduleEventInput {
    /// Also place suggested pairs (priority 1) where room is left.
    #[graphql(default)]
    pub include_suggested: bool,
    /// Refuse with CONFLICT unless the schedule version is still this one.
    pub if_schedule_version: Option<i64>,
}

/// An outcome.
#[derive(InputObject)]
pub struct RecordMeetingOutcomeInput {
    /// What came of it.
    pub outcome: MeetingOutcome,
    /// Notes.
    pub note: Option<String>,
}

/// The changed event.
#[derive(SimpleObject)]
pub struct EventPayload {
    /// The event after the change.
    pub event: Event,
}

/// The changed participant.
#[derive(SimpleObject)]
pub struct ParticipantPayload {
    /// The participant after the change.
    pub participant: EventParticipant,
}

/// The changed meeting.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The meeting after the change.
    pub meeting: Meeting,
}

/// A meeting left out of the schedule.
#[derive(SimpleObject)]
pub struct UnplacedMeeting {
    /// The meeting.
    pub meeting: Meeting,
    /// Why.
    pub reason: UnplacedReason,
    /// Explanation (中文 first).
    pub detail: String,
}

/// Why a meeting stayed unscheduled.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UnplacedReason {
    /// The two sides are never available at the same time.
    NoCommonAvailability,
    /// One side is booked (or at its session cap) in every common slot.
    ParticipantBusy,
    /// All tables are taken whenever both are free.
    NoTableFree,
    /// A side reached their own meeting cap (`maxMeetings`, or `maxMeetingsPerSession` in every
    /// session where both are free).
    ParticipantCap,
}

/// What `scheduleEvent` did.
#[derive(SimpleObject)]
pub struct ScheduleEventPayload {
    /// The event, with its new schedule version.
    pub event: Event,
    /// Meetings placed.
    pub placed: u64,
    /// Earlier placements that changed.
    pub moved: u64,
    /// Sum of priorities placed.
    pub total_priority: u64,
    /// An upper bound on the best possible total.
    pub upper_bound: u64,
    /// Meetings left out, with reasons.
    pub unplaced: Vec<UnplacedMeeting>,
}

/// Event mutations; each needs a bearer token and is audited.
#[derive(Default)]
pub struct EventsMutation;

#[Object]
impl EventsMutation {
    /// Creates an event (organisers).
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        input: CreateEventInput,
    ) -> Result<EventPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = input.organisation.clone();
        let draft = EventDraft {
            title: Some(input.title),
            description: Some(input.description),
            location: Some(input.location),
            meeting_minutes: Some(input.meeting_minutes),
            tables: Some(input.tables),
            fixed_booths: Some(input.fixed_booths),
            request_mode: Some(input.request_mode),
            request_expiry_hours: Some(input.request_expiry_hours),
            registration_opens_at: Some(input.registration_opens_at),
            registration_closes_at: Some(input.registration_closes_at),
            participant_types: Some(input.participant_types),
            max_participants: Some(input.max_participants),
            sessions: Some(input.sessions.into_iter().map(Into::into).collect()),
        };
        let e = service::create(db, viewer(ctx), org.as_deref(), draft).await?;
        Ok(EventPayload { event: Event(e) })
    }

    /// Changes an event (its organiser).
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEventInput,
    ) -> Result<EventPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Event", "id")?;
        let draft = EventDraft {
            title: input.title,
            description: input.description,
            location: maybe(input.location),
            meeting_minutes: input.meeting_minutes,
            tables: input.tables,
            fixed_booths: None,
            request_mode: input.request_mode,
            request_expiry_hours: maybe(input.request_expiry_hours),
            registration_opens_at: maybe(input.registration_opens_at),
            registration_closes_at: maybe(input.registration_closes_at),
            participant_types: input.participant_types,
            max_participants: maybe(input.max_participants),
            sessions: input
                .sessions
                .map(|s| s.into_iter().map(Into::into).collect()),
        };
        let e = service::update(db, viewer(ctx), n, draft).await?;
        publish(ctx, &e, EventUpdateKind::EventChanged, None, None);
        Ok(EventPayload { event: Event(e) })
    }

    /// Registers an organisation with what it offers and seeks.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        input: RegisterForEventInput,
    ) -> Result<ParticipantPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let eid = relay::decode_id(&event_id, "Event", "eventId")?;
        let decode_all = |v: &[ID], kind: &str, field: &str| -> Result<Vec<i64>, AppError> {
            v.iter()
                .enumerate()
                .map(|(i, id)| relay::decode_id(id, kind, &format!("input.{field}[{i}]")))
                .collect()
        };
        let draft = RegistrationDraft {
            organisation: input.organisation,
            contact_name: input.contact_name,
            offers: decode_all(&input.offers, "Achievement", "offers")?,
            seeks: decode_all(&input.seeks, "Need", "seeks")?,
            availability: input
                .availability
                .as_deref()
                .map(|v| decode_all(v, "EventSession", "availability"))
                .transpose()?,
            host: input.host,
            person: match (input.person_id, input.person_email, input.as_organisation) {
                (Some(_), Some(_), _) => {
                    return Err(AppError::bad_input(
                        "input.personEmail",
                        "give personId or personEmail, not both (二选一)",
                    )
                    .into())
                }
                (Some(_), None, true) | (None, Some(_), true) => {
                    return Err(AppError::bad_input(
                        "input.asOrganisation",
                        "a registration is a person's or the organisation's, not both (二选一)",
                    )
                    .into())
                }
                (Some(id), None, false) => {
                    PersonChoice::UserId(relay::decode_id(&id, "Person", "input.personId")?)
                }
                (None, Some(email), false) => PersonChoice::Email(email),
                (None, None, true) => PersonChoice::Organisation,
                (None, None, false) => PersonChoice::Default,
            },
            max_meetings: input.max_meetings,
            max_meetings_per_session: input.max_meetings_per_session,
        };
        let p = registration::register(db, viewer(ctx), eid, draft).await?;
        let e = service::get(db, eid).await?;
        publish(ctx, &e, EventUpdateKind::Registered, None, Some(p.id));
        Ok(ParticipantPayload {
            participant: EventParticipant(p),
        })
    }

    /// Requests a meeting with another participant.
    async fn request_meeting(
        &self,
        ctx: &Context<'_>,
        input: RequestMeetingInput,
    ) -> Result<MeetingPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let eid = relay::decode_id(&input.event_id, "Event", "input.eventId")?;
        let from = decode_opt(input.from.as_ref(), "EventParticipant", "input.from")?;
        let to = relay::decode_id(&input.to, "EventParticipant", "input.to")?;
        let m = meetings::request_meeting(
            db,
            viewer(ctx),
            eid,
            from,
            to,
            input.message,
            input.priority,
        )
        .await?;
        let e = service::get(db, eid).await?;
        publish(ctx, &e, EventUpdateKind::MeetingChanged, Some(m.id), None);
        Ok(MeetingPayload {
            meeting: Meeting(m),
        })
    }

    /// Accepts, declines or cancels a meeting.
    async fn respond_to_meeting(
        &self,
        ctx: &Context<'_>,
        id: ID,
        response: MeetingResponse,
    ) -> Result<MeetingPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Meeting", "id")?;
        let r = match response {
            MeetingResponse::Accept => Response::Accept,
            MeetingResponse::Decline => Response::Decline,
            MeetingResponse::Cancel => Response::Cancel,
        };
        let m = meetings::respond(db, viewer(ctx), n, r).await?;
        let e = service::get(db, m.event_id).await?;
        publish(ctx, &e, EventUpdateKind::MeetingChanged, Some(m.id), None);
        Ok(MeetingPayload {
            meeting: Meeting(m),
        })
    }

    /// Places accepted (and optionally suggested) meetings into slots and tables, maximising
    /// total priority; keeps earlier placements where it can; reports what stayed out and why.
    async fn schedule_event(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        input: Option<ScheduleEventInput>,
    ) -> Result<ScheduleEventPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let eid = relay::decode_id(&event_id, "Event", "eventId")?;
        let input = input.unwrap_or_default();
        let r = scheduling::schedule(
            db,
            viewer(ctx),
            eid,
            input.include_suggested,
            input.if_schedule_version,
        )
        .await?;
        publish(ctx, &r.event, EventUpdateKind::Scheduled, None, None);
        Ok(ScheduleEventPayload {
            placed: r.placed as u64,
            moved: r.moved as u64,
            total_priority: r.total_priority,
            upper_bound: r.upper_bound,
            unplaced: r
                .unplaced
                .into_iter()
                .map(|u| {
                    let (reason, detail) = match u.reason {
                        Reason::NoCommonAvailability => (
                            UnplacedReason::NoCommonAvailability,
                            "双方没有共同的可参会时段 (no common availability)",
                        ),
                        Reason::ParticipantBusy => (
                            UnplacedReason::ParticipantBusy,
                            "一方在所有共同时段已排满或达到场次上限 (a side is fully booked)",
                        ),
                        Reason::NoTableFree => (
                            UnplacedReason::NoTableFree,
                            "双方空闲的时段桌位已满 (no table free)",
                        ),
                        Reason::ParticipantCap => (
                            UnplacedReason::ParticipantCap,
                            "一方已达到本人的洽谈数量上限 (a side reached their own meeting cap)",
                        ),
                    };
                    UnplacedMeeting {
                        meeting: Meeting(u.meeting),
                        reason,
                        detail: detail.to_string(),
                    }
                })
                .collect(),
            event: Event(r.event),
        })
    }

    /// Checks a participant in at the venue.
    async fn check_in(&self, ctx: &Context<'_>, participant_id: ID) -> Result<ParticipantPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&participant_id, "EventParticipant", "participantId")?;
        let p = checkin::check_in(db, viewer(ctx), n).await?;
        let e = service::get(db, p.event_id).await?;
        publish(ctx, &e, EventUpdateKind::CheckedIn, None, Some(p.id));
        Ok(ParticipantPayload {
            participant: EventParticipant(p),
        })
    }

    /// Records what came of a scheduled meeting.
    async fn record_meeting_outcome(
        &self,
        ctx: &Context<'_>,
        meeting_id: ID,
        input: RecordMeetingOutcomeInput,
    ) -> Result<MeetingPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&meeting_id, "Meeting", "meetingId")?;
        let m = checkin::record_outcome(db, viewer(ctx), n, input.outcome, input.note).await?;
        let e = service::get(db, m.event_id).await?;
        publish(ctx, &e, EventUpdateKind::OutcomeRecorded, Some(m.id), None);
        Ok(MeetingPayload {
            meeting: Meeting(m),
        })
    }
}

/// Event subscriptions.
#[derive(Default)]
pub struct EventsSubscription;

#[Subscription]
impl EventsSubscription {
    /// Live changes of one event: registrations, meetings, schedules, check-ins, outcomes.
    async fn event_updates(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<impl Stream<Item = EventUpdate>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let eid = relay::decode_id(&event_id, "Event", "eventId")?;
        service::get(db, eid).await?;
        let rx = ctx.data::<EventBus>()?.subscribe();
        Ok(BroadcastStream::new(rx).filter_map(move |u| match u {
            Ok(u) if u.event_row == eid => Some(u),
            _ => None,
        }))
    }
}
