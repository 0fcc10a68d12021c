//! GraphQL of data governance: `reviewQueue`, `reviewRecord`, `dataQuality(sourceKey)`,
//! `dataQualityReport` and `recordHistory(achievementId)`.

use super::quality::{self, QualityReport};
use super::review::{self, HistoryEntry, ReviewDecision};
use crate::auth::graphql::viewer;
use crate::auth::policy::{self, Action};
use crate::catalog::graphql::Achievement;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use async_graphql::{Context, InputObject, Object, OutputType, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

/// Open rejections of one kind.
#[derive(SimpleObject)]
pub struct RejectionReason {
    /// Field or column named by the rejections (list indexes removed).
    pub field: String,
    /// The reason with numbers and quoted values masked.
    pub reason: String,
    /// How many.
    pub count: i64,
    /// One full reason as stored.
    pub example: String,
}

/// How many records lack a field.
#[derive(SimpleObject)]
pub struct MissingField {
    /// GraphQL field name of the achievement (`industryCode`, `maturity` …).
    pub field: String,
    /// Records of the source without it.
    pub count: i64,
}

/// A source's data-quality report.
pub struct DataQuality(pub QualityReport);

#[Object]
impl DataQuality {
    /// Source key.
    async fn source_key(&self) -> &str {
        &self.0.source.key
    }
    /// Whether its records wait for review.
    async fn requires_review(&self) -> bool {
        self.0.source.requires_review
    }
    /// Live records.
    async fn records(&self) -> i64 {
        self.0.records
    }
    /// Unresolved rejections.
    async fn open_rejections(&self) -> i64 {
        self.0.open_rejections
    }
    /// Rejections a later harvest accepted.
    async fn resolved_rejections(&self) -> i64 {
        self.0.resolved_rejections
    }
    /// Unresolved rejections by reason, most frequent first.
    async fn rejections_by_reason(&self) -> Vec<RejectionReason> {
        self.0
            .rejections_by_reason
            .iter()
            .map(|r| RejectionReason {
                field: r.field.clone(),
                reason: r.reason.clone(),
                count: r.count,
                example: r.example.clone(),
            })
            .collect()
    }
    /// Never harvested successfully, or last success older than twice the interval.
    async fn stale(&self) -> bool {
        self.0.stale
    }
    /// Last successful harvest.
    async fn last_success_at(&self) -> Option<DateTime<Utc>> {
        self.0.source.last_success_at
    }
    /// Whole hours since then.
    async fn hours_since_success(&self) -> Option<i64> {
        self.0.hours_since_success
    }
    /// Latest run's status (`NEVER` when none).
    async fn last_run_status(&self) -> &str {
        &self.0.last_run_status
    }
    /// Records merged with another source's (same patent).
    async fn duplicates_merged(&self) -> i64 {
        self.0.duplicates_merged
    }
    /// Per field, records of this source lacking it.
    async fn missing_fields(&self) -> Vec<MissingField> {
        self.0
            .missing_fields
            .iter()
            .map(|(f, n)| MissingField {
                field: f.clone(),
                count: *n,
            })
            .collect()
    }
    /// Records waiting for review.
    async fn pending_review(&self) -> i64 {
        self.0.pending_review
    }
}

/// One line of a record's history.
#[derive(SimpleObject)]
pub struct RecordHistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: `token:<id>`, `cli`, or `source:<key>`.
    pub actor: String,
    /// What (`achievement.update`, `achievement.review.reject`, `source.first_received` …).
    pub action: String,
    /// Details as JSON.
    pub detail: String,
}

impl From<HistoryEntry> for RecordHistoryEntry {
    fn from(e: HistoryEntry) -> Self {
        Self {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        }
    }
}

/// Names the review queue's connection apart from the catalog's achievement lists.
pub struct ReviewQueueName;

impl ConnectionNameType for ReviewQueueName {
    fn type_name<T: OutputType>() -> String {
        "ReviewQueueConnection".into()
    }
}

/// Names the review queue's edges.
pub struct ReviewQueueEdgeName;

impl EdgeNameType for ReviewQueueEdgeName {
    fn type_name<T: OutputType>() -> String {
        "ReviewQueueEdge".into()
    }
}

