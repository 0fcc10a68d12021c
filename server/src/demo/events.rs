//! Demo people and a demo matchmaking event, so a fresh `serve --demo` shows every journey:
//! invitations that give the demo personas their roles at first login (the technology market's
//! organiser, IMU's technology-transfer office) and an upcoming 对接会 with registrations from
//! universities and firms and a few meeting requests, left unscheduled for the organiser. Two
//! researchers of 内蒙古大学 (IMU) register separately, each with their own offer and meeting caps
//! (people at events, issue 19); the university has no organisation-level registration there.
//! Everything goes through the same services (and validation, and audit log) as the API.

use crate::auth::Viewer;
use crate::catalog::service as catalog;
use crate::error::{AppError, AppResult};
use crate::events::meetings::{self, Response};
use crate::events::registration::{self, PersonChoice, RegistrationDraft};
use crate::events::service::{self as events, EventDraft, SessionDraft};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use transferhub_schema::entity::event::{self, RequestMode};
use transferhub_schema::entity::{achievement, invitation, membership, need, user};
use transferhub_schema::enums::{AchievementStatus, NeedStatus, OrganisationKind, Role};

/// Title of the demo event; seeding again finds it by this title and adds nothing.
pub const DEMO_EVENT_TITLE: &str = "2026 呼和浩特科技成果对接会（乳业·生物医药·新材料专场）";

/// Demo personas that get a role through an invitation (the rest join by e-mail domain).
pub const DEMO_INVITATIONS: &[(&str, &str, Role)] = &[
    ("organiser@tm.huhhot.cn", "hhht-tm", Role::Organiser),
    ("kjc@imu.edu.cn", "imu", Role::OrgAdmin),
    ("admin@ipc.huhhot.gov.cn", "hhht-ipc", Role::OrgAdmin),
];

/// Organisations registered for the demo event; each offers its first published achievements
/// and seeks with its first open needs.
const REGISTRANTS: &[&str] = &[
    "imu",
    "imau",
    "imut",
    "naas",
    "cyx-dairy",
    "mk-pharma",
    "bc-magnet",
    "ys-oats",
    "jq-pv",
    "sy-vet",
];

/// (organisation key, e-mail, name, index of the offered achievement, most meetings overall, most
/// per session).
pub type DemoEventPerson = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    i32,
    Option<i32>,
);

/// Researchers of one university at the demo event, registered separately: (organisation, e-mail,
/// name, which of its offered achievements, most meetings overall, most per session). They are
/// members of the organisation known by e-mail, so their first login links to them.
pub const DEMO_EVENT_PEOPLE: &[DemoEventPerson] = &[
    (
        "imu",
        "zhao.lin@imu.edu.cn",
        "赵琳 教授（生命科学学院）",
        0,
        4,
        None,
    ),
    (
        "imu",
        "sun.hao@imu.edu.cn",
        "孙浩 副研究员（稀土材料）",
        1,
        3,
        Some(2),
    ),
];

