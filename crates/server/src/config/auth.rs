//! Sign-in and security: the JWT signing secrets and lifetimes, the key that encrypts stored 2FA
//! secrets, the TOTP issuer, and the first owner's credentials (`VENDHUB_ADMIN_*`).

use std::time::Duration;

use super::vars::Vars;
use super::{AppEnv, Secret};

#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `None` on the embedded default until generated into `<data>/secrets`.
    pub secret: Option<Secret>,
    pub refresh_secret: Option<Secret>,
    pub secret_previous: Option<Secret>,
    pub expires_in: Duration,
    pub refresh_expires_in: Duration,
    /// Encrypts secrets kept in the database (TOTP seeds); generated on the embedded default.
    pub encryption_key: Option<Secret>,
    pub totp_issuer: String,
}

pub(super) fn jwt(v: &mut Vars<'_>, env: AppEnv) -> JwtConfig {
    let secret = v.secret("JWT_SECRET");
    let refresh_secret = v.secret("JWT_REFRESH_SECRET");
    for (name, value) in [("JWT_SECRET", &secret), ("JWT_REFRESH_SECRET", &refresh_secret)] {
        match value {
            Some(s) if s.expose().chars().count() < 32 => v.problem(name, "must be at least 32 characters"),
            None if env == AppEnv::Production => {
                v.problem(
                    name,
                    "is required in production (at least 32 characters: openssl rand -base64 48)",
                );
            }
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (&secret, &refresh_secret)
        && a == b
    {
        v.problem("JWT_REFRESH_SECRET", "must differ from JWT_SECRET");
    }
    let encryption_key = v.secret("VENDHUB_ENCRYPTION_KEY");
    match &encryption_key {
        Some(k) if k.expose().chars().count() < 32 => {
            v.problem("VENDHUB_ENCRYPTION_KEY", "must be at least 32 characters");
        }
        None if env == AppEnv::Production => v.problem(
            "VENDHUB_ENCRYPTION_KEY",
            "is required in production (at least 32 characters; keep it: it decrypts stored 2FA secrets)",
        ),
        _ => {}
    }
    JwtConfig {
        secret,
        refresh_secret,
        secret_previous: v.secret("JWT_SECRET_PREVIOUS"),
        expires_in: v.duration("JWT_EXPIRES_IN", "15m"),
        refresh_expires_in: v.duration("JWT_REFRESH_EXPIRES_IN", "7d"),
        encryption_key,
        totp_issuer: v.string("TOTP_ISSUER", "VendHub"),
    }
}

/// The first owner's credentials (`VENDHUB_ADMIN_EMAIL`, `VENDHUB_ADMIN_PASSWORD`).
pub(super) fn admin(v: &mut Vars<'_>) -> (String, Option<Secret>) {
    let admin_email = v.string("VENDHUB_ADMIN_EMAIL", "admin@vendhub.local");
    if !admin_email.contains('@') {
        v.problem("VENDHUB_ADMIN_EMAIL", "is not an e-mail address");
    }
    let admin_password = v.secret("VENDHUB_ADMIN_PASSWORD");
    if admin_password
        .as_ref()
        .is_some_and(|p| p.expose().chars().count() < 10)
    {
        v.problem("VENDHUB_ADMIN_PASSWORD", "must be at least 10 characters");
    }
    (admin_email, admin_password)
}
