//! The interval scheduler inside `serve`: every tick it harvests the enabled sources whose
//! interval has passed (or whose harvesting process died, once its lease expired). It is safe in
//! every replica: a source is taken with one conditional UPDATE that checks it is due and free
//! and takes the lease in the same statement (`Harvester::claim_due`), so each source is
//! harvested once per interval however many replicas tick.

use super::harvest::Harvester;
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
        for s in sources.into_iter().filter(|s| s.enabled) {
            // A cheap look first; the claim below decides.
            let now = Utc::now();
            let leased = s.lease_expires_at.is_some_and(|t| t > now);
            let stale = s.lease_owner.is_some() && !leased;
            let due = s
                .last_run_at
                .is_none_or(|t| (now - t).num_seconds() >= s.interval_secs);
            if leased || !(due || stale) {
                continue;
            }
            let lease = match harvester.claim_due(&s).await {
                Ok(Some(l)) => l,
                Ok(None) => {
                    tracing::debug!(source.key = %s.key, "another replica took the source");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(source.key = %s.key, error = %e.message(), "cannot claim source");
                    continue;
                }
            };
            if let Err(e) = harvester.drive(lease).await {
                tracing::warn!(source.key = %s.key, error = %e.message(), "scheduled harvest failed");
            }
        }
    }
}
