//! Machines talking to us: their API keys, the events they send (heartbeats, telemetry, vends, errors),
//! their DEX audits, and offline detection when they fall silent.

pub mod dex;
pub mod events;
pub mod keys;
pub mod offline;
pub mod sales;

pub use keys::MachineCaller;

use crate::App;
use crate::ports::DomainEvent;

/// Publishes an event on the bus; a bus failure is logged, never fails the request that caused it.
pub(crate) async fn publish(app: &App, name: &str, org: &str, machine: &str, payload: serde_json::Value) {
    let event = DomainEvent::new(name, &org, Some(&machine), payload);
    crate::events::publish(app, &event).await;
}
