//! GraphQL objects, inputs, queries and mutations of the catalog. Resolvers stay short: they
//! translate to service calls and back.

use super::service::{self, AchievementDraft, AchievementQuery, PatentDraft};
use crate::auth::graphql::viewer;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::needs::graphql::{needs_connection, Need, NeedFilter};
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use transferhub_schema::entity::{achievement, organisation, patent};
use transferhub_schema::enums::{
    AchievementStatus, AchievementType, OrganisationKind, OrganisationStatus, PatentType,
    TransferMode,
};
use transferhub_schema::types::{IndustryCode, Trl};

/// An organisation (university, institute, firm, agency, organiser or portal).
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        relay::encode_id("Organisation", self.0.id)
    }
    /// Stable public key, e.g. `imu`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Kind of organisation.
    async fn kind(&self) -> OrganisationKind {
        self.0.kind
    }
    /// Invitations, newest first (the organisation's admins and platform admins).
    async fn invitations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::auth::graphql::Invitation>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(
            crate::auth::members::invitations(db, crate::auth::graphql::viewer(ctx), self.0.id)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
    /// Members, earliest first (the organisation's admins and platform admins).
    async fn members(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::auth::graphql::Member>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(
            crate::auth::members::members(db, crate::auth::graphql::viewer(ctx), self.0.id)
                .await?
                .into_iter()
                .map(|(m, u)| crate::auth::graphql::Member {
                    person_id: relay::encode_id("Person", m.user_id),
                    email: u.as_ref().and_then(|u| u.email.clone()),
                    display_name: u.map(|u| u.display_name).unwrap_or_default(),
                    role: m.role,
                    joined_at: m.created_at,
                })
                .collect(),
        )
    }
    /// GB/T 2260 region code.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// The organisation's people as the caller may see them (public profiles; its org admins
    /// and platform admins see every member), earliest member first.
    async fn people(&self, ctx: &Context<'_>) -> Result<Vec<crate::people::graphql::Person>> {
        crate::people::graphql::people_of(ctx, self.0.id).await
    }
    /// Web site.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// Short Chinese description.
    async fn description_zh(&self) -> Option<&str> {
        self.0.description_zh.as_deref()
    }
    /// Verification state (审核): only VERIFIED organisations publish.
    async fn status(&self) -> OrganisationStatus {
        self.0.status
    }
    /// 统一社会信用代码, when the organisation has one.
    async fn credit_code(&self) -> Option<&str> {
        self.0.credit_code.as_deref()
    }
    /// False once a platform admin has deactivated it.
    async fn active(&self) -> bool {
        self.0.deactivated_at.is_none()
    }
    /// The application behind the verification: address, contact, business licence, the
    /// decision and its reason (the organisation's members, its applicant and platform admins;
    /// null for others).
    async fn application(
        &self,
        ctx: &Context<'_>,
    ) -> Option<crate::organisations::graphql::OrganisationApplication> {
        crate::organisations::graphql::OrganisationApplication::for_caller(ctx, &self.0)
    }
    /// This organisation's achievements visible to the caller.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn achievements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AchievementFilter>,
    ) -> Result<Connection<IdCursor, Achievement, AchievementCount>> {
        let mut q = filter.map(AchievementQuery::from).unwrap_or_default();
        q.organisation = Some(self.0.key.clone());
        achievements_connection(ctx, q, first, after).await
    }
    /// This organisation's needs.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn needs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<NeedFilter>,
    ) -> Result<Connection<IdCursor, Need, crate::needs::graphql::NeedCount>> {
        let mut q = filter
            .map(crate::needs::service::NeedQuery::from)
            .unwrap_or_default();
        q.organisation = Some(self.0.key.clone());
        needs_connection(ctx, q, first, after).await
    }
}

/// A technology achievement (科技成果).
pub struct Achievement(pub achievement::Model);

fn json_strings(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Where a record came from.
#[derive(SimpleObject, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// Source key (`seed-demo`, a connector source, or `api`).
    pub source: String,
    /// Record id inside the source.
    pub record_id: Option<String>,
    /// When it was taken in.
    pub received_at: Option<DateTime<Utc>>,
}

