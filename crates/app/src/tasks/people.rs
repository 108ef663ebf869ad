//! Who a task may be given to: the organization's active members whose role works on tasks.

use serde::Serialize;
use vendhub_domain::roles::{Permission, Role};
use vendhub_store::users;

use crate::auth::Principal;
use crate::{App, AppError};

/// A member a task may be assigned to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assignee {
    pub id: String,
    pub full_name: String,
    pub role: String,
}

/// The active members who may work on tasks (operators first, then by name). Readable by whoever reads
/// tasks (to show the assignee's name); assigning is still a manager's.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn assignees(app: &App, who: &Principal) -> Result<Vec<Assignee>, AppError> {
    who.require(Permission::FleetRead)?;
    let scope = who.scope().clone();
    let (rows, _) = app
        .db()
        .run(move |c| users::list_members(c, &scope, 0, 10_000))
        .await?;
    let mut out: Vec<Assignee> = rows
        .into_iter()
        .filter(|(u, m)| {
            u.status == "active"
                && m.status == "active"
                && Role::parse(&m.role).is_some_and(|r| r.can(Permission::TasksWorkOwn))
        })
        .map(|(u, m)| Assignee {
            id: u.id,
            full_name: u.full_name,
            role: m.role,
        })
        .collect();
    out.sort_by(|a, b| (a.role != "operator", &a.full_name).cmp(&(b.role != "operator", &b.full_name)));
    Ok(out)
}
