//! Ids in task requests: a new task, and B's task in progress.

use reqwest::Method;
use serde_json::json;

use super::Cases;
use crate::tenancy::World;
use crate::tenancy::fields::In;

/// Tasks: a new one, and B's task in progress.
#[expect(
    clippy::many_single_char_names,
    reason = "a and b are the two organizations; m, op and p what a task of B's names"
)]
pub(super) fn tasks(w: &World, c: &mut Cases) {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let bp = b.product.clone();
    let task = |machine: String, assignee: String, product: String| {
        Some(
            json!({ "task_type": "refill", "machine_id": machine, "assignee_id": assignee, "requires_photos": false,
                     "items": [{ "product_id": product, "planned_qty": 1, "slot": "A1" }] }),
        )
    };
    {
        let (op, p) = (b.operator.clone(), bp.clone());
        c.add(
            Method::POST,
            "/api/v1/tasks",
            "machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(v.into(), op.clone(), p.clone()))),
        );
        let (m, p) = (b.machine.clone(), bp.clone());
        c.add(
            Method::POST,
            "/api/v1/tasks",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(m.clone(), v.into(), p.clone()))),
        );
        let (m, op) = (b.machine.clone(), b.operator.clone());
        c.add(
            Method::POST,
            "/api/v1/tasks",
            "items[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(m.clone(), op.clone(), v.into()))),
        );
    }
    {
        let path = format!("/api/v1/tasks/{}/items", b.open_task);
        c.add(
            Method::PUT,
            "/api/v1/tasks/{id}/items",
            "items[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "items": [{ "product_id": v, "planned_qty": 2, "slot": "A1" }] })),
                )
            }),
        );
        let path = format!("/api/v1/tasks/{}/assign", b.open_task);
        c.add(
            Method::POST,
            "/api/v1/tasks/{id}/assign",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "assignee_id": v })))),
        );
        let path = format!("/api/v1/tasks/{}/complete", b.task);
        c.add(
            Method::POST,
            "/api/v1/tasks/{id}/complete",
            "items[].item_id",
            In::Body,
            vec![a.task_item.clone()],
            Some(b.task_item.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "items": [{ "item_id": v, "actual_qty": 1 }] })),
                )
            }),
        );
    }
}
