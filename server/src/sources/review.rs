//! The review queue of records from sources that require review: they arrive as DRAFT (see
//! `ingest`); an organisation admin or platform admin approves one (→ PUBLISHED) or rejects it
//! with a reason (→ WITHDRAWN, kept for history). Every decision is stored and audited.

use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use transferhub_schema::entity::{achievement, record_review, source, source_record};
use transferhub_schema::enums::AchievementStatus;

/// A reviewer's decision.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Publish the record.
    Approve,
    /// Keep it off the public catalog (a reason is required).
    Reject,
}

impl ReviewDecision {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "APPROVED",
            Self::Reject => "REJECTED",
        }
    }
}

/// Longest accepted rejection reason.
pub const MAX_REASON_CHARS: usize = 500;

/// Achievement ids fed by sources that require review (optionally one source).
fn reviewed_ids(source_id: Option<i64>) -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select();
    q.column((source_record::Entity, source_record::Column::AchievementId))
        .from(source_record::Entity)
        .inner_join(
            source::Entity,
            sea_orm::sea_query::Expr::col((source::Entity, source::Column::Id))
                .equals((source_record::Entity, source_record::Column::SourceId)),
        )
        .and_where(
            sea_orm::sea_query::Expr::col((source::Entity, source::Column::RequiresReview))
                .eq(true),
        )
        .and_where(
            sea_orm::sea_query::Expr::col((
                source_record::Entity,
                source_record::Column::AchievementId,
            ))
            .is_not_null(),
        );
    if let Some(id) = source_id {
        q.and_where(sea_orm::sea_query::Expr::col((source::Entity, source::Column::Id)).eq(id));
    }
    q.to_owned()
}

/// The queue condition for `viewer`: DRAFT records from review sources, of the viewer's
/// organisation (org admins) or of all (platform admins).
pub async fn queue_condition(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    source_key: Option<&str>,
) -> AppResult<Condition> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("the review queue needs a bearer token".into()))?;
    let source_id = match source_key {
        Some(k) => {
            let s = super::service::get(db, k).await?;
            policy::require(viewer, Action::ReviewRecords, s.organisation_id)?;
            Some(s.id)
        }
        None => {
            policy::require(viewer, Action::ReviewRecords, v.organisation_id)?;
            None
        }
    };
    let mut cond = Condition::all()
        .add(achievement::Column::Status.eq(AchievementStatus::Draft))
        .add(achievement::Column::Id.in_subquery(reviewed_ids(source_id)));
    if !policy::acts_platform_wide(Some(v)) {
        cond = cond.add(achievement::Column::OrganisationId.eq(v.organisation_id));
    }
    Ok(cond)
}

/// Records in the queue.
pub async fn queue_count(db: &DatabaseConnection, cond: Condition) -> AppResult<u64> {
    Ok(achievement::Entity::find().filter(cond).count(db).await?)
}

/// One page of the queue, oldest first (first come, first reviewed); `after` is an id.
pub async fn queue(
    db: &DatabaseConnection,
    cond: Condition,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<achievement::Model>, bool)> {
    keyset_page(
        db,
        achievement::Entity::find().filter(cond),
        achievement::Column::Id,
        Order::OldestFirst,
        after,
        first,
    )
    .await
}

