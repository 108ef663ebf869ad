//! A transfer between two holders; its kind follows from them (`Route::between`): operator → slot is a
//! refill, slot → operator an unload, operator → warehouse a return, warehouse ⇄ operator a transfer.

use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::Holder;

use super::MovementView;
use super::ledger::Route;
use super::record::{self, Posting, quantity, route};
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

/// A transfer, parsed at the edge.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub product_id: String,
    pub from: Holder,
    pub to: Holder,
    pub quantity: i64,
}

/// Moves stock between two of the caller's holders; refused whole when the source lacks the stock or a
/// slot would overflow.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn transfer(
    app: &App,
    who: &Principal,
    req: Transfer,
    meta: &RequestMeta,
) -> Result<MovementView, AppError> {
    let qty = quantity(req.quantity)?;
    let route = route(Route::between(req.from, req.to))?;
    let posting = Posting {
        route,
        product_id: req.product_id,
        qty,
        unit_cost: Tiyin::new(0),
        reason: None,
    };
    record::post(app, who, posting, meta).await
}
