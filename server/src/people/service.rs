//! People's profiles: reading them as the caller may see them, and changing one's own. All SQL
//! of the domain; the one visibility rule is [`card`].
//!
//! Visibility: a person's display name and organisation are public (profile visibility BASIC,
//! the default) together with the title; PUBLIC adds fields, keywords, languages and the bio;
//! HIDDEN shows nothing to others. The e-mail address is shown only when the person says so
//! (`showEmail`). The person themself, the org admins of an organisation they belong to and
//! platform admins see everything. A person who belongs to no organisation is not shown to
//! others at all (the public roster is organisations' people).

use crate::auth::{Person, Viewer};
use crate::error::{AppError, AppResult};
use crate::validate;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::HashMap;
use transferhub_schema::entity::{membership, person_profile, user};
use transferhub_schema::enums::Role;

/// Who may see a profile beyond the name and organisation.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProfileVisibility {
    /// Only the person, their org admins and platform admins see the profile; `person(id)` is
    /// null for everyone else.
    Hidden,
    /// Name, organisation and title are public (the default).
    #[default]
    Basic,
    /// Everything but the e-mail address is public (the e-mail follows `showEmail`).
    Public,
}

impl ProfileVisibility {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hidden => "HIDDEN",
            Self::Basic => "BASIC",
            Self::Public => "PUBLIC",
        }
    }

    /// Reads the stored spelling (unknown → BASIC).
    pub fn parse(s: &str) -> Self {
        match s {
            "HIDDEN" => Self::Hidden,
            "PUBLIC" => Self::Public,
            _ => Self::Basic,
        }
    }
}

/// Longest display name, title and bio (characters); most keywords and their length.
pub const MAX_NAME: usize = 100;
/// Longest title (职称).
pub const MAX_TITLE: usize = 50;
/// Longest bio.
pub const MAX_BIO: usize = 1000;
/// Most expertise keywords.
pub const MAX_KEYWORDS: usize = 20;
/// Longest keyword.
pub const MAX_KEYWORD_CHARS: usize = 30;

/// One person as a caller may see them: hidden fields are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// `users.id`.
    pub user_id: i64,
    /// Display name.
    pub display_name: String,
    /// E-mail, when shown.
    pub email: Option<String>,
    /// The organisation shown with the person (their first membership, or the organisation
    /// whose people are listed).
    pub organisation_id: Option<i64>,
    /// 职称.
    pub title: Option<String>,
    /// IPC symbols of their fields.
    pub ipc_codes: Vec<String>,
    /// GB/T 4754 codes of their fields.
    pub industry_codes: Vec<String>,
    /// Expertise keywords.
    pub keywords: Vec<String>,
    /// Language tags.
    pub languages: Vec<String>,
    /// Short bio.
    pub bio: Option<String>,
    /// The person's chosen visibility.
    pub visibility: ProfileVisibility,
    /// Whether the person shows their e-mail.
    pub show_email: bool,
    /// True when the caller sees everything (themself, their org admins, platform admins).
    pub full: bool,
    /// Last profile change.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Who is asking: the viewer (acting for an organisation) and the logged-in person.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asker<'a> {
    /// The viewer.
    pub viewer: Option<&'a Viewer>,
    /// The logged-in person (sessions, person tokens).
    pub person: Option<Person>,
}

impl Asker<'_> {
    /// The caller's own `users.id`, if a person.
    pub fn me(&self) -> Option<i64> {
        self.person
            .map(|p| p.user_id)
            .or_else(|| self.viewer.and_then(|v| v.user_id))
    }
}

