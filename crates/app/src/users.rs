//! People of an organization: list members, add one with a role (an admin can never create an owner),
//! suspend. A person may belong to several organizations: an organization changes only its own
//! membership (role, suspension, removal); the account (name, e-mail, password, 2FA) is the person's, and
//! an organization's admins may change it only while the account belongs to that organization alone.
//! Every change is audited in its transaction.

use serde::Serialize;
use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Role;
use vendhub_store::audit;
use vendhub_store::{sessions, users};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta, password_hash};
use crate::error::FieldError;
use crate::error::Rule;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// The answer to an address that is already a member here.
const IN_USE: &str = "email: already in use";

/// A member's status as the organization sees it.
pub const MEMBER_STATUSES: [&str; 2] = ["active", "suspended"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub status: String,
    pub two_factor_enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// `status` is the membership's (`active`, `suspended`) unless the account itself is not active.
fn member(u: users::UserRow, m: &users::MembershipRow) -> Member {
    let status = if u.status == "active" {
        m.status.clone()
    } else {
        u.status
    };
    Member {
        id: u.id,
        email: u.email,
        full_name: u.full_name,
        role: m.role.clone(),
        status,
        two_factor_enabled: u.totp_enabled,
        created_at: u.created_at.and_utc(),
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal, page: PageRequest) -> Result<Paged<Member>, AppError> {
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| users::list_members(c, &scope, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(
        rows.into_iter().map(|(u, m)| member(u, &m)).collect(),
        page,
        total,
    ))
}

/// A new member's details, checked before anything is written.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub full_name: String,
    pub password: String,
    pub role: String,
}

/// The password policy: at least 10 characters, not a common password, not containing the e-mail's name.
pub fn password_problems(password: &str, email: &str) -> Vec<FieldError> {
    const COMMON: &[&str] = &[
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "password123",
        "password12",
        "1q2w3e4r5t",
        "qwerty1234",
        "0987654321",
        "1111111111",
        "administrator",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "passw0rd123",
    ];
    let mut out = Vec::new();
    if password.chars().count() < 10 {
        out.push(FieldError::new("password", "must be at least 10 characters"));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        out.push(FieldError::new("password", "is a common password"));
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 3 && lower.contains(&local) {
        out.push(FieldError::new("password", "must not contain the e-mail address"));
    }
    out
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

/// Suspends a member: their sessions end and their tokens stop working at the next request.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn suspend(app: &App, who: &Principal, id: UserId, meta: &RequestMeta) -> Result<(), AppError> {
    let (scope, actor, meta) = (who.scope().clone(), who.user_id().to_string(), meta.clone());
    let actor_role = who.role();
    app.write(move |c| {
        let Some(m) = users::membership(c, &scope, id)? else {
            return Err(AppError::NotFound);
        };
        if m.role == Role::Owner.as_str() && actor_role != Role::Owner {
            return Err(AppError::Forbidden);
        }
        // This organization's membership only: the person keeps signing in to their others.
        users::set_membership_status(c, &scope, id, "suspended")?;
        sessions::revoke_all_of_user_in(c, &scope, &id.to_string(), "suspended")?;
        audit::append(
            c,
            &Record::new("user.suspend", "user", &id)
                .in_organization(&scope)
                .actor(&actor)
                .from(&meta)
                .before(Some(serde_json::json!({ "status": "active" })))
                .after(Some(serde_json::json!({ "status": "suspended" })))
                .done(),
        )?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_names_each_problem() {
        assert!(password_problems("a-long-passphrase", "x@y.uz").is_empty());
        assert_eq!(password_problems("short", "x@y.uz").len(), 1);
        assert_eq!(
            password_problems("Password123", "x@y.uz")[0].message,
            "is a common password"
        );
        assert_eq!(
            password_problems("aziz-secure-2026", "aziz@y.uz")[0].message,
            "must not contain the e-mail address"
        );
    }
}

/// What a member update may change.
#[derive(Debug, Clone, Default)]
pub struct MemberPatch {
    pub full_name: Option<String>,
    pub role: Option<String>,
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: UserId) -> Result<Member, AppError> {
    let scope = who.scope().clone();
    let found = app
        .db()
        .run(move |c| Ok((users::get(c, id)?, users::membership(c, &scope, id)?)))
        .await?;
    match found {
        (Some(u), Some(m)) if u.deleted_at.is_none() => Ok(member(u, &m)),
        _ => Err(AppError::NotFound),
    }
}

/// Renames or changes a member's role. Nobody but an owner touches an owner or makes one.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    id: UserId,
    patch: MemberPatch,
    meta: &RequestMeta,
) -> Result<Member, AppError> {
    let mut errors = Vec::new();
    let name = patch.full_name.as_ref().map(|n| n.trim().to_owned());
    if name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().count() > 200)
    {
        errors.push(FieldError::new("full_name", "must be 1 to 200 characters"));
    }
    let role = match patch.role.as_deref().map(Role::parse) {
        Some(None) => {
            errors.push(FieldError::new(
                "role",
                "must be one of owner, admin, manager, accountant, warehouse, operator, viewer",
            ));
            None
        }
        Some(Some(r)) => Some(r),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (scope, actor, actor_role, meta) = (who.scope().clone(), who.user_id(), who.role(), meta.clone());
    app.write(move |c| {
                let (Some(user), Some(m)) = (users::get(c, id)?, users::membership(c, &scope, id)?) else {
                    return Err(AppError::NotFound);
                };
                let current = m.role.clone();
                if user.deleted_at.is_some() {
                    return Err(AppError::NotFound);
                }
                let touches_owner = current == Role::Owner.as_str() || role == Some(Role::Owner);
                if touches_owner && actor_role != Role::Owner {
                    return Err(AppError::Forbidden);
                }
                if role.is_some() && id == actor {
                    return Err(Rule::OwnRoleChange.refuse("you cannot change your own role"));
                }
                if let Some(n) = &name
                    && *n != user.full_name
                {
                    // The name is the account's: another organization shows it too.
                    if users::membership_count(c, id)? > 1 && id != actor {
                        return Err(Rule::SharedAccount.refuse(
                            "full_name: this person belongs to other organizations too; only they can change their name",
                        ));
                    }
                    users::update_profile(c, id, n)?;
                }
                if let Some(r) = role {
                    users::set_role(c, &scope, id, r)?;
                }
                let after_role = role.map_or(current.clone(), |r| r.as_str().to_owned());
                audit::append(
                    c,
                    &Record::new("user.update", "user", &id).in_organization(&scope).actor(&actor).from(&meta).before(Some(serde_json::json!({ "full_name": user.full_name, "role": current }))).after(Some(serde_json::json!({
                            "full_name": name.clone().unwrap_or_else(|| user.full_name.clone()), "role": after_role
                        }))).done(),
                )?;
                let fresh = users::get(c, id)?.ok_or(vendhub_store::StoreError::NotFound)?;
                let m = users::membership(c, &scope, id)?.ok_or(vendhub_store::StoreError::NotFound)?;
                Ok(member(fresh, &m))
            })
        .await
}

/// Removes a member from this organization: their sessions here end. An account that belonged to this
/// organization alone is soft-deleted as well (the e-mail becomes free, the audit log keeps the history);
/// one that belongs to other organizations stays as it is there.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, id: UserId, meta: &RequestMeta) -> Result<(), AppError> {
    let (scope, actor, actor_role, meta) = (who.scope().clone(), who.user_id(), who.role(), meta.clone());
    if id == actor {
        return Err(Rule::SelfRemoval.refuse("you cannot delete yourself"));
    }
    app.write(move |c| {
        let Some(role) = users::membership(c, &scope, id)?.map(|m| m.role) else {
            return Err(AppError::NotFound);
        };
        if role == Role::Owner.as_str() && actor_role != Role::Owner {
            return Err(AppError::Forbidden);
        }
        let Some(user) = users::get(c, id)?.filter(|u| u.deleted_at.is_none()) else {
            return Err(AppError::NotFound);
        };
        let alone = users::membership_count(c, id)? <= 1;
        users::remove_membership(c, &scope, id)?;
        sessions::revoke_all_of_user_in(c, &scope, &id.to_string(), "deleted")?;
        if alone {
            users::soft_delete(c, id)?;
            sessions::revoke_all_of_user(c, &id.to_string(), "deleted")?;
        }
        audit::append(
            c,
            &Record::new("user.delete", "user", &id)
                .in_organization(&scope)
                .actor(&actor)
                .from(&meta)
                .before(Some(serde_json::json!({ "email": user.email, "role": role })))
                .done(),
        )?;
        Ok(())
    })
    .await
}

/// Lets a suspended member sign in again.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn activate(app: &App, who: &Principal, id: UserId, meta: &RequestMeta) -> Result<(), AppError> {
    let (scope, actor, meta) = (who.scope().clone(), who.user_id().to_string(), meta.clone());
    app.write(move |c| {
        if users::membership(c, &scope, id)?.is_none() {
            return Err(AppError::NotFound);
        }
        users::set_membership_status(c, &scope, id, "active")?;
        audit::append(
            c,
            &Record::new("user.activate", "user", &id)
                .in_organization(&scope)
                .actor(&actor)
                .from(&meta)
                .after(Some(serde_json::json!({ "status": "active" })))
                .done(),
        )?;
        Ok(())
    })
    .await
}