/// Totals of the review queue.
#[derive(SimpleObject)]
pub struct ReviewQueueCount {
    /// Records waiting for a decision (all pages).
    pub total_count: u64,
}

/// The review queue as a Relay connection.
pub type ReviewQueue = Connection<
    IdCursor,
    Achievement,
    ReviewQueueCount,
    EmptyFields,
    ReviewQueueName,
    ReviewQueueEdgeName,
>;

/// Governance queries.
#[derive(Default)]
pub struct GovernanceQuery;

#[Object]
impl GovernanceQuery {
    /// Records from sources that require review, waiting for a decision, oldest first: the
    /// viewer's organisation's (org admins) or all (platform admins).
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        source_key: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ReviewQueue> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let cond = review::queue_condition(db, viewer(ctx), source_key.as_deref()).await?;
        let total_count = review::queue_count(db, cond.clone()).await?;
        let (rows, more) = review::queue(db, cond, after, first).await?;
        let mut conn = ReviewQueue::with_additional_fields(
            after.is_some(),
            more,
            ReviewQueueCount { total_count },
        );
        conn.edges.extend(
            rows.into_iter()
                .map(|a| Edge::new(IdCursor(a.id), Achievement(a))),
        );
        Ok(conn)
    }

    /// The data-quality report of one source (its organisation's admins and platform admins).
    async fn data_quality(&self, ctx: &Context<'_>, source_key: String) -> Result<DataQuality> {
        let db = ctx.data::<DatabaseConnection>()?;
        let s = super::service::get(db, &source_key).await?;
        policy::require(viewer(ctx), Action::ReadSources, s.organisation_id)?;
        Ok(DataQuality(quality::report(db, s, Utc::now()).await?))
    }

    /// The data-quality report of every source (platform admins).
    async fn data_quality_report(&self, ctx: &Context<'_>) -> Result<Vec<DataQuality>> {
        let db = ctx.data::<DatabaseConnection>()?;
        policy::require(viewer(ctx), Action::ReadStats, 0)?;
        let now = Utc::now();
        let mut out = Vec::new();
        for s in super::service::list(db).await? {
            out.push(DataQuality(quality::report(db, s, now).await?));
        }
        Ok(out)
    }

    /// Who or which source changed a record, what and when, newest first (its organisation
    /// and platform admins).
    async fn record_history(
        &self,
        ctx: &Context<'_>,
        achievement_id: ID,
    ) -> Result<Vec<RecordHistoryEntry>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&achievement_id, "Achievement", "achievementId")?;
        Ok(review::history(db, viewer(ctx), n)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// A review decision.
#[derive(InputObject)]
pub struct ReviewRecordInput {
    /// The queued achievement.
    pub achievement_id: ID,
    /// Approve (publish) or reject.
    pub decision: ReviewDecision,
    /// Why; required to reject (at most 500 characters).
    pub reason: Option<String>,
}

/// The decided record.
#[derive(SimpleObject)]
pub struct ReviewRecordPayload {
    /// The achievement after the decision.
    pub achievement: Achievement,
    /// `APPROVED` or `REJECTED`.
    pub decision: String,
    /// Who decided (`token:<id>`).
    pub reviewer: String,
    /// When.
    pub decided_at: DateTime<Utc>,
}

/// Governance mutations.
#[derive(Default)]
pub struct GovernanceMutation;

#[Object]
impl GovernanceMutation {
    /// Approves (→ PUBLISHED) or rejects (→ WITHDRAWN, with a reason) a record from a source
    /// that requires review; org admins of its organisation and platform admins.
    async fn review_record(
        &self,
        ctx: &Context<'_>,
        input: ReviewRecordInput,
    ) -> Result<ReviewRecordPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&input.achievement_id, "Achievement", "input.achievementId")?;
        let (a, r) =
            review::review(db, viewer(ctx), n, input.decision, input.reason.as_deref()).await?;
        Ok(ReviewRecordPayload {
            achievement: Achievement(a),
            decision: r.decision,
            reviewer: r.reviewer,
            decided_at: r.decided_at,
        })
    }
}