/// A person with what is stored about them: the rows [`card`] decides over.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The user row.
    pub user: user::Model,
    /// The profile row, when the person has saved one.
    pub profile: Option<person_profile::Model>,
    /// The organisations they belong to, first joined first.
    pub organisation_ids: Vec<i64>,
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The one visibility rule: what `asker` may see of a stored person, shown with
/// `organisation_id`; `None` when the person is hidden from the asker.
pub fn card(asker: &Asker<'_>, s: &Stored, organisation_id: Option<i64>) -> Option<Profile> {
    let full = asker.me() == Some(s.user.id)
        || asker.viewer.is_some_and(|v| {
            v.role == Role::PlatformAdmin
                || (v.role == Role::OrgAdmin && s.organisation_ids.contains(&v.organisation_id))
        });
    let visibility = s.profile.as_ref().map_or(ProfileVisibility::Basic, |p| {
        ProfileVisibility::parse(&p.visibility)
    });
    if !full && (visibility == ProfileVisibility::Hidden || s.organisation_ids.is_empty()) {
        return None;
    }
    let details = full || visibility == ProfileVisibility::Public;
    let show_email = s.profile.as_ref().is_some_and(|p| p.show_email);
    let p = s.profile.as_ref();
    let list = |f: fn(&person_profile::Model) -> &str| {
        if details {
            p.map(|p| json_list(f(p))).unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    Some(Profile {
        user_id: s.user.id,
        display_name: s.user.display_name.clone(),
        email: if full || show_email {
            s.user.email.clone()
        } else {
            None
        },
        organisation_id: organisation_id.or_else(|| s.organisation_ids.first().copied()),
        title: p.and_then(|p| p.title.clone()),
        ipc_codes: list(|p| p.ipc_codes.as_str()),
        industry_codes: list(|p| p.industry_codes.as_str()),
        keywords: list(|p| p.keywords.as_str()),
        languages: list(|p| p.languages.as_str()),
        bio: if details {
            p.and_then(|p| p.bio.clone())
        } else {
            None
        },
        visibility,
        show_email,
        full,
        updated_at: p.map(|p| p.updated_at),
    })
}

/// Loads the stored rows of these people (missing ids are left out), in the given order.
pub async fn stored<C: ConnectionTrait>(db: &C, user_ids: &[i64]) -> AppResult<Vec<Stored>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids.iter().copied()))
        .all(db)
        .await?;
    let mut profiles: HashMap<i64, person_profile::Model> = person_profile::Entity::find()
        .filter(person_profile::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p))
        .collect();
    let mut orgs: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in membership::Entity::find()
        .filter(membership::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?
    {
        orgs.entry(m.user_id).or_default().push(m.organisation_id);
    }
    let mut by_id: HashMap<i64, user::Model> = users.into_iter().map(|u| (u.id, u)).collect();
    Ok(user_ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|user| Stored {
            profile: profiles.remove(&user.id),
            organisation_ids: orgs.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect())
}

/// The members of organisations, by organisation, earliest member first (for `Organisation.people`
/// and `Achievement.inventorPeople`, through a DataLoader).
pub async fn members_of<C: ConnectionTrait>(
    db: &C,
    organisation_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Stored>>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::OrganisationId.is_in(organisation_ids.iter().copied()))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people: HashMap<i64, Stored> = stored(db, &ids)
        .await?
        .into_iter()
        .map(|s| (s.user.id, s))
        .collect();
    let mut out: HashMap<i64, Vec<Stored>> = HashMap::new();
    for m in rows {
        if let Some(s) = people.get(&m.user_id) {
            out.entry(m.organisation_id).or_default().push(s.clone());
        }
    }
    Ok(out)
}

/// One person as the asker may see them; unknown or hidden → `None`.
pub async fn get(
    db: &DatabaseConnection,
    asker: &Asker<'_>,
    user_id: i64,
) -> AppResult<Option<Profile>> {
    Ok(stored(db, &[user_id])
        .await?
        .first()
        .and_then(|s| card(asker, s, None)))
}

/// The logged-in person's own profile (none for anonymous callers and organisation tokens).
pub async fn me(db: &DatabaseConnection, asker: &Asker<'_>) -> AppResult<Option<Profile>> {
    match asker.me() {
        Some(id) => get(db, asker, id).await,
        None => Ok(None),
    }
}

