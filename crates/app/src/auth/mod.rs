//! Identity: sign-in with password and optional TOTP, access tokens (JWT) and rotating refresh tokens,
//! two-factor setup, and the `Principal` every authenticated request carries.

pub mod login;
pub mod password;
pub mod password_hash;
pub mod secrets_at_rest;
pub mod sessions;
pub mod tokens;
pub mod two_factor;

use std::time::Duration;

use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::{Permission, Role};
use vendhub_store::TenantScope;

use crate::AppError;

/// The job kind that sends e-mail (handled in `vendhub-jobs`).
pub const MAIL_JOB: &str = "mail.send";

/// Signing and lifetime settings (from `JWT_*`, `TOTP_ISSUER`, `ENCRYPTION_KEY`).
#[derive(Clone)]
pub struct AuthSettings {
    pub jwt_secret: String,
    /// Still accepted for verification during a key rotation.
    pub jwt_secret_previous: Option<String>,
    /// Keys the hashes of stored refresh tokens.
    pub refresh_secret: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub totp_issuer: String,
    /// 32 bytes for encrypting TOTP secrets at rest.
    pub encryption_key: [u8; 32],
    /// Failed passwords before an account locks, and for how long.
    pub max_failed_logins: i32,
    pub lockout: Duration,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

impl AuthSettings {
    /// Random secrets, for tests and tools.
    pub fn random() -> Self {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self {
            jwt_secret: password_hash::generate() + &password_hash::generate(),
            jwt_secret_previous: None,
            refresh_secret: password_hash::generate() + &password_hash::generate(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            totp_issuer: "VendHub".into(),
            encryption_key: key,
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

/// Who is calling: a live session of an active user, acting in one organization with one role.
/// Only [`login::authenticate`] makes one, so holding it proves the checks ran.
#[derive(Debug, Clone)]
pub struct Principal {
    user_id: UserId,
    scope: TenantScope,
    role: Role,
    session_id: String,
}

impl Principal {
    /// Made by [`login::authenticate`] alone, once the token, session, user and membership checked out.
    fn authenticated(
        user_id: UserId,
        organization_id: OrganizationId,
        role: Role,
        session_id: String,
    ) -> Self {
        #[expect(
            clippy::disallowed_methods,
            reason = "a verified access token of a live session, and a membership read just now"
        )]
        let scope = TenantScope::authenticated(organization_id);
        Self {
            user_id,
            scope,
            role,
            session_id,
        }
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn organization_id(&self) -> OrganizationId {
        self.scope.id()
    }

    /// The organization this caller may read and write, for every store call on tenant data.
    pub fn scope(&self) -> &TenantScope {
        &self.scope
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Where a request came from, for the audit log and rate limits.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}
