//! `/api/v1/planogram-templates`: named planograms that machines copy.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::planograms::{self, SlotInput, TemplateSlot, TemplateView};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::PlanogramTemplateId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
}

#[derive(Deserialize, ToSchema)]
pub struct TemplateBody {
    name: String,
    slots: Vec<TemplateSlot>,
}

/// Planogram templates.
#[utoipa::path(get, path = "/api/v1/planogram-templates", tag = "machines", security(("bearer" = [])),
    responses((status = 200, body = [TemplateView])), extensions(("x-permission" = json!("fleet_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<TemplateView>>, ApiError> {
    Ok(axum::Json(planograms::templates(&s.app, &who).await?))
}

/// Save a template (validated like a planogram).
#[utoipa::path(post, path = "/api/v1/planogram-templates", tag = "machines", request_body = TemplateBody, security(("bearer" = [])),
    responses((status = 201, body = TemplateView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Json(b): Json<TemplateBody>,
) -> Result<(StatusCode, axum::Json<TemplateView>), ApiError> {
    let inputs = b
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
    Ok((
        StatusCode::CREATED,
        axum::Json(planograms::create_template(&s.app, &who, &b.name, inputs, &meta).await?),
    ))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/planogram-templates/{id}", tag = "machines", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = TemplateView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<PlanogramTemplateId>,
) -> Result<axum::Json<TemplateView>, ApiError> {
    Ok(axum::Json(planograms::template(&s.app, &who, id).await?))
}
