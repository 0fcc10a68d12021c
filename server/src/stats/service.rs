//! The statistics centre: every figure is a table (named columns, rows of text) so the same
//! value serves GraphQL and the CSV export. Achievement figures count the public catalog
//! (PUBLISHED records). Matching and events figures are in [`super::engagement`].

use crate::error::AppResult;
use crate::search::collections::memberships;
use crate::search::config::CollectionConfig;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use std::collections::BTreeMap;
use transferhub_schema::entity::{achievement, harvest_run, organisation, source};
use transferhub_schema::enums::{AchievementStatus, AchievementType};

/// One statistics table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Name used in `GET /stats/{name}.csv` and `stats { table(name) }`.
    pub name: &'static str,
    /// Chinese title.
    pub title_zh: &'static str,
    /// English title.
    pub title_en: &'static str,
    /// Column names (ASCII, stable).
    pub columns: Vec<&'static str>,
    /// Rows, one text cell per column.
    pub rows: Vec<Vec<String>>,
    /// False when the data it needs is not in this hub (e.g. matching not installed).
    pub available: bool,
    /// Why it is unavailable, or how to read it.
    pub note: Option<String>,
}

impl Table {
    fn new(
        name: &'static str,
        title_zh: &'static str,
        title_en: &'static str,
        columns: Vec<&'static str>,
    ) -> Self {
        Self {
            name,
            title_zh,
            title_en,
            columns,
            rows: Vec::new(),
            available: true,
            note: None,
        }
    }

    /// The table as CSV (header row of column names, UTF-8).
    pub fn to_csv(&self) -> Result<String, String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).map_err(|e| e.to_string())?;
        for r in &self.rows {
            w.write_record(r).map_err(|e| e.to_string())?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

/// Every table name, in display order.
pub const TABLES: [&str; 12] = [
    "by_collection",
    "by_type",
    "by_organisation",
    "by_region",
    "by_month",
    "needs",
    "need_match_rate",
    "match_funnel",
    "event_outcomes",
    "harvest_freshness",
    "page_views",
    "page_views_by_month",
];

/// Computes the table `name`; `None` for an unknown name.
pub async fn table(
    db: &DatabaseConnection,
    collections: &[CollectionConfig],
    name: &str,
) -> AppResult<Option<Table>> {
    Ok(Some(match name {
        "by_collection" => by_collection(db, collections).await?,
        "by_type" => by_type(db).await?,
        "by_organisation" => by_organisation(db).await?,
        "by_region" => by_region(db).await?,
        "by_month" => by_month(db).await?,
        "needs" => needs(db).await?,
        "need_match_rate" => super::engagement::need_match_rate(db).await?,
        "match_funnel" => super::engagement::match_funnel(db).await?,
        "event_outcomes" => super::engagement::event_outcomes(db).await?,
        "harvest_freshness" => harvest_freshness(db, Utc::now()).await?,
        "page_views" => page_views(db).await?,
        "page_views_by_month" => page_views_by_month(db).await?,
        _ => return Ok(None),
    }))
}

/// Runs a query without parameters and reads `(text, count)` rows.
pub(crate) async fn pairs(db: &DatabaseConnection, sql: &str) -> AppResult<Vec<(String, i64)>> {
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let k: Option<String> = r.try_get_by_index(0)?;
        let n: i64 = r.try_get_by_index(1)?;
        out.push((k.unwrap_or_default(), n));
    }
    Ok(out)
}

const PUBLISHED: &str = "status = 'PUBLISHED'";

