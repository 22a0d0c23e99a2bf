//! Attempt limits, in memory: sign-in per client address and per account
//! at one address, registration per address, requests per address. Each
//! is a GCRA (generic cell rate algorithm: a burst at once, then one more
//! every interval) kept as one theoretical arrival time per bucket.
//! Several instances behind a load balancer each count on their own, so
//! the effective limit scales with them.
//!
//! Keys are hashed (SipHash, with keys drawn at start-up) into a fixed table
//! of buckets, so memory stays bounded (512 KiB a limiter) whatever the
//! number of addresses or emails an attacker invents; an attacker cannot
//! aim a collision at a key they do not own.
//!
//! Ours rather than `governor`'s: a limit that counts only failures must
//! ask whether one more attempt would be allowed without spending it
//! (`check`), and the `RateLimit` headers need what is left; both are a
//! few lines on the arrival times, neither is in `governor`'s API.

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Buckets per limiter: the most keys it ever holds.
pub const BUCKETS: u32 = 1 << 16;

pub struct RateLimiter {
    /// Per bucket, the theoretical arrival time of its next attempt, in
    /// nanoseconds since `start`.
    arrivals: Box<[AtomicU64]>,
    /// Nanoseconds between two attempts once the burst is spent.
    interval: u64,
    /// How far ahead of now the arrival time may run: the burst.
    tolerance: u64,
    burst: u32,
    start: Instant,
    hasher: std::collections::hash_map::RandomState,
}

/// How long to wait before trying again, in whole seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// Where a key stands: attempts allowed at once from now, and seconds
/// until its whole burst is back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub remaining: u32,
    pub reset_secs: u64,
}

impl RateLimiter {
    /// At most `burst` attempts per key at once, one more every `period / burst`.
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = burst.max(1);
        let interval = (period.as_nanos() / u128::from(burst)).max(1) as u64;
        Self {
            arrivals: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            interval,
            tolerance: interval * u64::from(burst - 1),
            burst,
            start: Instant::now(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// The most attempts allowed at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The window in which `burst` attempts are allowed, in seconds.
    pub fn window_secs(&self) -> u64 {
        (self.interval * u64::from(self.burst)).div_ceil(1_000_000_000)
    }

    fn bucket(&self, key: &str) -> &AtomicU64 {
        let at = self.hasher.hash_one(key) % u64::from(BUCKETS);
        &self.arrivals[at as usize]
    }

    /// Nanoseconds since start; never 0, so that 0 means "never seen".
    fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64 + 1
    }

    fn refusal(&self, arrival: u64, now: u64) -> RetryAfter {
        let wait = arrival.saturating_sub(self.tolerance).saturating_sub(now);
        RetryAfter(wait.div_ceil(1_000_000_000).max(1))
    }

    /// Counts one attempt for `key`; refuses it past the limit.
    pub fn attempt(&self, key: &str) -> Result<Standing, RetryAfter> {
        let bucket = self.bucket(key);
        let now = self.now();
        let mut arrival = bucket.load(Ordering::Acquire);
        loop {
            if arrival.saturating_sub(now) > self.tolerance {
                return Err(self.refusal(arrival, now));
            }
            let next = arrival.max(now) + self.interval;
            match bucket.compare_exchange_weak(arrival, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(self.standing(next, now)),
                Err(seen) => arrival = seen,
            }
        }
    }

    /// Whether one more attempt for `key` would be allowed now, spending
    /// nothing.
    pub fn check(&self, key: &str) -> Result<Standing, RetryAfter> {
        let now = self.now();
        let arrival = self.bucket(key).load(Ordering::Acquire);
        if arrival.saturating_sub(now) > self.tolerance {
            return Err(self.refusal(arrival, now));
        }
        Ok(self.standing(arrival, now))
    }

    fn standing(&self, arrival: u64, now: u64) -> Standing {
        let ahead = arrival.saturating_sub(now);
        let used = ahead.div_ceil(self.interval);
        Standing {
            remaining: u32::try_from(u64::from(self.burst).saturating_sub(used)).unwrap_or(0),
            reset_secs: ahead.div_ceil(1_000_000_000),
        }
    }

    /// How many buckets hold state now.
    pub fn tracked_keys(&self) -> usize {
        let now = self.now();
        self.arrivals
            .iter()
            .filter(|a| a.load(Ordering::Relaxed) > now)
            .count()
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
    /// Failed attempts on one account from one address: a stranger
    /// guessing from elsewhere slows only themselves, never the owner, and
    /// an owner signing in again and again is never slowed by it.
    pub sign_in_failures_per_account: RateLimiter,
    pub registrations_per_address: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_address: RateLimiter::new(20, Duration::from_secs(60)),
            sign_in_failures_per_account: RateLimiter::new(10, Duration::from_secs(15 * 60)),
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
    fn a_check_spends_nothing_and_says_what_is_left() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..10 {
            assert_eq!(limiter.check("a").unwrap().remaining, 3);
        }
        assert_eq!(limiter.attempt("a").unwrap().remaining, 2);
        assert_eq!(limiter.check("a").unwrap().remaining, 2);
        limiter.attempt("a").unwrap();
        let last = limiter.attempt("a").unwrap();
        assert_eq!(last.remaining, 0);
        assert!((40..=60).contains(&last.reset_secs), "{last:?}");
        assert!(limiter.check("a").is_err());
        assert!(limiter.attempt("a").is_err());
        assert_eq!(limiter.window_secs(), 60);
    }

    #[test]
    fn one_more_comes_back_every_interval() {
        let limiter = RateLimiter::new(2, Duration::from_millis(200));
        limiter.attempt("a").unwrap();
        limiter.attempt("a").unwrap();
        assert!(limiter.attempt("a").is_err());
        std::thread::sleep(Duration::from_millis(110));
        assert!(limiter.attempt("a").is_ok());
        assert!(limiter.attempt("a").is_err());
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
