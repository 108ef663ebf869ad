//! Passwords: change (signed in), and reset by an e-mailed one-time token (1 hour, single use). A reset
//! request answers the same whether or not the e-mail exists; the mail goes out from a job.

use vendhub_domain::ids::UserId;
use vendhub_store::audit;
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::password_resets::{self, PasswordResetRow};
use vendhub_store::{sessions, users};

use super::{Principal, RequestMeta, tokens};
use crate::audit_record::Record;
use crate::error::Rule;
use crate::ports::Mail;
use crate::users::password_problems;
use crate::{App, AppError, auth::password_hash};

const RESET_TTL_MINUTES: i64 = 60;

async fn hash_new(password: &str, email: &str) -> Result<String, AppError> {
    let problems = password_problems(password, email);
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems
                .into_iter()
                .map(|mut p| {
                    p.field = "new_password".into();
                    p
                })
                .collect(),
        ));
    }
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || password_hash::hash(&pw))
        .await
        .map_err(AppError::internal)?
}

/// Changes the caller's password; their other sessions end.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn change(
    app: &App,
    who: &Principal,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let id = who.user_id();
    let user = app
        .db()
        .run(move |c| users::get(c, id))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (pw, stored) = (current.to_owned(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password_hash::verify(&pw, &stored))
        .await
        .map_err(AppError::internal)?;
    if !ok {
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "current_password",
            "is wrong",
        )]));
    }
    let hash = hash_new(new, &user.email).await?;
    let (sid, org, meta) = (
        who.session_id().to_owned(),
        who.organization_id().to_string(),
        meta.clone(),
    );
    app.write(move |c| {
        users::set_password(c, &user.id, &hash)?;
        let keep = sessions::get(c, &sid)?.map(|s| s.family_id);
        for s in sessions::live_of_user(c, &user.id)? {
            if Some(&s.family_id) != keep.as_ref() {
                sessions::revoke_family(c, &s.family_id, "password changed")?;
            }
        }
        audit::append(
            c,
            &Record::of_user("auth.password_changed", &user.id)
                .in_organization(&org)
                .from(&meta)
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Starts a reset: for a known, active e-mail, a token is stored and a mail job enqueued in one
/// transaction. Unknown e-mails do nothing, with the same answer.
pub async fn request_reset(app: &App, email: &str, meta: &RequestMeta) -> Result<(), AppError> {
    let s = app.auth().clone();
    let email = email.trim().to_lowercase();
    let base_url = app.settings().public_url.clone();
    let meta = meta.clone();
    app.write(move |c| {
                let Some(user) = users::find_by_email(c, &email)?.filter(|u| u.status == "active") else {
                    return Ok(());
                };
                let token = tokens::new_refresh_token().replacen("vhr_", "vhp_", 1);
                let now = vendhub_store::now();
                password_resets::insert(
                    c,
                    &PasswordResetRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        user_id: user.id.clone(),
                        token_hash: tokens::keyed_hash(&s, &token),
                        created_at: now,
                        expires_at: now + chrono::Duration::minutes(RESET_TTL_MINUTES),
                        used_at: None,
                    },
                )?;
                let mail = Mail {
                    to: user.email.clone(),
                    subject: "VendHub: reset your password".into(),
                    text: format!(
                        "Someone asked to reset the password of your VendHub account.\n\n\
                         Open this link within an hour to choose a new one:\n{base_url}/reset-password?token={token}\n\n\
                         Or send this token to POST /api/v1/auth/password/reset/confirm:\n{token}\n\n\
                         If it was not you, ignore this message: your password stays as it is.\n"
                    ),
                };
                let payload = serde_json::to_value(&mail).map_err(|e| vendhub_store::StoreError::Corrupt(e.to_string()))?;
                jobs::enqueue(c, &NewJob::new(crate::auth::MAIL_JOB, payload))?;
                audit::append(c, &Record::of_user("auth.password_reset_requested", &user.id).from(&meta).done())?;
                Ok(())
            })
        .await?;
    Ok(())
}

/// Finishes a reset with the mailed token: new password, and every session of the user ends.
pub async fn confirm_reset(app: &App, token: &str, new: &str, meta: &RequestMeta) -> Result<(), AppError> {
    let s = app.auth().clone();
    let hash = tokens::keyed_hash(&s, token.trim());
    // Look the user up first to check the policy against their e-mail; the token is consumed below.
    let peek = {
        let hash = hash.clone();
        app.db()
            .run(move |c| {
                use diesel::prelude::*;
                use vendhub_store::schema::password_resets as pr;
                Ok(pr::table
                    .filter(pr::token_hash.eq(hash))
                    .select(pr::user_id)
                    .first::<String>(c)
                    .optional()?)
            })
            .await?
    };
    let Some(user_id) = peek else {
        return Err(Rule::ResetTokenInvalid.refuse("the reset token is invalid, used or expired"));
    };
    let id: UserId = user_id.parse().map_err(AppError::internal)?;
    let user = app
        .db()
        .run(move |c| users::get(c, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let new_hash = hash_new(new, &user.email).await?;
    let meta = meta.clone();
    app.write(move |c| {
        if password_resets::consume(c, &hash)?.is_none() {
            return Err(Rule::ResetTokenInvalid.refuse("the reset token is invalid, used or expired"));
        }
        users::set_password(c, &user.id, &new_hash)?;
        sessions::revoke_all_of_user(c, &user.id, "password reset")?;
        audit::append(
            c,
            &Record::of_user("auth.password_reset", &user.id)
                .from(&meta)
                .done(),
        )?;
        Ok(())
    })
    .await
}
