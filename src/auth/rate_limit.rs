//! Attempt limits, in memory, on `governor`'s keyed GCRA limiters: sign-in
//! per client address and per account at one address, registration per
//! address. Several instances behind a load balancer each count on their
//! own, so the effective limit scales with them.
//!
//! Keys are hashed (SipHash, with keys drawn at start-up) into a fixed table
//! of buckets, so memory stays bounded whatever the number of addresses or
//! emails an attacker invents; an attacker cannot aim a collision at a key
//! they do not own. Stale buckets are dropped every few thousand attempts.

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Buckets per limiter: the most keys it ever holds.
pub const BUCKETS: u32 = 1 << 16;
/// Attempts between two sweeps of stale buckets.
const SWEEP_EVERY: u64 = 4096;

pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<u32>,
    hasher: std::collections::hash_map::RandomState,
    attempts: AtomicU64,
}

/// How long to wait before trying again, in whole seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RateLimiter {
    /// At most `burst` attempts per key at once, one more every `period / burst`.
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period / burst.get())
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            hasher: std::collections::hash_map::RandomState::new(),
            attempts: AtomicU64::new(0),
        }
    }

    /// Counts one attempt for `key`; refuses it past the limit.
    pub fn attempt(&self, key: &str) -> Result<(), RetryAfter> {
        if self.attempts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        let bucket = (self.hasher.hash_one(key) % u64::from(BUCKETS)) as u32;
        self.limiter.check_key(&bucket).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            RetryAfter(wait.as_secs_f64().ceil().max(1.0) as u64)
        })
    }

    /// How many buckets hold state now.
    pub fn tracked_keys(&self) -> usize {
        self.limiter.len()
    }
}

/// The key a client is counted under: its IPv4 address, or the /64 network
/// of its IPv6 address (one subscriber's allocation); the address is the
/// socket's, or the one a trusted proxy names (`routes::http::client`).
pub fn client_key(address: Option<IpAddr>) -> String {
    match address.map(|a| a.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => String::new(),
    }
}

/// The limits the service applies.
pub struct Limits {
    /// Every sign-in attempt from one address.
    pub sign_in_per_address: RateLimiter,
    /// Attempts on one account from one address: a stranger guessing from
    /// elsewhere slows only themselves, never the owner.
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

impl Limits {
    /// The per-account key: the account at this client.
    pub fn account_key(email: &str, client: &str) -> String {
        format!("{email}\u{0}{client}")
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    #[test]
    fn a_key_is_refused_past_its_burst_and_others_are_not() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.attempt("a").is_ok());
        }
        let RetryAfter(wait) = limiter.attempt("a").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.attempt("b").is_ok(), "keys are counted apart");
    }

    #[test]
    fn memory_is_bounded_whatever_the_number_of_keys() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        for i in 0..300_000 {
            let _ = limiter.attempt(&format!("attacker-{i}@example.org"));
        }
        assert!(
            limiter.tracked_keys() <= BUCKETS as usize,
            "{}",
            limiter.tracked_keys()
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_ne!(client_key(Some(a)), client_key(Some(c)));
        assert_eq!(client_key(Some(a)), "2001:db8:1:2::/64");
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped());
        assert_eq!(client_key(Some(mapped)), "192.0.2.7");
        assert_ne!(
            client_key(Some(IpAddr::V4(Ipv4Addr::LOCALHOST))),
            client_key(Some(IpAddr::V6(Ipv6Addr::LOCALHOST)))
        );
    }
}
