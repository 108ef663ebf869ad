//! What is written on a task besides its state: comments, the checklist, the planned items.

use serde::Serialize;
use vendhub_domain::ids::TaskId;
use vendhub_domain::tasks::TaskStatus;
use vendhub_store::tasks::{self, CommentRow, TaskRow};
use vendhub_store::{DbConn, audit};

use super::commands::actor;
use super::{NewItem, TaskView, check_items, check_rows, invalid, item_rows};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: String,
    pub author_id: Option<String>,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One checklist entry ticked or unticked.
#[derive(Debug, Clone)]
pub struct CheckItem {
    pub position: i64,
    pub done: bool,
}

/// The task, if the caller is its assignee or a manager (404 if missing, 403 if not theirs).
fn own_task(c: &mut DbConn, who: &Principal, id: &str) -> Result<TaskRow, AppError> {
    let t = tasks::get(c, who.scope(), id)?.ok_or(AppError::NotFound)?;
    let a = actor(who, &t);
    if a.is_assignee || a.is_manager {
        Ok(t)
    } else {
        Err(AppError::Forbidden)
    }
}

fn comment_view(c: CommentRow) -> CommentView {
    CommentView {
        id: c.id,
        author_id: c.author_id,
        body: c.body,
        created_at: c.created_at.and_utc(),
    }
}

/// Runs `f` on the caller's own task in a write transaction.
async fn on_task<T: Send + 'static>(
    app: &App,
    who: &Principal,
    id: String,
    f: impl FnOnce(&mut DbConn, &Principal, TaskRow) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let who2 = who.clone();
    app.write(move |c| {
        let t = own_task(c, &who2, &id)?;
        f(c, &who2, t)
    })
    .await
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn add_comment(
    app: &App,
    who: &Principal,
    id: TaskId,
    body: String,
) -> Result<CommentView, AppError> {
    let id = id.to_string();
    if body.trim().is_empty() || body.chars().count() > 2000 {
        return Err(invalid("body", "must be 1 to 2000 characters"));
    }
    let now = app.now();
    let row = on_task(app, who, id, move |c, who, t| {
        let row = CommentRow {
            id: uuid::Uuid::now_v7().to_string(),
            task_id: t.id,
            author_id: Some(who.user_id().to_string()),
            body,
            created_at: now,
        };
        tasks::add_comment(c, who.scope(), &row)?;
        Ok(row)
    })
    .await?;
    Ok(comment_view(row))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn comments(app: &App, who: &Principal, id: TaskId) -> Result<Vec<CommentView>, AppError> {
    let id = id.to_string();
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| {
            let Some(t) = tasks::get(c, &scope, &id)? else {
                return Ok(None);
            };
            Ok(Some(tasks::comments(c, &scope, &t.id)?))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rows.into_iter().map(comment_view).collect())
}

/// Ticks or unticks checklist entries (the assignee or a manager).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn set_check(
    app: &App,
    who: &Principal,
    id: TaskId,
    checks: Vec<CheckItem>,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    let task = on_task(app, who, id, move |c, who, t| {
        let mut list = tasks::checklist(c, who.scope(), &t.id)?;
        for ch in &checks {
            let Some(entry) = list.iter_mut().find(|e| e.position == ch.position) else {
                return Err(invalid("position", "no such checklist entry"));
            };
            entry.done = ch.done;
            entry.done_by = ch.done.then(|| who.user_id().to_string());
            entry.done_at = ch.done.then(vendhub_store::now);
        }
        tasks::replace_checklist(c, who.scope(), &t.id, &list)?;
        Ok(t.id)
    })
    .await?;
    super::view_of(app, who, task).await
}

/// Fails unless the task is still open (its plan can change).
fn still_open(t: &TaskRow) -> Result<(), AppError> {
    if TaskStatus::parse(&t.status).is_some_and(TaskStatus::is_open) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "the task is {}: its plan cannot change",
            t.status
        )))
    }
}

/// Replaces the checklist (a manager's; open tasks only).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn set_checklist(
    app: &App,
    who: &Principal,
    id: TaskId,
    labels: Vec<String>,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    if labels
        .iter()
        .any(|l| l.trim().is_empty() || l.chars().count() > 200)
    {
        return Err(invalid("checklist", "each entry must be 1 to 200 characters"));
    }
    let meta = meta.clone();
    let task = on_task(app, who, id, move |c, who, t| {
        still_open(&t)?;
        tasks::replace_checklist(c, who.scope(), &t.id, &check_rows(&t.id, &labels))?;
        audit::append(
            c,
            &Record::new("task.checklist", "task", &t.id)
                .by(who)
                .from(&meta)
                .after(Some(serde_json::json!(labels)))
                .done(),
        )?;
        Ok(t.id)
    })
    .await?;
    super::view_of(app, who, task).await
}

/// Replaces the planned items (a manager's; open tasks only).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn set_items(
    app: &App,
    who: &Principal,
    id: TaskId,
    items: Vec<NewItem>,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    let meta = meta.clone();
    let task = on_task(app, who, id, move |c, who, t| {
        still_open(&t)?;
        check_items(c, who.scope(), &t.machine_id, &items)?;
        tasks::replace_items(c, who.scope(), &t.id, &item_rows(&t.id, &items))?;
        audit::append(
            c,
            &Record::new("task.items", "task", &t.id)
                .by(who)
                .from(&meta)
                .after(Some(serde_json::json!({ "items": items.len() })))
                .done(),
        )?;
        Ok(t.id)
    })
    .await?;
    super::view_of(app, who, task).await
}
