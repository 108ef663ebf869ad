//! Sign-in, refresh with rotation and reuse detection, logout, and turning a bearer token into a
//! `Principal` (checked against the live session and user on every request).

use std::time::Duration;

use serde::Serialize;
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
use vendhub_store::audit;
use vendhub_store::sessions::{self, SessionRow};
use vendhub_store::users::{self, UserRow};
use vendhub_store::{DbConn, StoreError, TenantScope};

use super::{AuthSettings, Principal, RequestMeta, password_hash, tokens};
use crate::audit_record::Record;
use crate::{App, AppError};

/// The scheme the access token is presented with.
pub const TOKEN_TYPE: &str = "Bearer";

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub organization_id: String,
    pub two_factor_enabled: bool,
}

/// The answer of a successful sign-in or refresh.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserView,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Tokens(TokenPair),
    /// The password was right; a second factor is needed (`POST /auth/2fa/verify`).
    TwoFactorRequired {
        challenge_token: String,
    },
}

/// A hash to verify against when the e-mail is unknown, so both answers take the same time.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password_hash::hash("vendhub-timing-equaliser").unwrap_or_default())
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The organization a user acts in after sign-in (their first active membership) and their role there;
/// `None` when every membership is suspended.
fn home(conn: &mut DbConn, user: &UserRow) -> Result<Option<(OrganizationId, String)>, StoreError> {
    let id: UserId = user
        .id
        .parse()
        .map_err(|_| StoreError::Corrupt("user id".into()))?;
    users::memberships_of(conn, id)?
        .into_iter()
        .next()
        .map(|m| {
            let org = m
                .organization_id
                .parse()
                .map_err(|_| StoreError::Corrupt("org id".into()))?;
            Ok((org, m.role))
        })
        .transpose()
}

fn view(user: &UserRow, org: &str, role: &str) -> UserView {
    UserView {
        id: user.id.clone(),
        email: user.email.clone(),
        full_name: user.full_name.clone(),
        role: role.to_owned(),
        organization_id: org.to_owned(),
        two_factor_enabled: user.totp_enabled,
    }
}

/// Creates a session (a new family, or the next link of `family`) and its tokens, in `conn`'s transaction,
/// starting at `now` (the clock's).
#[expect(
    clippy::too_many_arguments,
    reason = "who, where, which family, from which request and when: each a different fact of the session"
)]
pub(crate) fn open_session(
    conn: &mut DbConn,
    s: &AuthSettings,
    scope: &TenantScope,
    user: &UserRow,
    role: &str,
    family: Option<&str>,
    meta: &RequestMeta,
    now: chrono::NaiveDateTime,
) -> Result<TokenPair, AppError> {
    let refresh = tokens::new_refresh_token();
    let id = uuid::Uuid::now_v7().to_string();
    let org = scope.org();
    sessions::insert(
        conn,
        scope,
        &SessionRow {
            id: id.clone(),
            user_id: user.id.clone(),
            organization_id: org.to_owned(),
            family_id: family.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
            refresh_hash: tokens::keyed_hash(s, &refresh),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.as_ref().map(|u| u.chars().take(300).collect()),
            created_at: now,
            last_used_at: now,
            expires_at: now + to_chrono(s.refresh_ttl),
            rotated_at: None,
            revoked_at: None,
            revoked_reason: None,
        },
    )?;
    tokens::issue_access(s, now, &user.id, org, role, &id).map(|access_token| TokenPair {
        access_token,
        refresh_token: refresh,
        token_type: TOKEN_TYPE,
        expires_in: s.access_ttl.as_secs(),
        user: view(user, org, role),
    })
}

