//! GraphQL of the statistics centre: `stats { byType { columns rows csv } … table(name) }`.

use super::service::{self, Table};
use crate::auth::graphql::viewer;
use crate::auth::policy::{self, Action};
use crate::error::AppError;
use crate::search::Search;
use async_graphql::{Context, Object, Result};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// One statistics table.
pub struct StatsTable(pub Table);

#[Object]
impl StatsTable {
    /// Name, as in `GET /stats/{name}.csv`.
    async fn name(&self) -> &str {
        self.0.name
    }
    /// Chinese title.
    async fn title_zh(&self) -> &str {
        self.0.title_zh
    }
    /// English title.
    async fn title_en(&self) -> &str {
        self.0.title_en
    }
    /// False when this hub lacks the data (the note says why); rows are then empty.
    async fn available(&self) -> bool {
        self.0.available
    }
    /// Why unavailable, or how to read the table.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Column names.
    async fn columns(&self) -> Vec<&str> {
        self.0.columns.clone()
    }
    /// Rows, one text cell per column.
    async fn rows(&self) -> &Vec<Vec<String>> {
        &self.0.rows
    }
    /// The table as CSV (UTF-8, header row first).
    async fn csv(&self) -> Result<String> {
        Ok(self.0.to_csv().map_err(AppError::Internal)?)
    }
}

/// The statistics centre (platform admins).
pub struct Stats;

async fn get(ctx: &Context<'_>, name: &str) -> Result<StatsTable> {
    let db = ctx.data::<DatabaseConnection>()?;
    let search = ctx.data::<Arc<Search>>()?;
    if name.starts_with("page_views") {
        ctx.data::<crate::stats::views::ViewCounter>()?
            .flush(db)
            .await;
    }
    let t = service::table(db, search.collections(), name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("statistics table {name:?}")))?;
    Ok(StatsTable(t))
}

#[Object]
impl Stats {
    /// Published achievements per thematic collection.
    async fn by_collection(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "by_collection").await
    }
    /// Published achievements per type.
    async fn by_type(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "by_type").await
    }
    /// Published achievements per organisation.
    async fn by_organisation(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "by_organisation").await
    }
    /// Published achievements per region code.
    async fn by_region(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "by_region").await
    }
    /// Achievements published per month (UTC).
    async fn by_month(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "by_month").await
    }
    /// Needs per status.
    async fn needs(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "needs").await
    }
    /// Needs with at least one match (matching installed).
    async fn need_match_rate(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "need_match_rate").await
    }
    /// Suggested → contacted → meeting → intention → contract (matching installed).
    async fn match_funnel(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "match_funnel").await
    }
    /// Event meetings per outcome (events installed).
    async fn event_outcomes(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "event_outcomes").await
    }
    /// Each source's last success and staleness.
    async fn harvest_freshness(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "harvest_freshness").await
    }
    /// Most viewed achievements.
    async fn page_views(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "page_views").await
    }
    /// Page views per month.
    async fn page_views_by_month(&self, ctx: &Context<'_>) -> Result<StatsTable> {
        get(ctx, "page_views_by_month").await
    }
    /// Names of every table.
    async fn table_names(&self) -> Vec<&'static str> {
        service::TABLES.to_vec()
    }
    /// One table by name.
    async fn table(&self, ctx: &Context<'_>, name: String) -> Result<StatsTable> {
        if !service::TABLES.contains(&name.as_str()) {
            return Err(AppError::bad_input(
                "name",
                format!("unknown table; one of {}", service::TABLES.join(", ")),
            )
            .into());
        }
        get(ctx, &name).await
    }
}

/// Statistics queries.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// The statistics centre (platform admins).
    async fn stats(&self, ctx: &Context<'_>) -> Result<Stats> {
        policy::require(viewer(ctx), Action::ReadStats, 0)?;
        Ok(Stats)
    }
}
