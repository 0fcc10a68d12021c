//! GraphQL for federation: `sources`, `source`, `harvestRuns`, `rejectedRecords`,
//! `upsertSource`, `runHarvest` and the `harvestProgress` subscription.

use super::harvest::Harvester;
use super::progress::ProgressEvent;
use super::service::{self, Settings, SourceSpec};
use crate::auth::graphql::viewer;
use crate::auth::policy::{self, Action};
use crate::catalog::graphql::Organisation;
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use transferhub_schema::entity::{harvest_run, rejected_record, source};

/// A harvest source.
pub struct Source(pub source::Model);

impl Source {
    fn settings(&self) -> Settings {
        serde_json::from_str(&self.0.settings).unwrap_or_default()
    }
}

#[Object]
impl Source {
    /// Stable key.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// `oai_pmh`, `tabular`, `json_api`, `peer_hub` or `jsonl`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Endpoint URL (network kinds).
    async fn url(&self) -> String {
        self.settings().url
    }
    /// File path (file kinds).
    async fn path(&self) -> String {
        self.settings().path
    }
    /// Mapping file.
    async fn mapping(&self) -> String {
        self.settings().mapping
    }
    /// OAI-PMH metadata prefix.
    async fn metadata_prefix(&self) -> String {
        self.settings().metadata_prefix
    }
    /// OAI-PMH set.
    async fn set(&self) -> String {
        self.settings().set
    }
    /// Seconds between scheduled harvests.
    async fn interval_secs(&self) -> i64 {
        self.0.interval_secs
    }
    /// Harvested records wait for review.
    async fn requires_review(&self) -> bool {
        self.0.requires_review
    }
    /// Harvested on schedule.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Incremental harvests ask for changes since this instant.
    async fn harvested_until(&self) -> Option<DateTime<Utc>> {
        self.0.harvested_until
    }
    /// Last harvest start.
    async fn last_run_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_run_at
    }
    /// Last successful harvest end.
    async fn last_success_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_success_at
    }
    /// True while some hub process holds the harvest lease.
    async fn harvesting(&self) -> bool {
        self.0.lease_expires_at.is_some_and(|t| t > Utc::now())
    }
    /// Owning organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .ok_or_else(|| AppError::Internal("source without organisation".into()))?;
        Ok(Organisation(org))
    }
}

