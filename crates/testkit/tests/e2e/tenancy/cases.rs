//! One case per id a request carries in a body, a query or a stock holder.

use reqwest::Method;
use serde_json::json;

use super::World;
use super::fields::{Build, Case, In, holder, urlencode};

#[expect(
    clippy::too_many_lines,
    clippy::many_single_char_names,
    reason = "one entry per id-carrying field of the API; a and b are the two organizations"
)]
pub(super) fn cases(w: &World) -> Vec<Case> {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let mut out = Vec::new();
    let mut add = |method: Method,
                   template: &'static str,
                   field: &'static str,
                   place: In,
                   a: Vec<String>,
                   own: Option<String>,
                   build: Build| {
        out.push(Case {
            method,
            template,
            field,
            place,
            build,
            a,
            b: own,
            as_machine: template.starts_with("/api/v1/gateway/"),
        });
    };
    // Filters: A's id finds nothing of A's.
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
        ("/api/v1/tasks", "machine_id", &pool.machines),
        ("/api/v1/tasks", "assignee_id", &pool.users),
        ("/api/v1/tasks/my", "machine_id", &pool.machines),
        ("/api/v1/tasks/my", "assignee_id", &pool.users),
    ] {
        add(
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
    add(
        Method::POST,
        "/api/v1/gateway/dex",
        "machine_id",
        In::Query,
        vec![a.machine.clone()],
        Some(b.machine.clone()),
        Box::new(|v| (format!("/api/v1/gateway/dex?machine_id={v}"), None)),
    );
    add(
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
    add(
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
    let (bw, bp) = (b.warehouse.clone(), b.product.clone());
    let purchase = move |w: String, p: String| {
        Some(json!({ "warehouse_id": w, "product_id": p, "quantity": 1, "unit_cost": 100 }))
    };
    {
        let bp = bp.clone();
        add(
            Method::POST,
            "/api/v1/inventory/purchases",
            "warehouse_id",
            In::Body,
            vec![a.warehouse.clone()],
            Some(bw.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/purchases".into(),
                    purchase(v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let bw = bw.clone();
        add(
            Method::POST,
            "/api/v1/inventory/purchases",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/purchases".into(),
                    purchase(bw.clone(), v.into()),
                )
            }),
        );
    }
    add(
        Method::POST,
        "/api/v1/inventory/stocktakes",
        "holder",
        In::Body,
        vec![holder("warehouse", &a.warehouse)],
        Some(holder("operator", &b.operator)),
        Box::new(|v| {
            (
                "/api/v1/inventory/stocktakes".into(),
                Some(json!({ "holder": v })),
            )
        }),
    );
    let (from_b, to_b) = (holder("warehouse", &b.warehouse), holder("operator", &b.operator));
    let transfer = |from: String, to: String, p: String| {
        Some(json!({ "from": from, "to": to, "product_id": p, "quantity": 1 }))
    };
    {
        let (to_b, bp) = (to_b.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "from",
            In::Body,
            vec![holder("warehouse", &a.warehouse)],
            Some(from_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(v.into(), to_b.clone(), bp.clone()),
                )
            }),
        );
    }
    {
        let (from_b, bp) = (from_b.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "to",
            In::Body,
            vec![holder("operator", &a.operator)],
            Some(to_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(from_b.clone(), v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let (from_b, to_b) = (from_b.clone(), to_b.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(from_b.clone(), to_b.clone(), v.into()),
                )
            }),
        );
    }
    let write_off = |h: String, p: String| {
        Some(json!({ "holder": h, "product_id": p, "quantity": 1, "reason": "damaged" }))
    };
    {
        let bp = bp.clone();
        add(
            Method::POST,
            "/api/v1/inventory/write-offs",
            "holder",
            In::Body,
            vec![holder("warehouse", &a.warehouse)],
            Some(from_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/write-offs".into(),
                    write_off(v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let from_b = from_b.clone();
        add(
            Method::POST,
            "/api/v1/inventory/write-offs",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/write-offs".into(),
                    write_off(from_b.clone(), v.into()),
                )
            }),
        );
    }
    // Machines: a new one, and B's own changed or moved.
    for (n, (method, template, field, a_value, own)) in [
        (
            Method::POST,
            "/api/v1/machines",
            "location_id",
            a.location.clone(),
            b.location.clone(),
        ),
        (
            Method::POST,
            "/api/v1/machines",
            "operator_id",
            a.operator.clone(),
            b.operator.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/machines/{id}",
            "location_id",
            a.location.clone(),
            b.location.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/machines/{id}",
            "operator_id",
            a.operator.clone(),
            b.operator.clone(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let path = template.replace("{id}", &b.other_machine);
        add(
            method,
            template,
            field,
            In::Body,
            vec![a_value],
            Some(own),
            Box::new(move |v| {
                let number = format!("B-NEW-{n}-{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
                (
                    path.clone(),
                    Some(json!({ "number": number, "name": "B machine", "machine_type": "drink", field: v })),
                )
            }),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/move", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/move",
            "location_id",
            In::Body,
            vec![a.location.clone()],
            Some(b.location.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "location_id": v })))),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram", b.other_machine);
        add(
            Method::PUT,
            "/api/v1/machines/{id}/planogram",
            "slots[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(
                        json!({ "slots": [{ "slot": "A1", "product_id": v, "capacity": 10, "par_level": 8 }] }),
                    ),
                )
            }),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram/copy", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/planogram/copy",
            "from_machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "from_machine_id": v })))),
        );
        let path = format!("/api/v1/machines/{}/planogram/copy", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/planogram/copy",
            "from_template_id",
            In::Body,
            vec![a.template.clone()],
            Some(b.template.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "from_template_id": v })))),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram/slots/A1", b.other_machine);
        add(
            Method::PUT,
            "/api/v1/machines/{id}/planogram/slots/{slot}",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "product_id": v, "capacity": 10, "par_level": 8 })),
                )
            }),
        );
    }
    add(
        Method::POST,
        "/api/v1/planogram-templates",
        "slots[].product_id",
        In::Body,
        vec![a.product.clone()],
        Some(bp.clone()),
        Box::new(|v| {
            (
                "/api/v1/planogram-templates".into(),
                Some(
                    json!({ "name": format!("B {}", uuid::Uuid::now_v7()), "slots": [{ "slot": "A1", "product_id": v, "capacity": 10, "par_level": 8 }] }),
                ),
            )
        }),
    );
    add(
        Method::POST,
        "/api/v1/products",
        "category_id",
        In::Body,
        vec![a.category.clone()],
        Some(b.category.clone()),
        Box::new(|v| {
            (
                "/api/v1/products".into(),
                Some(
                    json!({ "sku": format!("B-{}", uuid::Uuid::now_v7()), "name_uz": "x", "name_ru": "x", "name_en": "x", "price": 100, "category_id": v }),
                ),
            )
        }),
    );
    {
        let path = format!("/api/v1/products/{bp}");
        add(
            Method::PUT,
            "/api/v1/products/{id}",
            "category_id",
            In::Body,
            vec![a.category.clone()],
            Some(b.category.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(
                        json!({ "sku": "B-1", "name_uz": "Suv", "name_ru": "Вода", "name_en": "Water", "price": 500_000, "category_id": v }),
                    ),
                )
            }),
        );
    }
    // Tasks: a new one, and B's task in progress.
    let task = |machine: String, assignee: String, product: String| {
        Some(
            json!({ "task_type": "refill", "machine_id": machine, "assignee_id": assignee, "requires_photos": false,
                     "items": [{ "product_id": product, "planned_qty": 1, "slot": "A1" }] }),
        )
    };
    {
        let (op, p) = (b.operator.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/tasks",
            "machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(v.into(), op.clone(), p.clone()))),
        );
        let (m, p) = (b.machine.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/tasks",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(m.clone(), v.into(), p.clone()))),
        );
        let (m, op) = (b.machine.clone(), b.operator.clone());
        add(
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
        add(
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
        add(
            Method::POST,
            "/api/v1/tasks/{id}/assign",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "assignee_id": v })))),
        );
        let path = format!("/api/v1/tasks/{}/complete", b.task);
        add(
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
    {
        let path = format!("/api/v1/inventory/stocktakes/{}/counts", b.stocktake);
        add(
            Method::PUT,
            "/api/v1/inventory/stocktakes/{id}/counts",
            "counts[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "counts": [{ "product_id": v, "counted": 1 }] })),
                )
            }),
        );
    }
    out
}