/// Changes to one's own profile; `None` leaves a field as it is, an empty string clears the
/// title or bio, an empty list clears a list.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// Display name (1–100 characters).
    pub display_name: Option<String>,
    /// 职称 (up to 50 characters).
    pub title: Option<String>,
    /// IPC symbols (subclass or deeper), at most 20.
    pub ipc_codes: Option<Vec<String>>,
    /// GB/T 4754 codes, at most 20.
    pub industry_codes: Option<Vec<String>>,
    /// Expertise keywords, at most 20 of up to 30 characters.
    pub keywords: Option<Vec<String>>,
    /// Language tags (zh, en, mn-Mong …), at most 10.
    pub languages: Option<Vec<String>>,
    /// Short bio (up to 1000 characters).
    pub bio: Option<String>,
    /// Who sees the profile.
    pub visibility: Option<ProfileVisibility>,
    /// Whether the e-mail address is shown.
    pub show_email: Option<bool>,
}

fn to_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Changes the logged-in person's own profile (a browser session or a person token), audited
/// as `person.update_profile` in the same transaction. Every value is checked first; a bad one
/// is BAD_INPUT naming the field (`input.ipcCodes[1]`).
pub async fn update_my_profile(
    db: &DatabaseConnection,
    asker: &Asker<'_>,
    change: ProfileChange,
) -> AppResult<Profile> {
    let me = asker.me().ok_or_else(|| {
        AppError::Unauthenticated(
            "请先登录 / updateMyProfile needs a logged-in person (a browser session or a person token)"
                .into(),
        )
    })?;
    let display_name = change
        .display_name
        .as_deref()
        .map(|n| validate::required_text("input.displayName", n, MAX_NAME))
        .transpose()?;
    let title = change
        .title
        .as_deref()
        .map(|t| validate::optional_text("input.title", Some(t), MAX_TITLE))
        .transpose()?;
    let ipc = change
        .ipc_codes
        .as_deref()
        .map(|v| validate::person_ipc_codes("input.ipcCodes", v))
        .transpose()?;
    let industry = change
        .industry_codes
        .as_deref()
        .map(|v| validate::industry_codes("input.industryCodes", v))
        .transpose()?;
    let keywords = change
        .keywords
        .as_deref()
        .map(|v| validate::string_list("input.keywords", v, MAX_KEYWORDS, MAX_KEYWORD_CHARS))
        .transpose()?;
    let languages = change
        .languages
        .as_deref()
        .map(|v| validate::language_tags("input.languages", v))
        .transpose()?;
    let bio = change
        .bio
        .as_deref()
        .map(|b| validate::optional_text("input.bio", Some(b), MAX_BIO))
        .transpose()?;

    let tx = crate::db::begin_write(db).await?;
    let person = user::Entity::find_by_id(me)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("unknown person".into()))?;
    let mut changed: Vec<&str> = Vec::new();
    if let Some(n) = &display_name {
        if *n != person.display_name {
            let mut u: user::ActiveModel = person.clone().into();
            u.display_name = Set(n.clone());
            u.update(&tx).await?;
            changed.push("displayName");
        }
    }
    let now = Utc::now();
    let current = person_profile::Entity::find()
        .filter(person_profile::Column::UserId.eq(me))
        .one(&tx)
        .await?;
    let mut row: person_profile::ActiveModel = match current {
        Some(p) => p.into(),
        None => person_profile::ActiveModel {
            user_id: Set(me),
            title: Set(None),
            ipc_codes: Set("[]".into()),
            industry_codes: Set("[]".into()),
            keywords: Set("[]".into()),
            languages: Set("[]".into()),
            bio: Set(None),
            visibility: Set(ProfileVisibility::Basic.as_str().into()),
            show_email: Set(false),
            updated_at: Set(now),
            ..Default::default()
        },
    };
    if let Some(t) = title {
        row.title = Set(t);
        changed.push("title");
    }
    if let Some(v) = &ipc {
        row.ipc_codes = Set(to_json(v));
        changed.push("ipcCodes");
    }
    if let Some(v) = &industry {
        row.industry_codes = Set(to_json(v));
        changed.push("industryCodes");
    }
    if let Some(v) = &keywords {
        row.keywords = Set(to_json(v));
        changed.push("keywords");
    }
    if let Some(v) = &languages {
        row.languages = Set(to_json(v));
        changed.push("languages");
    }
    if let Some(b) = bio {
        row.bio = Set(b);
        changed.push("bio");
    }
    if let Some(v) = change.visibility {
        row.visibility = Set(v.as_str().into());
        changed.push("visibility");
    }
    if let Some(v) = change.show_email {
        row.show_email = Set(v);
        changed.push("showEmail");
    }
    row.updated_at = Set(now);
    row.save(&tx).await?;
    let org = membership::Entity::find()
        .filter(membership::Column::UserId.eq(me))
        .order_by_asc(membership::Column::Id)
        .one(&tx)
        .await?
        .map(|m| m.organisation_id);
    let actor = asker
        .viewer
        .map_or_else(|| format!("user:{me}"), Viewer::actor);
    crate::audit::record_as(
        &tx,
        &actor,
        "person.update_profile",
        "person",
        Some(me),
        org,
        serde_json::json!({ "changed": changed }),
    )
    .await?;
    let out = stored(&tx, &[me]).await?;
    tx.commit().await?;
    out.first()
        .and_then(|s| card(asker, s, None))
        .ok_or_else(|| AppError::Internal("own profile invisible".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_person(visibility: &str, show_email: bool, orgs: Vec<i64>) -> Stored {
        Stored {
            user: user::Model {
                id: 7,
                email: Some("li@imu.edu.cn".into()),
                display_name: "李明".into(),
                issuer: None,
                subject: None,
                created_at: Utc::now(),
            },
            profile: Some(person_profile::Model {
                id: 1,
                user_id: 7,
                title: Some("教授".into()),
                ipc_codes: "[\"G06F\"]".into(),
                industry_codes: "[\"I65\"]".into(),
                keywords: "[\"知识图谱\"]".into(),
                languages: "[\"zh\"]".into(),
                bio: Some("研究方向".into()),
                visibility: visibility.into(),
                show_email,
                updated_at: Utc::now(),
            }),
            organisation_ids: orgs,
        }
    }

    fn viewer(role: Role, org: i64, user: Option<i64>) -> Viewer {
        Viewer {
            token_id: 1,
            token_name: "t".into(),
            organisation_id: org,
            organisation_key: format!("o{org}"),
            role,
            user_id: user,
            session_id: None,
        }
    }

    #[test]
    fn anonymous_sees_name_organisation_and_title_by_default_never_the_email() {
        let c = card(
            &Asker::default(),
            &stored_person("BASIC", false, vec![3]),
            None,
        )
        .expect("shown");
        assert_eq!(c.display_name, "李明");
        assert_eq!(c.organisation_id, Some(3));
        assert_eq!(c.title.as_deref(), Some("教授"));
        assert!(c.email.is_none() && c.ipc_codes.is_empty() && c.bio.is_none() && !c.full);
        let c = card(
            &Asker::default(),
            &stored_person("PUBLIC", true, vec![3]),
            None,
        )
        .expect("shown");
        assert_eq!(c.ipc_codes, vec!["G06F"]);
        assert_eq!(c.email.as_deref(), Some("li@imu.edu.cn"));
    }

    #[test]
    fn hidden_and_organisationless_people_are_shown_only_to_themselves_and_admins() {
        let hidden = stored_person("HIDDEN", true, vec![3]);
        assert!(card(&Asker::default(), &hidden, None).is_none());
        let other_admin = viewer(Role::OrgAdmin, 4, Some(9));
        let asker = Asker {
            viewer: Some(&other_admin),
            person: None,
        };
        assert!(card(&asker, &hidden, None).is_none());
        let own_admin = viewer(Role::OrgAdmin, 3, Some(9));
        let asker = Asker {
            viewer: Some(&own_admin),
            person: None,
        };
        assert!(card(&asker, &hidden, None).is_some_and(|c| c.full));
        let member = viewer(Role::Member, 3, Some(9));
        let asker = Asker {
            viewer: Some(&member),
            person: None,
        };
        assert!(card(&asker, &hidden, None).is_none());
        let me = Asker {
            viewer: None,
            person: Some(Person {
                user_id: 7,
                session_id: None,
            }),
        };
        assert!(card(&me, &stored_person("HIDDEN", false, vec![]), None).is_some_and(|c| c.full));
        assert!(card(
            &Asker::default(),
            &stored_person("PUBLIC", true, vec![]),
            None
        )
        .is_none());
    }
}
