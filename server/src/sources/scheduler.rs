//! The interval scheduler inside `serve`: every tick it harvests the enabled sources whose
//! interval has passed. Leases make it safe to run in every replica: a source another process
//! is harvesting is skipped.

use super::harvest::Harvester;
use crate::error::Code;
use chrono::Utc;
use std::time::Duration;

/// Runs forever (until the task is dropped), one harvest at a time.
pub async fn run(harvester: Harvester, tick: Duration) {
    let mut interval = tokio::time::interval(tick.max(Duration::from_secs(1)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let sources = match super::service::list(&harvester.db).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e.message(), "scheduler cannot list sources");
                continue;
            }
        };
        let now = Utc::now();
        for s in sources.into_iter().filter(|s| s.enabled) {
            let due = s
                .last_run_at
                .is_none_or(|t| (now - t).num_seconds() >= s.interval_secs);
            let leased = s.lease_expires_at.is_some_and(|t| t > now);
            if !due || leased {
                continue;
            }
            match harvester.run(&s.key, false).await {
                Ok(_) => {}
                Err(e) if e.code() == Code::Conflict => {
                    tracing::debug!(source.key = %s.key, "another process is harvesting");
                }
                Err(e) => {
                    tracing::warn!(source.key = %s.key, error = %e.message(), "scheduled harvest failed")
                }
            }
        }
    }
}