/// A GB/T 4754 industry classification with its section name.
#[derive(SimpleObject)]
pub struct Industry {
    /// Normalised code, e.g. `C3841`.
    pub code: String,
    /// Section letter.
    pub section: String,
    /// Section name in Chinese.
    pub section_name_zh: Option<String>,
}

/// Contact for an achievement.
#[derive(SimpleObject)]
pub struct Contact {
    /// 联系人
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

#[Object]
impl Achievement {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        relay::encode_id("Achievement", self.0.id)
    }
    /// 成果名称
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// English title.
    async fn title_en(&self) -> Option<&str> {
        self.0.title_en.as_deref()
    }
    /// 成果类型
    #[graphql(name = "type")]
    async fn achievement_type(&self) -> AchievementType {
        self.0.achievement_type
    }
    /// 完成人
    async fn inventors(&self) -> Vec<String> {
        json_strings(&self.0.inventors)
    }
    /// The inventors who are people of the owning organisation with the same display name,
    /// as the caller may see them (public profiles), in the order of `inventors`.
    async fn inventor_people(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::people::graphql::Person>> {
        crate::people::graphql::named_people_of(
            ctx,
            self.0.organisation_id,
            &json_strings(&self.0.inventors),
        )
        .await
    }
    /// 成果简介
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// English summary.
    async fn summary_en(&self) -> Option<&str> {
        self.0.summary_en.as_deref()
    }
    /// 关键词
    async fn keywords(&self) -> Vec<String> {
        json_strings(&self.0.keywords)
    }
    /// 技术领域 (GB/T 4754).
    async fn industry(&self) -> Option<Industry> {
        industry_of(self.0.industry_code.as_deref())
    }
    /// IPC symbols.
    async fn ipc_codes(&self) -> Vec<String> {
        json_strings(&self.0.ipc_codes)
    }
    /// 成熟度 as TRL 1–9.
    async fn maturity(&self) -> Option<i32> {
        self.0.trl
    }
    /// The TRL's GB/T 22900 wording.
    async fn maturity_label(&self) -> Option<&'static str> {
        self.0
            .trl
            .and_then(|t| Trl::new(t as i64).ok())
            .map(|t| t.label_zh())
    }
    /// 转化方式
    async fn transfer_modes(&self) -> Vec<TransferMode> {
        TransferMode::from_mask(self.0.transfer_modes)
    }
    /// Asking price in yuan; null means 面议 (negotiable).
    async fn asking_price_yuan(&self) -> Option<i64> {
        self.0.asking_price_yuan
    }
    /// True when the price is 面议.
    async fn price_negotiable(&self) -> bool {
        self.0.asking_price_yuan.is_none()
    }
    /// 联系人
    async fn contact(&self) -> Contact {
        Contact {
            name: self.0.contact_name.clone(),
            phone: self.0.contact_phone.clone(),
            email: self.0.contact_email.clone(),
        }
    }
    /// GB/T 2260 region.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// Publication state.
    async fn status(&self) -> AchievementStatus {
        self.0.status
    }
    /// When first published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Where the record came from.
    async fn provenance(&self) -> Vec<Provenance> {
        serde_json::from_str(&self.0.provenance).unwrap_or_default()
    }
    /// 完成单位
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .ok_or_else(|| AppError::Internal("achievement without organisation".into()))?;
        Ok(Organisation(org))
    }
    /// 专利
    async fn patents(&self, ctx: &Context<'_>) -> Result<Vec<Patent>> {
        let rows = ctx
            .data::<Loaders>()?
            .patents
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Patent).collect())
    }
}

/// Industry with section name from a stored code.
pub fn industry_of(code: Option<&str>) -> Option<Industry> {
    let c = IndustryCode::parse(code?).ok()?;
    Some(Industry {
        code: c.as_str().to_string(),
        section: c.section().to_string(),
        section_name_zh: IndustryCode::section_name_zh(c.section()).map(str::to_string),
    })
}

/// A Chinese patent linked to an achievement.
pub struct Patent(pub patent::Model);

