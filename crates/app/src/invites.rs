//! Invitations: an admin invites by e-mail or one-time code with a role; accepting creates the user.
//! A code works once, even when two people accept it at the same moment.

use serde::Serialize;
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
use vendhub_store::audit;
use vendhub_store::invites::{self, InviteRow};
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::{TenantScope, users};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta, password_hash, tokens};
use crate::error::FieldError;
use crate::ports::Mail;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteView {
    pub id: String,
    pub role: String,
    pub email: Option<String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub used: bool,
    /// Only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

fn view(r: &InviteRow, code: Option<String>) -> InviteView {
    InviteView {
        id: r.id.clone(),
        role: r.role.clone(),
        email: r.email.clone(),
        expires_at: r.expires_at.and_utc(),
        used: r.used_at.is_some(),
        code,
    }
}

/// A new invitation row (its code given) for `email` with `role`, from `who`, valid for `hours`.
pub(crate) fn new_row(
    app: &App,
    who: &Principal,
    code: &str,
    email: Option<String>,
    role: Role,
    hours: i64,
) -> InviteRow {
    let now = app.now();
    InviteRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        code_hash: tokens::keyed_hash(app.auth(), code),
        email,
        role: role.as_str().into(),
        invited_by: who.user_id().to_string(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(hours),
        used_at: None,
        used_by: None,
    }
}

/// Stores an invitation, queues its e-mail (when it names an address) and audits it, in the caller's
/// transaction.
pub(crate) fn record(
    c: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    stored: &InviteRow,
    code: &str,
    base_url: &str,
    meta: &RequestMeta,
) -> Result<(), vendhub_store::StoreError> {
    invites::insert(c, scope, stored)?;
    if let Some(to) = &stored.email {
        let mail = Mail {
            to: to.clone(),
            subject: "You are invited to VendHub".into(),
            text: format!(
                "You are invited to join an organization on VendHub as {}.\n\n\
                 Accept at {base_url}/invite?code={code} or with the code {code}.\n\
                 If you already have a VendHub account, accept with its password.\n\
                 The invitation expires at {} UTC.\n",
                stored.role,
                stored.expires_at.format("%Y-%m-%d %H:%M")
            ),
        };
        let payload =
            serde_json::to_value(&mail).map_err(|e| vendhub_store::StoreError::Corrupt(e.to_string()))?;
        jobs::enqueue(c, &NewJob::new(crate::auth::MAIL_JOB, payload))?;
    }
    audit::append(
        c,
        &Record::new("invite.create", "invite", &stored.id)
            .in_organization(scope)
            .actor(&stored.invited_by)
            .from(meta)
            .after(Some(
                serde_json::json!({ "role": stored.role, "email": stored.email }),
            ))
            .done(),
    )?;
    Ok(())
}

pub(crate) fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..12)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..])
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    role: &str,
    email: Option<String>,
    expires_in_hours: Option<i64>,
    meta: &RequestMeta,
) -> Result<InviteView, AppError> {
    let mut errors = Vec::new();
    let role_parsed = Role::parse(role);
    if role_parsed.is_none() {
        errors.push(FieldError::new(
            "role",
            "must be one of owner, admin, manager, accountant, warehouse, operator, viewer",
        ));
    }
    let email = match email
        .filter(|e| !e.trim().is_empty())
        .map(|e| vendhub_domain::email::Email::parse(&e))
    {
        None => None,
        Some(Ok(e)) => Some(e.as_str().to_owned()),
        Some(Err(why)) => {
            errors.push(FieldError::new("email", why));
            None
        }
    };
    let hours = expires_in_hours.unwrap_or(72);
    if !(1..=720).contains(&hours) {
        errors.push(FieldError::new("expires_in_hours", "must be from 1 to 720"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let role = role_parsed.unwrap_or(Role::Viewer);
    if role == Role::Owner && who.role() != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let code = new_code();
    let row = new_row(app, who, &code, email, role, hours);
    let base_url = app.settings().public_url.clone();
    let (stored, meta, mail_code, scope) = (row.clone(), meta.clone(), code.clone(), who.scope().clone());
    app.db()
        .run(move |c| vendhub_store::write(c, |c| record(c, &scope, &stored, &mail_code, &base_url, &meta)))
        .await?;
    Ok(view(&row, Some(code)))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal) -> Result<Vec<InviteView>, AppError> {
    let scope = who.scope().clone();
    let rows = app.db().run(move |c| invites::list(c, &scope)).await?;
    Ok(rows.iter().map(|r| view(r, None)).collect())
}

/// Who accepts an invitation.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub code: String,
    pub email: String,
    pub full_name: String,
    pub password: String,
}

/// The e-mail an acceptance gives, which must be the one the invitation was sent to (if it names one).
fn invited_email(invite: &InviteRow, raw: &str) -> Result<String, AppError> {
    let email = vendhub_domain::email::Email::parse(raw)
        .map_err(|why| AppError::Validation(vec![FieldError::new("email", why)]))?
        .as_str()
        .to_owned();
    if invite.email.as_ref().is_some_and(|e| *e != email) {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "is not the address this invitation was sent to",
        )]));
    }
    Ok(email)
}

