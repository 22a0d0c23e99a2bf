//! Fixed-window attempt counters, in memory: sign-in per client address and
//! per account, registration per address. Several instances behind a load
//! balancer each count on their own, so the effective limit scales with them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// How long to wait before trying again, in whole seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RateLimiter {
    /// At most `limit` attempts per key in each `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt for `key`; refuses it past the limit.
    pub fn attempt(&self, key: &str) -> Result<(), RetryAfter> {
        self.attempt_at(key, Instant::now())
    }

    fn attempt_at(&self, key: &str, now: Instant) -> Result<(), RetryAfter> {
        // A poisoned lock only means a panic elsewhere; the counts are still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let (start, count) = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        if *count >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(*start));
            return Err(RetryAfter(left.as_secs_f64().ceil().max(1.0) as u64));
        }
        *count += 1;
        Ok(())
    }
}

/// The key a client is counted under: its address as seen on the socket
/// (behind a proxy, the proxy's).
pub fn client_key(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// The limits the service applies.
pub struct Limits {
    pub sign_in_per_address: RateLimiter,
    pub sign_in_per_account: RateLimiter,
    pub registrations_per_address: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_address: RateLimiter::new(20, Duration::from_secs(60)),
            sign_in_per_account: RateLimiter::new(10, Duration::from_secs(15 * 60)),
            registrations_per_address: RateLimiter::new(30, Duration::from_secs(60 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_past_its_limit_until_the_window_ends() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limiter.attempt_at("a", t0).is_ok());
        assert!(limiter.attempt_at("a", t0).is_ok());
        assert_eq!(
            limiter.attempt_at("a", t0 + Duration::from_secs(15)),
            Err(RetryAfter(45))
        );
        assert!(
            limiter.attempt_at("b", t0).is_ok(),
            "keys are counted apart"
        );
        assert!(
            limiter
                .attempt_at("a", t0 + Duration::from_secs(60))
                .is_ok()
        );
    }
}
