//! Login attempt limits (ASVS V2.2.1): logins begun or finished from one client address, and
//! logins finished for one account, are counted per minute (GCRA buckets via `governor`, the
//! whole minute's budget as burst). Over the limit the login is refused with RATE_LIMITED and
//! `Retry-After`. The counts are per process: with several replicas each grants its own budget
//! (the OpenID provider, which checks the password, is the first line against guessing).

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// The two keyed budgets.
pub struct LoginLimits {
    by_address: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl std::fmt::Debug for LoginLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginLimits")
    }
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimits {
    /// Budgets of `per_address` and `per_account` attempts a minute.
    pub fn new(per_address: u32, per_account: u32) -> Self {
        Self {
            by_address: RateLimiter::keyed(quota(per_address)),
            by_account: RateLimiter::keyed(quota(per_account)),
            clock: DefaultClock::default(),
        }
    }

    fn take(&self, limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> AppResult<()> {
        // Forget idle keys now and then so a scan of addresses cannot grow the table forever.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }

    /// One attempt from the request's client address (no address: not counted).
    pub fn address(&self, addr: Option<&str>) -> AppResult<()> {
        match addr {
            Some(a) => self.take(&self.by_address, a),
            None => Ok(()),
        }
    }

    /// One finished login for `account` (the provider's issuer and subject).
    pub fn account(&self, account: &str) -> AppResult<()> {
        self.take(&self.by_account, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_and_account_has_its_own_budget() {
        let l = LoginLimits::new(3, 2);
        for _ in 0..3 {
            l.address(Some("10.0.0.1")).expect("within budget");
        }
        let e = l.address(Some("10.0.0.1")).expect_err("over");
        assert!(matches!(e, AppError::RateLimited { retry_after_secs } if retry_after_secs >= 1));
        l.address(Some("10.0.0.2")).expect("another address");
        l.account("iss|alice").expect("1");
        l.account("iss|alice").expect("2");
        assert!(l.account("iss|alice").is_err());
        l.account("iss|bob").expect("another account");
    }
}