/// Creates the invited user, or, when the e-mail already has an account, adds that account to the
/// organization once its own password proves it is theirs (the password is not changed, and the name
/// given is ignored: both are the person's). Exactly one acceptance of a code succeeds.
pub async fn accept(app: &App, a: Acceptance, meta: &RequestMeta) -> Result<crate::users::Member, AppError> {
    let hash = tokens::keyed_hash(app.auth(), a.code.trim());
    let invite = {
        let hash = hash.clone();
        app.db().run(move |c| invites::by_code_hash(c, &hash)).await?
    };
    let gone = || AppError::Conflict("the invitation is invalid, used or expired".into());
    let Some(invite) = invite.filter(|i| i.used_at.is_none() && i.expires_at > app.now()) else {
        return Err(gone());
    };
    let email = invited_email(&invite, &a.email)?;
    let mut errors = Vec::new();
    let existing = {
        let email = email.clone();
        app.db().run(move |c| users::find_by_email(c, &email)).await?
    };
    if let Some(account) = existing {
        return join_existing(app, &invite, account, &a.password, meta).await;
    }
    let name = a.full_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("full_name", "must be 1 to 200 characters"));
    }
    errors.extend(crate::users::password_problems(&a.password, &email));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let pw = a.password.clone();
    let pw_hash = tokio::task::spawn_blocking(move || password_hash::hash(&pw))
        .await
        .map_err(AppError::internal)??;
    let org: OrganizationId = invite.organization_id.parse().map_err(AppError::internal)?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization of an unused, unexpired invitation whose code the new member presents"
    )]
    let scope = TenantScope::authenticated(org);
    let role = Role::parse(&invite.role).ok_or_else(|| AppError::internal("stored invite role"))?;
    let meta = meta.clone();
    let id = UserId::new();
    let created = app
        .write(move |c| {
            let row = users::insert_member(
                c,
                &scope,
                &users::NewMember {
                    id,
                    organization_id: org,
                    email: &email,
                    full_name: &name,
                    password_hash: &pw_hash,
                    role,
                },
            )
            .map_err(AppError::conflict_as("email: already in use"))?;
            if !invites::claim(c, &scope, &invite.id, &row.id)? {
                // Someone else accepted it first: roll the new user back.
                return Err(gone());
            }
            audit::append(
                c,
                &Record::new("invite.accept", "invite", &invite.id)
                    .in_organization(&scope)
                    .actor(&row.id)
                    .from(&meta)
                    .after(Some(
                        serde_json::json!({ "user_id": row.id, "role": role.as_str() }),
                    ))
                    .done(),
            )?;
            Ok(row)
        })
        .await?;
    Ok(crate::users::Member {
        id: created.id,
        email: created.email,
        full_name: created.full_name,
        role: role.as_str().into(),
        status: created.status,
        two_factor_enabled: false,
        created_at: created.created_at.and_utc(),
    })
}

/// An existing account accepts: its own password, checked like a sign-in, adds the membership.
async fn join_existing(
    app: &App,
    invite: &InviteRow,
    account: users::UserRow,
    password: &str,
    meta: &RequestMeta,
) -> Result<crate::users::Member, AppError> {
    let (pw, phc) = (password.to_owned(), account.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || password_hash::verify(&pw, &phc))
        .await
        .map_err(AppError::internal)?;
    if !matches || account.status != "active" {
        return Err(AppError::Unauthorized);
    }
    let org: OrganizationId = invite.organization_id.parse().map_err(AppError::internal)?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization of an unused, unexpired invitation whose code an account presents with its own password"
    )]
    let scope = TenantScope::authenticated(org);
    let role = Role::parse(&invite.role).ok_or_else(|| AppError::internal("stored invite role"))?;
    let user: UserId = account.id.parse().map_err(AppError::internal)?;
    let (invite_id, meta) = (invite.id.clone(), meta.clone());
    let gone = || AppError::Conflict("the invitation is invalid, used or expired".into());
    app.write(move |c| {
        if users::membership(c, &scope, user)?.is_some() {
            return Err(AppError::Conflict(
                "you are already a member of this organization".into(),
            ));
        }
        users::add_membership(c, &scope, user, role)?;
        if !invites::claim(c, &scope, &invite_id, &user.to_string())? {
            return Err(gone());
        }
        audit::append(
            c,
            &Record::new("invite.accept", "invite", &invite_id)
                .in_organization(&scope)
                .actor(&user)
                .from(&meta)
                .after(Some(
                    serde_json::json!({ "user_id": user.to_string(), "role": role.as_str() }),
                ))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(crate::users::Member {
        id: account.id,
        email: account.email,
        full_name: account.full_name,
        role: role.as_str().into(),
        status: "active".into(),
        two_factor_enabled: account.totp_enabled,
        created_at: account.created_at.and_utc(),
    })
}
