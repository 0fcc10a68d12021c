//! Background recompute. Every change to a need or an achievement writes a `match_outbox` row in
//! the change's transaction (`changes::need_changed`, `changes::achievement_changed`); the
//! worker takes bounded batches in id order, recomputes each changed record's suggestions,
//! stores them in `match_suggestions`, announces pairs it had not suggested before, and only then
//! deletes the rows. A crash in between leaves the rows queued, and recomputing is idempotent.
//! Claiming (each row recomputed, and each new pair announced, once across replicas), the worker
//! loop and its wake-up are the one outbox engine (`crate::outbox`).

use super::live::NewMatch;
use super::Matching;
use crate::changes::{ACHIEVEMENT, NEED};
use crate::error::AppResult;
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use transferhub_schema::entity::{achievement, match_outbox, match_suggestion, need};
use transferhub_schema::enums::{AchievementStatus, NeedStatus};

/// Rows waiting.
pub async fn pending(db: &DatabaseConnection) -> AppResult<u64> {
    crate::outbox::pending_rows::<match_outbox::Entity>(db).await
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Outbox rows consumed.
    pub rows: usize,
    /// Distinct records recomputed.
    pub records: usize,
    /// Pairs announced as new.
    pub new_pairs: usize,
}

/// Recomputes one batch of at most `batch` outbox rows. On PostgreSQL the batch is claimed with
/// `FOR UPDATE SKIP LOCKED` in a transaction that also deletes the rows, so replicas draining
/// the same outbox never recompute the same row, and a replica that dies mid-batch releases its
/// rows to the others.
pub async fn drain_once(m: &Matching, batch: usize) -> AppResult<BatchReport> {
    let claim = crate::outbox::claim::<match_outbox::Entity>(m.matcher.db(), batch).await?;
    let report = recompute_rows(m, &claim.rows).await?;
    claim.finish(m.matcher.db()).await?;
    Ok(report)
}

async fn recompute_rows(m: &Matching, rows: &[match_outbox::Model]) -> AppResult<BatchReport> {
    let subjects: BTreeSet<(String, i64)> = rows
        .iter()
        .map(|r| (r.subject.clone(), r.subject_id))
        .collect();
    let mut report = BatchReport {
        rows: rows.len(),
        records: subjects.len(),
        new_pairs: 0,
    };
    for (subject, id) in &subjects {
        report.new_pairs += match subject.as_str() {
            NEED => recompute_need(m, *id).await?,
            ACHIEVEMENT => recompute_achievement(m, *id).await?,
            _ => 0,
        };
    }
    Ok(report)
}

struct Pair {
    need_id: i64,
    achievement_id: i64,
    score: f64,
    explanation: String,
    summary: String,
}

/// Stores `pairs` (insert or update) and returns the ones that are new.
async fn upsert<C: ConnectionTrait>(
    db: &C,
    existing: &HashMap<(i64, i64), i64>,
    pairs: Vec<Pair>,
) -> AppResult<Vec<Pair>> {
    let now = Utc::now();
    let mut fresh = Vec::new();
    for p in pairs {
        match existing.get(&(p.need_id, p.achievement_id)) {
            Some(&row) => {
                match_suggestion::Entity::update_many()
                    .col_expr(match_suggestion::Column::Score, p.score.into())
                    .col_expr(
                        match_suggestion::Column::Explanation,
                        p.explanation.clone().into(),
                    )
                    .col_expr(match_suggestion::Column::ComputedAt, now.into())
                    .filter(match_suggestion::Column::Id.eq(row))
                    .exec(db)
                    .await?;
            }
            None => {
                match_suggestion::Entity::insert(match_suggestion::ActiveModel {
                    need_id: Set(p.need_id),
                    achievement_id: Set(p.achievement_id),
                    score: Set(p.score),
                    explanation: Set(p.explanation.clone()),
                    computed_at: Set(now),
                    ..Default::default()
                })
                .exec_without_returning(db)
                .await?;
                fresh.push(p);
            }
        }
    }
    Ok(fresh)
}

fn announce(m: &Matching, fresh: &[Pair]) {
    for p in fresh {
        m.live.publish(NewMatch {
            need_id: p.need_id,
            achievement_id: p.achievement_id,
            score: p.score,
            summary: p.summary.clone(),
        });
    }
}

