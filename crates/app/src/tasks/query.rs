//! What a task list asks for, in domain types; the use case turns it into the store's filter.

use vendhub_domain::tasks::{Priority, TaskStatus, TaskType};
use vendhub_store::tasks::TaskFilter;

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    pub status: Option<TaskStatus>,
    pub task_type: Option<TaskType>,
    /// Kept as given: an id that is not a machine's matches no task (the list is empty, not refused).
    pub machine_id: Option<String>,
    /// Kept as given, like `machine_id`.
    pub assignee_id: Option<String>,
    pub priority: Option<Priority>,
    /// Due before this time.
    pub due_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Only open tasks (pending, assigned, in progress, postponed).
    pub open_only: bool,
}

impl TaskQuery {
    pub(crate) fn filter(&self) -> TaskFilter {
        TaskFilter {
            status: self.status.map(|s| s.as_str().into()),
            task_type: self.task_type.map(|t| t.as_str().into()),
            machine_id: self.machine_id.clone(),
            assignee_id: self.assignee_id.clone(),
            priority: self.priority.map(|p| p.as_str().into()),
            due_before: self.due_before.map(|t| t.naive_utc()),
            open_only: self.open_only,
        }
    }
}
