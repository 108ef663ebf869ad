//! Cash collections: `/admin/collections`, expected against counted, over/short per machine and
//! operator, confirm. Someone who collects cash but does not review collections (an operator) sees their
//! collection tasks instead, each leading to the task's page where the counted cash is entered.

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::cash_collections::{self, CollectionQuery, GroupBy};
use vendhub_app::error::FieldError;
use vendhub_app::paging::PageRequest;
use vendhub_app::tasks::{self, TaskQuery};
use vendhub_domain::ids::CashCollectionId;
use vendhub_domain::roles::Permission;
use vendhub_domain::tasks::TaskType;

use super::pager::Pager;
use super::session::see_other;
use super::tasks::{Choice, Names, status_key};
use super::{PageCtx, Panel, WebError, page};
use crate::HttpState;
use crate::extract::Meta;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/collections", get(list))
        .route("/admin/collections/{id}/confirm", post(confirm))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    machine_id: Option<String>,
    operator_id: Option<String>,
    /// `yes`, `no` or empty (all).
    confirmed: Option<String>,
    page: Option<i64>,
}

fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

/// The class of an over/short amount: short is bad, over is a warning, exact is fine.
fn over_short_class(v: i64) -> &'static str {
    match v.signum() {
        -1 => "status-critical",
        1 => "status-warning",
        _ => "status-ok",
    }
}

struct Row {
    id: String,
    at: String,
    machine: String,
    operator: String,
    task_id: Option<String>,
    expected: String,
    counted: String,
    over_short: String,
    class: &'static str,
    bag: String,
    confirmed: Option<String>,
}

struct Total {
    name: String,
    collections: i64,
    expected: String,
    counted: String,
    over_short: String,
    class: &'static str,
}

/// A collection task of the operator's own.
struct OwnTask {
    id: String,
    number: String,
    machine: String,
    status: String,
    status_label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/collections/list.html")]
struct ListPage {
    page: PageCtx,
    review: bool,
    rows: Vec<Row>,
    by_machine: Vec<Total>,
    by_operator: Vec<Total>,
    own: Vec<OwnTask>,
    pager: Option<Pager>,
    machines: Vec<Choice>,
    operators: Vec<Choice>,
    f_machine: String,
    f_operator: String,
    f_confirmed: String,
}

async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(|e| bad("query", &e.body_text()))?;
    let app = &state.app;
    let t = panel.page.t;
    let names = Names::load(app, &panel.who, t).await?;
    if !panel.page.can_review_collections() {
        return own_tasks(&state, panel, &names).await;
    }
    let confirmed = match given(q.confirmed.as_ref()) {
        None => None,
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(_) => return Err(bad("confirmed", "must be yes or no").into()),
    };
    let filter = CollectionQuery {
        machine_id: given(q.machine_id.as_ref()).map(str::to_owned),
        operator_id: given(q.operator_id.as_ref()).map(str::to_owned),
        confirmed,
        ..CollectionQuery::default()
    };
    let paging = PageRequest::parse(q.page, Some(50))?;
    let (paged, by_machine, by_operator) = tokio::try_join!(
        cash_collections::list(app, &panel.who, filter.clone(), paging),
        cash_collections::totals(app, &panel.who, filter.clone(), GroupBy::Machine),
        cash_collections::totals(app, &panel.who, filter.clone(), GroupBy::Operator),
    )?;
    let rows = paged
        .data
        .into_iter()
        .map(|c| Row {
            at: t.datetime(&c.collected_at),
            machine: names.machine(&c.machine_id),
            operator: names.person(c.operator_id.as_deref()),
            expected: t.money(c.expected),
            counted: t.money(c.counted),
            over_short: t.money(c.over_short),
            class: over_short_class(c.over_short),
            bag: c.bag_number.unwrap_or_default(),
            confirmed: c
                .confirmed_at
                .as_ref()
                .map(|at| format!("{} · {}", t.datetime(at), names.person(c.confirmed_by.as_deref()))),
            task_id: c.task_id,
            id: c.id,
        })
        .collect();
    let total = |v: Vec<cash_collections::CollectionTotal>, name: &dyn Fn(&str) -> String| -> Vec<Total> {
        v.into_iter()
            .map(|s| Total {
                name: name(&s.key),
                collections: s.collections,
                expected: t.money(s.expected),
                counted: t.money(s.counted),
                over_short: t.money(s.over_short),
                class: over_short_class(s.over_short),
            })
            .collect()
    };
    let by_machine = total(by_machine, &|k| names.machine(k));
    let by_operator = total(by_operator, &|k| names.person(Some(k)));
    let f_machine = given(q.machine_id.as_ref()).unwrap_or_default().to_owned();
    let f_operator = given(q.operator_id.as_ref()).unwrap_or_default().to_owned();
    let f_confirmed = given(q.confirmed.as_ref()).unwrap_or_default().to_owned();
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("machine_id", &f_machine),
        ("operator_id", &f_operator),
        ("confirmed", &f_confirmed),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let filters = s.finish();
    let filters = if filters.is_empty() {
        filters
    } else {
        format!("&{filters}")
    };
    page(&ListPage {
        review: true,
        rows,
        by_machine,
        by_operator,
        own: Vec::new(),
        pager: Some(Pager::new(&t, &paged.meta, "/admin/collections", &filters)),
        machines: names.machine_choices.clone(),
        operators: names.assignee_choices.clone(),
        f_machine,
        f_operator,
        f_confirmed,
        page: panel.page,
    })
}

/// An operator's collections page: their own collection tasks, where the counted cash is entered.
async fn own_tasks(state: &HttpState, panel: Panel, names: &Names) -> Result<Response, WebError> {
    let app = &state.app;
    let t = panel.page.t;
    // An operator: their own collection tasks, where the counted cash is entered.
    panel.require(Permission::CashCollect)?;
    let mine = TaskQuery {
        task_type: Some(TaskType::Collection),
        assignee_id: Some(panel.who.user_id().to_string()),
        ..TaskQuery::default()
    };
    let tasks = tasks::list(app, &panel.who, mine, PageRequest::parse(Some(1), Some(100))?).await?;
    let own = tasks
        .data
        .into_iter()
        .map(|v| OwnTask {
            status_label: t.t(&status_key(&v.status)),
            machine: names.machine(&v.machine_id),
            id: v.id,
            number: v.number,
            status: v.status,
        })
        .collect();
    page(&ListPage {
        review: false,
        rows: Vec::new(),
        by_machine: Vec::new(),
        by_operator: Vec::new(),
        own,
        pager: None,
        machines: Vec::new(),
        operators: Vec::new(),
        f_machine: String::new(),
        f_operator: String::new(),
        f_confirmed: String::new(),
        page: panel.page,
    })
}

/// A reviewer confirms the cash was received.
async fn confirm(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::CollectionsReview)?;
    let id: CashCollectionId = raw.parse().map_err(|_| AppError::NotFound)?;
    cash_collections::confirm(&state.app, &panel.who, id, &meta).await?;
    Ok(see_other("/admin/collections"))
}
