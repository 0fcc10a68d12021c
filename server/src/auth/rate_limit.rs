//! Per-key rate limits for bearer tokens and API keys, in process (GCRA via `governor`). Each
//! key gets its own bucket sized by its `rate_limit_per_minute` (or the configured default); a
//! key over its budget gets 429 / RATE_LIMITED with the seconds to wait. Limits shared across
//! replicas belong to the deployment issue.

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// The buckets of every key seen by this process.
pub struct KeyLimits {
    default_per_minute: u32,
    clock: DefaultClock,
    buckets: Mutex<HashMap<i64, (u32, Arc<DefaultDirectRateLimiter>)>>,
}

impl KeyLimits {
    /// Buckets sized `default_per_minute` unless a key says otherwise.
    pub fn new(default_per_minute: u32) -> Self {
        Self {
            default_per_minute,
            clock: DefaultClock::default(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `token_id`'s bucket, or says how long to wait.
    pub fn check(&self, token_id: i64, per_minute: Option<i32>) -> AppResult<()> {
        let rate = per_minute
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(self.default_per_minute)
            .max(1);
        let limiter = {
            let mut buckets = self
                .buckets
                .lock()
                .map_err(|_| AppError::Internal("rate limit table poisoned".into()))?;
            let entry = buckets
                .entry(token_id)
                .or_insert_with(|| (rate, bucket(rate)));
            if entry.0 != rate {
                *entry = (rate, bucket(rate));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

fn bucket(per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct(Quota::per_minute(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_beyond_the_budget_is_refused_with_a_wait() {
        let limits = KeyLimits::new(600);
        for _ in 0..3 {
            limits.check(7, Some(3)).expect("within budget");
        }
        match limits.check(7, Some(3)) {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
        // Another key has its own bucket.
        limits.check(8, Some(3)).expect("other key");
    }
}
