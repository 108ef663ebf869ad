//! The machine's QR code for its page (and for printing), as the API draws it.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use vendhub_app::{AppError, machines};
use vendhub_domain::roles::Permission;

use super::machine_id;
use crate::HttpState;
use crate::web::{Panel, WebError};

pub(super) async fn svg(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let target = machines::qr_target(&state.app, &panel.who, machine_id(&id)?).await?;
    let svg = crate::qr::svg(&target).map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