/// Checks e-mail and password. Unknown e-mail and wrong password get the same answer after the same work.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<LoginOutcome, AppError> {
    let s = app.auth().clone();
    let email = email.trim().to_lowercase();
    let user = app.db().run(move |c| users::find_by_email(c, &email)).await?;
    let (hash, user) = match user {
        Some(u) if u.status == "active" => (u.password_hash.clone(), Some(u)),
        _ => (dummy_hash().to_owned(), None),
    };
    let now = app.now();
    if let Some(until) = user.as_ref().and_then(|u| u.locked_until).filter(|t| *t > now) {
        metrics::counter!("vendhub_login_failures_total", "reason" => "locked").increment(1);
        let secs = u64::try_from((until - now).num_seconds()).unwrap_or(1).max(1);
        return Err(AppError::Locked {
            retry_after_secs: secs,
        });
    }
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || password_hash::verify(&pw, &hash))
        .await
        .map_err(AppError::internal)?;
    if !ok {
        metrics::counter!("vendhub_login_failures_total", "reason" => "credentials").increment(1);
        if let Some(u) = user {
            let (max, lock_until) = (s.max_failed_logins, now + to_chrono(s.lockout));
            let meta = meta.clone();
            app.write(move |c| {
                users::record_failed_login(c, &u.id, max, lock_until)?;
                audit::append(c, &Record::of_user("auth.login_failed", &u.id).from(&meta).done())?;
                Ok(())
            })
            .await?;
        }
        return Err(AppError::Unauthorized);
    }
    let Some(user) = user else {
        return Err(AppError::Unauthorized);
    };
    let meta = meta.clone();
    let out = app
        .write(move |c| {
            let Some((org, role)) = home(c, &user)? else {
                return Err(AppError::Unauthorized);
            };
            if user.totp_enabled {
                return tokens::issue_challenge(&s, now, &user.id, &org.to_string())
                    .map(|challenge_token| LoginOutcome::TwoFactorRequired { challenge_token });
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "the first active membership of the user whose password was just verified"
            )]
            let scope = TenantScope::authenticated(org);
            users::record_login(c, &user.id)?;
            audit::append(
                c,
                &Record::of_user("auth.login", &user.id)
                    .in_organization(&scope)
                    .from(&meta)
                    .done(),
            )?;
            open_session(c, &s, &scope, &user, &role, None, &meta, now).map(LoginOutcome::Tokens)
        })
        .await?;
    Ok(out)
}

/// Exchanges a refresh token for new tokens. A token used twice revokes its whole family.
pub async fn refresh(app: &App, refresh_token: &str, meta: &RequestMeta) -> Result<TokenPair, AppError> {
    let s = app.auth().clone();
    let hash = tokens::keyed_hash(&s, refresh_token);
    let (meta, now) = (meta.clone(), app.now());
    // A refusal keeps what it wrote: the token stays used, a replayed token's family stays revoked.
    app.write_keeping_refusal(move |c| {
        let Some(session) = sessions::by_refresh_hash(c, &hash)? else {
            return Ok(Err(AppError::Unauthorized));
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Err(AppError::Unauthorized));
        }
        if !sessions::mark_rotated(c, &session.id)? {
            // Already used: somebody replayed it. End every session of this family.
            sessions::revoke_family(c, &session.family_id, "refresh token reused")?;
            let entry = Record::new("auth.refresh_reused", "session", &session.family_id)
                .actor(&session.user_id)
                .in_organization(&session.organization_id)
                .from(&meta);
            audit::append(c, &entry.done())?;
            return Ok(Err(AppError::Unauthorized));
        }
        let id: UserId = session
            .user_id
            .parse()
            .map_err(|_| StoreError::Corrupt("user id".into()))?;
        let org: OrganizationId = session
            .organization_id
            .parse()
            .map_err(|_| StoreError::Corrupt("org id".into()))?;
        let user = users::get(c, id)?.filter(|u| u.status == "active" && u.deleted_at.is_none());
        let (Some(user), Some(role)) = (user, users::active_role(c, id, org)?) else {
            return Ok(Err(AppError::Unauthorized));
        };
        #[expect(
            clippy::disallowed_methods,
            reason = "the organization of the live session a refresh token proves, its membership read just now"
        )]
        let scope = TenantScope::authenticated(org);
        let entry = Record::new("auth.refresh", "session", &session.family_id)
            .actor(&session.user_id)
            .in_organization(&scope)
            .from(&meta);
        audit::append(c, &entry.done())?;
        open_session(
            c,
            &s,
            &scope,
            &user,
            &role,
            Some(&session.family_id),
            &meta,
            now,
        )
        .map(Ok)
    })
    .await
}