#[Object]
impl Patent {
    /// Normalised application number `YYYYTNNNNNNN.C`.
    async fn application_number(&self) -> &str {
        &self.0.application_number
    }
    /// Publication number, e.g. `CN105338215A`.
    async fn publication_number(&self) -> Option<&str> {
        self.0.publication_number.as_deref()
    }
    /// Patent type.
    #[graphql(name = "type")]
    async fn patent_type(&self) -> PatentType {
        self.0.patent_type
    }
    /// Granted (ZL) or only applied for.
    async fn granted(&self) -> bool {
        self.0.granted
    }
    /// CNIPA links: this patent's publication page (when its publication number is known) and
    /// the landing pages for search, examination status, e-filing, fees and trademarks.
    async fn links(&self, ctx: &Context<'_>) -> Result<Vec<crate::links::graphql::PatentLink>> {
        crate::links::graphql::links_for_patent(ctx, &self.0).await
    }
}

/// Counts for an achievements connection, computed only when asked for.
pub struct AchievementCount {
    query: AchievementQuery,
    viewer: Option<Viewer>,
}

#[Object]
impl AchievementCount {
    /// Number of achievements matching the filter (visible to the caller).
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        let cond = service::condition(db, self.viewer.as_ref(), &self.query).await?;
        Ok(service::count(db, cond).await?)
    }
}

/// Filters for achievement lists.
#[derive(InputObject, Default)]
pub struct AchievementFilter {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Achievement type.
    #[graphql(name = "type")]
    pub achievement_type: Option<AchievementType>,
    /// Publication state (non-public states only show the caller's own records).
    pub status: Option<AchievementStatus>,
    /// GB/T 4754 code at any level: `C`, `C38`, `C384`, `C3841`.
    pub industry: Option<String>,
    /// Lowest TRL.
    pub maturity_min: Option<i32>,
    /// Highest TRL.
    pub maturity_max: Option<i32>,
    /// Offered transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 code; a province or prefecture covers everything inside it.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl From<AchievementFilter> for AchievementQuery {
    fn from(f: AchievementFilter) -> Self {
        AchievementQuery {
            organisation: f.organisation,
            achievement_type: f.achievement_type,
            status: f.status,
            industry: f.industry,
            maturity_min: f.maturity_min,
            maturity_max: f.maturity_max,
            transfer_mode: f.transfer_mode,
            region: f.region,
            updated_since: f.updated_since,
        }
    }
}

/// Runs an achievements query into a Relay connection.
pub async fn achievements_connection(
    ctx: &Context<'_>,
    q: AchievementQuery,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<IdCursor, Achievement, AchievementCount>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let viewer = viewer(ctx);
    let first = relay::page_size(first)?;
    let after = relay::parse_after(after.as_deref())?;
    let cond = service::condition(db, viewer, &q).await?;
    let (rows, more) = service::list(db, cond, after, first).await?;
    let mut conn = Connection::with_additional_fields(
        after.is_some(),
        more,
        AchievementCount {
            query: q,
            viewer: viewer.cloned(),
        },
    );
    conn.edges.extend(
        rows.into_iter()
            .map(|a| Edge::new(IdCursor(a.id), Achievement(a))),
    );
    Ok(conn)
}

/// Filters for organisation lists.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// Kind of organisation.
    pub kind: Option<OrganisationKind>,
}

/// Counts for an organisations connection.
pub struct OrganisationCount {
    kind: Option<OrganisationKind>,
}

#[Object]
impl OrganisationCount {
    /// Number of organisations matching the filter.
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::count_organisations(db, self.kind).await?)
    }
}

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Verified, active organisations, in id order.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<OrganisationFilter>,
    ) -> Result<Connection<IdCursor, Organisation, OrganisationCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let kind = filter.and_then(|f| f.kind);
        let (rows, more) = service::organisations(db, kind, after, first).await?;
        let mut conn =
            Connection::with_additional_fields(after.is_some(), more, OrganisationCount { kind });
        conn.edges.extend(
            rows.into_iter()
                .map(|o| Edge::new(IdCursor(o.id), Organisation(o))),
        );
        Ok(conn)
    }

    /// One organisation by key.
    async fn organisation(&self, ctx: &Context<'_>, key: String) -> Result<Organisation> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = service::find_org_by_key(db, &key)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("organisation {key:?}")))?;
        Ok(Organisation(org))
    }

    /// Achievements visible to the caller, newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn achievements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AchievementFilter>,
    ) -> Result<Connection<IdCursor, Achievement, AchievementCount>> {
        achievements_connection(
            ctx,
            filter.map(Into::into).unwrap_or_default(),
            first,
            after,
        )
        .await
    }

    /// One achievement by global id.
    async fn achievement(&self, ctx: &Context<'_>, id: ID) -> Result<Achievement> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Achievement", "id")?;
        let a = service::get(db, viewer(ctx), n).await?;
        if a.status == AchievementStatus::Published {
            ctx.data::<crate::stats::views::ViewCounter>()?.record(a.id);
        }
        Ok(Achievement(a))
    }
}

