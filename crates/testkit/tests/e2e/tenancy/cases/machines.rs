//! Ids in machine requests: a new machine, and B's own changed or moved (slots, planograms, products).

use reqwest::Method;
use serde_json::json;

use super::Cases;
use crate::tenancy::World;
use crate::tenancy::fields::In;

/// Machines: a new one, and B's own changed or moved.
#[expect(
    clippy::too_many_lines,
    reason = "one entry per id-carrying field of the machine requests"
)]
pub(super) fn machines(w: &World, c: &mut Cases) {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let bp = b.product.clone();
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
        c.add(
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
        c.add(
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
        c.add(
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
        c.add(
            Method::POST,
            "/api/v1/machines/{id}/planogram/copy",
            "from_machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "from_machine_id": v })))),
        );
        let path = format!("/api/v1/machines/{}/planogram/copy", b.other_machine);
        c.add(
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
        c.add(
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
    c.add(
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
    c.add(
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
        c.add(
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
}