/// The user with this e-mail, created (as a member of `organisation_id`) when missing.
async fn demo_person(
    db: &DatabaseConnection,
    organisation_id: i64,
    email: &str,
    name: &str,
) -> AppResult<user::Model> {
    let u = match user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
    {
        Some(u) => u,
        None => {
            user::ActiveModel {
                email: Set(Some(email.to_string())),
                display_name: Set(name.to_string()),
                issuer: Set(None),
                subject: Set(None),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let member = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .one(db)
        .await?;
    if member.is_none() {
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(organisation_id),
            role: Set(Role::Member),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(u)
}

/// Adds the missing demo invitations; returns how many were added.
pub async fn seed_invitations(db: &DatabaseConnection) -> AppResult<usize> {
    let mut added = 0;
    for (email, org_key, role) in DEMO_INVITATIONS {
        let Some(org) = catalog::find_org_by_key(db, org_key).await? else {
            continue;
        };
        let exists = invitation::Entity::find()
            .filter(invitation::Column::Email.eq(*email))
            .filter(invitation::Column::OrganisationId.eq(org.id))
            .one(db)
            .await?;
        if exists.is_none() {
            invitation::ActiveModel {
                organisation_id: Set(org.id),
                email: Set((*email).to_string()),
                role: Set(*role),
                invited_by: Set(super::DEMO_SOURCE.into()),
                created_at: Set(Utc::now()),
                accepted_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
            added += 1;
        }
    }
    Ok(added)
}

/// Creates the demo event unless it exists; returns 1 when it was created.
pub async fn seed_event(db: &DatabaseConnection) -> AppResult<usize> {
    if event::Entity::find()
        .filter(event::Column::Title.eq(DEMO_EVENT_TITLE))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let Some(organiser) = catalog::find_org_by_key(db, "hhht-tm").await? else {
        return Ok(0);
    };
    let system = Viewer {
        token_id: 0,
        token_name: super::DEMO_SOURCE.into(),
        organisation_id: organiser.id,
        organisation_key: organiser.key.clone(),
        role: Role::PlatformAdmin,
        user_id: None,
        session_id: None,
    };
    // A week from today, 09:00–11:30 and 14:00–16:30 Beijing time (UTC+8), a tea break at 10:10.
    let day = (Utc::now() + Duration::days(7)).date_naive();
    let at = |h: u32, m: u32| -> AppResult<chrono::DateTime<Utc>> {
        day.and_hms_opt(h, m, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| AppError::Internal("demo event time".into()))
    };
    let draft = EventDraft {
        title: Some(DEMO_EVENT_TITLE.into()),
        description: Some(
            "由呼和浩特技术市场主办，面向乳业、生物医药、稀土新材料等重点产业链，组织高校院所与企业一对一洽谈。\
             报名时请选择拟推介的科技成果或技术需求，并勾选可参加的场次。"
                .into(),
        ),
        location: Some(Some("呼和浩特市赛罕区 内蒙古科技大厦 3 层多功能厅".into())),
        meeting_minutes: Some(20),
        tables: Some(8),
        fixed_booths: Some(false),
        request_mode: Some(RequestMode::AcceptDecline),
        request_expiry_hours: Some(Some(72)),
        registration_opens_at: Some(Some(Utc::now() - Duration::days(1))),
        registration_closes_at: Some(Some(at(0, 0)? - Duration::days(1))),
        participant_types: Some(vec![
            OrganisationKind::University,
            OrganisationKind::Institute,
            OrganisationKind::Firm,
        ]),
        max_participants: Some(Some(120)),
        sessions: Some(vec![
            SessionDraft {
                name: Some("上午场 Morning".into()),
                starts_at: at(1, 0)?,
                ends_at: at(3, 30)?,
                meeting_cap: None,
                breaks: vec![(at(2, 10)?, at(2, 20)?)],
            },
            SessionDraft {
                name: Some("下午场 Afternoon".into()),
                starts_at: at(6, 0)?,
                ends_at: at(8, 30)?,
                meeting_cap: None,
                breaks: Vec::new(),
            },
        ]),
    };
    let ev = events::create(db, Some(&system), Some("hhht-tm"), draft).await?;
    let mut participants = Vec::new();
    for key in REGISTRANTS {
        let Some(org) = catalog::find_org_by_key(db, key).await? else {
            continue;
        };
        let offers: Vec<i64> = achievement::Entity::find()
            .filter(achievement::Column::OrganisationId.eq(org.id))
            .filter(achievement::Column::Status.eq(AchievementStatus::Published))
            .order_by_asc(achievement::Column::Id)
            .limit(2)
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let seeks: Vec<i64> = need::Entity::find()
            .filter(need::Column::OrganisationId.eq(org.id))
            .filter(need::Column::Status.eq(NeedStatus::Open))
            .order_by_asc(need::Column::Id)
            .limit(2)
            .all(db)
            .await?
            .into_iter()
            .map(|n| n.id)
            .collect();
        let people: Vec<_> = DEMO_EVENT_PEOPLE.iter().filter(|p| p.0 == *key).collect();
        if !people.is_empty() {
            for &&(_, email, name, offer, max, per_session) in &people {
                let u = demo_person(db, org.id, email, name).await?;
                let p = registration::register(
                    db,
                    Some(&system),
                    ev.id,
                    RegistrationDraft {
                        organisation: Some((*key).to_string()),
                        contact_name: Some(name.to_string()),
                        offers: offers.get(offer).copied().into_iter().collect(),
                        seeks: Vec::new(),
                        person: PersonChoice::UserId(u.id),
                        max_meetings: Some(max),
                        max_meetings_per_session: per_session,
                        ..Default::default()
                    },
                )
                .await?;
                participants.push((p, false));
            }
            continue;
        }
        let p = registration::register(
            db,
            Some(&system),
            ev.id,
            RegistrationDraft {
                organisation: Some((*key).to_string()),
                contact_name: Some(format!("{} 对接联系人", org.name_zh)),
                offers,
                seeks,
                availability: None,
                host: false,
                ..Default::default()
            },
        )
        .await?;
        participants.push((p, org.kind == OrganisationKind::Firm));
    }
    // Firms ask universities for meetings; the first two are already accepted.
    let (firms, unis): (Vec<_>, Vec<_>) = participants.iter().partition(|(_, firm)| *firm);
    for (n, ((f, _), (u, _))) in firms.iter().zip(unis.iter()).enumerate() {
        let m = meetings::request_meeting(
            db,
            Some(&system),
            ev.id,
            Some(f.id),
            u.id,
            Some("希望就贵单位的成果转化方式与合作条件进一步洽谈。".into()),
            Some(3),
        )
        .await?;
        if n < 2 {
            meetings::respond(db, Some(&system), m.id, Response::Accept).await?;
        }
    }
    Ok(1)
}
