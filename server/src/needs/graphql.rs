//! GraphQL objects, inputs, queries and mutations for needs.

use super::service::{self, NeedDraft, NeedQuery};
use crate::auth::graphql::viewer;
use crate::catalog::graphql::{industry_of, maybe, Industry, Organisation};
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use transferhub_schema::entity::need;
use transferhub_schema::enums::{NeedStatus, TransferMode};
use transferhub_schema::types::Trl;

/// A technology need (技术需求) posted by a firm.
pub struct Need(pub need::Model);

/// A budget range; both bounds null means 面议.
#[derive(SimpleObject)]
pub struct Budget {
    /// Lower bound in yuan.
    pub min_yuan: Option<i64>,
    /// Upper bound in yuan.
    pub max_yuan: Option<i64>,
    /// True when no bound is given (面议).
    pub negotiable: bool,
}

#[Object]
impl Need {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        relay::encode_id("Need", self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// English title.
    async fn title_en(&self) -> Option<&str> {
        self.0.title_en.as_deref()
    }
    /// The problem and the indicators sought.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Keywords.
    async fn keywords(&self) -> Vec<String> {
        serde_json::from_str(&self.0.keywords).unwrap_or_default()
    }
    /// GB/T 4754 industry.
    async fn industry(&self) -> Option<Industry> {
        industry_of(self.0.industry_code.as_deref())
    }
    /// IPC symbols.
    async fn ipc_codes(&self) -> Vec<String> {
        serde_json::from_str(&self.0.ipc_codes).unwrap_or_default()
    }
    /// Required maturity (TRL 1–9).
    async fn required_maturity(&self) -> Option<i32> {
        self.0.required_trl
    }
    /// The required TRL's wording.
    async fn required_maturity_label(&self) -> Option<&'static str> {
        self.0
            .required_trl
            .and_then(|t| Trl::new(t as i64).ok())
            .map(|t| t.label_zh())
    }
    /// Wanted transfer modes.
    async fn transfer_modes(&self) -> Vec<TransferMode> {
        TransferMode::from_mask(self.0.transfer_modes)
    }
    /// Budget.
    async fn budget(&self) -> Budget {
        Budget {
            min_yuan: self.0.budget_min_yuan,
            max_yuan: self.0.budget_max_yuan,
            negotiable: self.0.budget_min_yuan.is_none() && self.0.budget_max_yuan.is_none(),
        }
    }
    /// GB/T 2260 region.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// Deadline.
    async fn deadline(&self) -> Option<NaiveDate> {
        self.0.deadline
    }
    /// Contact person.
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    /// Open or closed.
    async fn status(&self) -> NeedStatus {
        self.0.status
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The firm that posted it.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .ok_or_else(|| AppError::Internal("need without organisation".into()))?;
        Ok(Organisation(org))
    }
}

/// Filters for need lists.
#[derive(InputObject, Default)]
pub struct NeedFilter {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Open or closed.
    pub status: Option<NeedStatus>,
    /// GB/T 4754 code at any level.
    pub industry: Option<String>,
    /// Lowest required TRL.
    pub maturity_min: Option<i32>,
    /// Highest required TRL.
    pub maturity_max: Option<i32>,
    /// Wanted transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 code at any level.
    pub region: Option<String>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
}

