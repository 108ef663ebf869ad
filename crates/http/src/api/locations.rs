//! `/api/v1/locations`: where machines stand.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::locations::{self, LocationInput, LocationView};
use vendhub_app::paging::{PageRequest, Paged};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::LocationId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(nearby))
        .routes(routes!(get_one, update, delete))
}

#[derive(Deserialize, ToSchema)]
pub struct LocationBody {
    name: String,
    #[serde(default)]
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    opening_hours: Option<String>,
    /// `rent` (default) or `revenue_share`.
    contract_type: Option<String>,
    /// Monthly rent, tiyin.
    rent_amount: Option<i64>,
    revenue_share_percent: Option<i32>,
}

impl From<LocationBody> for LocationInput {
    fn from(b: LocationBody) -> Self {
        Self {
            name: b.name,
            address: b.address,
            latitude: b.latitude,
            longitude: b.longitude,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            opening_hours: b.opening_hours,
            contract_type: b.contract_type,
            rent_amount: b.rent_amount,
            revenue_share_percent: b.revenue_share_percent,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    page: Option<i64>,
    limit: Option<i64>,
    /// Search in name and address.
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct NearbyQuery {
    lat: f64,
    lon: f64,
    /// Default 5, at most 200.
    radius_km: Option<f64>,
}

/// Locations, searched and paged.
#[utoipa::path(get, path = "/api/v1/locations", tag = "locations", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [LocationView], meta}`")), extensions(("x-permission" = json!("fleet_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<LocationView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    Ok(axum::Json(
        locations::list(&s.app, &who, q.q.filter(|s| !s.trim().is_empty()), page).await?,
    ))
}

/// Add a location.
#[utoipa::path(post, path = "/api/v1/locations", tag = "locations", request_body = LocationBody, security(("bearer" = [])),
    responses((status = 201, body = LocationView), (status = 400, body = Problem)), extensions(("x-permission" = json!("fleet_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Json(b): Json<LocationBody>,
) -> Result<(StatusCode, axum::Json<LocationView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(locations::create(&s.app, &who, b.into(), &meta).await?),
    ))
}

/// Locations within a radius of a point, nearest first.
#[utoipa::path(get, path = "/api/v1/locations/nearby", tag = "locations", params(NearbyQuery), security(("bearer" = [])),
    responses((status = 200, body = [LocationView]), (status = 400, body = Problem)), extensions(("x-permission" = json!("fleet_read"))))]
async fn nearby(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<NearbyQuery>,
) -> Result<axum::Json<Vec<LocationView>>, ApiError> {
    Ok(axum::Json(
        locations::nearby(&s.app, &who, q.lat, q.lon, q.radius_km.unwrap_or(5.0)).await?,
    ))
}

/// One location.
#[utoipa::path(get, path = "/api/v1/locations/{id}", tag = "locations", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LocationView), (status = 404, body = Problem)), extensions(("x-permission" = json!("fleet_read"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<LocationId>,
) -> Result<axum::Json<LocationView>, ApiError> {
    Ok(axum::Json(locations::get(&s.app, &who, id).await?))
}

/// Replace a location's details.
#[utoipa::path(put, path = "/api/v1/locations/{id}", tag = "locations", params(("id" = String, Path)), request_body = LocationBody,
    security(("bearer" = [])),
    responses((status = 200, body = LocationView), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn update(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<LocationId>,
    Json(b): Json<LocationBody>,
) -> Result<axum::Json<LocationView>, ApiError> {
    Ok(axum::Json(
        locations::update(&s.app, &who, id, b.into(), &meta).await?,
    ))
}

/// Delete a location no machine stands at.
#[utoipa::path(delete, path = "/api/v1/locations/{id}", tag = "locations", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 404, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<LocationId>,
) -> Result<StatusCode, ApiError> {
    locations::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
