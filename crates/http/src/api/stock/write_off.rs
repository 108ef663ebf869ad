//! `POST /api/v1/inventory/write-offs`: stock written off a holder.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::stock::{self, MovementView, WriteOff};
use vendhub_domain::stock::WriteOffReason;

use super::holder;
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct WriteOffBody {
    product_id: String,
    /// The holder the stock leaves.
    holder: String,
    quantity: i64,
    /// spoiled, expired or damaged.
    reason: String,
}

/// Write stock off (spoiled, expired, damaged).
#[utoipa::path(post, path = "/api/v1/inventory/write-offs", tag = "inventory", request_body = WriteOffBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "no such product or holder in your organization"), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn write_off(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<WriteOffBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let reason: WriteOffReason = serde_json::from_value(serde_json::json!(b.reason)).map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            "reason",
            "must be spoiled, expired or damaged",
        )])
    })?;
    let req = WriteOff {
        product_id: b.product_id,
        holder: holder("holder", &b.holder)?,
        quantity: b.quantity,
        reason,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(stock::write_off(&s.app, &who, req, &meta).await?),
    ))
}
