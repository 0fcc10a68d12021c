//! The harvester: takes a lease on a source (so two hub processes never harvest it at once),
//! resumes an unfinished run from its checkpoint or starts a new one (incremental from the
//! source's `harvested_until` unless a full harvest is asked), then commits page by page —
//! items, counters, checkpoint and lease renewal in one transaction — and publishes progress.

use super::factory;
use super::ingest::{self, Counts};
use super::progress::{Progress, ProgressEvent};
use crate::error::{AppError, AppResult};
use chrono::{Duration as ChronoDuration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::sync::Arc;
use transferhub_connectors::{ConnectorError, Fetcher, HarvestRequest};
use transferhub_schema::entity::{harvest_run, organisation, source};

/// Run statuses.
pub const RUNNING: &str = "RUNNING";
/// A run that reached the end of the source.
pub const SUCCEEDED: &str = "SUCCEEDED";
/// A run stopped by an error; the next run resumes from its checkpoint.
pub const FAILED: &str = "FAILED";

/// Everything a harvest needs from the process.
#[derive(Clone)]
pub struct Harvester {
    /// The store.
    pub db: DatabaseConnection,
    /// Outbound HTTP for network connectors.
    pub fetcher: Arc<dyn Fetcher>,
    /// Live progress.
    pub progress: Progress,
    /// This process's lease owner id.
    pub owner: String,
    /// Lease length.
    pub lease_secs: i64,
}

/// A leased, started run, ready to be driven.
pub struct Lease {
    /// The source.
    pub source: source::Model,
    /// The run row.
    pub run: harvest_run::Model,
}

impl Harvester {
    /// A harvester for this process (a fresh owner id per process).
    pub fn new(
        db: DatabaseConnection,
        fetcher: Arc<dyn Fetcher>,
        progress: Progress,
        lease_secs: u64,
    ) -> Self {
        Self {
            db,
            fetcher,
            progress,
            owner: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
            lease_secs: lease_secs.max(1) as i64,
        }
    }

    /// Takes the source's lease and opens (or resumes) a run. CONFLICT when another process holds it.
    pub async fn begin(&self, key: &str, full: bool) -> AppResult<Lease> {
        let src = super::service::get(&self.db, key).await?;
        let now = Utc::now();
        let taken = source::Entity::update_many()
            .col_expr(source::Column::LeaseOwner, Expr::value(self.owner.clone()))
            .col_expr(
                source::Column::LeaseExpiresAt,
                Expr::value(now + ChronoDuration::seconds(self.lease_secs)),
            )
            .col_expr(source::Column::LastRunAt, Expr::value(now))
            .filter(source::Column::Id.eq(src.id))
            .filter(
                Condition::any()
                    .add(source::Column::LeaseOwner.is_null())
                    .add(source::Column::LeaseExpiresAt.lt(now))
                    .add(source::Column::LeaseOwner.eq(self.owner.clone())),
            )
            .exec(&self.db)
            .await?;
        if taken.rows_affected != 1 {
            return Err(AppError::Conflict(format!(
                "source {key} is being harvested by another process"
            )));
        }
        self.open_run(src, full, now).await
    }

    /// Claims `src` for a scheduled harvest if, and only if, it is due — its interval has passed
    /// since the last run began, or the process that held its lease died (the lease expired
    /// without being released) — and nobody holds a live lease. The due-check and the lease are
    /// one conditional UPDATE, so of several replicas looking at the same source exactly one
    /// wins, and the winner's `last_run_at` makes the source not due for the others until the
    /// next interval. `None` when not due or taken.
    pub async fn claim_due(&self, src: &source::Model) -> AppResult<Option<Lease>> {
        let now = Utc::now();
        let cutoff = now - ChronoDuration::seconds(src.interval_secs.max(1));
        let taken = source::Entity::update_many()
            .col_expr(source::Column::LeaseOwner, Expr::value(self.owner.clone()))
            .col_expr(
                source::Column::LeaseExpiresAt,
                Expr::value(now + ChronoDuration::seconds(self.lease_secs)),
            )
            .col_expr(source::Column::LastRunAt, Expr::value(now))
            .filter(source::Column::Id.eq(src.id))
            .filter(source::Column::Enabled.eq(true))
            // The interval the cutoff was computed from is still the source's interval.
            .filter(source::Column::IntervalSecs.eq(src.interval_secs))
            .filter(
                Condition::any()
                    .add(source::Column::LeaseOwner.is_null())
                    .add(source::Column::LeaseExpiresAt.lt(now)),
            )
            .filter(
                Condition::any()
                    .add(source::Column::LastRunAt.is_null())
                    .add(source::Column::LastRunAt.lte(cutoff))
                    // Still owned but expired: its holder died mid-run; resume now.
                    .add(source::Column::LeaseOwner.is_not_null()),
            )
            .exec(&self.db)
            .await?;
        if taken.rows_affected != 1 {
            return Ok(None);
        }
        let src = super::service::get(&self.db, &src.key).await?;
        self.open_run(src, false, now).await.map(Some)
    }

    /// Opens (or resumes) the run of a source whose lease this process holds.
    async fn open_run(
        &self,
        src: source::Model,
        full: bool,
        now: chrono::DateTime<Utc>,
    ) -> AppResult<Lease> {
        let key = src.key.clone();
        let last = harvest_run::Entity::find()
            .filter(harvest_run::Column::SourceId.eq(src.id))
            .order_by_desc(harvest_run::Column::Id)
            .one(&self.db)
            .await?;
        let run = match last {
            // An interrupted or failed run resumes where its last committed page left it.
            // A full harvest does not resume an incremental one.
            Some(r) if r.status != SUCCEEDED && (r.full || !full) => {
                let mut m: harvest_run::ActiveModel = r.into();
                m.status = Set(RUNNING.into());
                m.error = Set(None);
                m.finished_at = Set(None);
                m.update(&self.db).await?
            }
            _ => {
                harvest_run::ActiveModel {
                    source_id: Set(src.id),
                    status: Set(RUNNING.into()),
                    full: Set(full || src.harvested_until.is_none()),
                    since: Set(if full { None } else { src.harvested_until }),
                    started_at: Set(now),
                    finished_at: Set(None),
                    seen: Set(0),
                    created: Set(0),
                    updated: Set(0),
                    unchanged: Set(0),
                    deleted: Set(0),
                    rejected: Set(0),
                    pages: Set(0),
                    checkpoint: Set(None),
                    error: Set(None),
                    ..Default::default()
                }
                .insert(&self.db)
                .await?
            }
        };
        tracing::info!(source.key = %key, run.id = run.id, resume = run.checkpoint.is_some(), "harvest started");
        Ok(Lease { source: src, run })
    }

    /// Drives a leased run to its end; the run row records success or the error.
    pub async fn drive(&self, lease: Lease) -> AppResult<harvest_run::Model> {
        let run_id = lease.run.id;
        let source_id = lease.source.id;
        let key = lease.source.key.clone();
        let result = self.pages(&lease).await;
        let now = Utc::now();
        let mut run: harvest_run::ActiveModel = harvest_run::Entity::find_by_id(run_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::Internal("harvest run vanished".into()))?
            .into();
        run.finished_at = Set(Some(now));
        match &result {
            Ok(()) => {
                run.status = Set(SUCCEEDED.into());
                run.checkpoint = Set(None);
            }
            Err(e) => {
                run.status = Set(FAILED.into());
                run.error = Set(Some(e.message()));
            }
        }
        let run = run.update(&self.db).await?;
        let mut release = source::Entity::update_many()
            .col_expr(
                source::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                source::Column::LeaseExpiresAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(source::Column::Id.eq(source_id))
            .filter(source::Column::LeaseOwner.eq(self.owner.clone()));
        if result.is_ok() {
            // Next incremental harvest asks for what changed since this run began.
            release = release
                .col_expr(source::Column::HarvestedUntil, Expr::value(run.started_at))
                .col_expr(source::Column::LastSuccessAt, Expr::value(now));
        }
        release.exec(&self.db).await?;
        self.publish(&key, &run);
        match result {
            Ok(()) => {
                tracing::info!(source.key = %key, run.id = run_id, seen = run.seen, created = run.created,
                    updated = run.updated, deleted = run.deleted, rejected = run.rejected, "harvest finished");
                Ok(run)
            }
            Err(e) => {
                tracing::warn!(source.key = %key, run.id = run_id, error = %e.message(), "harvest failed");
                Err(e)
            }
        }
    }

    /// `begin` then `drive`.
    pub async fn run(&self, key: &str, full: bool) -> AppResult<harvest_run::Model> {
        let lease = self.begin(key, full).await?;
        self.drive(lease).await
    }

    fn publish(&self, key: &str, r: &harvest_run::Model) {
        self.progress.publish(ProgressEvent {
            source_key: key.to_string(),
            run_id: r.id,
            status: r.status.clone(),
            seen: r.seen,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            deleted: r.deleted,
            rejected: r.rejected,
            pages: r.pages,
        });
    }

    async fn pages(&self, lease: &Lease) -> AppResult<()> {
        let org = organisation::Entity::find_by_id(lease.source.organisation_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::Internal("source without organisation".into()))?;
        let mut connector = factory::build(&lease.source, self.fetcher.clone())?;
        let since = lease.run.since;
        let mut request = HarvestRequest {
            since,
            resume_from: lease.run.checkpoint.clone(),
        };
        let mut restarted = false;
        connector
            .start(request.clone())
            .await
            .map_err(connector_error)?;
        loop {
            let page = match connector.next_page().await {
                Ok(p) => p,
                Err(ConnectorError::BadResumePoint(m)) if !restarted => {
                    // Tokens expire; re-reading from the run's lower bound is safe because
                    // ingestion is idempotent.
                    tracing::warn!(source.key = %lease.source.key, reason = %m, "resume point rejected; restarting run");
                    restarted = true;
                    request.resume_from = None;
                    connector
                        .start(request.clone())
                        .await
                        .map_err(connector_error)?;
                    continue;
                }
                Err(e) => return Err(connector_error(e)),
            };
            let Some(page) = page else {
                return Ok(());
            };
            let last = page.checkpoint.is_none();
            self.commit_page(lease, &org, page).await?;
            if last {
                return Ok(());
            }
        }
    }

    async fn commit_page(
        &self,
        lease: &Lease,
        org: &organisation::Model,
        page: transferhub_connectors::Page,
    ) -> AppResult<()> {
        let tx = crate::db::begin_write(&self.db).await?;
        let now = Utc::now();
        // Renewing the lease inside the page's transaction means a process that lost its lease
        // (it stalled past expiry and another took over) cannot commit anything more.
        let renewed = source::Entity::update_many()
            .col_expr(
                source::Column::LeaseExpiresAt,
                Expr::value(now + ChronoDuration::seconds(self.lease_secs)),
            )
            .filter(source::Column::Id.eq(lease.source.id))
            .filter(source::Column::LeaseOwner.eq(self.owner.clone()))
            .exec(&tx)
            .await?;
        if renewed.rows_affected != 1 {
            return Err(AppError::Conflict(
                "harvest lease lost to another process".into(),
            ));
        }
        let ctx = ingest::Context {
            source: &lease.source,
            org,
            run_id: lease.run.id,
        };
        let counts: Counts = ingest::page(&tx, &ctx, page.items).await?;
        let current = harvest_run::Entity::find_by_id(lease.run.id)
            .one(&tx)
            .await?
            .ok_or_else(|| AppError::Internal("harvest run vanished".into()))?;
        let mut m: harvest_run::ActiveModel = current.clone().into();
        m.seen = Set(current.seen + counts.seen);
        m.created = Set(current.created + counts.created);
        m.updated = Set(current.updated + counts.updated);
        m.unchanged = Set(current.unchanged + counts.unchanged);
        m.deleted = Set(current.deleted + counts.deleted);
        m.rejected = Set(current.rejected + counts.rejected);
        m.pages = Set(current.pages + 1);
        m.checkpoint = Set(page.checkpoint);
        let run = m.update(&tx).await?;
        tx.commit().await?;
        // Wakes the indexer and matching (the page's records are queued) and empties the counts.
        crate::changes::committed();
        self.publish(&lease.source.key, &run);
        Ok(())
    }
}

/// Connector failures stop the run; the message names the source's problem.
fn connector_error(e: ConnectorError) -> AppError {
    match e {
        ConnectorError::Config(m) => AppError::bad_input("source", m),
        other => AppError::Internal(format!("connector: {other}")),
    }
}
