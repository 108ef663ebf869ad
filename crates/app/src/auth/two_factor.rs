//! TOTP two-factor authentication (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step), secrets encrypted at rest,
//! 10 single-use backup codes, no code accepted twice, and 5 wrong codes lock 2FA for 15 minutes.

use rand::Rng;
use serde::Serialize;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_store::audit;
use vendhub_store::users::UserRow;
use vendhub_store::{DbConn, backup_codes, users};

use super::login::{TokenPair, open_session};
use super::{AuthSettings, Principal, RequestMeta, secrets_at_rest, tokens};
use crate::audit_record::Record;
use crate::error::Rule;
use crate::{App, AppError, Kept};

const STEP_SECS: i64 = 30;
const MAX_FAILURES: i32 = 5;
const LOCK_MINUTES: i64 = 15;
const BACKUP_CODES: usize = 10;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SetupAnswer {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…` for a QR code.
    pub otpauth_url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupCodes {
    /// Shown once; each works one time instead of a TOTP code.
    pub backup_codes: Vec<String>,
}

fn totp(s: &AuthSettings, secret: Vec<u8>, account: &str) -> Result<TOTP, AppError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some(s.totp_issuer.clone()),
        account.to_owned(),
    )
    .map_err(AppError::internal)
}

fn current_step() -> i64 {
    chrono::Utc::now().timestamp() / STEP_SECS
}

/// The time step (now ±1) whose code equals `code`, compared in constant time.
fn matching_step(t: &TOTP, code: &str) -> Option<i64> {
    let now = current_step();
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        let expected = t.generate(u64::try_from(step * STEP_SECS).unwrap_or(0));
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Checks a TOTP or backup code for `user` inside a transaction; a TOTP step is consumed so the same code
/// cannot be used again. Counts failures and locks 2FA after too many.
fn check_code(
    conn: &mut DbConn,
    s: &AuthSettings,
    user: &UserRow,
    code: &str,
    now: chrono::NaiveDateTime,
) -> Result<Kept<()>, AppError> {
    if let Some(until) = user.totp_locked_until.filter(|t| *t > now) {
        let secs = u64::try_from((until - now).num_seconds()).unwrap_or(1).max(1);
        return Ok(Err(AppError::Locked {
            retry_after_secs: secs,
        }));
    }
    let code = normalise(code);
    let accepted = if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        let secret = match user
            .totp_secret
            .as_deref()
            .map(|sealed| secrets_at_rest::open(&s.encryption_key, sealed))
        {
            Some(Ok(secret)) => secret,
            Some(Err(e)) => return Ok(Err(e)),
            None => {
                return Ok(Err(
                    Rule::TwoFactorNotSetUp.refuse("two-factor authentication is not set up")
                ));
            }
        };
        let t = match totp(s, secret, &user.email) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        match matching_step(&t, &code) {
            Some(step) => users::use_totp_step(conn, &user.id, step)?,
            None => false,
        }
    } else if user.totp_enabled && backup_codes::use_code(conn, &user.id, &tokens::keyed_hash(s, &code))? {
        users::reset_totp_failures(conn, &user.id)?;
        true
    } else {
        false
    };
    if accepted {
        return Ok(Ok(()));
    }
    users::record_totp_failure(
        conn,
        &user.id,
        MAX_FAILURES,
        now + chrono::Duration::minutes(LOCK_MINUTES),
    )?;
    Ok(Err(AppError::InvalidCode))
}

async fn load_user(app: &App, id: UserId) -> Result<UserRow, AppError> {
    app.db()
        .run(move |c| users::get(c, id))
        .await?
        .ok_or(AppError::Unauthorized)
}

/// Starts setup: a new secret, kept pending until a code from it is confirmed.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn setup(app: &App, who: &Principal, meta: &RequestMeta) -> Result<SetupAnswer, AppError> {
    let s = app.auth().clone();
    let user = load_user(app, who.user_id()).await?;
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "two-factor authentication is already enabled".into(),
        ));
    }
    let raw: Vec<u8> = (0..20).map(|_| rand::rngs::OsRng.r#gen::<u8>()).collect();
    let t = totp(&s, raw.clone(), &user.email)?;
    let answer = SetupAnswer {
        secret: Secret::Raw(raw.clone()).to_encoded().to_string(),
        otpauth_url: t.get_url(),
    };
    let sealed = secrets_at_rest::seal(&s.encryption_key, &raw)?;
    let (id, org, meta) = (user.id.clone(), who.organization_id().to_string(), meta.clone());
    app.write(move |c| {
        users::set_pending_totp(c, &id, &sealed)?;
        audit::append(
            c,
            &Record::of_user("auth.2fa_setup_started", &id)
                .in_organization(&org)
                .from(&meta)
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(answer)
}

fn new_backup_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..BACKUP_CODES)
        .map(|_| {
            let mut c: String = (0..8)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect();
            c.insert(4, '-');
            c
        })
        .collect()
}

/// Confirms setup with a code from the app; returns the backup codes (shown once).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn enable(
    app: &App,
    who: &Principal,
    code: &str,
    meta: &RequestMeta,
) -> Result<BackupCodes, AppError> {
    let s = app.auth().clone();
    let user = load_user(app, who.user_id()).await?;
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "two-factor authentication is already enabled".into(),
        ));
    }
    if user.totp_secret.is_none() {
        return Err(Rule::TwoFactorNotSetUp.refuse("start with POST /api/v1/auth/2fa/setup"));
    }
    let codes = new_backup_codes();
    let hashes: Vec<String> = codes.iter().map(|c| tokens::keyed_hash(&s, c)).collect();
    let (code, meta, org, now) = (
        code.to_owned(),
        meta.clone(),
        who.organization_id().to_string(),
        app.now(),
    );
    // A wrong code is committed (it counts towards the lock) and then refused.
    app.write_keeping_refusal(move |c| {
        if let Err(e) = check_code(c, &s, &user, &code, now)? {
            return Ok(Err(e));
        }
        users::set_totp_enabled(c, &user.id, true)?;
        backup_codes::replace(c, &user.id, &hashes)?;
        audit::append(
            c,
            &Record::of_user("auth.2fa_enabled", &user.id)
                .in_organization(&org)
                .from(&meta)
                .done(),
        )?;
        Ok(Ok(()))
    })
    .await?;
    Ok(BackupCodes { backup_codes: codes })
}

/// Turns 2FA off; needs a current code (or a backup code).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn disable(app: &App, who: &Principal, code: &str, meta: &RequestMeta) -> Result<(), AppError> {
    let s = app.auth().clone();
    let user = load_user(app, who.user_id()).await?;
    if !user.totp_enabled {
        return Err(AppError::Conflict(
            "two-factor authentication is not enabled".into(),
        ));
    }
    let (code, meta, org, now) = (
        code.to_owned(),
        meta.clone(),
        who.organization_id().to_string(),
        app.now(),
    );
    // A wrong code is committed (it counts towards the lock) and then refused.
    app.write_keeping_refusal(move |c| {
        if let Err(e) = check_code(c, &s, &user, &code, now)? {
            return Ok(Err(e));
        }
        users::set_totp_enabled(c, &user.id, false)?;
        backup_codes::replace(c, &user.id, &[])?;
        audit::append(
            c,
            &Record::of_user("auth.2fa_disabled", &user.id)
                .in_organization(&org)
                .from(&meta)
                .done(),
        )?;
        Ok(Ok(()))
    })
    .await
}

/// Completes a sign-in that needed a second factor.
pub async fn verify_login(
    app: &App,
    challenge: &str,
    code: &str,
    meta: &RequestMeta,
) -> Result<TokenPair, AppError> {
    let s = app.auth().clone();
    let claims = tokens::verify_challenge(&s, challenge, app.now())?;
    let id: UserId = claims.sub.parse().map_err(|_| AppError::Unauthorized)?;
    let org: OrganizationId = claims.org.parse().map_err(|_| AppError::Unauthorized)?;
    let user = load_user(app, id).await?;
    if user.status != "active" || !user.totp_enabled {
        return Err(AppError::Unauthorized);
    }
    let (code, meta, now) = (code.to_owned(), meta.clone(), app.now());
    // The outcome of the code check is committed even when it is a failure (the failure counts).
    let checked = {
        let (s, user, code) = (s.clone(), user.clone(), code.clone());
        app.write(move |c| check_code(c, &s, &user, &code, now)).await?
    };
    if let Err(e) = checked {
        metrics::counter!("vendhub_login_failures_total", "reason" => "second_factor").increment(1);
        return Err(e);
    }
    app.write(move |c| {
        let Some(role) = users::active_role(c, id, org)? else {
            return Err(AppError::Unauthorized);
        };
        #[expect(
            clippy::disallowed_methods,
            reason = "the organization of a verified 2FA challenge (issued after the password), its membership read just now"
        )]
        let scope = vendhub_store::TenantScope::authenticated(org);
        users::record_login(c, &user.id)?;
        audit::append(
            c,
            &Record::of_user("auth.login", &user.id)
                .in_organization(&scope)
                .from(&meta)
                .done(),
        )?;
        open_session(c, &s, &scope, &user, &role, None, &meta, now)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_own_step_and_its_neighbours_only() {
        let s = AuthSettings::random();
        let t = totp(&s, vec![3u8; 20], "a@b.uz").unwrap();
        let now = current_step();
        let code = |step: i64| t.generate(u64::try_from(step * STEP_SECS).unwrap());
        assert_eq!(matching_step(&t, &code(now)), Some(now));
        assert_eq!(matching_step(&t, &code(now - 1)), Some(now - 1));
        assert_eq!(matching_step(&t, &code(now + 1)), Some(now + 1));
        let far = code(now - 3);
        if far != code(now) && far != code(now - 1) && far != code(now + 1) {
            assert_eq!(matching_step(&t, &far), None);
        }
    }

    #[test]
    fn backup_codes_are_ten_distinct_readable_codes() {
        let codes = new_backup_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'));
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
    }
}
