//! GraphQL of people: the `Person` type, `person(id)`, `me`, `updateMyProfile`, and the lists
//! other types show (`Organisation.people`, `Achievement.inventorPeople`). Resolvers decode ids,
//! call the service and map; what a caller sees is `service::card`'s.

use super::service::{self, Asker, ProfileChange, ProfileVisibility};
use crate::auth::graphql::viewer;
use crate::auth::Person as LoggedIn;
use crate::catalog::graphql::Organisation;
use crate::loaders::Loaders;
use crate::relay;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

/// The caller, as the people service asks.
pub fn asker<'a>(ctx: &'a Context<'_>) -> Asker<'a> {
    Asker {
        viewer: viewer(ctx),
        person: ctx.data_opt::<LoggedIn>().copied(),
    }
}

/// A person: a researcher, engineer, broker or administrator on the hub, with what the caller
/// may see of their profile (hidden fields are null or empty).
pub struct Person(pub service::Profile);

#[Object]
impl Person {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        relay::encode_id("Person", self.0.user_id)
    }
    /// Display name (姓名).
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// E-mail address: shown when the person chose `showEmail`, and to themself, their org
    /// admins and platform admins.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// 职称, e.g. 教授, 高级工程师.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The organisation the person belongs to (the first joined).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .data::<Loaders>()?
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }
    /// Fields as IPC symbols (`G06F`, `G06F 16/33`); empty unless the profile is PUBLIC.
    async fn ipc_codes(&self) -> Vec<String> {
        self.0.ipc_codes.clone()
    }
    /// Fields as GB/T 4754 industry codes (`C39`, `I65`); empty unless the profile is PUBLIC.
    async fn industry_codes(&self) -> Vec<String> {
        self.0.industry_codes.clone()
    }
    /// Expertise keywords (专业领域关键词); empty unless the profile is PUBLIC.
    async fn keywords(&self) -> Vec<String> {
        self.0.keywords.clone()
    }
    /// Languages spoken (BCP 47: zh, en, mn …); empty unless the profile is PUBLIC.
    async fn languages(&self) -> Vec<String> {
        self.0.languages.clone()
    }
    /// Short introduction; null unless the profile is PUBLIC.
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }
    /// Who sees the profile (the person's own setting).
    async fn visibility(&self) -> ProfileVisibility {
        self.0.visibility
    }
    /// Whether the person shows their e-mail address.
    async fn show_email(&self) -> bool {
        self.0.show_email
    }
    /// True when the caller sees the whole profile (themself, their org admins, platform
    /// admins): the UI offers editing to the person.
    async fn complete(&self) -> bool {
        self.0.full
    }
    /// Last profile change (null before the first).
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.updated_at
    }
}

/// The people of an organisation as the caller may see them (for `Organisation.people`).
pub async fn people_of(ctx: &Context<'_>, organisation_id: i64) -> Result<Vec<Person>> {
    let rows = ctx
        .data::<Loaders>()?
        .members
        .load_one(organisation_id)
        .await?
        .unwrap_or_default();
    let a = asker(ctx);
    Ok(rows
        .iter()
        .filter_map(|s| service::card(&a, s, Some(organisation_id)))
        .map(Person)
        .collect())
}

/// The people of an organisation whose display names are among `names` (an achievement's
/// inventors), in the order of `names`, as the caller may see them.
pub async fn named_people_of(
    ctx: &Context<'_>,
    organisation_id: i64,
    names: &[String],
) -> Result<Vec<Person>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let rows = ctx
        .data::<Loaders>()?
        .members
        .load_one(organisation_id)
        .await?
        .unwrap_or_default();
    let a = asker(ctx);
    let mut out = Vec::new();
    for name in names {
        let name = name.trim();
        out.extend(
            rows.iter()
                .filter(|s| s.user.display_name.trim() == name)
                .filter_map(|s| service::card(&a, s, Some(organisation_id)))
                .map(Person),
        );
    }
    Ok(out)
}

/// People queries.
#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// A person by id, as the caller may see them; null when unknown or hidden from the caller.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Person>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Person", "id")?;
        Ok(service::get(db, &asker(ctx), n).await?.map(Person))
    }

    /// The logged-in person (browser session or person token), also before they belong to an
    /// organisation; null for anonymous callers and organisation tokens.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::me(db, &asker(ctx)).await?.map(Person))
    }
}

/// Input of `updateMyProfile`: a field left out stays as it is; an empty string clears the
/// title or bio, an empty list clears a list.
#[derive(InputObject, Default)]
pub struct UpdateMyProfileInput {
    /// Display name (1–100 characters).
    pub display_name: Option<String>,
    /// 职称 (up to 50 characters), e.g. 教授, 副研究员, 高级工程师.
    pub title: Option<String>,
    /// IPC symbols of one's fields, subclass or deeper (`G06F`, `G06F 16/33`), at most 20.
    pub ipc_codes: Option<Vec<String>>,
    /// GB/T 4754 industry codes (`C39`, `I65`), at most 20.
    pub industry_codes: Option<Vec<String>>,
    /// Expertise keywords, at most 20 of up to 30 characters.
    pub keywords: Option<Vec<String>>,
    /// Language tags (`zh`, `en`, `mn-Mong`, `zh-Hans`), at most 10.
    pub languages: Option<Vec<String>>,
    /// Short bio, up to 1000 characters.
    pub bio: Option<String>,
    /// Who sees the profile (default BASIC: name, organisation and title).
    pub visibility: Option<ProfileVisibility>,
    /// Show the e-mail address to those who see the profile (default false).
    pub show_email: Option<bool>,
}

/// Result of `updateMyProfile`.
#[derive(SimpleObject)]
pub struct UpdateMyProfilePayload {
    /// The profile as saved.
    pub person: Person,
}

/// People mutations.
#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Changes the logged-in person's own profile (browser session or person token); audited.
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateMyProfileInput,
    ) -> Result<UpdateMyProfilePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let p = service::update_my_profile(
            db,
            &asker(ctx),
            ProfileChange {
                display_name: input.display_name,
                title: input.title,
                ipc_codes: input.ipc_codes,
                industry_codes: input.industry_codes,
                keywords: input.keywords,
                languages: input.languages,
                bio: input.bio,
                visibility: input.visibility,
                show_email: input.show_email,
            },
        )
        .await?;
        Ok(UpdateMyProfilePayload { person: Person(p) })
    }
}
