//! Figures from the matching and events domains: how many needs got suggestions, the funnel
//! suggested → contacted → meeting → intention → contract, and event meeting outcomes. Read
//! straight from `match_suggestions`, `match_feedback` and `event_meetings`.

use super::service::{pairs, Table};
use crate::error::AppResult;
use sea_orm::DatabaseConnection;

/// The funnel's stages, in order.
pub const FUNNEL: [&str; 5] = ["SUGGESTED", "CONTACTED", "MEETING", "INTENTION", "CONTRACT"];

/// Outcomes that mean the two sides met.
const MET: &str = "('MET', 'FOLLOW_UP', 'INTENTION_TO_COOPERATE', 'CONTRACT_SIGNED')";
/// Outcomes that mean an intention to cooperate (a signed contract implies one).
const INTENDED: &str = "('INTENTION_TO_COOPERATE', 'CONTRACT_SIGNED')";

/// The one number of a `SELECT label, COUNT(*)` query.
async fn count(db: &DatabaseConnection, sql: &str) -> AppResult<i64> {
    Ok(pairs(db, sql).await?.first().map_or(0, |(_, n)| *n))
}

/// Needs with at least one kept suggestion, over all needs.
pub async fn need_match_rate(db: &DatabaseConnection) -> AppResult<Table> {
    let matched = count(
        db,
        "SELECT 'matched', COUNT(DISTINCT need_id) FROM match_suggestions",
    )
    .await?;
    let total = count(db, "SELECT 'needs', COUNT(*) FROM needs").await?;
    let rate = if total == 0 {
        0.0
    } else {
        matched as f64 / total as f64
    };
    Ok(Table {
        name: "need_match_rate",
        title_zh: "需求匹配率",
        title_en: "Needs with matches",
        columns: vec!["needs", "needs_with_matches", "match_rate"],
        rows: vec![vec![
            total.to_string(),
            matched.to_string(),
            format!("{rate:.4}"),
        ]],
        available: true,
        note: None,
    })
}

/// Suggested pairs, pairs marked contacted, then event meetings held, with an intention to
/// cooperate, and with a contract signed.
pub async fn match_funnel(db: &DatabaseConnection) -> AppResult<Table> {
    let queries = [
        "SELECT 'SUGGESTED', COUNT(*) FROM match_suggestions".to_string(),
        "SELECT 'CONTACTED', COUNT(*) FROM (SELECT DISTINCT need_id, achievement_id \
         FROM match_feedback WHERE kind = 'CONTACTED') AS contacted"
            .to_string(),
        format!("SELECT 'MEETING', COUNT(*) FROM event_meetings WHERE outcome IN {MET}"),
        format!("SELECT 'INTENTION', COUNT(*) FROM event_meetings WHERE outcome IN {INTENDED}"),
        "SELECT 'CONTRACT', COUNT(*) FROM event_meetings WHERE outcome = 'CONTRACT_SIGNED'"
            .to_string(),
    ];
    let mut rows = Vec::with_capacity(FUNNEL.len());
    for (stage, sql) in FUNNEL.iter().zip(queries) {
        rows.push(vec![stage.to_string(), count(db, &sql).await?.to_string()]);
    }
    Ok(Table {
        name: "match_funnel",
        title_zh: "对接转化漏斗",
        title_en: "Matching funnel",
        columns: vec!["stage", "count"],
        rows,
        available: true,
        note: None,
    })
}

/// Event meetings per recorded outcome.
pub async fn event_outcomes(db: &DatabaseConnection) -> AppResult<Table> {
    let rows = pairs(
        db,
        "SELECT outcome, COUNT(*) FROM event_meetings WHERE outcome IS NOT NULL \
         GROUP BY outcome ORDER BY outcome",
    )
    .await?;
    Ok(Table {
        name: "event_outcomes",
        title_zh: "对接活动洽谈结果",
        title_en: "Event meeting outcomes",
        columns: vec!["outcome", "meetings"],
        rows: rows
            .into_iter()
            .map(|(k, n)| vec![k, n.to_string()])
            .collect(),
        available: true,
        note: None,
    })
}
