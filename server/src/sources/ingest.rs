//! Ingestion: turns one connector item into store changes inside the page's transaction.
//! Records are keyed by (source, source record id); a content hash skips unchanged ones; a new
//! record sharing a normalised patent number with an existing achievement joins it as another
//! provenance instead of duplicating it; records that fail validation are kept as rejected
//! with reason and raw payload; deletions withdraw an achievement once no source still has it.

use crate::catalog::service::{self as catalog, AchievementDraft, Origin, PatentDraft};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use transferhub_connectors::{Item, NormalisedRecord, RecordError};
use transferhub_schema::entity::{organisation, rejected_record, source, source_record};
use transferhub_schema::enums::{AchievementStatus, AchievementType};
use transferhub_schema::types::PatentApplicationNumber;

/// Counters of one page (added to the run's).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Items seen.
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
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.seen += o.seen;
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.deleted += o.deleted;
        self.rejected += o.rejected;
    }
}

/// What ingestion needs to know about the source.
pub struct Context<'a> {
    /// The source.
    pub source: &'a source::Model,
    /// Its organisation (owner of created achievements).
    pub org: &'a organisation::Model,
    /// The current run.
    pub run_id: i64,
}

/// Stable hash of a record's content.
pub fn content_hash(r: &NormalisedRecord) -> String {
    let json = serde_json::to_string(r).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// Builds the catalog draft for a record. Lists are capped to the catalog's limits; a missing
/// summary falls back to the title (many repositories omit descriptions).
pub fn draft(r: &NormalisedRecord) -> AchievementDraft {
    let cap = |v: &[String], n: usize| v.iter().take(n).cloned().collect::<Vec<_>>();
    let summary = if r.summary.trim().is_empty() {
        r.title.clone()
    } else {
        r.summary.clone()
    };
    let patents = r
        .patent_numbers
        .iter()
        .enumerate()
        .map(|(i, n)| PatentDraft {
            application_number: n.clone(),
            publication_number: (r.publication_numbers.len() == r.patent_numbers.len())
                .then(|| r.publication_numbers[i].clone()),
            granted: None,
        })
        .collect::<Vec<_>>();
    let kind = r.achievement_type.unwrap_or(if patents.is_empty() {
        AchievementType::Other
    } else {
        AchievementType::Patent
    });
    AchievementDraft {
        title: Some(r.title.clone()),
        title_en: Some(r.title_en.clone()),
        achievement_type: Some(kind),
        inventors: Some(cap(&r.inventors, 50)),
        summary: Some(summary),
        summary_en: Some(r.summary_en.clone()),
        keywords: Some(cap(&r.keywords, 20)),
        industry_code: Some(r.industry_code.clone()),
        ipc_codes: Some(cap(&r.ipc_codes, 30)),
        maturity: Some(r.trl.map(i32::from)),
        transfer_modes: Some(r.transfer_modes.clone()),
        asking_price_yuan: Some(r.asking_price_yuan),
        contact_name: Some(r.contact_name.clone()),
        contact_phone: Some(r.contact_phone.clone()),
        contact_email: Some(r.contact_email.clone()),
        region_code: r.region_code.clone().map(Some),
        patents: Some(patents),
    }
}

fn provenance(ctx: &Context<'_>, r: &NormalisedRecord) -> serde_json::Value {
    serde_json::json!({
        "source": ctx.source.key,
        "recordId": r.source_record_id,
        "receivedAt": Utc::now(),
    })
}

async fn reject<C: ConnectionTrait>(tx: &C, ctx: &Context<'_>, e: &RecordError) -> AppResult<()> {
    rejected_record::ActiveModel {
        source_id: Set(ctx.source.id),
        run_id: Set(Some(ctx.run_id)),
        source_record_id: Set(e.record_id.clone()),
        location: Set(e.location.clone()),
        reason: Set(e.reason.clone()),
        raw: Set(e.raw.clone()),
        created_at: Set(Utc::now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

async fn resolve_rejections<C: ConnectionTrait>(
    tx: &C,
    source_id: i64,
    record_id: &str,
) -> AppResult<()> {
    rejected_record::Entity::update_many()
        .col_expr(
            rejected_record::Column::ResolvedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(rejected_record::Column::SourceId.eq(source_id))
        .filter(rejected_record::Column::SourceRecordId.eq(record_id))
        .filter(rejected_record::Column::ResolvedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Applies one item; store faults propagate (the page rolls back), bad records become rejections.
/// Each record runs in a savepoint so a record refused half-way leaves nothing behind.
pub async fn item(tx: &DatabaseTransaction, ctx: &Context<'_>, item: Item) -> AppResult<Counts> {
    let mut c = Counts {
        seen: 1,
        ..Counts::default()
    };
    match item {
        Item::Rejected(e) => {
            reject(tx, ctx, &e).await?;
            c.rejected = 1;
        }
        Item::Deleted {
            source_record_id,
            datestamp,
        } => {
            if delete(tx, ctx, &source_record_id, datestamp).await? {
                c.deleted = 1;
            } else {
                c.unchanged = 1;
            }
        }
        Item::Record(r) => match in_savepoint(tx, ctx, &r).await {
            Ok(Outcome::Created) => c.created = 1,
            Ok(Outcome::Updated) => c.updated = 1,
            Ok(Outcome::Unchanged) => c.unchanged = 1,
            Err(AppError::BadInput { field, message, .. }) => {
                let e = RecordError {
                    record_id: Some(r.source_record_id.clone()),
                    location: format!(
                        "record {}, field {}",
                        r.source_record_id,
                        field.trim_start_matches("input.")
                    ),
                    reason: message,
                    raw: serde_json::to_string(&r).unwrap_or_default(),
                };
                reject(tx, ctx, &e).await?;
                c.rejected = 1;
            }
            Err(AppError::Conflict(message)) => {
                let e = RecordError {
                    record_id: Some(r.source_record_id.clone()),
                    location: format!("record {}", r.source_record_id),
                    reason: message,
                    raw: serde_json::to_string(&r).unwrap_or_default(),
                };
                reject(tx, ctx, &e).await?;
                c.rejected = 1;
            }
            Err(other) => return Err(other),
        },
    }
    Ok(c)
}

async fn in_savepoint(
    tx: &DatabaseTransaction,
    ctx: &Context<'_>,
    r: &NormalisedRecord,
) -> AppResult<Outcome> {
    let sp = tx.begin().await?;
    match record(&sp, ctx, r).await {
        Ok(o) => {
            sp.commit().await?;
            Ok(o)
        }
        Err(e) => {
            sp.rollback().await?;
            Err(e)
        }
    }
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

async fn record<C: ConnectionTrait>(
    tx: &C,
    ctx: &Context<'_>,
    r: &NormalisedRecord,
) -> AppResult<Outcome> {
    if r.source_record_id.trim().is_empty() {
        return Err(AppError::bad_input(
            "sourceRecordId",
            "the source gave no record id",
        ));
    }
    let hash = content_hash(r);
    let existing = source_record::Entity::find()
        .filter(source_record::Column::SourceId.eq(ctx.source.id))
        .filter(source_record::Column::SourceRecordId.eq(r.source_record_id.as_str()))
        .one(tx)
        .await?;
    let now = Utc::now();
    let d = draft(r);
    if let Some(sr) = existing {
        if sr.content_hash == hash && !sr.deleted && sr.achievement_id.is_some() {
            return Ok(Outcome::Unchanged);
        }
        let achievement_id = match sr.achievement_id {
            Some(id) => {
                catalog::refresh_from_source(tx, id, &d, Some(provenance(ctx, r))).await?;
                if sr.deleted {
                    let target = if ctx.source.requires_review {
                        AchievementStatus::Draft
                    } else {
                        AchievementStatus::Published
                    };
                    catalog::set_status_in(tx, id, target).await?;
                }
                id
            }
            None => create_or_merge(tx, ctx, r, &d).await?.0,
        };
        let mut m: source_record::ActiveModel = sr.into();
        m.achievement_id = Set(Some(achievement_id));
        m.content_hash = Set(hash);
        m.datestamp = Set(r.source_datestamp);
        m.deleted = Set(false);
        m.last_seen_at = Set(now);
        m.update(tx).await?;
        resolve_rejections(tx, ctx.source.id, &r.source_record_id).await?;
        return Ok(Outcome::Updated);
    }
    let (achievement_id, outcome) = create_or_merge(tx, ctx, r, &d).await?;
    source_record::ActiveModel {
        source_id: Set(ctx.source.id),
        source_record_id: Set(r.source_record_id.clone()),
        achievement_id: Set(Some(achievement_id)),
        content_hash: Set(hash),
        datestamp: Set(r.source_datestamp),
        deleted: Set(false),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    resolve_rejections(tx, ctx.source.id, &r.source_record_id).await?;
    Ok(outcome)
}

/// Joins an achievement that already holds one of the record's patents, or creates one.
async fn create_or_merge<C: ConnectionTrait>(
    tx: &C,
    ctx: &Context<'_>,
    r: &NormalisedRecord,
    d: &AchievementDraft,
) -> AppResult<(i64, Outcome)> {
    let numbers: Vec<String> = r
        .patent_numbers
        .iter()
        .filter_map(|n| PatentApplicationNumber::parse(n).ok())
        .map(|n| n.as_str().to_string())
        .collect();
    if let Some(id) = catalog::find_by_patent_numbers(tx, &numbers).await? {
        // Another source already brought this invention: keep its fields, add our provenance
        // and any patents it lacks.
        let provenance_only = AchievementDraft {
            patents: d.patents.clone(),
            ..AchievementDraft::default()
        };
        catalog::refresh_from_source(tx, id, &provenance_only, Some(provenance(ctx, r))).await?;
        return Ok((id, Outcome::Updated));
    }
    let status = if ctx.source.requires_review {
        AchievementStatus::Draft
    } else {
        AchievementStatus::Published
    };
    let origin = Origin {
        status,
        published_at: (status == AchievementStatus::Published).then(Utc::now),
        source_key: Some(ctx.source.key.clone()),
        source_record_id: Some(r.source_record_id.clone()),
    };
    let saved = catalog::insert(tx, ctx.org, d, origin).await?;
    Ok((saved.id, Outcome::Created))
}

/// Marks a record deleted; withdraws its achievement when no other live source record feeds it.
async fn delete<C: ConnectionTrait>(
    tx: &C,
    ctx: &Context<'_>,
    record_id: &str,
    datestamp: Option<DateTime<Utc>>,
) -> AppResult<bool> {
    let Some(sr) = source_record::Entity::find()
        .filter(source_record::Column::SourceId.eq(ctx.source.id))
        .filter(source_record::Column::SourceRecordId.eq(record_id))
        .one(tx)
        .await?
    else {
        return Ok(false);
    };
    if sr.deleted {
        return Ok(false);
    }
    let achievement_id = sr.achievement_id;
    let mut m: source_record::ActiveModel = sr.into();
    m.deleted = Set(true);
    m.datestamp = Set(datestamp);
    m.last_seen_at = Set(Utc::now());
    m.update(tx).await?;
    if let Some(id) = achievement_id {
        let still_live = source_record::Entity::find()
            .filter(source_record::Column::AchievementId.eq(id))
            .filter(source_record::Column::Deleted.eq(false))
            .count(tx)
            .await?;
        if still_live == 0 {
            catalog::set_status_in(tx, id, AchievementStatus::Withdrawn).await?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_fill_defaults_from_the_record() {
        let r = NormalisedRecord {
            source_record_id: "oai:imu:1".into(),
            title: "一种稀土永磁材料".into(),
            patent_numbers: vec!["CN201710601862.3".into()],
            publication_numbers: vec!["CN107445223A".into()],
            keywords: (0..40).map(|i| format!("k{i}")).collect(),
            ..NormalisedRecord::default()
        };
        let d = draft(&r);
        assert_eq!(d.achievement_type, Some(AchievementType::Patent));
        assert_eq!(d.summary.as_deref(), Some("一种稀土永磁材料"));
        assert_eq!(d.keywords.as_ref().map(Vec::len), Some(20));
        let p = &d.patents.as_ref().expect("patents")[0];
        assert_eq!(p.publication_number.as_deref(), Some("CN107445223A"));
    }

    #[test]
    fn content_hash_tracks_content() {
        let mut r = NormalisedRecord {
            source_record_id: "1".into(),
            title: "a".into(),
            ..NormalisedRecord::default()
        };
        let h = content_hash(&r);
        assert_eq!(h, content_hash(&r.clone()));
        r.title = "b".into();
        assert_ne!(h, content_hash(&r));
    }
}