/// One harvest run.
#[derive(SimpleObject)]
pub struct HarvestRun {
    /// Run id.
    pub id: i64,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    /// Full (true) or incremental.
    pub full: bool,
    /// Incremental lower bound.
    pub since: Option<DateTime<Utc>>,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: Option<DateTime<Utc>>,
    /// Duration in milliseconds once finished.
    pub duration_ms: Option<i64>,
    /// Records seen.
    pub seen: i64,
    /// Achievements created.
    pub created: i64,
    /// Achievements updated or merged into.
    pub updated: i64,
    /// Unchanged records.
    pub unchanged: i64,
    /// Deletions applied.
    pub deleted: i64,
    /// Records rejected.
    pub rejected: i64,
    /// Pages committed.
    pub pages: i64,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<harvest_run::Model> for HarvestRun {
    fn from(r: harvest_run::Model) -> Self {
        Self {
            id: r.id,
            status: r.status,
            full: r.full,
            since: r.since,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: r.finished_at.map(|f| (f - r.started_at).num_milliseconds()),
            seen: r.seen,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            deleted: r.deleted,
            rejected: r.rejected,
            pages: r.pages,
            error: r.error,
        }
    }
}

/// A record a source sent that could not be used.
#[derive(SimpleObject)]
pub struct RejectedRecord {
    /// Row id.
    pub id: i64,
    /// Source record id, when readable.
    pub source_record_id: Option<String>,
    /// Where: row and column, record and field.
    pub location: String,
    /// Why.
    pub reason: String,
    /// Payload as received.
    pub raw: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When a later harvest accepted it.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<rejected_record::Model> for RejectedRecord {
    fn from(r: rejected_record::Model) -> Self {
        Self {
            id: r.id,
            source_record_id: r.source_record_id,
            location: r.location,
            reason: r.reason,
            raw: r.raw,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
        }
    }
}

/// Live counters of a run.
#[derive(SimpleObject)]
pub struct HarvestProgress {
    /// Source key.
    pub source_key: String,
    /// Run id.
    pub run_id: i64,
    /// Status.
    pub status: String,
    /// Records seen.
    pub seen: i64,
    /// Created.
    pub created: i64,
    /// Updated.
    pub updated: i64,
    /// Unchanged.
    pub unchanged: i64,
    /// Deleted.
    pub deleted: i64,
    /// Rejected.
    pub rejected: i64,
    /// Pages committed.
    pub pages: i64,
}

impl From<ProgressEvent> for HarvestProgress {
    fn from(e: ProgressEvent) -> Self {
        Self {
            source_key: e.source_key,
            run_id: e.run_id,
            status: e.status,
            seen: e.seen,
            created: e.created,
            updated: e.updated,
            unchanged: e.unchanged,
            deleted: e.deleted,
            rejected: e.rejected,
            pages: e.pages,
        }
    }
}

async fn readable(ctx: &Context<'_>, key: &str) -> Result<source::Model> {
    let db = ctx.data::<DatabaseConnection>()?;
    let src = service::get(db, key).await?;
    policy::require(viewer(ctx), Action::ReadSources, src.organisation_id)?;
    Ok(src)
}

/// Federation queries (admins and the owning organisation's members).
#[derive(Default)]
pub struct SourcesQuery;

#[Object]
impl SourcesQuery {
    /// Sources the caller may see, in key order.
    async fn sources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, Source, EmptyFields>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let v = viewer(ctx);
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        if v.is_none() {
            return Err(AppError::Unauthenticated("sources need a bearer token".into()).into());
        }
        let visible: Vec<source::Model> = service::list(db)
            .await?
            .into_iter()
            .filter(|s| policy::require(v, Action::ReadSources, s.organisation_id).is_ok())
            .filter(|s| after.is_none_or(|a| s.id > a))
            .collect();
        let more = visible.len() > first;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            visible
                .into_iter()
                .take(first)
                .map(|s| Edge::new(IdCursor(s.id), Source(s))),
        );
        Ok(conn)
    }

    /// One source by key.
    async fn source(&self, ctx: &Context<'_>, key: String) -> Result<Source> {
        Ok(Source(readable(ctx, &key).await?))
    }

    /// Runs of a source, newest first.
    async fn harvest_runs(
        &self,
        ctx: &Context<'_>,
        source_key: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, HarvestRun, EmptyFields>> {
        let src = readable(ctx, &source_key).await?;
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) = service::runs(db, src.id, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|r| Edge::new(IdCursor(r.id), HarvestRun::from(r))),
        );
        Ok(conn)
    }

    /// Rejected records of a source, newest first (unresolved only unless asked).
    async fn rejected_records(
        &self,
        ctx: &Context<'_>,
        source_key: String,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default)] include_resolved: bool,
    ) -> Result<Connection<IdCursor, RejectedRecord, EmptyFields>> {
        let src = readable(ctx, &source_key).await?;
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) = service::rejected(db, src.id, include_resolved, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|r| Edge::new(IdCursor(r.id), RejectedRecord::from(r))),
        );
        Ok(conn)
    }
}

/// A source definition.
#[derive(InputObject)]
pub struct UpsertSourceInput {
    /// Stable key (lowercase letters, digits, - and _).
    pub key: String,
    /// `oai_pmh`, `tabular`, `json_api`, `peer_hub` or `jsonl`.
    pub kind: String,
    /// Owning organisation key; defaults to the token's organisation.
    pub organisation: Option<String>,
    /// Endpoint URL (network kinds).
    #[graphql(default)]
    pub url: String,
    /// File path on the hub (file kinds).
    #[graphql(default)]
    pub path: String,
    /// Mapping file on the hub.
    #[graphql(default)]
    pub mapping: String,
    /// OAI-PMH metadata prefix (default `oai_dc`).
    #[graphql(default)]
    pub metadata_prefix: String,
    /// OAI-PMH set.
    #[graphql(default)]
    pub set: String,
    /// Interval like `6h`, `30m`, `1d`.
    #[graphql(default_with = "String::from(\"6h\")")]
    pub interval: String,
    /// Hold harvested records for review.
    #[graphql(default)]
    pub requires_review: bool,
    /// Harvest on schedule.
    #[graphql(default = true)]
    pub enabled: bool,
}

