//! `POST /api/v1/inventory/transfers`: stock moved between two holders (the app names the kind).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::stock::{self, MovementView, Transfer};

use super::holder;
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    product_id: String,
    /// `warehouse:<id>`, `operator:<user id>` or `slot:<machine id>:<slot>`.
    from: String,
    to: String,
    quantity: i64,
}

/// Move stock between holders: warehouse ⇄ operator, operator → machine slot (refill), slot → operator
/// (unload), between warehouses. Refused whole (422) when the source lacks stock or a slot would overflow.
#[utoipa::path(post, path = "/api/v1/inventory/transfers", tag = "inventory", request_body = TransferBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn transfer(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<TransferBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let req = Transfer {
        product_id: b.product_id,
        from: holder("from", &b.from)?,
        to: holder("to", &b.to)?,
        quantity: b.quantity,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(stock::transfer(&s.app, &who, req, &meta).await?),
    ))
}
