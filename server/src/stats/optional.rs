//! Figures from domains that may not be installed in this hub (matching, events). Each reads
//! its table only after checking it exists, and otherwise answers an empty table marked
//! unavailable with the reason, so the statistics centre works on any hub.
//!
//! The tables read, by contract:
//! - `matches(need_id, …)`: one row per suggested match of a need (matching);
//! - `match_feedback(stage, …)`: one row per feedback step on a match, `stage` one of
//!   CONTACTED, MEETING, INTENTION, CONTRACT (matching);
//! - `meetings(outcome, …)`: one row per meeting of an event, `outcome` null until recorded
//!   (events).

use super::service::{pairs, Table};
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::BTreeMap;

/// The funnel's stages, in order.
pub const FUNNEL: [&str; 5] = ["SUGGESTED", "CONTACTED", "MEETING", "INTENTION", "CONTRACT"];

/// Whether `table` exists in the store.
pub async fn table_exists(db: &DatabaseConnection, table: &str) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
        _ => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    };
    let row = db
        .query_one(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    Ok(n > 0)
}

fn unavailable(mut t: Table, why: String) -> Table {
    t.available = false;
    t.note = Some(why);
    t
}

/// Runs `sql` when `table` exists; a missing table or a query the table's shape does not fit
/// makes the table unavailable with the reason instead of an error.
async fn read(
    db: &DatabaseConnection,
    table: &str,
    sql: &str,
    domain: &str,
) -> AppResult<Result<Vec<(String, i64)>, String>> {
    if !table_exists(db, table).await? {
        return Ok(Err(format!(
            "{domain}未启用:本平台没有 {table} 表 ({domain} is not installed: no {table} table)"
        )));
    }
    match pairs(db, sql).await {
        Ok(rows) => Ok(Ok(rows)),
        Err(e) => {
            tracing::warn!(table, error = %e.message(), "statistics query does not fit the table");
            Ok(Err(format!(
                "{table} 表的结构与统计约定不符 (the {table} table does not have the expected columns)"
            )))
        }
    }
}

/// Needs with at least one suggested match, over all needs.
pub async fn need_match_rate(db: &DatabaseConnection) -> AppResult<Table> {
    let t = Table {
        name: "need_match_rate",
        title_zh: "需求匹配率",
        title_en: "Needs with matches",
        columns: vec!["needs", "needs_with_matches", "match_rate"],
        rows: Vec::new(),
        available: true,
        note: None,
    };
    let matched = match read(
        db,
        "matches",
        "SELECT 'matched', COUNT(DISTINCT need_id) FROM matches",
        "智能匹配",
    )
    .await?
    {
        Ok(rows) => rows.first().map_or(0, |(_, n)| *n),
        Err(why) => return Ok(unavailable(t, why)),
    };
    let total = pairs(db, "SELECT 'needs', COUNT(*) FROM needs")
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    let rate = if total == 0 {
        0.0
    } else {
        matched as f64 / total as f64
    };
    let mut t = t;
    t.rows.push(vec![
        total.to_string(),
        matched.to_string(),
        format!("{rate:.4}"),
    ]);
    Ok(t)
}

/// Matches at each stage of suggested → contacted → meeting → intention → contract.
pub async fn match_funnel(db: &DatabaseConnection) -> AppResult<Table> {
    let t = Table {
        name: "match_funnel",
        title_zh: "对接转化漏斗",
        title_en: "Matching funnel",
        columns: vec!["stage", "count"],
        rows: Vec::new(),
        available: true,
        note: None,
    };
    let suggested = match read(
        db,
        "matches",
        "SELECT 'SUGGESTED', COUNT(*) FROM matches",
        "智能匹配",
    )
    .await?
    {
        Ok(rows) => rows.first().map_or(0, |(_, n)| *n),
        Err(why) => return Ok(unavailable(t, why)),
    };
    let stages: BTreeMap<String, i64> = match read(
        db,
        "match_feedback",
        "SELECT stage, COUNT(*) FROM match_feedback GROUP BY stage",
        "匹配反馈",
    )
    .await?
    {
        Ok(rows) => rows.into_iter().collect(),
        Err(why) => return Ok(unavailable(t, why)),
    };
    let mut t = t;
    for s in FUNNEL {
        let n = if s == "SUGGESTED" {
            suggested
        } else {
            stages.get(s).copied().unwrap_or(0)
        };
        t.rows.push(vec![s.to_string(), n.to_string()]);
    }
    Ok(t)
}

/// Event meetings per recorded outcome.
pub async fn event_outcomes(db: &DatabaseConnection) -> AppResult<Table> {
    let t = Table {
        name: "event_outcomes",
        title_zh: "对接活动洽谈结果",
        title_en: "Event meeting outcomes",
        columns: vec!["outcome", "meetings"],
        rows: Vec::new(),
        available: true,
        note: None,
    };
    match read(
        db,
        "meetings",
        "SELECT outcome, COUNT(*) FROM meetings WHERE outcome IS NOT NULL GROUP BY outcome ORDER BY outcome",
        "对接活动",
    )
    .await?
    {
        Ok(rows) => {
            let mut t = t;
            t.rows = rows
                .into_iter()
                .map(|(k, n)| vec![k, n.to_string()])
                .collect();
            Ok(t)
        }
        Err(why) => Ok(unavailable(t, why)),
    }
}
