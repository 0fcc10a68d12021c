//! The link checker: a bounded reachability probe of each directory entry through the guarded
//! outbound client (HEAD, a timeout, capped redirects, no body read). CNIPA pages are never
//! fetched for content; per-patent templates are checked at their site's root. Every result
//! is kept as history and the entry's status follows the latest one.

use super::service::LinkStatus;
use super::template::UrlTemplate;
use crate::error::AppResult;
use crate::links::config::LinkCheckConfig;
use crate::outbound::{Outbound, ProbeFailure};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{link, link_check};

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum CheckOutcome {
    /// The site answered.
    Up,
    /// The site answered with an error status (404, 410, 5xx …).
    HttpError,
    /// No answer within `link_check.timeout_secs`.
    Timeout,
    /// More redirects than `outbound.max_redirects`.
    TooManyRedirects,
    /// The outbound guard refused a private or loopback address.
    Refused,
    /// DNS, connection or TLS failure, or an address that is not http(s).
    Unreachable,
}

impl CheckOutcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "UP",
            Self::HttpError => "HTTP_ERROR",
            Self::Timeout => "TIMEOUT",
            Self::TooManyRedirects => "TOO_MANY_REDIRECTS",
            Self::Refused => "REFUSED",
            Self::Unreachable => "UNREACHABLE",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Self {
        match s {
            "UP" => Self::Up,
            "HTTP_ERROR" => Self::HttpError,
            "TIMEOUT" => Self::Timeout,
            "TOO_MANY_REDIRECTS" => Self::TooManyRedirects,
            "REFUSED" => Self::Refused,
            _ => Self::Unreachable,
        }
    }
}

/// Whether an HTTP status means the site is there. Login walls and CNIPA's anti-bot firewall
/// answer robots with 401/403/412/429 while the page works in a browser: reachable, not broken.
pub fn reachable(status: u16) -> bool {
    status < 400 || matches!(status, 401 | 403 | 405 | 412 | 429)
}

/// One probe's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// What was found.
    pub outcome: CheckOutcome,
    /// Final HTTP status, when the site answered.
    pub http_status: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// The address requested.
    pub url: String,
}

/// Probes one address.
pub async fn probe(outbound: &Outbound, url: &str, timeout: Duration) -> Probe {
    let started = Instant::now();
    let result = outbound.probe(url, timeout).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (outcome, http_status, error) = match result {
        Ok(s) if reachable(s) => (CheckOutcome::Up, Some(s), None),
        Ok(s) => (
            CheckOutcome::HttpError,
            Some(s),
            Some(format!("HTTP status {s}")),
        ),
        Err((kind, message)) => (
            match kind {
                ProbeFailure::Timeout => CheckOutcome::Timeout,
                ProbeFailure::TooManyRedirects => CheckOutcome::TooManyRedirects,
                ProbeFailure::Refused => CheckOutcome::Refused,
                ProbeFailure::Unreachable | ProbeFailure::BadUrl => CheckOutcome::Unreachable,
            },
            None,
            Some(message),
        ),
    };
    Probe {
        outcome,
        http_status,
        error,
        duration_ms,
        url: url.to_string(),
    }
}

