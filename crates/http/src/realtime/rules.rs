//! The rules of the real-time channel as plain functions: which token a handshake carries, what a
//! `subscribe` asks for, and which rooms an event goes to.

use serde_json::Value;
use vendhub_app::ports::DomainEvent;
use vendhub_domain::ids::{MachineId, OrganizationId};

/// Why a connection or a subscription was refused; sent to the client as `{"code", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::new("unauthorized", "a valid access token is required in auth.token")
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Refusal {}

/// The access token of a handshake's `auth: {"token": "…"}` (a `Bearer ` prefix is tolerated).
pub fn token_of(auth: &Value) -> Option<&str> {
    let token = auth.get("token")?.as_str()?.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    (!token.is_empty()).then_some(token)
}

/// What a client asked to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    /// The events of one machine (which must belong to the caller's organization).
    Machine(MachineId),
    /// Every event of the caller's organization.
    Organization,
}

impl Subscription {
    /// Reads `{"machine_id": "…"}` or `{"organization": true}`.
    pub fn parse(v: &Value) -> Result<Self, Refusal> {
        let invalid = |m: &str| Refusal::new("invalid_subscription", m);
        let Some(obj) = v.as_object() else {
            return Err(invalid(
                r#"expected {"machine_id": "…"} or {"organization": true}"#,
            ));
        };
        match (obj.get("machine_id"), obj.get("organization")) {
            (Some(_), Some(_)) => Err(invalid("give either machine_id or organization, not both")),
            (Some(Value::String(id)), None) => id
                .parse::<MachineId>()
                .map(Self::Machine)
                .map_err(|_| invalid("machine_id is not a machine id")),
            (Some(_), None) => Err(invalid("machine_id must be a string")),
            (None, Some(Value::Bool(true))) => Ok(Self::Organization),
            (None, Some(_)) => Err(invalid("organization must be true")),
            (None, None) => Err(invalid(
                r#"expected {"machine_id": "…"} or {"organization": true}"#,
            )),
        }
    }

    /// The room this subscription joins, for a caller of `organization`.
    pub fn room(self, organization: OrganizationId) -> String {
        let org = organization.to_string();
        match self {
            Self::Machine(m) => machine_room(&org, &m.to_string()),
            Self::Organization => organization_room(&org),
        }
    }
}

pub fn organization_room(organization_id: &str) -> String {
    format!("org:{organization_id}")
}

/// A machine's room is named within its organization, so an event can only ever reach the clients of
/// the organization it names.
pub fn machine_room(organization_id: &str, machine_id: &str) -> String {
    format!("org:{organization_id}:machine:{machine_id}")
}

/// The room of one order, which its customer's page joins (and nothing else).
pub fn order_room(order_id: &str) -> String {
    format!("order:{order_id}")
}

/// The order id of a customer page's handshake `auth: {"order_id": "<uuid>"}`.
pub fn order_of(auth: &Value) -> Option<uuid::Uuid> {
    auth.get("order_id")?.as_str()?.trim().parse().ok()
}

/// The order room an event also goes to (`order:created`, `order:status`), and what the customer's page
/// receives there: the order id and its status only (not the refund reason the staff wrote, nor the
/// provider).
pub fn order_target(event: &DomainEvent) -> Option<(String, Value)> {
    if !matches!(
        event.name.as_str(),
        vendhub_app::events::ORDER_CREATED | vendhub_app::orders::lifecycle::ORDER_STATUS
    ) {
        return None;
    }
    let id = event.payload.get("order_id")?.as_str()?;
    let status = event.payload.get("status").cloned().unwrap_or(Value::Null);
    Some((
        order_room(id),
        serde_json::json!({ "order_id": id, "status": status }),
    ))
}

/// Where an event goes: its organization's room and, when it has one, its machine's room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub organization: String,
    pub machine: Option<String>,
}

/// The rooms of a client event; `None` for events that are not for clients. A client in both rooms
/// must receive the event once: emit to the organization, then to the machine's room except the
/// organization's.
pub fn targets(event: &DomainEvent) -> Option<Targets> {
    if !event.is_realtime() || event.organization_id.is_empty() {
        return None;
    }
    Some(Targets {
        organization: organization_room(&event.organization_id),
        machine: event
            .machine_id
            .as_deref()
            .map(|m| machine_room(&event.organization_id, m)),
    })
}

