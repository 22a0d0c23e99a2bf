//! Who is calling, and how often: the client's address, and the limit on
//! requests per address that stands beside the sign-in limits.
//!
//! The address is the socket's, unless the socket is a proxy listed in
//! `GEF_TRUSTED_PROXIES`: then `X-Forwarded-For` is read from the right (the
//! nearest hop first), trusted proxies are skipped, and the first address
//! that is not one is the client. A header from anyone else is ignored, so a
//! client cannot pick the address it is counted under. The limits and the
//! access log use this address.

use std::net::IpAddr;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, ResponseError, web};
use ipnet::IpNet;

use crate::auth::rate_limit::{RateLimiter, RetryAfter, client_key};
use crate::error::ApiError;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`, given the `X-Forwarded-For` values sent;
    /// `None` when it cannot be told.
    ///
    /// Hops are read from the right, each an address with or without a
    /// port (`203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:443`). The
    /// first one that is not a trusted proxy is the client. A hop that
    /// does not parse (`unknown`, `nonsense`, an obfuscated RFC 7239 name)
    /// was written by someone untrusted, or names a client the proxy could
    /// not: the client is then unknown (`None`: counted apart from every
    /// known address, logged as `-`, never let in to `/metrics`), never
    /// the proxy itself nor an address further left, which that someone
    /// may have made up. An absent or empty header is the proxy's own
    /// request (a probe): the proxy is the client.
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        if hops.is_empty() {
            return Some(peer);
        }
        let mut leftmost = peer;
        for hop in hops.iter().rev() {
            let address = hop_address(hop)?;
            if !self.trusts(address) {
                return Some(address);
            }
            leftmost = address;
        }
        // Every hop a trusted proxy: the one furthest from us.
        Some(leftmost)
    }
}

/// The address of one `X-Forwarded-For` hop, with or without a port.
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse() {
        return Some(address);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    // `[2001:db8::1]` without a port.
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

/// The client's address as this deployment should see it.
pub fn client_address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(proxies) = req.app_data::<web::Data<TrustedProxies>>() else {
        return peer;
    };
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .collect();
    proxies.client(peer, &forwarded)
}

/// The limit on requests per client address (`GEF_RATE_LIMIT`), if any.
pub struct RequestLimit(pub Option<RateLimiter>);

impl RequestLimit {
    /// `per_second` requests a second per address, after a burst of twice that.
    pub fn per_second(per_second: Option<u32>) -> Self {
        Self(per_second.map(|n| RateLimiter::new(n.saturating_mul(2), Duration::from_secs(2))))
    }
}

/// Refuses a request past its address's limit with a 429 and `Retry-After`;
/// every answer says where its address stands, as the IETF draft
/// (draft-ietf-httpapi-ratelimit-headers) writes it:
/// `RateLimit-Policy: "requests";q=200;w=2` (the budget: requests per
/// window of seconds) and `RateLimit: "requests";r=37;t=1` (requests left,
/// seconds until the budget is whole). The health probes are never
/// counted, and are told where their address stands all the same.
pub async fn limit_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = req.app_data::<web::Data<RequestLimit>>().cloned();
    let Some(limiter) = limit.as_ref().and_then(|limit| limit.0.as_ref()) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = client_key(client_address(req.request()));
    let probe = req.path().starts_with("/health/");
    let standing = if probe {
        limiter.check(&key)
    } else {
        limiter.attempt(&key)
    };
    let (mut response, left, reset) = match standing {
        Err(RetryAfter(wait)) if probe => (next.call(req).await?.map_into_boxed_body(), 0, wait),
        Ok(standing) => (
            next.call(req).await?.map_into_boxed_body(),
            standing.remaining,
            standing.reset_secs,
        ),
        Err(RetryAfter(retry_after_secs)) => {
            let response = ApiError::TooManyRequests { retry_after_secs }.error_response();
            (req.into_response(response), 0, retry_after_secs)
        }
    };
    tell_standing(response.headers_mut(), limiter, left, reset);
    Ok(response)
}

/// The `RateLimit-Policy` and `RateLimit` headers of `left` requests,
/// whole again in `reset` seconds.
fn tell_standing(headers: &mut HeaderMap, limiter: &RateLimiter, left: u32, reset: u64) {
    let policy = format!(
        "\"requests\";q={};w={}",
        limiter.burst(),
        limiter.window_secs()
    );
    let now = format!("\"requests\";r={left};t={reset}");
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", now)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies(nets.iter().map(|n| n.parse().unwrap()).collect())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
        let lb = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["198.51.100.1"]),
            ip("198.51.100.1")
        );
        // A client behind the load balancer cannot pick its own address.
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["1.1.1.1, 198.51.100.1"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["198.51.100.1", "10.9.9.9"]),
            ip("198.51.100.1")
        );
        // No header: the proxy's own request.
        assert_eq!(lb.client(ip("10.1.2.3"), &[]), ip("10.1.2.3"));
        assert_eq!(lb.client(ip("10.1.2.3"), &[""]), ip("10.1.2.3"));
        // A hop that does not parse is an unknown client, never the proxy
        // nor an address left of it.
        for unknown in [
            "nonsense",
            "unknown",
            "203.0.113.7, nonsense",
            "_hidden",
            "10.9.9.9, garbage",
        ] {
            assert_eq!(lb.client(ip("10.1.2.3"), &[unknown]), None, "{unknown}");
        }
        // The nearest untrusted hop is the client, whatever is left of it.
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["nonsense, 203.0.113.7"]),
            ip("203.0.113.7")
        );
        // Ports are read past.
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["203.0.113.7:4711"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["[2001:db8::1]:443, 10.0.0.2:80"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["[2001:db8::1]"]),
            ip("2001:db8::1")
        );
        // Every hop trusted: the furthest.
        assert_eq!(
            lb.client(ip("10.1.2.3"), &["10.0.0.7, 10.0.0.8"]),
            ip("10.0.0.7")
        );
        // IPv4 peers seen as IPv6-mapped still match an IPv4 network.
        assert_eq!(
            lb.client(ip("::ffff:10.1.2.3"), &["2001:db8::1"]),
            ip("2001:db8::1")
        );
    }
}
