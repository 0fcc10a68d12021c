//! The data-quality report of a source: open rejections grouped by reason, staleness,
//! records merged with another source's (duplicates), missing fields of the records it feeds,
//! and what waits for review.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::BTreeMap;
use transferhub_schema::entity::{
    achievement, harvest_run, patent, rejected_record, source, source_record,
};
use transferhub_schema::enums::{AchievementStatus, AchievementType};

/// Open rejections of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    /// The field or column the rejections name (`patents[].applicationNumber`, `column 专利号`),
    /// empty when none.
    pub field: String,
    /// The reason with numbers and quoted values masked, so alike rejections group together.
    pub reason: String,
    /// How many.
    pub count: i64,
    /// One full reason as stored, for context.
    pub example: String,
}

/// A source's data-quality figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityReport {
    /// The source.
    pub source: source::Model,
    /// Live records (not deleted at the source).
    pub records: i64,
    /// Unresolved rejections.
    pub open_rejections: i64,
    /// Rejections a later harvest accepted.
    pub resolved_rejections: i64,
    /// Unresolved rejections by reason, most frequent first.
    pub rejections_by_reason: Vec<ReasonCount>,
    /// Never succeeded, or last success older than twice the interval.
    pub stale: bool,
    /// Whole hours since the last success.
    pub hours_since_success: Option<i64>,
    /// Status of the latest run (`NEVER` when none).
    pub last_run_status: String,
    /// Achievements this source feeds that another source feeds too (merged by patent number).
    pub duplicates_merged: i64,
    /// Per field, how many achievements fed by this source lack it.
    pub missing_fields: Vec<(String, i64)>,
    /// Records waiting in the review queue.
    pub pending_review: i64,
}

/// Masks digits and quoted values so "check digit is 4 but 201710601862 needs 3" and its
/// siblings read alike.
pub fn reason_template(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut in_quote = false;
    let mut last_hash = false;
    for c in reason.chars() {
        if c == '"' {
            if !in_quote {
                out.push_str("\"…\"");
            }
            in_quote = !in_quote;
            last_hash = false;
            continue;
        }
        if in_quote {
            continue;
        }
        if c.is_ascii_digit() {
            if !last_hash {
                out.push('#');
            }
            last_hash = true;
            continue;
        }
        last_hash = false;
        out.push(c);
    }
    out.chars().take(200).collect()
}

/// The field a rejection's location names, list indexes removed.
pub fn location_field(location: &str) -> String {
    let f = location
        .rsplit_once(", field ")
        .map(|(_, f)| f.to_string())
        .or_else(|| location.find("column ").map(|i| location[i..].to_string()))
        .unwrap_or_default();
    let mut out = String::with_capacity(f.len());
    let mut skipping = false;
    for c in f.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            c => out.push(c),
        }
    }
    out
}