/// Checks one entry now, records the result and updates the entry's status.
pub async fn check_link(
    db: &DatabaseConnection,
    outbound: &Outbound,
    config: &LinkCheckConfig,
    l: &link::Model,
) -> AppResult<link::Model> {
    let target = UrlTemplate::parse(&l.url_template)
        .ok()
        .and_then(|t| t.check_target())
        .unwrap_or_else(|| l.url_template.clone());
    let p = probe(
        outbound,
        &target,
        Duration::from_secs(config.timeout_secs.max(1)),
    )
    .await;
    let now = Utc::now();
    link_check::ActiveModel {
        link_id: Set(l.id),
        checked_at: Set(now),
        outcome: Set(p.outcome.as_str().into()),
        http_status: Set(p.http_status.map(i64::from)),
        error: Set(p.error.clone()),
        duration_ms: Set(p.duration_ms),
        url: Set(p.url.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let failures = if p.outcome == CheckOutcome::Up {
        0
    } else {
        l.consecutive_failures + 1
    };
    let status = match p.outcome {
        CheckOutcome::Up => LinkStatus::Up,
        CheckOutcome::Refused => LinkStatus::Refused,
        _ if failures >= i64::from(config.failures_before_broken.max(1)) => LinkStatus::Broken,
        // Not yet enough failures in a row: keep what the entry was.
        _ => LinkStatus::parse(&l.status),
    };
    let mut m: link::ActiveModel = l.clone().into();
    m.status = Set(status.as_str().into());
    m.last_checked_at = Set(Some(now));
    if p.outcome == CheckOutcome::Up {
        m.last_ok_at = Set(Some(now));
    }
    m.last_http_status = Set(p.http_status.map(i64::from));
    m.last_error = Set(p.error);
    m.consecutive_failures = Set(failures);
    let saved = m.update(db).await?;
    prune(db, l.id, config.history).await?;
    if status != LinkStatus::Up {
        tracing::warn!(link.key = %l.key, link.url = %target, outcome = p.outcome.as_str(), "link check failed");
    }
    Ok(saved)
}

/// Keeps the newest `keep` checks of a link.
async fn prune(db: &DatabaseConnection, link_id: i64, keep: u32) -> AppResult<()> {
    let cutoff = link_check::Entity::find()
        .filter(link_check::Column::LinkId.eq(link_id))
        .order_by_desc(link_check::Column::Id)
        .offset(u64::from(keep.max(1)))
        .limit(1)
        .one(db)
        .await?;
    if let Some(c) = cutoff {
        link_check::Entity::delete_many()
            .filter(link_check::Column::LinkId.eq(link_id))
            .filter(link_check::Column::Id.lte(c.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Checks every enabled entry (`due_only`: those not checked within the interval). With
/// `due_only` each entry is first claimed (see [`claim_due`]), so of several replicas running
/// the scheduled checker only one checks a given link in a given interval.
pub async fn check_all(
    db: &DatabaseConnection,
    outbound: &Outbound,
    config: &LinkCheckConfig,
    due_only: bool,
) -> AppResult<Vec<link::Model>> {
    let now = Utc::now();
    let interval = i64::try_from(config.interval_secs).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for l in super::service::list(db, None, false).await? {
        if due_only {
            let due = l
                .last_checked_at
                .is_none_or(|t| (now - t).num_seconds() >= interval);
            if !due || !claim_due(db, &l).await? {
                continue;
            }
        }
        out.push(check_link(db, outbound, config, &l).await?);
    }
    Ok(out)
}

/// Claims a due link for this replica: one conditional UPDATE that stamps `last_checked_at`
/// only if it still holds the value this replica read. Of replicas racing for the same link
/// exactly one changes the row; the others see it checked for this interval. A replica that
/// dies after claiming leaves the link for the next interval.
pub async fn claim_due(db: &DatabaseConnection, l: &link::Model) -> AppResult<bool> {
    let seen = match l.last_checked_at {
        Some(t) => link::Column::LastCheckedAt.eq(t),
        None => link::Column::LastCheckedAt.is_null(),
    };
    let claimed = link::Entity::update_many()
        .col_expr(link::Column::LastCheckedAt, Expr::value(Utc::now()))
        .filter(link::Column::Id.eq(l.id))
        .filter(seen)
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// The scheduled checker inside `serve`: every minute, checks the entries that are due. The
/// first round waits a minute, so a (re)starting fleet does not burst requests at the sites.
pub async fn run(db: DatabaseConnection, outbound: Outbound, config: LinkCheckConfig) {
    let minute = Duration::from_secs(60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = check_all(&db, &outbound, &config, true).await {
            tracing::warn!(error = %e.message(), "link check round failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_walls_and_firewalls_are_reachable_but_missing_pages_are_not() {
        for s in [200, 204, 301, 302, 401, 403, 412, 429] {
            assert!(reachable(s), "{s}");
        }
        for s in [400, 404, 410, 500, 502, 503] {
            assert!(!reachable(s), "{s}");
        }
    }
}