/// The changed source.
#[derive(SimpleObject)]
pub struct SourcePayload {
    /// The source after the change.
    pub source: Source,
}

/// The started run.
#[derive(SimpleObject)]
pub struct HarvestRunPayload {
    /// The run as it starts (status RUNNING); follow it with `harvestProgress`.
    pub run: HarvestRun,
}

/// Federation mutations.
#[derive(Default)]
pub struct SourcesMutation;

#[Object]
impl SourcesMutation {
    /// Creates or updates a source (org admins for their organisation, platform admins for any).
    async fn upsert_source(
        &self,
        ctx: &Context<'_>,
        input: UpsertSourceInput,
    ) -> Result<SourcePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let v = viewer(ctx);
        let org = crate::catalog::service::target_org(db, v, input.organisation.as_deref()).await?;
        policy::require(v, Action::ManageSources, org.id)?;
        // A source's harvests publish: not before the organisation is verified.
        policy::may_publish(&org)?;
        let spec = SourceSpec {
            key: input.key.trim().to_string(),
            kind: input.kind.trim().to_string(),
            org: org.key.clone(),
            settings: Settings {
                url: input.url,
                path: input.path,
                mapping: input.mapping,
                metadata_prefix: if input.metadata_prefix.is_empty() && input.kind == "oai_pmh" {
                    "oai_dc".into()
                } else {
                    input.metadata_prefix
                },
                set: input.set,
            },
            interval_secs: service::parse_interval(&input.interval).ok_or_else(|| {
                AppError::bad_input("input.interval", "use a form like 6h, 30m or 1d")
            })?,
            requires_review: input.requires_review,
            enabled: input.enabled,
        };
        spec.validate().map_err(|e| match e {
            AppError::BadInput { field, message, .. } => {
                AppError::bad_input(format!("input.{field}"), message)
            }
            other => other,
        })?;
        if let Some(existing) = service::find(db, &spec.key).await? {
            policy::require(v, Action::ManageSources, existing.organisation_id)?;
        }
        let saved = service::upsert(db, &spec).await?;
        crate::audit::record(
            db,
            v,
            "source.upsert",
            "source",
            Some(saved.id),
            Some(org.id),
            serde_json::json!({ "key": saved.key, "kind": saved.kind }),
        )
        .await?;
        Ok(SourcePayload {
            source: Source(saved),
        })
    }

    /// Starts a harvest now; CONFLICT when one is already running somewhere.
    async fn run_harvest(
        &self,
        ctx: &Context<'_>,
        source_key: String,
        #[graphql(default)] full: bool,
    ) -> Result<HarvestRunPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let v = viewer(ctx);
        let src = service::get(db, &source_key).await?;
        policy::require(v, Action::ManageSources, src.organisation_id)?;
        crate::organisations::service::require_publishing(db, src.organisation_id).await?;
        let harvester = ctx.data::<Harvester>()?.clone();
        let lease = harvester.begin(&source_key, full).await?;
        let run = HarvestRun::from(lease.run.clone());
        crate::audit::record(
            db,
            v,
            "source.harvest",
            "source",
            Some(src.id),
            Some(src.organisation_id),
            serde_json::json!({ "run": run.id, "full": full }),
        )
        .await?;
        tokio::spawn(async move {
            let _ = harvester.drive(lease).await;
        });
        Ok(HarvestRunPayload { run })
    }
}

/// Federation subscriptions.
#[derive(Default)]
pub struct SourcesSubscription;

#[Subscription]
impl SourcesSubscription {
    /// Counters of the source's runs after each committed page and at the end.
    async fn harvest_progress(
        &self,
        ctx: &Context<'_>,
        source_key: String,
    ) -> Result<impl Stream<Item = HarvestProgress>> {
        readable(ctx, &source_key).await?;
        let rx = ctx.data::<Harvester>()?.progress.subscribe();
        Ok(BroadcastStream::new(rx).filter_map(move |e| match e {
            Ok(e) if e.source_key == source_key => Some(HarvestProgress::from(e)),
            _ => None,
        }))
    }
}