/// Builds the report for `s` at `now`.
pub async fn report(
    db: &DatabaseConnection,
    s: source::Model,
    now: DateTime<Utc>,
) -> AppResult<QualityReport> {
    let records = source_record::Entity::find()
        .filter(source_record::Column::SourceId.eq(s.id))
        .filter(source_record::Column::Deleted.eq(false))
        .count(db)
        .await? as i64;
    let open: Vec<(String, String)> = rejected_record::Entity::find()
        .select_only()
        .column(rejected_record::Column::Location)
        .column(rejected_record::Column::Reason)
        .filter(rejected_record::Column::SourceId.eq(s.id))
        .filter(rejected_record::Column::ResolvedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let resolved = rejected_record::Entity::find()
        .filter(rejected_record::Column::SourceId.eq(s.id))
        .filter(rejected_record::Column::ResolvedAt.is_not_null())
        .count(db)
        .await? as i64;
    let mut groups: BTreeMap<(String, String), (i64, String)> = BTreeMap::new();
    for (location, reason) in &open {
        let e = groups
            .entry((location_field(location), reason_template(reason)))
            .or_insert_with(|| (0, reason.clone()));
        e.0 += 1;
    }
    let mut by_reason: Vec<ReasonCount> = groups
        .into_iter()
        .map(|((field, reason), (count, example))| ReasonCount {
            field,
            reason,
            count,
            example,
        })
        .collect();
    by_reason.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.field.cmp(&b.field)));
    let (stale, hours) = crate::stats::service::freshness(&s, now);
    let last_run_status = harvest_run::Entity::find()
        .filter(harvest_run::Column::SourceId.eq(s.id))
        .order_by_desc(harvest_run::Column::Id)
        .one(db)
        .await?
        .map_or_else(|| "NEVER".to_string(), |r| r.status);
    let fed = || {
        Query::select()
            .column(source_record::Column::AchievementId)
            .from(source_record::Entity)
            .and_where(Expr::col(source_record::Column::SourceId).eq(s.id))
            .and_where(Expr::col(source_record::Column::Deleted).eq(false))
            .to_owned()
    };
    let duplicates_merged = source_record::Entity::find()
        .select_only()
        .column(source_record::Column::AchievementId)
        .distinct()
        .filter(source_record::Column::SourceId.ne(s.id))
        .filter(source_record::Column::Deleted.eq(false))
        .filter(source_record::Column::AchievementId.in_subquery(fed()))
        .count(db)
        .await? as i64;
    let fed_rows = achievement::Entity::find()
        .filter(achievement::Column::Id.in_subquery(fed()))
        .all(db)
        .await?;
    let with_patents: std::collections::HashSet<i64> = patent::Entity::find()
        .select_only()
        .column(patent::Column::AchievementId)
        .filter(patent::Column::AchievementId.in_subquery(fed()))
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let empty_list =
        |j: &str| serde_json::from_str::<Vec<String>>(j).map_or(true, |v| v.is_empty());
    type Missing<'a> = &'a dyn Fn(&achievement::Model) -> bool;
    let checks: [(&str, Missing<'_>); 9] = [
        ("summary", &|a| {
            a.summary.trim().is_empty() || a.summary == a.title
        }),
        ("keywords", &|a| empty_list(&a.keywords)),
        ("industryCode", &|a| a.industry_code.is_none()),
        ("ipcCodes", &|a| empty_list(&a.ipc_codes)),
        ("maturity", &|a| a.trl.is_none()),
        ("transferModes", &|a| a.transfer_modes == 0),
        ("contact", &|a| {
            a.contact_name.is_none() && a.contact_phone.is_none() && a.contact_email.is_none()
        }),
        ("regionCode", &|a| a.region_code.is_none()),
        ("patents", &|a| {
            a.achievement_type == AchievementType::Patent && !with_patents.contains(&a.id)
        }),
    ];
    let missing_fields = checks
        .iter()
        .map(|(name, missing)| {
            (
                (*name).to_string(),
                fed_rows.iter().filter(|a| missing(a)).count() as i64,
            )
        })
        .collect();
    let pending_review = if s.requires_review {
        fed_rows
            .iter()
            .filter(|a| a.status == AchievementStatus::Draft)
            .count() as i64
    } else {
        0
    };
    Ok(QualityReport {
        source: s,
        records,
        open_rejections: open.len() as i64,
        resolved_rejections: resolved,
        rejections_by_reason: by_reason,
        stale,
        hours_since_success: hours,
        last_run_status,
        duplicates_merged,
        missing_fields,
        pending_review,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alike_reasons_share_a_template() {
        assert_eq!(
            reason_template("check digit is 4 but 201710601862 needs 3"),
            reason_template("check digit is 7 but 202110123456 needs 1")
        );
        assert_eq!(
            reason_template("unknown type \"专利权\" in row 12"),
            "unknown type \"…\" in row #"
        );
    }

    #[test]
    fn fields_lose_their_indexes() {
        assert_eq!(
            location_field("row 3 (record r3), field patents[0].applicationNumber"),
            "patents[].applicationNumber"
        );
        assert_eq!(location_field("row 7, column 专利号"), "column 专利号");
        assert_eq!(location_field("record x"), "");
    }
}
