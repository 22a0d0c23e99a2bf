//! Access tokens: HS256 JWTs with `sub`, `role`, `iat`, `nbf`, `exp`, `iss`,
//! `aud`, `jti`, and `epoch`, the account's `tokens_valid_after` when the
//! token was issued. Validation is strict: the algorithm is pinned and every
//! registered claim is required and checked.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "gef-commitments";
pub const AUDIENCE: &str = "gef-commitments-api";
/// Lifetime of a token from `POST /auth/token`.
pub const DEFAULT_TTL: Duration = Duration::hours(1);
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// The role when the token was issued; a token of another role is refused.
    pub role: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// Unique token id.
    pub jti: String,
    /// The account's `tokens_valid_after`, in microseconds since the epoch, at
    /// issue; when an admin changes the account this moves and the token dies.
    pub epoch: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["sub", "iat", "nbf", "exp", "iss", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A token for this account, valid from `now` for `ttl`.
    pub fn issue(
        &self,
        user_id: &str,
        role: &str,
        tokens_valid_after: DateTime<Utc>,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id.to_owned(),
            role: role.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ttl).timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: uuid::Uuid::new_v4().to_string(),
            epoch: tokens_valid_after.timestamp_micros(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a genuine, current token.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|t| t.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_round_trips_and_other_keys_are_refused() {
        let keys = JwtKeys::new(SECRET);
        let now = Utc::now();
        let token = keys.issue("u1", "admin", now, now, DEFAULT_TTL).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.role.as_str()), ("u1", "admin"));
        assert_eq!(claims.exp - claims.iat, 3600);
        assert_eq!(claims.epoch, now.timestamp_micros());
        assert!(
            JwtKeys::new(b"another secret of thirty-two bytes!")
                .verify(&token)
                .is_err()
        );
    }

    #[test]
    fn expired_and_future_tokens_are_refused() {
        let keys = JwtKeys::new(SECRET);
        let now = Utc::now();
        let expired = keys
            .issue("u", "viewer", now, now - Duration::hours(2), DEFAULT_TTL)
            .unwrap();
        assert!(keys.verify(&expired).is_err());
        let future = keys
            .issue("u", "viewer", now, now + Duration::hours(1), DEFAULT_TTL)
            .unwrap();
        assert!(keys.verify(&future).is_err());
    }
}
