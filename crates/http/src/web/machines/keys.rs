//! A machine's API keys: create one (its secret is on the answering page, once) and revoke one — the
//! use cases of `/api/v1/machines/{id}/api-keys`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::gateway::keys;
use vendhub_domain::roles::Permission;

use super::{details, machine_id};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, Panel, WebError};

#[derive(Deserialize)]
pub(super) struct KeyForm {
    #[serde(default)]
    label: String,
}

/// Creates the key and answers with the machine's page showing it; reloading that page (a GET) never
/// shows it again.
pub(super) async fn create(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<KeyForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    let created = keys::create(&state.app, &panel.who, id, f.label.trim(), &meta).await?;
    details::render(&state, panel, id, Some(created)).await
}

pub(super) async fn revoke(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path((id, key_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    keys::revoke(&state.app, &panel.who, id, key_id, &meta).await?;
    Ok(see_other(&format!("/admin/machines/{id}#keys")))
}
