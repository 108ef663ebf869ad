//! State changes other than completion and rejection: assign, start, postpone, cancel. Each goes through
//! the domain's state table and its rule of who may act; a change lost to a concurrent one is a 409.

use vendhub_domain::ids::{TaskId, UserId};
use vendhub_domain::roles::Permission;
use vendhub_domain::tasks::{Actor, Command, TaskStatus, may, transition};
use vendhub_store::tasks::{self, TaskRow};
use vendhub_store::{DbConn, StoreError, audit, users};

use super::{TaskView, invalid, publish};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

/// A state change and what it carries.
#[derive(Debug, Clone)]
pub enum Change {
    Assign(UserId),
    Start,
    Postpone(String),
    Cancel(Option<String>),
}

impl Change {
    fn command(&self) -> Command {
        match self {
            Self::Assign(_) => Command::Assign,
            Self::Start => Command::Start,
            Self::Postpone(_) => Command::Postpone,
            Self::Cancel(_) => Command::Cancel,
        }
    }
}

/// Who the caller is to this task.
pub(crate) fn actor(who: &Principal, t: &TaskRow) -> Actor {
    Actor {
        is_assignee: t.assignee_id.as_deref() == Some(who.user_id().to_string().as_str()),
        is_manager: who.role().can(Permission::TasksManage),
    }
}

/// Loads the task and checks that the caller may give `command` and that the table allows it now.
pub(crate) fn guard(
    c: &mut DbConn,
    who: &Principal,
    id: &str,
    command: Command,
) -> Result<(TaskRow, TaskStatus), AppError> {
    let Some(t) = tasks::get(c, who.scope(), id)? else {
        return Err(AppError::NotFound);
    };
    if !may(actor(who, &t), command) {
        return Err(AppError::Forbidden);
    }
    let current = TaskStatus::parse(&t.status)
        .ok_or_else(|| StoreError::Corrupt(format!("task status {}", t.status)))?;
    let next = transition(current, command)
        .map_err(|e| AppError::Conflict(format!("the task is {}: it cannot {} now", e.from, e.command)))?;
    Ok((t, next))
}

/// Saves `after` if the task is still in the state it was read in (409 otherwise), with its audit entry.
pub(crate) fn save(
    c: &mut DbConn,
    who: &Principal,
    meta: &RequestMeta,
    before: &TaskRow,
    after: &TaskRow,
    command: Command,
) -> Result<(), AppError> {
    if !tasks::save_if(c, who.scope(), after, &before.status)? {
        return Err(AppError::Conflict(
            "the task was changed by someone else: reload it".into(),
        ));
    }
    audit::append(
        c,
        &Record::new(&format!("task.{command}"), "task", &after.id)
            .by(who)
            .from(meta)
            .before(Some(
                serde_json::json!({ "status": before.status, "assignee_id": before.assignee_id }),
            ))
            .after(Some(
                serde_json::json!({ "status": after.status, "assignee_id": after.assignee_id,
                "reason": after.status_reason }),
            ))
            .done(),
    )?;
    Ok(())
}

/// Applies a state change to a task.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn act(
    app: &App,
    who: &Principal,
    id: TaskId,
    change: Change,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    if let Change::Postpone(reason) = &change
        && (reason.trim().is_empty() || reason.chars().count() > 500)
    {
        return Err(invalid("reason", "must be 1 to 500 characters"));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    let saved = app
        .write(move |c| {
            let command = change.command();
            let (before, next) = guard(c, &who2, &id, command)?;
            let now = vendhub_store::now();
            let mut after = TaskRow {
                status: next.as_str().into(),
                updated_at: now,
                ..before.clone()
            };
            match &change {
                Change::Assign(user) => {
                    if users::role_in(c, who2.scope(), *user)?.is_none() {
                        return Err(invalid("assignee_id", "no such user"));
                    }
                    after.assignee_id = Some(user.to_string());
                }
                Change::Start => after.started_at = Some(now),
                Change::Postpone(reason) => after.status_reason = Some(reason.clone()),
                Change::Cancel(reason) => after.status_reason.clone_from(reason),
            }
            save(c, &who2, &meta, &before, &after, command)?;
            Ok(after)
        })
        .await?;
    publish(app, &saved).await;
    super::view_of(app, who, saved.id).await
}