/// The payload clients receive: the event's JSON object, with `machine_id` when the event has one.
pub fn client_payload(event: &DomainEvent) -> Value {
    let mut payload = match &event.payload {
        Value::Object(map) => map.clone(),
        Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("value".to_owned(), other.clone())]),
    };
    if let Some(m) = &event.machine_id {
        payload
            .entry("machine_id")
            .or_insert_with(|| Value::String(m.clone()));
    }
    Value::Object(payload)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, machine: Option<&str>) -> DomainEvent {
        DomainEvent {
            name: name.into(),
            organization_id: "o-1".into(),
            machine_id: machine.map(str::to_owned),
            payload: json!({"status": "online"}),
        }
    }

    #[test]
    fn the_token_is_read_from_the_auth_object() {
        assert_eq!(token_of(&json!({"token": "abc"})), Some("abc"));
        assert_eq!(token_of(&json!({"token": "Bearer abc"})), Some("abc"));
        assert_eq!(token_of(&json!({"token": "  "})), None);
        assert_eq!(token_of(&json!({"token": 5})), None);
        assert_eq!(token_of(&json!("abc")), None);
        assert_eq!(token_of(&Value::Null), None);
    }

    #[test]
    fn a_subscription_names_a_machine_or_the_organization() {
        let m = MachineId::new();
        assert_eq!(
            Subscription::parse(&json!({"machine_id": m.to_string()})),
            Ok(Subscription::Machine(m))
        );
        assert_eq!(
            Subscription::parse(&json!({"organization": true})),
            Ok(Subscription::Organization)
        );
        for bad in [
            json!({}),
            json!({"organization": false}),
            json!({"machine_id": "m-1"}),
            json!({"machine_id": 5}),
            json!({"machine_id": m.to_string(), "organization": true}),
            json!("org"),
            Value::Null,
        ] {
            let refused = Subscription::parse(&bad).unwrap_err();
            assert_eq!(refused.code, "invalid_subscription", "{bad}");
        }
    }

    #[test]
    fn subscriptions_join_their_rooms() {
        let (m, o) = (MachineId::new(), OrganizationId::new());
        assert_eq!(Subscription::Machine(m).room(o), format!("org:{o}:machine:{m}"));
        assert_eq!(Subscription::Organization.room(o), format!("org:{o}"));
    }

    #[test]
    fn an_event_goes_to_its_organization_and_its_machine() {
        assert_eq!(
            targets(&event("machine:status", Some("m-1"))),
            Some(Targets {
                organization: "org:o-1".into(),
                machine: Some("org:o-1:machine:m-1".into())
            })
        );
        assert_eq!(
            targets(&event("order:created", None)),
            Some(Targets {
                organization: "org:o-1".into(),
                machine: None
            })
        );
        assert_eq!(targets(&event("inventory:changed", Some("m-1"))), None);
    }

    #[test]
    fn an_order_event_also_goes_to_its_order_room_with_the_status_only() {
        let mut e = event("order:status", Some("m-1"));
        e.payload = json!({"order_id": "o-9", "status": "paid", "reason": "staff note", "provider": "click"});
        assert_eq!(
            order_target(&e),
            Some(("order:o-9".into(), json!({"order_id": "o-9", "status": "paid"})))
        );
        assert!(targets(&e).is_some(), "order:status reaches the organization too");
        assert_eq!(order_target(&event("machine:status", Some("m-1"))), None);
        let id = uuid::Uuid::now_v7();
        assert_eq!(order_of(&json!({"order_id": id.to_string()})), Some(id));
        assert_eq!(order_of(&json!({"order_id": "x"})), None);
        assert_eq!(order_of(&json!({"token": "t"})), None);
    }

    #[test]
    fn the_payload_names_the_machine() {
        let p = client_payload(&event("machine:status", Some("m-1")));
        assert_eq!(p, json!({"status": "online", "machine_id": "m-1"}));
        let mut e = event("order:created", None);
        e.payload = Value::Null;
        assert_eq!(client_payload(&e), json!({}));
    }
}
