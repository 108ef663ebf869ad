//! Stock, the ledger's use cases: purchases into warehouses, transfers between holders, write-offs, and
//! the views of balances and movements. Every movement of every area is posted through
//! [`ledger::post`], in one transaction with its balances (and, from the API, its audit record); a refused
//! movement (not enough stock, a slot over capacity, a holder of another organization) writes nothing.

mod balances;
mod directory;
pub mod ledger;
mod low_stock;
mod machine_stock;
mod movements;
mod purchase;
mod record;
mod transfer;
mod write_off;

pub use balances::{BalanceView, operator_stock, warehouse_stock};
pub use directory::{HolderName, holders, operators_stock};
pub use low_stock::{LowSlot, low_stock};
pub use machine_stock::{SlotStock, machine_stock};
pub use movements::{MovementQuery, movements};
pub use purchase::{Purchase, purchase};
pub use transfer::{Transfer, transfer};
pub use write_off::{WriteOff, write_off};

use serde::Serialize;
use vendhub_store::stock;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementView {
    pub id: String,
    pub product_id: String,
    pub from_holder: Option<String>,
    pub to_holder: Option<String>,
    pub quantity: i64,
    pub kind: String,
    /// Tiyin per unit: the purchase price, or the source's average cost.
    pub unit_cost: i64,
    pub reason: Option<String>,
    pub actor_id: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn movement_view(m: stock::MovementRow) -> MovementView {
    MovementView {
        id: m.id,
        product_id: m.product_id,
        from_holder: m.from_holder,
        to_holder: m.to_holder,
        quantity: m.quantity,
        kind: m.kind,
        unit_cost: m.unit_cost,
        reason: m.reason,
        actor_id: m.actor_id,
        at: m.at.and_utc(),
    }
}
