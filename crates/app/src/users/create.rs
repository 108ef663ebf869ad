//! Adding a member: a new account with a role, or an invitation when the address has an account already.

use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Role;
use vendhub_store::{audit, users};

use super::{IN_USE, Member, member, password_problems};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta, password_hash};
use crate::error::FieldError;
use crate::{App, AppError};

/// A new member's details, checked before anything is written.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub full_name: String,
    pub password: String,
    pub role: String,
}

/// A new member's e-mail, name and role, or every field that is wrong.
fn checked(new: &NewMember) -> Result<(String, String, Role), AppError> {
    let mut errors = Vec::new();
    let email = match vendhub_domain::email::Email::parse(&new.email) {
        Ok(e) => e.as_str().to_owned(),
        Err(why) => {
            errors.push(FieldError::new("email", why));
            String::new()
        }
    };
    let name = new.full_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("full_name", "must be 1 to 200 characters"));
    }
    let role = Role::parse(&new.role);
    if role.is_none() {
        errors.push(FieldError::new(
            "role",
            "must be one of owner, admin, manager, accountant, warehouse, operator, viewer",
        ));
    }
    errors.extend(password_problems(&new.password, &email));
    match role {
        Some(role) if errors.is_empty() => Ok((email, name, role)),
        _ => Err(AppError::Validation(errors)),
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    new: NewMember,
    meta: &RequestMeta,
) -> Result<Member, AppError> {
    let (email, name, role) = checked(&new)?;
    if role == Role::Owner && who.role() != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let pw = new.password.clone();
    let hash = tokio::task::spawn_blocking(move || password_hash::hash(&pw))
        .await
        .map_err(AppError::internal)??;
    let (org, actor, meta) = (who.organization_id(), who.user_id().to_string(), meta.clone());
    let scope = who.scope().clone();
    // An address that already has an account (in another organization) gets an invitation that its owner
    // accepts with their own password; the answer is the same as for a new account, so that adding
    // somebody never tells this organization whether they use VendHub elsewhere.
    let code = crate::invites::new_code();
    let invite = crate::invites::new_row(app, who, &code, Some(email.clone()), role, 72);
    let base_url = app.settings().public_url.clone();
    let given_name = name.clone();
    let added = app
        .write(move |c| {
            if let Some(account) = users::find_by_email(c, &email)? {
                let id: UserId = account.id.parse().map_err(AppError::internal)?;
                if users::membership(c, &scope, id)?.is_some() {
                    return Err(AppError::Conflict(IN_USE.into()));
                }
                crate::invites::record(c, &scope, &invite, &code, &base_url, &meta)?;
                return Ok(Added::Invited(invite));
            }
            let row = users::insert_member(
                c,
                &scope,
                &users::NewMember {
                    id: UserId::new(),
                    organization_id: org,
                    email: &email,
                    full_name: &name,
                    password_hash: &hash,
                    role,
                },
            )
            .map_err(AppError::conflict_as(IN_USE))?;
            audit::append(
                c,
                &Record::new("user.create", "user", &row.id)
                    .in_organization(&scope)
                    .actor(&actor)
                    .from(&meta)
                    .after(Some(
                        serde_json::json!({ "email": row.email, "role": role.as_str() }),
                    ))
                    .done(),
            )?;
            Ok(Added::Created(row))
        })
        .await?;
    Ok(match added {
        Added::Created(row) => {
            let membership = users::MembershipRow {
                organization_id: org.to_string(),
                user_id: row.id.clone(),
                role: role.as_str().to_owned(),
                created_at: row.created_at,
                status: "active".into(),
            };
            member(row, &membership)
        }
        Added::Invited(invite) => Member {
            id: invite.id,
            email: invite.email.unwrap_or_default(),
            full_name: given_name,
            role: role.as_str().to_owned(),
            status: "active".into(),
            two_factor_enabled: false,
            created_at: invite.created_at.and_utc(),
        },
    })
}

/// What adding a member did: created the account, or invited the account that already had the address.
enum Added {
    Created(users::UserRow),
    Invited(vendhub_store::invites::InviteRow),
}
