//! `/admin/tasks`: the kanban (a column per state) and the list with filters (status, type, machine,
//! assignee). Someone who only works on their own tasks (an operator) sees only those.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::paging::PageRequest;
use vendhub_app::tasks::{self, TaskQuery, TaskView};
use vendhub_domain::roles::Permission;
use vendhub_domain::tasks::{TaskStatus, TaskType};

use super::{Choice, Names, priority_key, status_choices, status_key, type_choices, type_key};
use crate::HttpState;
use crate::web::pager::Pager;
use crate::web::{PageCtx, Panel, WebError, page};

/// The board's filters, as the filter form sends them (an empty value is no filter).
#[derive(Deserialize, Default)]
pub(super) struct BoardQuery {
    view: Option<String>,
    status: Option<String>,
    task_type: Option<String>,
    machine_id: Option<String>,
    assignee_id: Option<String>,
    page: Option<i64>,
}

fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

/// A task as a card or a row shows it.
pub(super) struct Card {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub status_label: &'static str,
    pub type_label: &'static str,
    pub priority_label: &'static str,
    pub machine: String,
    pub assignee: String,
    pub due: String,
}

impl Card {
    pub(super) fn of(v: &TaskView, names: &Names, page: &PageCtx) -> Self {
        Self {
            id: v.id.clone(),
            number: v.number.clone(),
            title: v.title.clone(),
            status: v.status.clone(),
            status_label: page.t.t(&status_key(&v.status)),
            type_label: page.t.t(&type_key(&v.task_type)),
            priority_label: page.t.t(&priority_key(&v.priority)),
            machine: names.machine(&v.machine_id),
            assignee: names.person(v.assignee_id.as_deref()),
            due: v.due_at.as_ref().map(|d| page.t.datetime(d)).unwrap_or_default(),
        }
    }
}

/// A kanban column: its state, label, how many tasks are in it, the first of them.
pub(super) struct Column {
    pub status: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "admin/tasks/board.html")]
struct Board {
    page: PageCtx,
    list_view: bool,
    mine_only: bool,
    columns: Vec<Column>,
    rows: Vec<Card>,
    pager: Option<Pager>,
    statuses: Vec<Choice>,
    types: Vec<Choice>,
    machines: Vec<Choice>,
    assignees: Vec<Choice>,
    f_status: String,
    f_type: String,
    f_machine: String,
    f_assignee: String,
    /// The filters as a query string (for the view switch and the pager).
    filters: String,
}

/// The kanban, or with `?view=list` the paged list.
pub(super) async fn board(
    State(state): State<HttpState>,
    panel: Panel,
    q: Result<Query<BoardQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let Query(q) = q.map_err(|e| bad("query", &e.body_text()))?;
    let app = &state.app;
    let status = given(q.status.as_ref())
        .map(|s| TaskStatus::parse(s).ok_or_else(|| bad("status", "unknown status")))
        .transpose()?;
    let task_type = given(q.task_type.as_ref())
        .map(|s| TaskType::parse(s).ok_or_else(|| bad("task_type", "unknown task type")))
        .transpose()?;
    // Someone who works only on their own tasks sees only those.
    let mine_only = !panel.page.can_manage_tasks() && panel.page.can_work_tasks();
    let assignee = if mine_only {
        Some(panel.who.user_id().to_string())
    } else {
        given(q.assignee_id.as_ref()).map(str::to_owned)
    };
    let filter = TaskQuery {
        status,
        task_type,
        machine_id: given(q.machine_id.as_ref()).map(str::to_owned),
        assignee_id: assignee,
        ..TaskQuery::default()
    };
    let names = Names::load(app, &panel.who, panel.page.t).await?;
    let list_view = q.view.as_deref() == Some("list");
    let (mut columns, mut rows, mut meta) = (Vec::new(), Vec::new(), None);
    if list_view {
        let paged = tasks::list(app, &panel.who, filter, PageRequest::parse(q.page, Some(50))?).await?;
        rows = paged
            .data
            .iter()
            .map(|v| Card::of(v, &names, &panel.page))
            .collect();
        meta = Some(paged.meta);
    } else {
        let first = PageRequest::parse(Some(1), Some(30))?;
        for s in TaskStatus::ALL {
            if status.is_some_and(|only| only != *s) {
                continue;
            }
            let f = TaskQuery {
                status: Some(*s),
                ..filter.clone()
            };
            let paged = tasks::list(app, &panel.who, f, first).await?;
            columns.push(Column {
                status: s.as_str(),
                label: panel.page.t.t(&status_key(s.as_str())),
                total: paged.meta.total,
                cards: paged
                    .data
                    .iter()
                    .map(|v| Card::of(v, &names, &panel.page))
                    .collect(),
            });
        }
    }
    let f_status = given(q.status.as_ref()).unwrap_or_default().to_owned();
    let f_type = given(q.task_type.as_ref()).unwrap_or_default().to_owned();
    let f_machine = given(q.machine_id.as_ref()).unwrap_or_default().to_owned();
    let f_assignee = given(q.assignee_id.as_ref()).unwrap_or_default().to_owned();
    let mut filters = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", &f_status),
        ("task_type", &f_type),
        ("machine_id", &f_machine),
        ("assignee_id", &f_assignee),
    ] {
        if !v.is_empty() {
            filters.append_pair(k, v);
        }
    }
    let filters = filters.finish();
    let filters = if filters.is_empty() {
        filters
    } else {
        format!("&{filters}")
    };
    let t = panel.page.t;
    page(&Board {
        list_view,
        mine_only,
        columns,
        rows,
        pager: meta.map(|m| Pager::new(&t, &m, "/admin/tasks?view=list", &filters)),
        statuses: status_choices(t),
        types: type_choices(t),
        machines: names.machine_choices,
        assignees: names.assignee_choices,
        f_status,
        f_type,
        f_machine,
        f_assignee,
        filters,
        page: panel.page,
    })
}
