//! A purchase: stock received into a warehouse at a unit cost, which enters its moving average.

use vendhub_domain::ids::WarehouseId;
use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::{Holder, MovementKind};

use super::MovementView;
use super::ledger::Route;
use super::record::{self, Posting, quantity, route};
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

/// A purchase, parsed at the edge.
#[derive(Debug, Clone)]
pub struct Purchase {
    pub warehouse: WarehouseId,
    pub product_id: String,
    pub quantity: i64,
    /// Tiyin per unit.
    pub unit_cost: i64,
}

/// Receives stock into one of the caller's warehouses.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn purchase(
    app: &App,
    who: &Principal,
    req: Purchase,
    meta: &RequestMeta,
) -> Result<MovementView, AppError> {
    let qty = quantity(req.quantity)?;
    let route = route(Route::new(
        MovementKind::Purchase,
        None,
        Some(Holder::Warehouse(req.warehouse)),
    ))?;
    if req.unit_cost < 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            "unit_cost",
            "must not be negative",
        )]));
    }
    let posting = Posting {
        route,
        product_id: req.product_id,
        qty,
        unit_cost: Tiyin::new(req.unit_cost),
        reason: None,
    };
    record::post(app, who, posting, meta).await
}
