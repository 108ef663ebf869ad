//! Every slot of the fleet below its low-stock threshold.

use serde::Serialize;
use vendhub_domain::planogram::DEFAULT_LOW_STOCK_PERCENT;
use vendhub_domain::stock::Qty;
use vendhub_store::{planograms, stock};

use crate::auth::Principal;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LowSlot {
    pub machine_id: String,
    pub machine_number: String,
    pub slot: String,
    pub product_id: String,
    pub quantity: i64,
    pub par_level: i64,
    pub capacity: i64,
}

/// Every slot below its low-stock threshold (30% of par), machine by machine.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn low_stock(app: &App, who: &Principal) -> Result<Vec<LowSlot>, AppError> {
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| {
            let filter = vendhub_store::machines::MachineFilter {
                sort: "number".into(),
                ..Default::default()
            };
            let (machines, _) = vendhub_store::machines::list(c, &scope, &filter, 0, 100_000)?;
            // Three queries for the whole fleet, joined here.
            let balances: std::collections::HashMap<(String, String), i64> =
                stock::balances(c, &scope, "slot:", true)?
                    .into_iter()
                    .map(|b| ((b.holder, b.product_id), b.quantity))
                    .collect();
            let numbers: std::collections::HashMap<String, String> =
                machines.into_iter().map(|m| (m.id, m.number)).collect();
            let mut out = Vec::new();
            for s in planograms::of_organization(c, &scope)? {
                // Slots of deleted machines are not part of the fleet.
                let Some(number) = numbers.get(&s.machine_id) else {
                    continue;
                };
                let key = (format!("slot:{}:{}", s.machine_id, s.code), s.product_id.clone());
                let q = balances.get(&key).copied().unwrap_or(0);
                out.push((s.machine_id.clone(), number.clone(), s, q));
            }
            Ok(out)
        })
        .await?;
    let qty = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
    Ok(rows
        .into_iter()
        .filter(|(_, _, s, q)| {
            vendhub_domain::planogram::is_low(qty(*q), qty(s.par_level), DEFAULT_LOW_STOCK_PERCENT)
        })
        .map(|(machine_id, machine_number, s, quantity)| LowSlot {
            machine_id,
            machine_number,
            slot: s.code,
            product_id: s.product_id,
            quantity,
            par_level: s.par_level,
            capacity: s.capacity,
        })
        .collect())
}
