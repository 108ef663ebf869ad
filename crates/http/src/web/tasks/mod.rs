//! Tasks: `/admin/tasks` (kanban and list, create and assign) and the task page (checklist, items,
//! comments, photos, start, complete, reject, cash collection). One file per sub-area: `board` (the
//! kanban and the list), `create`, `page` (one task and its photos' files), `work` (every action on a
//! task). An operator's board shows their own tasks only; a viewer sees no control that writes.

mod board;
mod create;
mod page;
mod work;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_app::machines::MachineQuery;
use vendhub_app::paging::PageRequest;
use vendhub_domain::ids::TaskId;
use vendhub_domain::tasks::{Priority, TaskStatus, TaskType};

use super::i18n::Tr;
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/tasks", get(board::board).post(create::submit))
        .route("/admin/tasks/new", get(create::form))
        .route("/admin/tasks/{id}", get(page::show))
        .route("/admin/tasks/{id}/photos", post(work::photo))
        .route("/admin/tasks/{id}/photos/{photo_id}", get(page::photo_file))
        .route("/admin/tasks/{id}/assign", post(work::assign))
        .route("/admin/tasks/{id}/start", post(work::start))
        .route("/admin/tasks/{id}/postpone", post(work::postpone))
        .route("/admin/tasks/{id}/cancel", post(work::cancel))
        .route("/admin/tasks/{id}/complete", post(work::complete))
        .route("/admin/tasks/{id}/reject", post(work::reject))
        .route("/admin/tasks/{id}/comments", post(work::comment))
        .route("/admin/tasks/{id}/checklist", post(work::tick))
        .route("/admin/tasks/{id}/items", post(work::items))
}

/// A task id from the path: one that is not a UUID names no task (404).
fn task_id(raw: &str) -> Result<TaskId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The catalog key of a status's label.
pub(crate) fn status_key(status: &str) -> String {
    format!("tasks.status.{status}")
}

/// The catalog key of a type's label.
pub(crate) fn type_key(task_type: &str) -> String {
    format!("tasks.type.{task_type}")
}

/// The catalog key of a priority's label.
pub(crate) fn priority_key(priority: &str) -> String {
    format!("tasks.priority.{priority}")
}

/// A labelled choice of a select: (value, label).
pub(crate) type Choice = (String, String);

fn choices<T: Copy + std::fmt::Display>(all: &[T], key: fn(&str) -> String, t: Tr) -> Vec<Choice> {
    all.iter()
        .map(|v| (v.to_string(), t.t(&key(&v.to_string())).to_owned()))
        .collect()
}

pub(crate) fn status_choices(t: Tr) -> Vec<Choice> {
    choices(TaskStatus::ALL, status_key, t)
}

pub(crate) fn type_choices(t: Tr) -> Vec<Choice> {
    choices(TaskType::ALL, type_key, t)
}

pub(crate) fn priority_choices(t: Tr) -> Vec<Choice> {
    choices(Priority::ALL, priority_key, t)
}

/// Names to show instead of ids: machines (number and name), people, products.
#[derive(Default)]
pub(crate) struct Names {
    machines: HashMap<String, String>,
    people: HashMap<String, String>,
    products: HashMap<String, String>,
    /// Machines as choices of a select, by number.
    pub machine_choices: Vec<Choice>,
    /// People tasks may be given to, as choices.
    pub assignee_choices: Vec<Choice>,
}

impl Names {
    /// Reads the organization's machines, task staff and products (the first hundred of each list).
    pub(crate) async fn load(app: &vendhub_app::App, who: &Principal, t: Tr) -> Result<Self, AppError> {
        let page = PageRequest::parse(Some(1), Some(100))?;
        let (machines, people, products) = tokio::try_join!(
            vendhub_app::machines::list(app, who, MachineQuery::default(), page),
            vendhub_app::tasks::assignees(app, who),
            vendhub_app::products::list(app, who, None, page),
        )?;
        let mut n = Self::default();
        for m in machines.data {
            let label = format!("{} · {}", m.number, m.name);
            n.machine_choices.push((m.id.clone(), label.clone()));
            n.machines.insert(m.id, label);
        }
        for p in people {
            let label = format!("{} ({})", p.full_name, t.t(&format!("roles.{}", p.role)));
            n.assignee_choices.push((p.id.clone(), label));
            n.people.insert(p.id, p.full_name);
        }
        for p in products.data {
            let name = match t.code() {
                "ru" => p.name.ru,
                "en" => p.name.en,
                _ => p.name.uz,
            };
            n.products.insert(p.id, name);
        }
        Ok(n)
    }

    pub(crate) fn machine(&self, id: &str) -> String {
        self.machines.get(id).cloned().unwrap_or_else(|| short(id))
    }

    pub(crate) fn person(&self, id: Option<&str>) -> String {
        id.map_or_else(String::new, |id| {
            self.people.get(id).cloned().unwrap_or_else(|| short(id))
        })
    }

    pub(crate) fn product(&self, id: &str) -> String {
        self.products.get(id).cloned().unwrap_or_else(|| short(id))
    }
}

/// The first characters of an id, for something whose name is not at hand.
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    /// Every status, type and priority label the code builds is in the catalog, in every language.
    #[test]
    fn every_status_type_and_priority_has_a_label() {
        for lang in Lang::ALL {
            let t = Tr::new(lang, "UTC");
            let keys = TaskStatus::ALL
                .iter()
                .map(|s| status_key(s.as_str()))
                .chain(TaskType::ALL.iter().map(|v| type_key(v.as_str())))
                .chain(Priority::ALL.iter().map(|p| priority_key(p.as_str())))
                .chain(["before", "after", "during"].map(|c| format!("tasks.photo.{c}")));
            for key in keys {
                assert_ne!(t.t(&key), "[?]", "{key} in {}", lang.code());
            }
        }
    }
}
