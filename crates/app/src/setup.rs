//! First start: the first organization and its owner, created once (idempotent).

use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
use vendhub_store::{organizations, users};

use crate::auth::password_hash;
use crate::error::FieldError;
use crate::{App, AppError};

/// Who the first owner is: from `VENDHUB_ADMIN_EMAIL` / `VENDHUB_ADMIN_PASSWORD`, or generated.
#[derive(Debug, Clone)]
pub struct FirstOwner {
    pub email: String,
    /// `None`: generate one and return it once.
    pub password: Option<String>,
    pub organization_name: String,
}

/// What the first start created, to print once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedOwner {
    pub email: String,
    /// Set only when the password was generated (and so must be shown to the operator now).
    pub generated_password: Option<String>,
}

pub const DEFAULT_ORG_SLUG: &str = "default";

/// Creates the first organization and owner unless an organization exists already.
pub async fn ensure_first_owner(app: &App, owner: FirstOwner) -> Result<Option<CreatedOwner>, AppError> {
    let email = owner.email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(AppError::Validation(vec![FieldError::new(
            "VENDHUB_ADMIN_EMAIL",
            "is not an e-mail address",
        )]));
    }
    if app.db().run(organizations::count).await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match owner.password {
        Some(p) => (p, false),
        None => (password_hash::generate(), true),
    };
    if password.chars().count() < 10 {
        return Err(AppError::Validation(vec![FieldError::new(
            "VENDHUB_ADMIN_PASSWORD",
            "must be at least 10 characters",
        )]));
    }
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || password_hash::hash(&password))
            .await
            .map_err(AppError::internal)??
    };
    let name = owner.organization_name.clone();
    let created_email = email.clone();
    let created = app
        .db()
        .run(move |conn| {
            vendhub_store::write(conn, |conn| {
                // Checked again inside the transaction: two processes starting at once create one owner.
                if organizations::count(conn)? > 0 {
                    return Ok(false);
                }
                let org = OrganizationId::new();
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the first organization, which setup creates on an empty database for its owner"
                )]
                let scope = vendhub_store::TenantScope::authenticated(org);
                organizations::insert(
                    conn,
                    &scope,
                    &organizations::NewOrganization {
                        id: org,
                        name: &name,
                        slug: DEFAULT_ORG_SLUG,
                        timezone: "Asia/Tashkent",
                        language: "uz",
                    },
                )?;
                users::insert_member(
                    conn,
                    &scope,
                    &users::NewMember {
                        id: UserId::new(),
                        organization_id: org,
                        email: &email,
                        full_name: "Owner",
                        password_hash: &hash,
                        role: Role::Owner,
                    },
                )?;
                Ok(true)
            })
        })
        .await;
    match created {
        Ok(true) => Ok(Some(CreatedOwner {
            email: created_email,
            generated_password: generated.then_some(password),
        })),
        // Another process won the race (its unique slug stopped ours): nothing to print here.
        Ok(false) | Err(vendhub_store::StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