/// Published achievements per thematic collection (a record may sit in several).
pub async fn by_collection(
    db: &DatabaseConnection,
    collections: &[CollectionConfig],
) -> AppResult<Table> {
    let mut t = Table::new(
        "by_collection",
        "专题数据库成果数",
        "Achievements by thematic collection",
        vec!["collection", "name_zh", "achievements"],
    );
    let rows: Vec<(Option<String>, String, String, String)> = achievement::Entity::find()
        .select_only()
        .column(achievement::Column::IndustryCode)
        .column(achievement::Column::IpcCodes)
        .column(achievement::Column::Title)
        .column(achievement::Column::Keywords)
        .filter(achievement::Column::Status.eq(AchievementStatus::Published))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for (industry, ipc, title, keywords) in rows {
        let ipc: Vec<String> = serde_json::from_str(&ipc).unwrap_or_default();
        let keywords: Vec<String> = serde_json::from_str(&keywords).unwrap_or_default();
        for k in memberships(collections, industry.as_deref(), &ipc, &title, &keywords) {
            *counts.entry(k).or_default() += 1;
        }
    }
    for c in collections {
        t.rows.push(vec![
            c.key.clone(),
            c.name_zh.clone(),
            counts.get(&c.key).copied().unwrap_or(0).to_string(),
        ]);
    }
    t.note = Some("一项成果可属于多个专题 (a record may belong to several collections)".into());
    Ok(t)
}

/// Published achievements per type.
pub async fn by_type(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "by_type",
        "成果类型",
        "Achievements by type",
        vec!["type", "label_zh", "achievements"],
    );
    let counts: BTreeMap<String, i64> = pairs(
        db,
        &format!(
            "SELECT achievement_type, COUNT(*) FROM achievements WHERE {PUBLISHED} GROUP BY achievement_type"
        ),
    )
    .await?
    .into_iter()
    .collect();
    use sea_orm::{ActiveEnum, Iterable};
    for ty in AchievementType::iter() {
        let code = ty.to_value();
        t.rows.push(vec![
            code.clone(),
            ty.label_zh().to_string(),
            counts.get(&code).copied().unwrap_or(0).to_string(),
        ]);
    }
    Ok(t)
}

/// Published achievements per organisation (organisations with at least one).
pub async fn by_organisation(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "by_organisation",
        "完成单位成果数",
        "Achievements by organisation",
        vec!["organisation", "name_zh", "achievements"],
    );
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT o.key, o.name_zh, COUNT(a.id) FROM organisations o \
             JOIN achievements a ON a.organisation_id = o.id AND a.status = 'PUBLISHED' \
             GROUP BY o.key, o.name_zh ORDER BY COUNT(a.id) DESC, o.key",
        ))
        .await?;
    for r in rows {
        let key: String = r.try_get_by_index(0)?;
        let name: String = r.try_get_by_index(1)?;
        let n: i64 = r.try_get_by_index(2)?;
        t.rows.push(vec![key, name, n.to_string()]);
    }
    Ok(t)
}

/// Published achievements per GB/T 2260 region code (empty: not given).
pub async fn by_region(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "by_region",
        "地区成果数",
        "Achievements by region",
        vec!["region_code", "achievements"],
    );
    let mut rows = pairs(
        db,
        &format!(
            "SELECT region_code, COUNT(*) FROM achievements WHERE {PUBLISHED} GROUP BY region_code"
        ),
    )
    .await?;
    rows.sort();
    t.rows = rows
        .into_iter()
        .map(|(k, n)| vec![k, n.to_string()])
        .collect();
    Ok(t)
}

/// The SQL for a timestamp column's `YYYY-MM` in UTC on this backend.
pub(crate) fn month_of(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"),
        _ => format!("substr({column}, 1, 7)"),
    }
}

/// Achievements published per month (UTC, by first publication).
pub async fn by_month(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "by_month",
        "每月发布成果数",
        "Achievements published per month",
        vec!["month", "published"],
    );
    let m = month_of(db.get_database_backend(), "published_at");
    let rows = pairs(
        db,
        &format!(
            "SELECT {m}, COUNT(*) FROM achievements WHERE {PUBLISHED} AND published_at IS NOT NULL \
             GROUP BY {m} ORDER BY {m}"
        ),
    )
    .await?;
    t.rows = rows
        .into_iter()
        .map(|(k, n)| vec![k, n.to_string()])
        .collect();
    Ok(t)
}

