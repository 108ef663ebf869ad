//! Access tokens (HS256 JWT with issuer and audience, 15 min), 2FA challenge tokens (5 min, their own
//! audience), and opaque refresh tokens stored only as keyed hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::AuthSettings;
use crate::AppError;

pub const ISSUER: &str = "vendhub";
pub const ACCESS_AUDIENCE: &str = "vendhub-api";
pub const CHALLENGE_AUDIENCE: &str = "vendhub-2fa";
const CHALLENGE_TTL_SECS: u64 = 300;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: String,
    pub org: String,
    pub role: String,
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeClaims {
    pub sub: String,
    pub org: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

/// Seconds since the epoch of a time of the app's clock (`App::now`), as the `iat`/`exp` claims count.
fn secs(at: NaiveDateTime) -> u64 {
    u64::try_from(at.and_utc().timestamp()).unwrap_or(0)
}

/// How far a token's `exp` may lie behind the clock and still count (clock skew between replicas).
const LEEWAY_SECS: u64 = 5;

/// The claims whose `exp` [`verify`] checks against the app's clock.
trait Expiring {
    fn exp(&self) -> u64;
}

impl Expiring for AccessClaims {
    fn exp(&self) -> u64 {
        self.exp
    }
}

impl Expiring for ChallengeClaims {
    fn exp(&self) -> u64 {
        self.exp
    }
}

fn sign<T: Serialize>(claims: &T, secret: &str) -> Result<String, AppError> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(AppError::internal)
}

/// Verifies with the current secret, then the previous one; only HS256, with issuer and audience, and an
/// expiry checked against `now`, the app's clock (not jsonwebtoken's reading of the system time, so that
/// a test's `ManualClock` moves tokens past their expiry).
fn verify<T: for<'de> Deserialize<'de> + Expiring>(
    token: &str,
    audience: &str,
    s: &AuthSettings,
    now: NaiveDateTime,
) -> Result<T, AppError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[audience]);
    v.validate_exp = false;
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let keys = std::iter::once(&s.jwt_secret).chain(s.jwt_secret_previous.as_ref());
    for key in keys {
        if let Ok(data) = jsonwebtoken::decode::<T>(token, &DecodingKey::from_secret(key.as_bytes()), &v) {
            if data.claims.exp().saturating_add(LEEWAY_SECS) < secs(now) {
                return Err(AppError::Unauthorized);
            }
            return Ok(data.claims);
        }
    }
    Err(AppError::Unauthorized)
}

pub fn issue_access(
    s: &AuthSettings,
    now: NaiveDateTime,
    user: &str,
    org: &str,
    role: &str,
    session: &str,
) -> Result<String, AppError> {
    let iat = secs(now);
    sign(
        &AccessClaims {
            sub: user.into(),
            org: org.into(),
            role: role.into(),
            sid: session.into(),
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
            iat,
            exp: iat + s.access_ttl.as_secs(),
        },
        &s.jwt_secret,
    )
}

pub fn verify_access(s: &AuthSettings, token: &str, now: NaiveDateTime) -> Result<AccessClaims, AppError> {
    verify(token, ACCESS_AUDIENCE, s, now)
}

pub fn issue_challenge(
    s: &AuthSettings,
    now: NaiveDateTime,
    user: &str,
    org: &str,
) -> Result<String, AppError> {
    let iat = secs(now);
    sign(
        &ChallengeClaims {
            sub: user.into(),
            org: org.into(),
            iss: ISSUER.into(),
            aud: CHALLENGE_AUDIENCE.into(),
            iat,
            exp: iat + CHALLENGE_TTL_SECS,
        },
        &s.jwt_secret,
    )
}

pub fn verify_challenge(
    s: &AuthSettings,
    token: &str,
    now: NaiveDateTime,
) -> Result<ChallengeClaims, AppError> {
    verify(token, CHALLENGE_AUDIENCE, s, now)
}

/// A new opaque refresh token (256 random bits).
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("vhr_{}", B64.encode(bytes))
}