/// A patent as submitted with an achievement.
#[derive(InputObject)]
pub struct PatentInput {
    /// Application number in any common spelling (CN/ZL prefix, spaces, full-width digits).
    pub application_number: String,
    /// Publication number, e.g. `CN105338215A`.
    pub publication_number: Option<String>,
    /// Granted; derived from the publication kind code when omitted.
    pub granted: Option<bool>,
}

impl From<PatentInput> for PatentDraft {
    fn from(p: PatentInput) -> Self {
        PatentDraft {
            application_number: p.application_number,
            publication_number: p.publication_number,
            granted: p.granted,
        }
    }
}

/// Fields of a new achievement; it starts as DRAFT.
#[derive(InputObject)]
pub struct CreateAchievementInput {
    /// Owning organisation key; defaults to the token's organisation.
    pub organisation: Option<String>,
    /// 成果名称
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// 成果类型
    #[graphql(name = "type")]
    pub achievement_type: AchievementType,
    /// 完成人
    #[graphql(default)]
    pub inventors: Vec<String>,
    /// 成果简介
    pub summary: String,
    /// English summary.
    pub summary_en: Option<String>,
    /// 关键词
    #[graphql(default)]
    pub keywords: Vec<String>,
    /// GB/T 4754 code.
    pub industry_code: Option<String>,
    /// IPC symbols.
    #[graphql(default)]
    pub ipc_codes: Vec<String>,
    /// TRL 1–9.
    pub maturity: Option<i32>,
    /// 转化方式
    #[graphql(default)]
    pub transfer_modes: Vec<TransferMode>,
    /// Asking price in yuan; omit or null for 面议.
    pub asking_price_yuan: Option<i64>,
    /// 联系人
    pub contact_name: Option<String>,
    /// Phone.
    pub contact_phone: Option<String>,
    /// E-mail.
    pub contact_email: Option<String>,
    /// GB/T 2260; defaults to the organisation's.
    pub region_code: Option<String>,
    /// 专利
    #[graphql(default)]
    pub patents: Vec<PatentInput>,
}

/// Fields to change; omitted fields stay, null clears a nullable field.
#[derive(InputObject, Default)]
pub struct UpdateAchievementInput {
    /// 成果名称
    pub title: Option<String>,
    /// English title.
    pub title_en: MaybeUndefined<String>,
    /// 成果类型
    #[graphql(name = "type")]
    pub achievement_type: Option<AchievementType>,
    /// 完成人
    pub inventors: Option<Vec<String>>,
    /// 成果简介
    pub summary: Option<String>,
    /// English summary.
    pub summary_en: MaybeUndefined<String>,
    /// 关键词
    pub keywords: Option<Vec<String>>,
    /// GB/T 4754 code.
    pub industry_code: MaybeUndefined<String>,
    /// IPC symbols.
    pub ipc_codes: Option<Vec<String>>,
    /// TRL 1–9.
    pub maturity: MaybeUndefined<i32>,
    /// 转化方式
    pub transfer_modes: Option<Vec<TransferMode>>,
    /// Asking price in yuan; null for 面议.
    pub asking_price_yuan: MaybeUndefined<i64>,
    /// 联系人
    pub contact_name: MaybeUndefined<String>,
    /// Phone.
    pub contact_phone: MaybeUndefined<String>,
    /// E-mail.
    pub contact_email: MaybeUndefined<String>,
    /// GB/T 2260.
    pub region_code: MaybeUndefined<String>,
    /// Replaces the linked patents.
    pub patents: Option<Vec<PatentInput>>,
}

