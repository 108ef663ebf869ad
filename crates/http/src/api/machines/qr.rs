//! The machine's QR code, as SVG or PNG.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::AppError;
use vendhub_app::machines::{self};
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, IntoParams)]
pub struct QrQuery {
    /// svg (default) or png.
    format: Option<String>,
}

/// The machine's QR code (SVG or PNG), opening its customer page.
#[utoipa::path(get, path = "/api/v1/machines/{id}/qr", tag = "machines", params(("id" = String, Path), QrQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "image/svg+xml or image/png"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn qr(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    let target = machines::qr_target(&s.app, &who, id).await?;
    match q.format.as_deref().unwrap_or("svg") {
        "svg" => {
            let svg = crate::qr::svg(&target).map_err(AppError::internal)?;
            Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
        }
        "png" => {
            let png = crate::qr::png(&target).map_err(AppError::internal)?;
            Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
        }
        _ => Err(ApiError(AppError::Validation(vec![
            vendhub_app::error::FieldError::new("format", "must be svg or png"),
        ]))),
    }
}