/// Refreshes a need's suggestions: its top pairs replace the previous ones.
pub async fn recompute_need(m: &Matching, id: i64) -> AppResult<usize> {
    let db = m.matcher.db();
    let cfg = m.matcher.config();
    let n = need::Entity::find_by_id(id).one(db).await?;
    let Some(n) = n.filter(|n| n.status == NeedStatus::Open) else {
        match_suggestion::Entity::delete_many()
            .filter(match_suggestion::Column::NeedId.eq(id))
            .exec(db)
            .await?;
        return Ok(0);
    };
    let ranking = m.matcher.for_need(&n, cfg.keep_per_record).await?;
    let pairs: Vec<Pair> = ranking
        .matches
        .into_iter()
        .filter(|s| s.score >= cfg.min_score)
        .map(|s| Pair {
            need_id: id,
            achievement_id: s.record.id,
            score: s.score,
            explanation: serde_json::to_string(&s.explanation).unwrap_or_default(),
            summary: s.explanation.summary(),
        })
        .collect();
    let existing: HashMap<(i64, i64), i64> = match_suggestion::Entity::find()
        .filter(match_suggestion::Column::NeedId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| ((s.need_id, s.achievement_id), s.id))
        .collect();
    let keep: BTreeSet<i64> = pairs.iter().map(|p| p.achievement_id).collect();
    let stale: Vec<i64> = existing
        .iter()
        .filter(|((_, a), _)| !keep.contains(a))
        .map(|(_, row)| *row)
        .collect();
    // One transaction per record: one commit instead of one per pair.
    let tx = crate::db::begin_write(db).await?;
    if !stale.is_empty() {
        match_suggestion::Entity::delete_many()
            .filter(match_suggestion::Column::Id.is_in(stale))
            .exec(&tx)
            .await?;
    }
    let fresh = upsert(&tx, &existing, pairs).await?;
    tx.commit().await?;
    announce(m, &fresh);
    Ok(fresh.len())
}

/// Refreshes an achievement's suggestions: its top needs are added or updated; a withdrawn or
/// deleted achievement loses all of them.
pub async fn recompute_achievement(m: &Matching, id: i64) -> AppResult<usize> {
    let db = m.matcher.db();
    let cfg = m.matcher.config();
    let a = achievement::Entity::find_by_id(id).one(db).await?;
    let Some(a) = a.filter(|a| a.status == AchievementStatus::Published) else {
        match_suggestion::Entity::delete_many()
            .filter(match_suggestion::Column::AchievementId.eq(id))
            .exec(db)
            .await?;
        return Ok(0);
    };
    let ranking = m.matcher.for_achievement(&a, cfg.keep_per_record).await?;
    let pairs: Vec<Pair> = ranking
        .matches
        .into_iter()
        .filter(|s| s.score >= cfg.min_score)
        .map(|s| Pair {
            need_id: s.record.id,
            achievement_id: id,
            score: s.score,
            explanation: serde_json::to_string(&s.explanation).unwrap_or_default(),
            summary: s.explanation.summary(),
        })
        .collect();
    let existing: HashMap<(i64, i64), i64> = match_suggestion::Entity::find()
        .filter(match_suggestion::Column::AchievementId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| ((s.need_id, s.achievement_id), s.id))
        .collect();
    let tx = crate::db::begin_write(db).await?;
    let fresh = upsert(&tx, &existing, pairs).await?;
    tx.commit().await?;
    announce(m, &fresh);
    Ok(fresh.len())
}

/// The worker loop: drain whenever woken, or every poll interval for other processes' changes.
pub async fn run(m: Matching) {
    let poll = Duration::from_millis(m.matcher.config().recompute_poll_ms.max(10));
    let batch = m.matcher.config().recompute_batch.max(1);
    crate::outbox::run_worker(
        "match recompute",
        &crate::changes::MATCHING_QUEUE,
        poll,
        move || worker_step(m.clone(), batch),
    )
    .await;
}

async fn worker_step(m: Matching, batch: usize) -> AppResult<usize> {
    let r = drain_once(&m, batch).await?;
    if r.rows > 0 {
        tracing::debug!(
            matching.records = r.records,
            matching.new_pairs = r.new_pairs,
            "match recompute batch done"
        );
    }
    Ok(r.rows)
}