/// `MaybeUndefined` → "not given" / "set to null" / "set".
pub fn maybe<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(x)),
    }
}

impl From<UpdateAchievementInput> for AchievementDraft {
    fn from(i: UpdateAchievementInput) -> Self {
        AchievementDraft {
            title: i.title,
            title_en: maybe(i.title_en),
            achievement_type: i.achievement_type,
            inventors: i.inventors,
            summary: i.summary,
            summary_en: maybe(i.summary_en),
            keywords: i.keywords,
            industry_code: maybe(i.industry_code),
            ipc_codes: i.ipc_codes,
            maturity: maybe(i.maturity),
            transfer_modes: i.transfer_modes,
            asking_price_yuan: maybe(i.asking_price_yuan),
            contact_name: maybe(i.contact_name),
            contact_phone: maybe(i.contact_phone),
            contact_email: maybe(i.contact_email),
            region_code: maybe(i.region_code),
            patents: i.patents.map(|p| p.into_iter().map(Into::into).collect()),
        }
    }
}

impl From<CreateAchievementInput> for AchievementDraft {
    fn from(i: CreateAchievementInput) -> Self {
        AchievementDraft {
            title: Some(i.title),
            title_en: Some(i.title_en),
            achievement_type: Some(i.achievement_type),
            inventors: Some(i.inventors),
            summary: Some(i.summary),
            summary_en: Some(i.summary_en),
            keywords: Some(i.keywords),
            industry_code: Some(i.industry_code),
            ipc_codes: Some(i.ipc_codes),
            maturity: Some(i.maturity),
            transfer_modes: Some(i.transfer_modes),
            asking_price_yuan: Some(i.asking_price_yuan),
            contact_name: Some(i.contact_name),
            contact_phone: Some(i.contact_phone),
            contact_email: Some(i.contact_email),
            region_code: i.region_code.map(Some),
            patents: Some(i.patents.into_iter().map(Into::into).collect()),
        }
    }
}

/// The changed achievement.
#[derive(SimpleObject)]
pub struct AchievementPayload {
    /// The achievement after the change.
    pub achievement: Achievement,
}

/// Which publication change is asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StatusChange {
    Publish,
    Withdraw,
}

/// Catalog mutations; every one needs a bearer token and is audited.
#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates a draft achievement.
    async fn create_achievement(
        &self,
        ctx: &Context<'_>,
        input: CreateAchievementInput,
    ) -> Result<AchievementPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = input.organisation.clone();
        let a = service::create(db, viewer(ctx), org.as_deref(), input.into()).await?;
        Ok(AchievementPayload {
            achievement: Achievement(a),
        })
    }

    /// Changes an achievement's fields.
    async fn update_achievement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAchievementInput,
    ) -> Result<AchievementPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Achievement", "id")?;
        let a = service::update(db, viewer(ctx), n, input.into()).await?;
        Ok(AchievementPayload {
            achievement: Achievement(a),
        })
    }

    /// Makes an achievement public.
    async fn publish_achievement(&self, ctx: &Context<'_>, id: ID) -> Result<AchievementPayload> {
        change_status(ctx, id, StatusChange::Publish).await
    }

    /// Takes a published achievement off the public catalog (kept for history).
    async fn withdraw_achievement(&self, ctx: &Context<'_>, id: ID) -> Result<AchievementPayload> {
        change_status(ctx, id, StatusChange::Withdraw).await
    }
}

async fn change_status(
    ctx: &Context<'_>,
    id: ID,
    change: StatusChange,
) -> Result<AchievementPayload> {
    let db = ctx.data::<DatabaseConnection>()?;
    let n = relay::decode_id(&id, "Achievement", "id")?;
    let to = match change {
        StatusChange::Publish => AchievementStatus::Published,
        StatusChange::Withdraw => AchievementStatus::Withdrawn,
    };
    let a = service::set_status(db, viewer(ctx), n, to).await?;
    Ok(AchievementPayload {
        achievement: Achievement(a),
    })
}
