//! Organizations: the caller's list, creating another (an owner running a franchise), the current one's
//! settings, and switching between them (explicit, audited, new tokens).

use serde::Serialize;
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
use vendhub_store::audit;
use vendhub_store::{TenantScope, organizations, users};

use crate::audit_record::Record;
use crate::auth::login::{TokenPair, open_session};
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

/// The languages an organization (and everything VendHub writes for it) can use.
pub const LANGUAGES: [&str; 3] = ["uz", "ru", "en"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub language: String,
    /// The caller's role in it.
    pub role: String,
}

fn view(o: organizations::OrganizationRow, role: String) -> OrganizationView {
    OrganizationView {
        id: o.id,
        name: o.name,
        slug: o.slug,
        timezone: o.timezone,
        language: o.language,
        role,
    }
}

/// Settings an organization can change.
#[derive(Debug, Clone)]
pub struct OrganizationInput {
    pub name: String,
    pub timezone: String,
    pub language: String,
}

fn validate(input: &OrganizationInput) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    let tz = &input.timezone;
    let tz_ok = tz == "UTC"
        || (tz.contains('/')
            && tz.len() <= 64
            && tz
                .split('/')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))));
    if !tz_ok {
        errors.push(FieldError::new(
            "timezone",
            "must be an IANA time zone such as Asia/Tashkent",
        ));
    }
    if !LANGUAGES.contains(&input.language.as_str()) {
        errors.push(FieldError::new("language", "must be uz, ru or en"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn slugify(name: &str) -> String {
    let mut slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    slug.truncate(40);
    if slug.is_empty() { "org".into() } else { slug }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn mine(app: &App, who: &Principal) -> Result<Vec<OrganizationView>, AppError> {
    let user = who.user_id().to_string();
    let rows = app.db().run(move |c| organizations::of_user(c, &user)).await?;
    Ok(rows.into_iter().map(|(o, r)| view(o, r)).collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn current(app: &App, who: &Principal) -> Result<OrganizationView, AppError> {
    let scope = who.scope().clone();
    let row = app
        .db()
        .run(move |c| organizations::get(c, &scope))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(row, who.role().as_str().to_owned()))
}

/// A new organization owned by the caller (who must be an owner where they act now).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    input: OrganizationInput,
    meta: &RequestMeta,
) -> Result<OrganizationView, AppError> {
    who.require(vendhub_domain::roles::Permission::OrganizationCreate)?;
    validate(&input)?;
    let (user, meta) = (who.user_id(), meta.clone());
    let id = OrganizationId::new();
    let slug = format!("{}-{}", slugify(&input.name), &id.to_string()[..8]);
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization this signed-in owner creates now and becomes the owner of"
    )]
    let scope = TenantScope::authenticated(id);
    let row = app
        .write(move |c| {
            let row = organizations::insert(
                c,
                &scope,
                &organizations::NewOrganization {
                    id,
                    name: input.name.trim(),
                    slug: &slug,
                    timezone: &input.timezone,
                    language: &input.language,
                },
            )?;
            users::add_membership(c, &scope, user, Role::Owner)?;
            audit::append(
                c,
                &Record::new("organization.create", "organization", &id)
                    .in_organization(&scope)
                    .actor(&user)
                    .from(&meta)
                    .after(Some(serde_json::json!({ "name": row.name, "slug": row.slug })))
                    .done(),
            )?;
            Ok(row)
        })
        .await?;
    Ok(view(row, Role::Owner.as_str().into()))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    input: OrganizationInput,
    meta: &RequestMeta,
) -> Result<OrganizationView, AppError> {
    validate(&input)?;
    let (org, scope, actor, meta) = (
        who.organization_id(),
        who.scope().clone(),
        who.user_id().to_string(),
        meta.clone(),
    );
    let row = app.write(move |c| {
                let before = organizations::get(c, &scope)?.ok_or(vendhub_store::StoreError::NotFound)?;
                organizations::update_settings(c, &scope, input.name.trim(), &input.timezone, &input.language)?;
                let after = organizations::get(c, &scope)?.ok_or(vendhub_store::StoreError::NotFound)?;
                let state = |o: &organizations::OrganizationRow| {
                    serde_json::json!({ "name": o.name, "timezone": o.timezone, "language": o.language })
                };
                audit::append(
                    c,
                    &Record::new("organization.update", "organization", &org).in_organization(&scope).actor(&actor).from(&meta).before(Some(state(&before))).after(Some(state(&after))).done(),
                )?;
                Ok(after)
            })
        .await?;
    Ok(view(row, who.role().as_str().to_owned()))
}

/// Deletes the current organization (owners only): nobody can act in it any more and every session in it
/// ends. Its records stay (ledgers are never deleted) and the audit log keeps the deletion.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, meta: &RequestMeta) -> Result<(), AppError> {
    who.require(vendhub_domain::roles::Permission::OrganizationDelete)?;
    let (org, scope, actor, meta) = (
        who.organization_id(),
        who.scope().clone(),
        who.user_id().to_string(),
        meta.clone(),
    );
    app.write(move |c| {
        audit::append(
            c,
            &Record::new("organization.delete", "organization", &org)
                .in_organization(&scope)
                .actor(&actor)
                .from(&meta)
                .done(),
        )?;
        organizations::soft_delete(c, &scope)?;
        vendhub_store::sessions::revoke_all_in_organization(c, &scope, "organization deleted")?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// New tokens acting in another organization the caller belongs to (a new session; audited there).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn switch(
    app: &App,
    who: &Principal,
    target: OrganizationId,
    meta: &RequestMeta,
) -> Result<TokenPair, AppError> {
    let s = app.auth().clone();
    let (user_id, meta, now) = (who.user_id(), meta.clone(), app.now());
    app.write(move |c| {
        let Some(role) = users::active_role(c, user_id, target)? else {
            return Err(AppError::NotFound);
        };
        #[expect(
            clippy::disallowed_methods,
            reason = "an organization the signed-in caller is an active member of, read just now"
        )]
        let scope = TenantScope::authenticated(target);
        let Some(user) = users::get(c, UserId::from_uuid(user_id.as_uuid()))? else {
            return Err(AppError::Unauthorized);
        };
        audit::append(
            c,
            // Not the organization the caller came from: one organization's log never carries
            // another's ids.
            &Record::new("auth.switch_organization", "organization", &target)
                .in_organization(&scope)
                .actor(&user.id)
                .from(&meta)
                .after(Some(serde_json::json!({ "organization_id": target.to_string() })))
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
    fn settings_are_validated_field_by_field() {
        let ok = OrganizationInput {
            name: "Vend Co".into(),
            timezone: "Asia/Tashkent".into(),
            language: "uz".into(),
        };
        assert!(validate(&ok).is_ok());
        let bad = OrganizationInput {
            name: " ".into(),
            timezone: "Mars/../x y".into(),
            language: "de".into(),
        };
        let Err(AppError::Validation(e)) = validate(&bad) else {
            panic!("expected validation errors")
        };
        assert_eq!(
            e.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
            ["name", "timezone", "language"]
        );
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("Toshkent Vending, LLC!"), "toshkent-vending-llc");
        assert_eq!(slugify("Ташкент"), "org");
    }
}
