//! `/api/v1/tasks`: field tasks, their state changes, notes and photo proof. The handlers live by
//! sub-area: `queries` (lists, the board, one task), `lifecycle` (creation and the state changes), `plan`
//! (planned items and the checklist), `comments` and `photos`; this module registers their routes and
//! holds what they share.

mod comments;
mod lifecycle;
pub(crate) mod photos;
mod plan;
mod queries;

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::tasks::NewItem;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(queries::list, lifecycle::create))
        .routes(routes!(queries::my))
        .routes(routes!(queries::kanban))
        .routes(routes!(queries::get))
        .routes(routes!(lifecycle::assign))
        .routes(routes!(lifecycle::start))
        .routes(routes!(lifecycle::postpone))
        .routes(routes!(lifecycle::cancel))
        .routes(routes!(lifecycle::complete))
        .routes(routes!(lifecycle::reject))
        .routes(routes!(comments::list_comments, comments::add_comment))
        .routes(routes!(plan::set_checklist, plan::tick_checklist))
        .routes(routes!(plan::set_items))
        .routes(routes!(photos::add_photo))
        .routes(routes!(photos::photo_file))
        .routes(routes!(queries::assignees))
}

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

fn parse_or<T>(
    field: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    msg: &str,
) -> Result<Option<T>, AppError> {
    v.map(|s| parse(s).ok_or_else(|| bad(field, msg))).transpose()
}

#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    product_id: String,
    /// The machine slot (`A1`) the item is for.
    slot: Option<String>,
    planned_qty: i64,
}

fn items(v: Vec<ItemBody>) -> Vec<NewItem> {
    v.into_iter()
        .map(|i| NewItem {
            product_id: i.product_id,
            slot: i.slot,
            planned_qty: i.planned_qty,
        })
        .collect()
}
