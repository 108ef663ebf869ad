//! `/api/v1/products`: the catalog.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::products::{self, CategoryView, ProductInput, ProductView};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::ProductId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(categories, create_category))
        .routes(routes!(get_image, put_image))
}

#[derive(Deserialize, ToSchema)]
pub struct ProductBody {
    sku: String,
    barcode: Option<String>,
    name_uz: String,
    name_ru: String,
    name_en: String,
    /// pcs (default), g or ml.
    unit: Option<String>,
    /// Tiyin, VAT included.
    price: i64,
    /// Tiyin.
    cost: Option<i64>,
    /// Percent, default 12.
    vat_rate: Option<i32>,
    /// 17-digit IKPU/MXIK code for fiscal receipts.
    ikpu_code: Option<String>,
    package_code: Option<String>,
    category_id: Option<String>,
}

impl From<ProductBody> for ProductInput {
    fn from(b: ProductBody) -> Self {
        Self {
            sku: b.sku,
            barcode: b.barcode,
            name_uz: b.name_uz,
            name_ru: b.name_ru,
            name_en: b.name_en,
            unit: b.unit,
            price: b.price,
            cost: b.cost,
            vat_rate: b.vat_rate,
            ikpu_code: b.ikpu_code,
            package_code: b.package_code,
            category_id: b.category_id,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    page: Option<i64>,
    limit: Option<i64>,
    /// Search in SKU, names and barcode.
    q: Option<String>,
}

/// Products, searched and paged.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [ProductView], meta}`")), extensions(("x-permission" = json!("fleet_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<ProductView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    Ok(axum::Json(
        products::list(&s.app, &who, q.q.filter(|s| !s.trim().is_empty()), page).await?,
    ))
}

/// Add a product (SKU and barcode unique in the organization).
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductBody, security(("bearer" = [])),
    responses((status = 201, body = ProductView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Json(b): Json<ProductBody>,
) -> Result<(StatusCode, axum::Json<ProductView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(products::create(&s.app, &who, b.into(), &meta).await?),
    ))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProductView), (status = 404, body = Problem)), extensions(("x-permission" = json!("fleet_read"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<ProductId>,
) -> Result<axum::Json<ProductView>, ApiError> {
    Ok(axum::Json(products::get(&s.app, &who, id).await?))
}

/// Replace a product's details.
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "products", params(("id" = String, Path)), request_body = ProductBody,
    security(("bearer" = [])),
    responses((status = 200, body = ProductView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn update(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<ProductId>,
    Json(b): Json<ProductBody>,
) -> Result<axum::Json<ProductView>, ApiError> {
    Ok(axum::Json(
        products::update(&s.app, &who, id, b.into(), &meta).await?,
    ))
}

/// Delete a product (soft: its movements and sales keep pointing at it).
#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "products", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 404, body = Problem)), extensions(("x-permission" = json!("fleet_manage"))))]
async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<ProductId>,
) -> Result<StatusCode, ApiError> {
    products::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CategoryBody {
    name: String,
}

/// Product categories.
#[utoipa::path(get, path = "/api/v1/categories", tag = "products", security(("bearer" = [])),
    responses((status = 200, body = [CategoryView])), extensions(("x-permission" = json!("fleet_read"))))]
async fn categories(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<CategoryView>>, ApiError> {
    Ok(axum::Json(products::categories(&s.app, &who).await?))
}

/// Add a category (names unique in the organization).
#[utoipa::path(post, path = "/api/v1/categories", tag = "products", request_body = CategoryBody, security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn create_category(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Json(b): Json<CategoryBody>,
) -> Result<(StatusCode, axum::Json<CategoryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(products::create_category(&s.app, &who, &b.name, &meta).await?),
    ))
}

/// The product's image.
#[utoipa::path(get, path = "/api/v1/products/{id}/image", tag = "products", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, description = "image/jpeg, image/png or image/webp"),
        (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn get_image(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<ProductId>,
) -> Result<Response, ApiError> {
    let (bytes, content_type) = products::image(&s.app, &who, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// Upload the product's image as the raw request body: JPEG, PNG or WebP (checked by content), at most
/// `MAX_FILE_SIZE` bytes. Stored through the files port (local folder, or S3 with `STORAGE_ENDPOINT`).
#[utoipa::path(put, path = "/api/v1/products/{id}/image", tag = "products", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"), security(("bearer" = [])),
    responses((status = 200, body = ProductView), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn put_image(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<ProductId>,
    req: Request<Body>,
) -> Result<axum::Json<ProductView>, ApiError> {
    let limit = s.config.upload_limit;
    let bytes =
        axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| vendhub_app::AppError::TooLarge {
                limit: u64::try_from(limit).unwrap_or(u64::MAX),
            })?;
    Ok(axum::Json(
        products::set_image(&s.app, &who, id, bytes, &meta).await?,
    ))
}
