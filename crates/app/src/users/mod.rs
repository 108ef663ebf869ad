//! People of an organization: list members, add one with a role (an admin can never create an owner),
//! suspend. A person may belong to several organizations: an organization changes only its own
//! membership (role, suspension, removal); the account (name, e-mail, password, 2FA) is the person's, and
//! an organization's admins may change it only while the account belongs to that organization alone.
//! Every change is audited in its transaction.

mod create;
mod membership;
mod password_policy;
mod update;

use serde::Serialize;
use vendhub_domain::ids::UserId;
use vendhub_store::users;

use crate::auth::Principal;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

pub use create::{NewMember, create};
pub use membership::{activate, delete, suspend};
pub use password_policy::password_problems;
pub use update::{MemberPatch, update};

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
