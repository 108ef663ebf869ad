//! One task: what it is, the slots to fill (a refill's items), the checklist, photos, comments, and the
//! controls the caller may use now (the domain's state table and rule of who may act decide which).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use vendhub_app::tasks::{self, TaskView};
use vendhub_domain::ids::MachineId;
use vendhub_domain::roles::Permission;
use vendhub_domain::tasks::{Actor, Command, TaskStatus, TaskType, may, transition};

use super::{Choice, Names, priority_key, status_key, task_id, type_key};
use crate::HttpState;
use crate::api::tasks::photos::file_response;
use crate::web::{PageCtx, Panel, WebError, page};

/// A planned item: the slot to fill, the product, how many to put in, how many were.
pub(super) struct ItemRow {
    pub id: String,
    pub slot: String,
    pub product: String,
    pub planned: i64,
    pub actual: Option<i64>,
}

/// A slot of the machine, for planning a refill's items.
pub(super) struct PlanRow {
    pub slot: String,
    pub product_id: String,
    pub product: String,
    pub quantity: i64,
    pub capacity: i64,
    /// The planned quantity already set for it (empty: none).
    pub planned: String,
}

pub(super) struct PhotoCard {
    pub id: String,
    pub label: &'static str,
    pub taken: String,
}

pub(super) struct CheckRow {
    pub position: i64,
    pub label: String,
    pub done: bool,
}

pub(super) struct CommentRow {
    pub author: String,
    pub body: String,
    pub at: String,
}

/// Which controls the caller may use now.
#[expect(clippy::struct_excessive_bools, reason = "one flag per control of the page")]
pub(super) struct Controls {
    pub assign: bool,
    pub start: bool,
    pub postpone: bool,
    pub cancel: bool,
    pub complete: bool,
    pub reject: bool,
    /// Upload photos, tick the checklist, comment (the assignee's or a manager's, on an open task).
    pub work: bool,
    /// Plan the items (a manager's, on an open task).
    pub plan: bool,
}

impl Controls {
    fn of(v: &TaskView, panel: &Panel) -> Self {
        let status = TaskStatus::parse(&v.status);
        let actor = Actor {
            is_assignee: v.assignee_id.as_deref() == Some(panel.who.user_id().to_string().as_str()),
            is_manager: panel.page.can_manage_tasks(),
        };
        let worker = panel.page.can_work_tasks();
        let allowed =
            |c: Command| worker && may(actor, c) && status.is_some_and(|s| transition(s, c).is_ok());
        let open = status.is_some_and(TaskStatus::is_open);
        Self {
            assign: allowed(Command::Assign),
            start: allowed(Command::Start),
            postpone: allowed(Command::Postpone),
            cancel: allowed(Command::Cancel),
            complete: allowed(Command::Complete),
            reject: allowed(Command::Reject),
            work: worker && (actor.is_assignee || actor.is_manager) && open,
            plan: actor.is_manager && open,
        }
    }

    fn any(&self) -> bool {
        self.assign || self.start || self.postpone || self.cancel || self.complete || self.reject
    }
}

#[derive(Template)]
#[template(path = "admin/tasks/show.html")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "what the page shows for each kind of task"
)]
struct Show {
    page: PageCtx,
    task: TaskView,
    status_label: &'static str,
    type_label: &'static str,
    priority_label: &'static str,
    machine: String,
    assignee: String,
    creator: String,
    due: String,
    is_refill: bool,
    is_collection: bool,
    is_audit: bool,
    items: Vec<ItemRow>,
    plan: Vec<PlanRow>,
    photos: Vec<PhotoCard>,
    checklist: Vec<CheckRow>,
    comments: Vec<CommentRow>,
    assignees: Vec<Choice>,
    can: Controls,
    has_controls: bool,
}

/// The task's page.
pub(super) async fn show(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let id = task_id(&id)?;
    let app = &state.app;
    let (task, comments, names) = tokio::try_join!(
        tasks::get(app, &panel.who, id),
        tasks::comments(app, &panel.who, id),
        Names::load(app, &panel.who, panel.page.t),
    )?;
    let can = Controls::of(&task, &panel);
    let task_type = TaskType::parse(&task.task_type);
    let t = panel.page.t;
    let plan = if can.plan && matches!(task_type, Some(TaskType::Refill | TaskType::Audit)) {
        let machine: MachineId = task
            .machine_id
            .parse()
            .map_err(|_| vendhub_app::AppError::NotFound)?;
        vendhub_app::stock::machine_stock(app, &panel.who, machine)
            .await?
            .into_iter()
            .map(|s| PlanRow {
                planned: task
                    .items
                    .iter()
                    .find(|i| i.slot.as_deref() == Some(s.slot.as_str()))
                    .map(|i| i.planned_qty.to_string())
                    .unwrap_or_default(),
                product: names.product(&s.product_id),
                slot: s.slot,
                product_id: s.product_id,
                quantity: s.quantity,
                capacity: s.capacity,
            })
            .collect()
    } else {
        Vec::new()
    };
    let items = task
        .items
        .iter()
        .map(|i| ItemRow {
            id: i.id.clone(),
            slot: i.slot.clone().unwrap_or_default(),
            product: names.product(&i.product_id),
            planned: i.planned_qty,
            actual: i.actual_qty,
        })
        .collect();
    let photos = task
        .photos
        .iter()
        .map(|p| PhotoCard {
            id: p.id.clone(),
            label: t.t(&format!("tasks.photo.{}", p.category)),
            taken: t.datetime(&p.taken_at),
        })
        .collect();
    let checklist = task
        .checklist
        .iter()
        .map(|c| CheckRow {
            position: c.position,
            label: c.label.clone(),
            done: c.done,
        })
        .collect();
    let comments = comments
        .into_iter()
        .map(|c| CommentRow {
            author: names.person(c.author_id.as_deref()),
            body: c.body,
            at: t.datetime(&c.created_at),
        })
        .collect();
    page(&Show {
        status_label: t.t(&status_key(&task.status)),
        type_label: t.t(&type_key(&task.task_type)),
        priority_label: t.t(&priority_key(&task.priority)),
        machine: names.machine(&task.machine_id),
        assignee: names.person(task.assignee_id.as_deref()),
        creator: names.person(task.created_by.as_deref()),
        due: task.due_at.as_ref().map(|d| t.datetime(d)).unwrap_or_default(),
        is_refill: task_type == Some(TaskType::Refill),
        is_collection: task_type == Some(TaskType::Collection),
        is_audit: task_type == Some(TaskType::Audit),
        items,
        plan,
        photos,
        checklist,
        comments,
        assignees: names.assignee_choices,
        has_controls: can.any(),
        can,
        task,
        page: panel.page,
    })
}

/// A photo's file, for `<img src>`: the same use case as the API's download.
pub(super) async fn photo_file(
    State(state): State<HttpState>,
    panel: Panel,
    Path((id, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let id = task_id(&id)?;
    let photo: uuid::Uuid = photo.parse().map_err(|_| vendhub_app::AppError::NotFound)?;
    Ok(file_response(
        tasks::photo_file(&state.app, &panel.who, id, photo).await?,
    ))
}
