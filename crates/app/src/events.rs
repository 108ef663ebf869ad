//! The domain events that real-time clients see: their names on the bus, and one way to publish them.
//!
//! A use case publishes a [`DomainEvent`] on the bus port; every replica's Socket.IO forwarder receives
//! it and emits it, under the same name, to the rooms of its organization and (when it has one) its
//! machine. The payload is a JSON object; `machine_id` is added to it when the event has a machine.

use serde_json::Value;

use crate::App;
use crate::ports::DomainEvent;

/// A machine went online, offline or into `error` (payload: `status`, `previous`, `at`).
pub const MACHINE_STATUS: &str = "machine:status";
/// A telemetry reading (payload: `temperature`, `humidity`, `door`, `signal`, `error_codes`, `at`).
pub const MACHINE_TELEMETRY: &str = "machine:telemetry";
/// A task was created or changed state (payload: `task_id`, `kind`, `status`, `assignee_id`).
pub const TASK_UPDATED: &str = "task:updated";
/// A slot fell below its low-stock level (payload: `slot`, `product_id`, `balance`, `par_level`).
pub const INVENTORY_LOW: &str = "inventory:low";
/// A customer order was placed (payload: `order_id`, `total`, `status`).
pub const ORDER_CREATED: &str = "order:created";

/// The events forwarded to Socket.IO clients; other events on the bus stay between replicas.
pub const REALTIME: [&str; 6] = [
    MACHINE_STATUS,
    MACHINE_TELEMETRY,
    TASK_UPDATED,
    INVENTORY_LOW,
    ORDER_CREATED,
    crate::orders::lifecycle::ORDER_STATUS,
];

impl DomainEvent {
    /// An event of `organization`, about `machine` when there is one. A payload that is not a JSON
    /// object is wrapped as `{"value": …}`; `machine_id` is set in it from `machine`.
    /// Every domain event is made here.
    pub fn new(
        name: &str,
        organization: &dyn std::fmt::Display,
        machine: Option<&dyn std::fmt::Display>,
        payload: Value,
    ) -> Self {
        let machine_id = machine.map(ToString::to_string);
        let mut payload = match payload {
            Value::Object(map) => map,
            other => serde_json::Map::from_iter([("value".to_owned(), other)]),
        };
        if let Some(m) = &machine_id {
            payload.insert("machine_id".into(), Value::String(m.clone()));
        }
        Self {
            name: name.to_owned(),
            organization_id: organization.to_string(),
            machine_id,
            payload: Value::Object(payload),
        }
    }

    /// Whether Socket.IO clients receive this event.
    pub fn is_realtime(&self) -> bool {
        REALTIME.contains(&self.name.as_str())
    }
}

/// Publishes `event` on the bus. A failure is logged, never returned: the change it reports has
/// already been committed, and real-time clients are told, not relied upon.
pub async fn publish(app: &App, event: &DomainEvent) {
    if let Err(e) = app.bus().publish(event).await {
        tracing::warn!(error = %e, event = %event.name, "could not publish a domain event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vendhub_domain::ids::{MachineId, OrganizationId};

    #[test]
    fn the_machine_is_named_in_the_payload() {
        let org = OrganizationId::new();
        let machine = MachineId::new();
        let e = DomainEvent::new(
            MACHINE_STATUS,
            &org,
            Some(&machine),
            serde_json::json!({"status": "offline"}),
        );
        assert_eq!(e.machine_id.as_deref(), Some(machine.to_string().as_str()));
        assert_eq!(e.payload["machine_id"], machine.to_string());
        assert_eq!(e.payload["status"], "offline");
        assert_eq!(e.organization_id, org.to_string());
        assert!(e.is_realtime());
    }

    #[test]
    fn a_payload_that_is_not_an_object_is_wrapped() {
        let e = DomainEvent::new(ORDER_CREATED, &OrganizationId::new(), None, serde_json::json!(5));
        assert_eq!(e.payload, serde_json::json!({"value": 5}));
        assert!(e.machine_id.is_none());
    }

    #[test]
    fn only_the_contract_events_are_realtime() {
        let e = DomainEvent::new("inventory:changed", &OrganizationId::new(), None, Value::Null);
        assert!(!e.is_realtime());
    }
}
