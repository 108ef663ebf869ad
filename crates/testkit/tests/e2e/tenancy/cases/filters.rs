//! Ids in list filters, the gateway's machine id and the organization switch.

use reqwest::Method;
use serde_json::json;

use super::Cases;
use crate::tenancy::World;
use crate::tenancy::fields::{In, holder, urlencode};

/// Filters: A's id finds nothing of A's; the gateway and the organization switch take B's own.
pub(super) fn filters(w: &World, c: &mut Cases) {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let pool = &w.pool;
    let holders: Vec<String> = pool
        .warehouses
        .iter()
        .map(|id| holder("warehouse", id))
        .chain(pool.users.iter().map(|id| holder("operator", id)))
        .chain(pool.machines.iter().map(|id| holder("slot", &format!("{id}:A1"))))
        .collect();
    for (template, field, values) in [
        ("/api/v1/cash-collections", "machine_id", &pool.machines),
        ("/api/v1/cash-collections", "operator_id", &pool.users),
        ("/api/v1/cash-collections/totals", "machine_id", &pool.machines),
        ("/api/v1/cash-collections/totals", "operator_id", &pool.users),
        ("/api/v1/inventory/movements", "product_id", &pool.products),
        ("/api/v1/inventory/movements", "holder", &holders),
        ("/api/v1/inventory/movements", "reference_id", &pool.tasks),
        ("/api/v1/inventory/operator", "operator_id", &pool.users),
        ("/api/v1/inventory/prekit", "operator_id", &pool.users),
        ("/api/v1/inventory/warehouse", "warehouse_id", &pool.warehouses),
        ("/api/v1/machines", "location_id", &pool.locations),
        ("/api/v1/orders", "machine_id", &pool.machines),
        ("/api/v1/machines", "operator_id", &pool.users),
        ("/api/v1/tasks", "machine_id", &pool.machines),
        ("/api/v1/tasks", "assignee_id", &pool.users),
        ("/api/v1/tasks/my", "machine_id", &pool.machines),
        ("/api/v1/tasks/my", "assignee_id", &pool.users),
    ] {
        c.add(
            Method::GET,
            template,
            field,
            In::Query,
            values.clone(),
            None,
            Box::new(move |v| (format!("{template}?{field}={}", urlencode(v)), None)),
        );
    }
    let b_machine = b.machine.clone();
    c.add(
        Method::POST,
        "/api/v1/gateway/dex",
        "machine_id",
        In::Query,
        vec![a.machine.clone()],
        Some(b.machine.clone()),
        Box::new(|v| (format!("/api/v1/gateway/dex?machine_id={v}"), None)),
    );
    c.add(
        Method::POST,
        "/api/v1/gateway/events",
        "machine_id",
        In::Body,
        vec![a.machine.clone()],
        Some(b_machine),
        Box::new(|v| {
            (
                "/api/v1/gateway/events".into(),
                Some(
                    json!({ "machine_id": v, "events": [{ "id": uuid::Uuid::now_v7().to_string(), "type": "heartbeat" }] }),
                ),
            )
        }),
    );
    c.add(
        Method::POST,
        "/api/v1/auth/switch-organization",
        "organization_id",
        In::Body,
        vec![a.org.clone()],
        Some(b.org.clone()),
        Box::new(|v| {
            (
                "/api/v1/auth/switch-organization".into(),
                Some(json!({ "organization_id": v })),
            )
        }),
    );
}
