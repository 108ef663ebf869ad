//! A machine's planogram: read it, replace it whole, set one slot, or copy another machine's or a template.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::AppError;
use vendhub_app::planograms::{self, SlotInput, SlotView};
use vendhub_domain::ids::MachineId;

use super::machine_id;
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct OneSlotBody {
    product_id: String,
    capacity: i64,
    par_level: i64,
    /// Tiyin; null uses the product's price.
    price: Option<i64>,
}

/// Set one slot (add it, or change its product, capacity, par level or price).
#[utoipa::path(put, path = "/api/v1/machines/{id}/planogram/slots/{slot}", tag = "machines",
    params(("id" = String, Path), ("slot" = String, Path)), request_body = OneSlotBody, security(("bearer" = [])),
    responses((status = 200, body = [SlotView]), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn put_slot(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path((id, slot)): Path<(String, String)>,
    Json(b): Json<OneSlotBody>,
) -> Result<axum::Json<Vec<SlotView>>, ApiError> {
    let input = SlotInput {
        slot,
        product_id: b.product_id,
        capacity: b.capacity,
        par_level: b.par_level,
        price: b.price,
    };
    Ok(axum::Json(
        planograms::set_slot(&s.app, &who, machine_id(&id)?, input, &meta).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SlotBody {
    /// A1, B12…
    slot: String,
    product_id: String,
    capacity: i64,
    par_level: i64,
    /// Tiyin; null uses the product's price.
    price: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct PlanogramBody {
    slots: Vec<SlotBody>,
}

/// Give exactly one of the two.
#[derive(Deserialize, ToSchema)]
pub struct CopyBody {
    from_machine_id: Option<String>,
    from_template_id: Option<String>,
}

/// The machine's planogram.
#[utoipa::path(get, path = "/api/v1/machines/{id}/planogram", tag = "machines", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [SlotView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn get_planogram(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<SlotView>>, ApiError> {
    Ok(axum::Json(planograms::get(&s.app, &who, id).await?))
}

/// Replace the whole planogram (validated together; a slot holding stock cannot vanish or shrink below it).
#[utoipa::path(put, path = "/api/v1/machines/{id}/planogram", tag = "machines", params(("id" = String, Path)),
    request_body = PlanogramBody, security(("bearer" = [])),
    responses((status = 200, body = [SlotView]), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn put_planogram(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<PlanogramBody>,
) -> Result<axum::Json<Vec<SlotView>>, ApiError> {
    let inputs: Vec<SlotInput> = b
        .slots
        .into_iter()
        .map(|s| SlotInput {
            slot: s.slot,
            product_id: s.product_id,
            capacity: s.capacity,
            par_level: s.par_level,
            price: s.price,
        })
        .collect();
    Ok(axum::Json(
        planograms::replace(&s.app, &who, id, &inputs, &meta).await?,
    ))
}

/// Copy another machine's planogram, or a template, onto this one.
#[utoipa::path(post, path = "/api/v1/machines/{id}/planogram/copy", tag = "machines", params(("id" = String, Path)),
    request_body = CopyBody, security(("bearer" = [])),
    responses((status = 200, body = [SlotView]), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn copy_planogram(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<CopyBody>,
) -> Result<axum::Json<Vec<SlotView>>, ApiError> {
    let target = id;
    let no_such = |field: &str, what: &str| {
        ApiError(AppError::Validation(vec![vendhub_app::error::FieldError::new(
            field, what,
        )]))
    };
    match (b.from_machine_id, b.from_template_id) {
        (Some(from), None) => {
            let from = from
                .parse()
                .map_err(|_| no_such("from_machine_id", "no such machine"))?;
            Ok(axum::Json(
                planograms::copy(&s.app, &who, target, from, &meta).await?,
            ))
        }
        (None, Some(template)) => {
            let template = template
                .parse()
                .map_err(|_| no_such("from_template_id", "no such template"))?;
            Ok(axum::Json(
                planograms::apply_template(&s.app, &who, target, template, &meta).await?,
            ))
        }
        _ => Err(no_such(
            "from_machine_id",
            "give from_machine_id or from_template_id",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SaveAsTemplateBody {
    /// The new template's name (unique in the organization).
    name: String,
}

/// Save this machine's planogram as a new template (the same slots, products, capacities, par levels
/// and prices).
#[utoipa::path(post, path = "/api/v1/machines/{id}/planogram/template", tag = "machines", params(("id" = String, Path)),
    request_body = SaveAsTemplateBody, security(("bearer" = [])),
    responses((status = 201, body = planograms::TemplateView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn save_as_template(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<SaveAsTemplateBody>,
) -> Result<(axum::http::StatusCode, axum::Json<planograms::TemplateView>), ApiError> {
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(planograms::template_from_machine(&s.app, &who, id, &b.name, &meta).await?),
    ))
}
