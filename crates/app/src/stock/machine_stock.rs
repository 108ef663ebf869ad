//! A machine's slots with their balances, fill and low-stock mark.

use serde::Serialize;
use vendhub_domain::ids::MachineId;
use vendhub_domain::planogram::DEFAULT_LOW_STOCK_PERCENT;
use vendhub_domain::stock::Qty;
use vendhub_store::{planograms, stock};

use crate::auth::Principal;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotStock {
    pub slot: String,
    pub product_id: String,
    pub quantity: i64,
    pub capacity: i64,
    pub par_level: i64,
    /// quantity / capacity, percent.
    pub fill_percent: i64,
    pub low: bool,
}

/// A machine's slots with their balances.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn machine_stock(
    app: &App,
    who: &Principal,
    machine: MachineId,
) -> Result<Vec<SlotStock>, AppError> {
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| {
            if vendhub_store::machines::get(c, &scope, &machine.to_string())?.is_none() {
                return Ok(None);
            }
            let slots = planograms::of_machine(c, &scope, &machine.to_string())?;
            let prefix = format!("slot:{machine}:");
            let balances = stock::balances(c, &scope, &prefix, true)?;
            Ok(Some((slots, balances)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let (slots, balances) = rows;
    Ok(slots
        .into_iter()
        .map(|s| {
            let holder = format!("slot:{machine}:{}", s.code);
            let quantity = balances
                .iter()
                .find(|b| b.holder == holder && b.product_id == s.product_id)
                .map_or(0, |b| b.quantity);
            let q = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
            SlotStock {
                low: vendhub_domain::planogram::is_low(
                    q(quantity),
                    q(s.par_level),
                    DEFAULT_LOW_STOCK_PERCENT,
                ),
                fill_percent: if s.capacity > 0 {
                    quantity * 100 / s.capacity
                } else {
                    0
                },
                slot: s.code,
                product_id: s.product_id,
                quantity,
                capacity: s.capacity,
                par_level: s.par_level,
            }
        })
        .collect())
}
