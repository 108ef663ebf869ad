//! A write-off: stock leaves a holder for a reason (spoiled, expired, damaged).

use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::{Holder, MovementKind, WriteOffReason};

use super::MovementView;
use super::ledger::{Reason, Route};
use super::record::{self, Posting, quantity, route};
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

/// A write-off, parsed at the edge.
#[derive(Debug, Clone)]
pub struct WriteOff {
    pub product_id: String,
    pub holder: Holder,
    pub quantity: i64,
    pub reason: WriteOffReason,
}

/// Writes stock off one of the caller's holders.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn write_off(
    app: &App,
    who: &Principal,
    req: WriteOff,
    meta: &RequestMeta,
) -> Result<MovementView, AppError> {
    let qty = quantity(req.quantity)?;
    let route = route(Route::new(MovementKind::WriteOff, Some(req.holder), None))?;
    let posting = Posting {
        route,
        product_id: req.product_id,
        qty,
        unit_cost: Tiyin::new(0),
        reason: Some(Reason::WriteOff(req.reason)),
    };
    record::post(app, who, posting, meta).await
}