/// Decides on one queued record. Refuses records that did not come from a review source
/// (CONFLICT), records already decided (CONFLICT), and rejections without a reason (BAD_INPUT).
pub async fn review(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    achievement_id: i64,
    decision: ReviewDecision,
    reason: Option<&str>,
) -> AppResult<(achievement::Model, record_review::Model)> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("reviewRecord needs a bearer token".into()))?;
    let a = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {achievement_id}")))?;
    if !policy::sees_unpublished(viewer, a.organisation_id)
        && a.status != AchievementStatus::Published
    {
        // Another organisation's draft is invisible, as everywhere else.
        return Err(AppError::NotFound(format!("achievement {achievement_id}")));
    }
    policy::require(viewer, Action::ReviewRecords, a.organisation_id)?;
    let reason = crate::validate::optional_text("input.reason", reason, MAX_REASON_CHARS)?;
    if decision == ReviewDecision::Reject && reason.is_none() {
        return Err(AppError::bad_input(
            "input.reason",
            "a rejection needs a reason (驳回需填写原因)",
        ));
    }
    let review_source = source::Entity::find()
        .filter(source::Column::RequiresReview.eq(true))
        .filter(
            source::Column::Id.in_subquery(
                Query::select()
                    .column(source_record::Column::SourceId)
                    .from(source_record::Entity)
                    .and_where(
                        sea_orm::sea_query::Expr::col(source_record::Column::AchievementId)
                            .eq(achievement_id),
                    )
                    .to_owned(),
            ),
        )
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "achievement {achievement_id} did not come from a source that requires review"
            ))
        })?;
    if a.status != AchievementStatus::Draft {
        return Err(AppError::Conflict(format!(
            "achievement {achievement_id} is {:?}, not waiting for review",
            a.status
        )));
    }
    let to = match decision {
        ReviewDecision::Approve => AchievementStatus::Published,
        ReviewDecision::Reject => AchievementStatus::Withdrawn,
    };
    let now = Utc::now();
    let tx = crate::db::begin_write(db).await?;
    crate::catalog::service::set_status_in(&tx, achievement_id, to).await?;
    let r = record_review::ActiveModel {
        achievement_id: Set(achievement_id),
        source_id: Set(Some(review_source.id)),
        decision: Set(decision.as_str().into()),
        reason: Set(reason.clone()),
        reviewer: Set(v.actor()),
        decided_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        viewer,
        match decision {
            ReviewDecision::Approve => "achievement.review.approve",
            ReviewDecision::Reject => "achievement.review.reject",
        },
        "achievement",
        Some(achievement_id),
        Some(a.organisation_id),
        serde_json::json!({ "source": review_source.key, "reason": reason, "from": a.status, "to": to }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    let saved = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {achievement_id}")))?;
    Ok((saved, r))
}

/// One line of a record's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When.
    pub at: chrono::DateTime<Utc>,
    /// Who: `token:<id>`, `cli`, or `source:<key>` for a harvest.
    pub actor: String,
    /// What: a dotted verb (`achievement.update`, `source.received` …).
    pub action: String,
    /// Details as JSON (changed fields, reason, record id).
    pub detail: String,
}

/// Who or which source changed a record, what and when, newest first: the audit log of its
/// mutations and reviews, and every source's first and latest delivery of it.
pub async fn history(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    achievement_id: i64,
) -> AppResult<Vec<HistoryEntry>> {
    let a = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {achievement_id}")))?;
    if viewer.is_none() {
        return Err(AppError::Unauthenticated(
            "a record's history needs a bearer token".into(),
        ));
    }
    if !policy::sees_unpublished(viewer, a.organisation_id) {
        if a.status != AchievementStatus::Published {
            return Err(AppError::NotFound(format!("achievement {achievement_id}")));
        }
        return Err(AppError::Forbidden(
            "only the owning organisation and platform admins see a record's history".into(),
        ));
    }
    let mut out = Vec::new();
    for e in transferhub_schema::entity::audit_log::Entity::find()
        .filter(transferhub_schema::entity::audit_log::Column::EntityType.eq("achievement"))
        .filter(transferhub_schema::entity::audit_log::Column::EntityId.eq(achievement_id))
        .all(db)
        .await?
    {
        out.push(HistoryEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        });
    }
    let records = source_record::Entity::find()
        .filter(source_record::Column::AchievementId.eq(achievement_id))
        .all(db)
        .await?;
    let keys: std::collections::HashMap<i64, String> = source::Entity::find()
        .filter(source::Column::Id.is_in(records.iter().map(|r| r.source_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.key))
        .collect();
    for r in records {
        let key = keys.get(&r.source_id).cloned().unwrap_or_default();
        let detail =
            serde_json::json!({ "source": key, "recordId": r.source_record_id }).to_string();
        out.push(HistoryEntry {
            at: r.first_seen_at,
            actor: format!("source:{key}"),
            action: "source.first_received".into(),
            detail: detail.clone(),
        });
        if r.last_seen_at != r.first_seen_at {
            out.push(HistoryEntry {
                at: r.last_seen_at,
                actor: format!("source:{key}"),
                action: if r.deleted {
                    "source.deleted".into()
                } else {
                    "source.last_received".into()
                },
                detail,
            });
        }
    }
    if a.source_key.as_deref() == Some(crate::demo::DEMO_SOURCE) {
        out.push(HistoryEntry {
            at: a.created_at,
            actor: "cli".into(),
            action: "demo.seed".into(),
            detail: "{}".into(),
        });
    }
    out.sort_by(|x, y| y.at.cmp(&x.at).then_with(|| y.action.cmp(&x.action)));
    Ok(out)
}
