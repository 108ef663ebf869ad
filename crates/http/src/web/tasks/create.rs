//! Creating a task (a manager's): type, machine, assignee, priority, due time, title, description and
//! checklist. A refill's items are planned next, on the task's page, against the machine's slots.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::TimeZone;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::tasks::{self, NewTask};
use vendhub_domain::ids::{MachineId, UserId};
use vendhub_domain::roles::Permission;
use vendhub_domain::tasks::{Priority, TaskType};

use super::{Choice, Names, priority_choices, type_choices};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::i18n::Tr;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

#[derive(Template)]
#[template(path = "admin/tasks/new.html")]
struct NewPage {
    page: PageCtx,
    types: Vec<Choice>,
    priorities: Vec<Choice>,
    machines: Vec<Choice>,
    assignees: Vec<Choice>,
    /// A machine chosen in advance (`?machine_id=`, from a machine's page).
    machine_id: String,
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    machine_id: Option<String>,
}

/// The form.
pub(super) async fn form(
    State(state): State<HttpState>,
    panel: Panel,
    q: Result<axum::extract::Query<NewQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let names = Names::load(&state.app, &panel.who, panel.page.t).await?;
    let t = panel.page.t;
    page(&NewPage {
        types: type_choices(t),
        priorities: priority_choices(t),
        machines: names.machine_choices,
        assignees: names.assignee_choices,
        machine_id: q.ok().and_then(|q| q.0.machine_id).unwrap_or_default(),
        page: panel.page,
    })
}

/// The form as posted.
#[derive(Deserialize)]
pub(super) struct NewTaskForm {
    task_type: String,
    machine_id: String,
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// `datetime-local` (`2026-05-01T14:30`), in the organization's time zone.
    #[serde(default)]
    due_at: String,
    /// One entry a line.
    #[serde(default)]
    checklist: String,
}

pub(super) fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

fn text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A `datetime-local` value in the organization's zone, as UTC.
pub(super) fn local_time(
    t: Tr,
    field: &str,
    s: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let Some(s) = text(s) else {
        return Ok(None);
    };
    let naive = chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| bad(field, "must be a date and time"))?;
    t.tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| Some(d.with_timezone(&chrono::Utc)))
        .ok_or_else(|| bad(field, "is not a time in the organization's zone"))
}

impl NewTaskForm {
    fn into_task(self, t: Tr) -> Result<NewTask, AppError> {
        let task_type =
            TaskType::parse(self.task_type.trim()).ok_or_else(|| bad("task_type", "unknown task type"))?;
        let priority = match text(&self.priority) {
            None => Priority::Normal,
            Some(p) => {
                Priority::parse(&p).ok_or_else(|| bad("priority", "must be low, normal, high or urgent"))?
            }
        };
        let machine_id: MachineId = self
            .machine_id
            .trim()
            .parse()
            .map_err(|_| bad("machine_id", "no such machine"))?;
        let assignee_id = text(&self.assignee_id)
            .map(|a| {
                a.parse::<UserId>()
                    .map_err(|_| bad("assignee_id", "no such user"))
            })
            .transpose()?;
        Ok(NewTask {
            task_type,
            priority,
            machine_id,
            assignee_id,
            title: text(&self.title),
            description: text(&self.description),
            due_at: local_time(t, "due_at", &self.due_at)?,
            requires_photos: None,
            items: Vec::new(),
            checklist: self.checklist.lines().filter_map(text).collect(),
        })
    }
}

/// Creates the task and shows its page.
pub(super) async fn submit(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<NewTaskForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::TasksManage)?;
    let task = f.into_task(panel.page.t)?;
    let created = tasks::create(&state.app, &panel.who, task, &meta).await?;
    Ok(see_other(&format!("/admin/tasks/{}", created.id)))
}
