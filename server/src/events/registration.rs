//! Registering for an event — an organisation as a whole, or one person of it (several people
//! of one organisation register separately) — with what it offers and seeks, when it is there
//! and how many meetings it takes; and reading registrations.

use super::service::{get, organises, participant_types, require_side_or_organiser, sessions};
use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::catalog::service::target_org;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::{BTreeMap, BTreeSet};
use transferhub_schema::entity::{
    achievement, event, event_participant as participant, membership, need, organisation, user,
};

/// Most meetings a cap may allow (a long trade fair has fewer slots than this).
pub const MAX_MEETINGS_CAP: i32 = 200;

/// Who a registration is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PersonChoice {
    /// The viewer themselves when they are a person (a browser session) of the registering
    /// organisation; otherwise the organisation as a whole.
    #[default]
    Default,
    /// The organisation as a whole (no person).
    Organisation,
    /// A member of the organisation by user id (themselves, or a colleague for org admins).
    UserId(i64),
    /// A member of the organisation by e-mail address.
    Email(String),
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
    /// The person registered.
    pub person: PersonChoice,
    /// Most meetings over the whole event.
    pub max_meetings: Option<i32>,
    /// Most meetings in any one session.
    pub max_meetings_per_session: Option<i32>,
}

fn json_ids(v: &[i64]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// The person a registration is for (`None` = the organisation): must be a member of `org`;
/// naming someone other than oneself takes an admin of `org` (or the event's organiser).
async fn resolve_person(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    e: &event::Model,
    org: &organisation::Model,
    choice: &PersonChoice,
) -> AppResult<Option<user::Model>> {
    let (found, field) = match choice {
        PersonChoice::Organisation => return Ok(None),
        PersonChoice::Default => {
            return match viewer.filter(|v| v.organisation_id == org.id) {
                Some(Viewer {
                    user_id: Some(u), ..
                }) => Ok(user::Entity::find_by_id(*u).one(db).await?),
                _ => Ok(None),
            }
        }
        PersonChoice::UserId(u) => (
            user::Entity::find_by_id(*u).one(db).await?,
            "input.personId",
        ),
        PersonChoice::Email(m) => (
            user::Entity::find()
                .filter(user::Column::Email.eq(m.trim().to_lowercase()))
                .one(db)
                .await?,
            "input.personEmail",
        ),
    };
    let u = found.ok_or_else(|| AppError::bad_input(field, "没有这个用户 / no such person"))?;
    let member = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .filter(membership::Column::OrganisationId.eq(org.id))
        .one(db)
        .await?;
    if member.is_none() {
        return Err(AppError::bad_input(
            field,
            format!(
                "此人不是 {} 的成员 / this person is not a member of {}",
                org.name_zh, org.key
            ),
        ));
    }
    let oneself = viewer.is_some_and(|v| v.user_id == Some(u.id));
    if !oneself && !organises(viewer, e) {
        policy::require(viewer, Action::ManageMembers, org.id).map_err(|_| {
            AppError::Forbidden(format!(
                "只有机构管理员可以为同事报名 / only admins of {} register a colleague ({field})",
                org.key
            ))
        })?;
    }
    Ok(Some(u))
}

/// Registers an organisation, or one person of it, for an event.
pub async fn register(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
    d: RegistrationDraft,
) -> AppResult<participant::Model> {
    let e = get(db, event_id).await?;
    let org = target_org(db, viewer, d.organisation.as_deref()).await?;
    require_side_or_organiser(viewer, &[org.id], &e)?;
    // A participant is shown on the event's public pages: an organisation not yet verified (or
    // deactivated) takes part in nothing, as it publishes nothing.
    crate::auth::policy::may_publish(&org)?;
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
    let max_meetings =
        validate::optional_count("input.maxMeetings", d.max_meetings, MAX_MEETINGS_CAP)?;
    let max_per_session = validate::optional_count(
        "input.maxMeetingsPerSession",
        d.max_meetings_per_session,
        MAX_MEETINGS_CAP,
    )?;
    let person = resolve_person(db, viewer, &e, &org, &d.person).await?;
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
        .filter(match &person {
            Some(u) => participant::Column::UserId.eq(u.id),
            None => participant::Column::UserId.is_null(),
        })
        .one(&tx)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict(match &person {
            Some(u) => format!(
                "{} 已报名本活动 / {} of {} is already registered for this event",
                u.display_name, u.display_name, org.key
            ),
            None => format!(
                "{} 已报名本活动 / {} is already registered for this event",
                org.name_zh, org.key
            ),
        }));
    }
    let saved = participant::ActiveModel {
        event_id: Set(event_id),
        organisation_id: Set(org.id),
        user_id: Set(person.as_ref().map(|u| u.id)),
        max_meetings: Set(max_meetings),
        max_meetings_per_session: Set(max_per_session),
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
        serde_json::json!({ "event": event_id, "person": person.as_ref().map(|u| u.id) }),
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

/// An organisation's registration for an event, if any: its organisation-level one, else its
/// earliest person's.
pub async fn participant_of(
    db: &DatabaseConnection,
    event_id: i64,
    organisation_id: i64,
) -> AppResult<Option<participant::Model>> {
    let rows = participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .filter(participant::Column::OrganisationId.eq(organisation_id))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?;
    let org_level = rows.iter().position(|p| p.user_id.is_none());
    Ok(match org_level {
        Some(i) => rows.into_iter().nth(i),
        None => rows.into_iter().next(),
    })
}

/// The registration the viewer acts with: a person's own (browser sessions), else their
/// organisation's as a whole.
pub async fn viewer_participant(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: i64,
) -> AppResult<Option<participant::Model>> {
    if let Some(u) = viewer.user_id {
        let own = participant::Entity::find()
            .filter(participant::Column::EventId.eq(event_id))
            .filter(participant::Column::OrganisationId.eq(viewer.organisation_id))
            .filter(participant::Column::UserId.eq(u))
            .one(db)
            .await?;
        if own.is_some() {
            return Ok(own);
        }
    }
    Ok(participant::Entity::find()
        .filter(participant::Column::EventId.eq(event_id))
        .filter(participant::Column::OrganisationId.eq(viewer.organisation_id))
        .filter(participant::Column::UserId.is_null())
        .one(db)
        .await?)
}

/// The viewer's own registration for an event (see [`viewer_participant`]).
pub(super) async fn own_participant(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    event_id: i64,
) -> AppResult<participant::Model> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("this mutation needs a bearer token".into()))?;
    viewer_participant(db, v, event_id).await?.ok_or_else(|| {
        AppError::bad_input(
            "input.from",
            format!(
                "您（或 {}）尚未报名本活动 / neither you nor {} as a whole is registered for this event",
                v.organisation_key, v.organisation_key
            ),
        )
    })
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
