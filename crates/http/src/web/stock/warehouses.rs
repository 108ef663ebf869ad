//! A warehouse edited (name, address) or deleted from its page, for those who manage stock — the same use
//! cases as `PUT` and `DELETE /api/v1/warehouses/{id}`. A warehouse that still holds stock is not deleted:
//! the rule's message is the page.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_domain::ids::WarehouseId;
use vendhub_domain::roles::Permission;

use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, Panel, WebError};

/// A warehouse id from the path: one that is not a UUID names no warehouse (404).
fn warehouse_id(id: &str) -> Result<WarehouseId, WebError> {
    id.parse().map_err(|_| WebError::App(AppError::NotFound))
}

#[derive(Deserialize)]
pub(super) struct WarehouseForm {
    name: String,
    #[serde(default)]
    address: String,
}

pub(super) async fn update(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<WarehouseForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let id = warehouse_id(&id)?;
    vendhub_app::warehouses::update(&s.app, &panel.who, id, &f.name, &f.address, &meta).await?;
    Ok(see_other(&format!("/admin/stock/warehouses/{id}")))
}

pub(super) async fn delete(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let id = warehouse_id(&id)?;
    vendhub_app::warehouses::delete(&s.app, &panel.who, id, &meta).await?;
    Ok(see_other("/admin/stock"))
}