/// HMAC-SHA256 of a refresh token (or backup code) under the refresh secret, hex.
pub fn keyed_hash(s: &AuthSettings, token: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(s.refresh_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }

    #[test]
    fn an_access_token_verifies_and_a_tampered_one_does_not() {
        let s = AuthSettings::random();
        let t = issue_access(&s, now(), "u", "o", "owner", "s").unwrap();
        let c = verify_access(&s, &t, now()).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.role.as_str(), c.aud.as_str()),
            ("u", "owner", ACCESS_AUDIENCE)
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(br#"{"sub":"u","org":"o","role":"owner","sid":"s","iss":"vendhub","aud":"vendhub-api","iat":1,"exp":9999999999}"#);
        parts[1] = &forged;
        assert!(verify_access(&s, &parts.join("."), now()).is_err());
    }

    #[test]
    fn alg_none_and_foreign_keys_are_refused() {
        let s = AuthSettings::random();
        let header = B64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = B64.encode(br#"{"sub":"u","org":"o","role":"owner","sid":"s","iss":"vendhub","aud":"vendhub-api","iat":1,"exp":9999999999}"#);
        assert!(verify_access(&s, &format!("{header}.{body}."), now()).is_err());
        let other = AuthSettings::random();
        let t = issue_access(&other, now(), "u", "o", "owner", "s").unwrap();
        assert!(verify_access(&s, &t, now()).is_err());
        // Signed with the refresh secret: refused.
        let t = sign(&verify_access(&other, &t, now()).unwrap(), &s.refresh_secret).unwrap();
        assert!(verify_access(&s, &t, now()).is_err());
    }

    #[test]
    fn a_token_expires_by_the_clock_it_is_checked_with() {
        let s = AuthSettings::random();
        let issued = now();
        let ttl = chrono::Duration::from_std(s.access_ttl).unwrap();
        let t = issue_access(&s, issued, "u", "o", "owner", "s").unwrap();
        assert!(verify_access(&s, &t, issued + ttl).is_ok(), "valid until its exp");
        let leeway = chrono::Duration::seconds(i64::try_from(LEEWAY_SECS).unwrap());
        assert!(
            verify_access(&s, &t, issued + ttl + leeway).is_ok(),
            "within the leeway"
        );
        let later = issued + ttl + leeway + chrono::Duration::seconds(1);
        assert!(
            verify_access(&s, &t, later).is_err(),
            "refused once past exp and leeway"
        );
        let c = issue_challenge(&s, issued, "u", "o").unwrap();
        let challenge_ttl =
            chrono::Duration::seconds(i64::try_from(CHALLENGE_TTL_SECS + LEEWAY_SECS + 1).unwrap());
        assert!(verify_challenge(&s, &c, issued + challenge_ttl).is_err());
    }

    #[test]
    fn a_token_of_another_issuer_is_refused() {
        let s = AuthSettings::random();
        let at = now();
        let claims = AccessClaims {
            sub: "u".into(),
            org: "o".into(),
            role: "owner".into(),
            sid: "s".into(),
            iss: "someone-else".into(),
            aud: ACCESS_AUDIENCE.into(),
            iat: secs(at),
            exp: secs(at) + 600,
        };
        assert!(verify_access(&s, &sign(&claims, &s.jwt_secret).unwrap(), at).is_err());
    }

    #[test]
    fn the_previous_secret_still_verifies_during_rotation() {
        let old = AuthSettings::random();
        let t = issue_access(&old, now(), "u", "o", "owner", "s").unwrap();
        let new = AuthSettings {
            jwt_secret_previous: Some(old.jwt_secret.clone()),
            ..AuthSettings::random()
        };
        assert!(verify_access(&new, &t, now()).is_ok());
    }

    #[test]
    fn a_challenge_token_is_not_an_access_token() {
        let s = AuthSettings::random();
        let c = issue_challenge(&s, now(), "u", "o").unwrap();
        assert!(verify_access(&s, &c, now()).is_err());
        assert!(verify_challenge(&s, &c, now()).is_ok());
    }
}
