//! `/api/v1/machines`: the fleet.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::machines::{self, MachineInput, MachineQuery, MachineSort, MachineView, MapPoint, MoveView};
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::planograms::{self, SlotInput, SlotView};
use vendhub_app::stock::{self, SlotStock};
use vendhub_domain::ids::{LocationId, MachineId};
use vendhub_domain::machine::{MachineStatus, MachineType};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(map))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(move_machine))
        .routes(routes!(moves))
        .routes(routes!(qr))
        .routes(routes!(stock))
        .routes(routes!(get_planogram, put_planogram))
        .routes(routes!(copy_planogram))
        .routes(routes!(put_slot))
}

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
async fn put_slot(
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
async fn get_planogram(
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
async fn put_planogram(
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
async fn copy_planogram(
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
        (None, Some(template)) => Ok(axum::Json(
            planograms::apply_template(&s.app, &who, target, template, &meta).await?,
        )),
        _ => Err(no_such(
            "from_machine_id",
            "give from_machine_id or from_template_id",
        )),
    }
}

/// A path id that is not a UUID is bad input (400), not a missing record.
pub(crate) fn machine_id(id: &str) -> Result<MachineId, ApiError> {
    id.parse()
        .map_err(|_| ApiError(AppError::Validation(vec![FieldError::new("id", "not a UUID")])))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    page: Option<i64>,
    limit: Option<i64>,
    status: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    machine_type: Option<String>,
    location_id: Option<String>,
    /// Search in number, name and serial number.
    q: Option<String>,
    /// `number`, `name`, `status` or `created_at`; `-` first for descending.
    sort: Option<String>,
}

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

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The new location; null puts the machine in storage.
    location_id: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct QrQuery {
    /// svg (default) or png.
    format: Option<String>,
}

/// The list's query in domain types; every value that does not parse is named, together.
fn list_query(q: ListQuery) -> Result<MachineQuery, AppError> {
    let mut problems = Vec::new();
    let status = q.status.as_deref().and_then(|s| {
        let status = MachineStatus::parse(s);
        if status.is_none() {
            problems.push(FieldError::new(
                "status",
                format!(
                    "must be one of {}",
                    MachineStatus::ALL.map(MachineStatus::as_str).join(", ")
                ),
            ));
        }
        status
    });
    let machine_type = q.machine_type.as_deref().and_then(|t| {
        let machine_type = MachineType::parse(t);
        if machine_type.is_none() {
            problems.push(FieldError::new(
                "type",
                format!(
                    "must be one of {}",
                    MachineType::ALL.map(MachineType::as_str).join(", ")
                ),
            ));
        }
        machine_type
    });
    let location_id = q.location_id.as_deref().and_then(|l| {
        let location_id = l.parse::<LocationId>().ok();
        if location_id.is_none() {
            problems.push(FieldError::new("location_id", "not a UUID"));
        }
        location_id
    });
    let sort = q.sort.as_deref().unwrap_or("number");
    let (sort, descending) = match sort.strip_prefix('-') {
        Some(s) => (s, true),
        None => (sort, false),
    };
    let sort = MachineSort::parse(sort).unwrap_or_else(|| {
        problems.push(FieldError::new(
            "sort",
            "must be number, name, status or created_at (prefix - for descending)",
        ));
        MachineSort::default()
    });
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    Ok(MachineQuery {
        status,
        machine_type,
        location_id,
        q: q.q.filter(|s| !s.trim().is_empty()),
        sort,
        descending,
    })
}

/// Machines, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [MachineView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<MachineView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let query = list_query(q)?;
    Ok(axum::Json(machines::list(&s.app, &who, query, page).await?))
}

/// Add a machine (the number is unique in the organization).
#[utoipa::path(post, path = "/api/v1/machines", tag = "machines", request_body = MachineBody, security(("bearer" = [])),
    responses((status = 201, body = MachineView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn create(
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

/// Every machine with its status and coordinates, for the map.
#[utoipa::path(get, path = "/api/v1/machines/map", tag = "machines", security(("bearer" = [])),
    responses((status = 200, body = [MapPoint])), extensions(("x-permission" = json!("fleet_read"))))]
async fn map(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<MapPoint>>, ApiError> {
    Ok(axum::Json(machines::map(&s.app, &who).await?))
}

/// One machine.
#[utoipa::path(get, path = "/api/v1/machines/{id}", tag = "machines", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MachineView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn get_one(
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
async fn update(
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
async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
) -> Result<StatusCode, ApiError> {
    machines::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a machine to another location.
#[utoipa::path(post, path = "/api/v1/machines/{id}/move", tag = "machines", params(("id" = String, Path)), request_body = MoveBody,
    security(("bearer" = [])),
    responses((status = 200, body = MachineView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn move_machine(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<MoveBody>,
) -> Result<axum::Json<MachineView>, ApiError> {
    Ok(axum::Json(
        machines::move_to(&s.app, &who, id, b.location_id, &meta).await?,
    ))
}

/// Where the machine has stood, newest move first.
#[utoipa::path(get, path = "/api/v1/machines/{id}/moves", tag = "machines", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [MoveView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn moves(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<MoveView>>, ApiError> {
    Ok(axum::Json(machines::moves(&s.app, &who, id).await?))
}

/// The machine's QR code (SVG or PNG), opening its customer page.
#[utoipa::path(get, path = "/api/v1/machines/{id}/qr", tag = "machines", params(("id" = String, Path), QrQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "image/svg+xml or image/png"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn qr(
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

/// The machine's slots with their stock, capacity, par level and fill.
#[utoipa::path(get, path = "/api/v1/machines/{id}/inventory", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [SlotStock]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<SlotStock>>, ApiError> {
    Ok(axum::Json(stock::machine_stock(&s.app, &who, id).await?))
}
