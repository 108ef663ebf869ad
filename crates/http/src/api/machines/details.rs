//! One machine's details: add, read, replace and remove (soft delete).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::machines::{self, MachineInput, MachineView};
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct MachineBody {
    number: String,
    name: String,
    machine_type: String,
    model: Option<String>,
    serial_number: Option<String>,
    location_id: Option<String>,
    operator_id: Option<String>,
    /// active, maintenance or disabled.
    status: Option<String>,
    accepted_payments: Option<Vec<String>>,
    cash_capacity: Option<i64>,
}

impl From<MachineBody> for MachineInput {
    fn from(b: MachineBody) -> Self {
        Self {
            number: b.number,
            name: b.name,
            machine_type: b.machine_type,
            model: b.model,
            serial_number: b.serial_number,
            location_id: b.location_id,
            operator_id: b.operator_id,
            status: b.status,
            accepted_payments: b.accepted_payments,
            cash_capacity: b.cash_capacity,
        }
    }
}

/// Add a machine (the number is unique in the organization).
#[utoipa::path(post, path = "/api/v1/machines", tag = "machines", request_body = MachineBody, security(("bearer" = [])),
    responses((status = 201, body = MachineView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Json(b): Json<MachineBody>,
) -> Result<(StatusCode, axum::Json<MachineView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(machines::create(&s.app, &who, b.into(), &meta).await?),
    ))
}

/// One machine.
#[utoipa::path(get, path = "/api/v1/machines/{id}", tag = "machines", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MachineView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<MachineView>, ApiError> {
    Ok(axum::Json(machines::get(&s.app, &who, id).await?))
}

/// Replace a machine's details.
#[utoipa::path(put, path = "/api/v1/machines/{id}", tag = "machines", params(("id" = String, Path)), request_body = MachineBody,
    security(("bearer" = [])),
    responses((status = 200, body = MachineView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn update(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<MachineBody>,
) -> Result<axum::Json<MachineView>, ApiError> {
    Ok(axum::Json(
        machines::update(&s.app, &who, id, b.into(), &meta).await?,
    ))
}

/// Remove a machine (soft delete: its history stays).
#[utoipa::path(delete, path = "/api/v1/machines/{id}", tag = "machines", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
) -> Result<StatusCode, ApiError> {
    machines::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
