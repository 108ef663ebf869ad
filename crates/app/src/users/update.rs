//! Renaming a member and changing their role.

use vendhub_domain::ids::UserId;
use vendhub_domain::roles::Role;
use vendhub_store::{audit, users};

use super::{Member, member};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::{FieldError, Rule};
use crate::{App, AppError};

/// What a member update may change.
#[derive(Debug, Clone, Default)]
pub struct MemberPatch {
    pub full_name: Option<String>,
    pub role: Option<String>,
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