/// Ends the caller's session (its whole family, so no older access token of it works either).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn logout(app: &App, who: &Principal, meta: &RequestMeta) -> Result<(), AppError> {
    let (sid, user, org, meta) = (
        who.session_id().to_owned(),
        who.user_id().to_string(),
        who.scope().clone(),
        meta.clone(),
    );
    app.write(move |c| {
        if let Some(session) = sessions::get(c, &sid)? {
            sessions::revoke_family(c, &session.family_id, "logout")?;
        }
        audit::append(
            c,
            &Record::of_user("auth.logout", &user)
                .in_organization(&org)
                .from(&meta)
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Turns a bearer token into a `Principal`: a valid signature, a live session, an active user who is
/// still a member of the organization (with the role held now, not the one in the token).
pub async fn authenticate(app: &App, bearer: &str) -> Result<Principal, AppError> {
    let claims = tokens::verify_access(app.auth(), bearer, app.now())?;
    let user_id: UserId = claims.sub.parse().map_err(|_| AppError::Unauthorized)?;
    let org: OrganizationId = claims.org.parse().map_err(|_| AppError::Unauthorized)?;
    let sid = claims.sid.clone();
    let found = app
        .db()
        .run(move |c| {
            let session = sessions::get(c, &sid)?;
            let user = users::get(c, user_id)?;
            let role = users::active_role(c, user_id, org)?;
            Ok((session, user, role))
        })
        .await?;
    match found {
        (Some(session), Some(user), Some(role))
            if session.revoked_at.is_none()
                && session.user_id == claims.sub
                && user.status == "active"
                && user.deleted_at.is_none() =>
        {
            let role = Role::parse(&role).ok_or(AppError::Unauthorized)?;
            Ok(Principal::authenticated(user_id, org, role, claims.sid))
        }
        _ => Err(AppError::Unauthorized),
    }
}

/// The caller as the API shows them (`GET /auth/me`).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn me(app: &App, who: &Principal) -> Result<UserView, AppError> {
    let (id, org, role) = (
        who.user_id(),
        who.organization_id().to_string(),
        who.role().as_str(),
    );
    let user = app
        .db()
        .run(move |c| users::get(c, id))
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(view(&user, &org, role))
}

/// Turns the admin panel's session cookie into a `Principal`. The cookie carries the secret of a session
/// that only the panel uses (the refresh token `login` answered, never sent to a browser otherwise); it is
/// checked on every page like a bearer token: a live, unrotated, unexpired session of an active user who
/// is still an active member (with the role held now). Logout, revocation, suspension and a role change
/// take effect on the next request, on every replica.
pub async fn authenticate_panel_session(app: &App, secret: &str) -> Result<Principal, AppError> {
    if secret.is_empty() || secret.len() > 256 {
        return Err(AppError::Unauthorized);
    }
    let hash = tokens::keyed_hash(app.auth(), secret);
    let now = app.now();
    let found = app
        .db()
        .run(move |c| {
            let Some(session) = sessions::by_refresh_hash(c, &hash)? else {
                return Ok(None);
            };
            let (Ok(user_id), Ok(org)) = (
                session.user_id.parse::<UserId>(),
                session.organization_id.parse::<OrganizationId>(),
            ) else {
                return Ok(None);
            };
            let user = users::get(c, user_id)?;
            let role = users::active_role(c, user_id, org)?;
            Ok(Some((session, user_id, org, user, role)))
        })
        .await?;
    match found {
        Some((session, user_id, org, Some(user), Some(role)))
            if session.revoked_at.is_none()
                && session.rotated_at.is_none()
                && session.expires_at > now
                && user.status == "active"
                && user.deleted_at.is_none() =>
        {
            let role = Role::parse(&role).ok_or(AppError::Unauthorized)?;
            Ok(Principal::authenticated(user_id, org, role, session.id))
        }
        _ => Err(AppError::Unauthorized),
    }
}