/// Needs per status.
pub async fn needs(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "needs",
        "技术需求",
        "Technology needs by status",
        vec!["status", "needs"],
    );
    let counts: BTreeMap<String, i64> =
        pairs(db, "SELECT status, COUNT(*) FROM needs GROUP BY status")
            .await?
            .into_iter()
            .collect();
    for s in ["OPEN", "CLOSED"] {
        t.rows.push(vec![
            s.into(),
            counts.get(s).copied().unwrap_or(0).to_string(),
        ]);
    }
    Ok(t)
}

/// Each source's harvest freshness; a source is stale when it never succeeded or its last
/// success is older than twice its interval.
pub async fn harvest_freshness(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<Table> {
    let mut t = Table::new(
        "harvest_freshness",
        "数据源更新情况",
        "Harvest freshness by source",
        vec![
            "source",
            "organisation",
            "last_success_at",
            "hours_since_success",
            "last_run_status",
            "stale",
        ],
    );
    let sources = source::Entity::find()
        .order_by_asc(source::Column::Key)
        .all(db)
        .await?;
    let orgs: BTreeMap<i64, String> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Key)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for s in sources {
        let last = harvest_run::Entity::find()
            .filter(harvest_run::Column::SourceId.eq(s.id))
            .order_by_desc(harvest_run::Column::Id)
            .one(db)
            .await?;
        let (stale, hours) = freshness(&s, now);
        t.rows.push(vec![
            s.key.clone(),
            orgs.get(&s.organisation_id).cloned().unwrap_or_default(),
            s.last_success_at
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            hours.map(|h| h.to_string()).unwrap_or_default(),
            last.map(|r| r.status).unwrap_or_else(|| "NEVER".into()),
            stale.to_string(),
        ]);
    }
    Ok(t)
}

/// Whether a source is stale at `now`, and the whole hours since its last success.
pub fn freshness(s: &source::Model, now: DateTime<Utc>) -> (bool, Option<i64>) {
    match s.last_success_at {
        None => (true, None),
        Some(t) => {
            let age = (now - t).num_seconds();
            (age > 2 * s.interval_secs.max(1), Some(age / 3600))
        }
    }
}

/// Page views per achievement, most viewed first (top 100).
pub async fn page_views(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "page_views",
        "成果浏览量",
        "Achievement page views",
        vec!["achievement_id", "title", "views"],
    );
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT v.achievement_id, a.title, CAST(SUM(v.views) AS BIGINT) FROM achievement_views v \
             JOIN achievements a ON a.id = v.achievement_id \
             GROUP BY v.achievement_id, a.title ORDER BY SUM(v.views) DESC, v.achievement_id LIMIT 100",
        ))
        .await?;
    for r in rows {
        let id: i64 = r.try_get_by_index(0)?;
        let title: String = r.try_get_by_index(1)?;
        let n: i64 = r.try_get_by_index(2)?;
        t.rows.push(vec![
            crate::relay::encode_id("Achievement", id).0,
            title,
            n.to_string(),
        ]);
    }
    t.note =
        Some("按日计数,不记录任何个人信息 (daily counters; nothing personal is stored)".into());
    Ok(t)
}

/// Page views per month.
pub async fn page_views_by_month(db: &DatabaseConnection) -> AppResult<Table> {
    let mut t = Table::new(
        "page_views_by_month",
        "每月成果浏览量",
        "Achievement page views per month",
        vec!["month", "views"],
    );
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT substr(day, 1, 7), CAST(SUM(views) AS BIGINT) FROM achievement_views \
             GROUP BY substr(day, 1, 7) ORDER BY substr(day, 1, 7)",
        ))
        .await?;
    for r in rows {
        let m: String = r.try_get_by_index(0)?;
        let n: i64 = r.try_get_by_index(1)?;
        t.rows.push(vec![m, n.to_string()]);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_keeps_chinese() {
        let mut t = Table::new("x", "测试", "test", vec!["k", "v"]);
        t.rows.push(vec!["内蒙古大学, 呼和浩特".into(), "3".into()]);
        t.rows.push(vec!["say \"hi\"".into(), "1".into()]);
        assert_eq!(
            t.to_csv().expect("csv"),
            "k,v\n\"内蒙古大学, 呼和浩特\",3\n\"say \"\"hi\"\"\",1\n"
        );
    }
}
