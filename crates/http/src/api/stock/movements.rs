//! `GET /api/v1/inventory/movements`: the ledger, newest first.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::stock::{self, MovementView};

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Query;
use crate::problem::ApiError;

#[derive(Deserialize, IntoParams)]
pub struct MovementQuery {
    page: Option<i64>,
    limit: Option<i64>,
    product_id: Option<String>,
    /// Movements in or out of this holder.
    holder: Option<String>,
    kind: Option<String>,
    /// Movements posted for one reference (e.g. a stocktake's id).
    reference_id: Option<String>,
    /// RFC 3339; from (inclusive) and to (exclusive).
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// The ledger, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/movements", tag = "inventory", params(MovementQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [MovementView], meta}`")),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn movements(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<MovementQuery>,
) -> Result<axum::Json<Paged<MovementView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let query = stock::MovementQuery {
        product_id: q.product_id,
        holder: q.holder,
        kind: q.kind,
        reference_id: q.reference_id,
        from: q.from,
        to: q.to,
    };
    Ok(axum::Json(stock::movements(&s.app, &who, query, page).await?))
}
