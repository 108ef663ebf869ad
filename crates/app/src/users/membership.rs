//! One organization's membership of a person: suspend, reactivate, remove (the account ends with its last
//! membership).

use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Role;
use vendhub_store::{audit, sessions, users};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::Rule;
use crate::{App, AppError};

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
