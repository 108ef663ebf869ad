//! Moving a machine to another location (or into storage) — the use case of
//! `POST /api/v1/machines/{id}/move`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::machines;
use vendhub_domain::roles::Permission;

use super::machine_id;
use crate::HttpState;
use crate::extract::Meta;
use crate::web::catalog::fields::FieldErrors;
use crate::web::session::see_other;
use crate::web::{Form, Panel, WebError};

#[derive(Deserialize)]
pub(super) struct MoveForm {
    /// Empty puts the machine in storage.
    #[serde(default)]
    location_id: String,
}

pub(super) async fn move_machine(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    let to = FieldErrors::text(&f.location_id);
    machines::move_to(&state.app, &panel.who, id, to, &meta).await?;
    Ok(see_other(&format!("/admin/machines/{id}")))
}
