//! Tasks: `/admin/tasks` (kanban and list, create and assign) and the task page (checklist, items, comments, photos, start, complete, reject, cash collection).

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