impl From<NeedFilter> for NeedQuery {
    fn from(f: NeedFilter) -> Self {
        NeedQuery {
            organisation: f.organisation,
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

/// Counts for a needs connection, computed only when asked for.
pub struct NeedCount {
    query: NeedQuery,
}

#[Object]
impl NeedCount {
    /// Number of needs matching the filter.
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        let cond = service::condition(db, &self.query).await?;
        Ok(service::count(db, cond).await?)
    }
}

/// Runs a needs query into a Relay connection.
pub async fn needs_connection(
    ctx: &Context<'_>,
    q: NeedQuery,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<IdCursor, Need, NeedCount>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let first = relay::page_size(first)?;
    let after = relay::parse_after(after.as_deref())?;
    let cond = service::condition(db, &q).await?;
    let (rows, more) = service::list(db, cond, after, first).await?;
    let mut conn =
        Connection::with_additional_fields(after.is_some(), more, NeedCount { query: q });
    conn.edges
        .extend(rows.into_iter().map(|n| Edge::new(IdCursor(n.id), Need(n))));
    Ok(conn)
}

/// Need queries.
#[derive(Default)]
pub struct NeedsQuery;

#[Object]
impl NeedsQuery {
    /// Needs, newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn needs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<NeedFilter>,
    ) -> Result<Connection<IdCursor, Need, NeedCount>> {
        needs_connection(
            ctx,
            filter.map(Into::into).unwrap_or_default(),
            first,
            after,
        )
        .await
    }

    /// One need by global id.
    async fn need(&self, ctx: &Context<'_>, id: ID) -> Result<Need> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Need", "id")?;
        Ok(Need(service::get(db, n).await?))
    }
}

/// Fields of a new need; it starts OPEN.
#[derive(InputObject)]
pub struct CreateNeedInput {
    /// Posting organisation key; defaults to the token's organisation.
    pub organisation: Option<String>,
    /// Title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// The problem and indicators sought.
    pub description: String,
    /// Keywords.
    #[graphql(default)]
    pub keywords: Vec<String>,
    /// GB/T 4754 code.
    pub industry_code: Option<String>,
    /// IPC symbols.
    #[graphql(default)]
    pub ipc_codes: Vec<String>,
    /// Required TRL.
    pub required_maturity: Option<i32>,
    /// Wanted transfer modes.
    #[graphql(default)]
    pub transfer_modes: Vec<TransferMode>,
    /// Budget lower bound (yuan); both bounds omitted = 面议.
    pub budget_min_yuan: Option<i64>,
    /// Budget upper bound (yuan).
    pub budget_max_yuan: Option<i64>,
    /// GB/T 2260; defaults to the organisation's.
    pub region_code: Option<String>,
    /// Deadline (not in the past).
    pub deadline: Option<NaiveDate>,
    /// Contact person.
    pub contact_name: Option<String>,
}

impl From<CreateNeedInput> for NeedDraft {
    fn from(i: CreateNeedInput) -> Self {
        NeedDraft {
            title: Some(i.title),
            title_en: Some(i.title_en),
            description: Some(i.description),
            keywords: Some(i.keywords),
            industry_code: Some(i.industry_code),
            ipc_codes: Some(i.ipc_codes),
            required_maturity: Some(i.required_maturity),
            transfer_modes: Some(i.transfer_modes),
            budget_min_yuan: Some(i.budget_min_yuan),
            budget_max_yuan: Some(i.budget_max_yuan),
            region_code: i.region_code.map(Some),
            deadline: Some(i.deadline),
            contact_name: Some(i.contact_name),
        }
    }
}

/// Fields to change; omitted fields stay, null clears.
#[derive(InputObject, Default)]
pub struct UpdateNeedInput {
    /// Title.
    pub title: Option<String>,
    /// English title.
    pub title_en: MaybeUndefined<String>,
    /// Description.
    pub description: Option<String>,
    /// Keywords.
    pub keywords: Option<Vec<String>>,
    /// GB/T 4754 code.
    pub industry_code: MaybeUndefined<String>,
    /// IPC symbols.
    pub ipc_codes: Option<Vec<String>>,
    /// Required TRL.
    pub required_maturity: MaybeUndefined<i32>,
    /// Wanted transfer modes.
    pub transfer_modes: Option<Vec<TransferMode>>,
    /// Budget lower bound.
    pub budget_min_yuan: MaybeUndefined<i64>,
    /// Budget upper bound.
    pub budget_max_yuan: MaybeUndefined<i64>,
    /// GB/T 2260.
    pub region_code: MaybeUndefined<String>,
    /// Deadline.
    pub deadline: MaybeUndefined<NaiveDate>,
    /// Contact person.
    pub contact_name: MaybeUndefined<String>,
}

impl From<UpdateNeedInput> for NeedDraft {
    fn from(i: UpdateNeedInput) -> Self {
        NeedDraft {
            title: i.title,
            title_en: maybe(i.title_en),
            description: i.description,
            keywords: i.keywords,
            industry_code: maybe(i.industry_code),
            ipc_codes: i.ipc_codes,
            required_maturity: maybe(i.required_maturity),
            transfer_modes: i.transfer_modes,
            budget_min_yuan: maybe(i.budget_min_yuan),
            budget_max_yuan: maybe(i.budget_max_yuan),
            region_code: maybe(i.region_code),
            deadline: maybe(i.deadline),
            contact_name: maybe(i.contact_name),
        }
    }
}

/// The changed need.
#[derive(SimpleObject)]
pub struct NeedPayload {
    /// The need after the change.
    pub need: Need,
}

/// Need mutations; each needs a bearer token and is audited.
#[derive(Default)]
pub struct NeedsMutation;

#[Object]
impl NeedsMutation {
    /// Posts a need.
    async fn create_need(&self, ctx: &Context<'_>, input: CreateNeedInput) -> Result<NeedPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = input.organisation.clone();
        let n = service::create(db, viewer(ctx), org.as_deref(), input.into()).await?;
        Ok(NeedPayload { need: Need(n) })
    }

    /// Changes a need.
    async fn update_need(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateNeedInput,
    ) -> Result<NeedPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Need", "id")?;
        let need = service::update(db, viewer(ctx), n, input.into()).await?;
        Ok(NeedPayload { need: Need(need) })
    }

    /// Closes a need.
    async fn close_need(&self, ctx: &Context<'_>, id: ID) -> Result<NeedPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Need", "id")?;
        Ok(NeedPayload {
            need: Need(service::close(db, viewer(ctx), n).await?),
        })
    }
}
