//! Ids in stock requests: purchases, transfers, write-offs and stocktake counts.

use reqwest::Method;
use serde_json::json;

use super::Cases;
use crate::tenancy::World;
use crate::tenancy::fields::{In, holder};

/// Purchases, transfers and write-offs: a warehouse, a holder or a product of A's.
#[expect(
    clippy::too_many_lines,
    reason = "one entry per id-carrying field of the stock requests"
)]
pub(super) fn movements(w: &World, c: &mut Cases) {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let (bw, bp) = (b.warehouse.clone(), b.product.clone());
    let purchase = move |w: String, p: String| {
        Some(json!({ "warehouse_id": w, "product_id": p, "quantity": 1, "unit_cost": 100 }))
    };
    {
        let bp = bp.clone();
        c.add(
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
        c.add(
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
    c.add(
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
        c.add(
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
        c.add(
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
        c.add(
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
        c.add(
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
        c.add(
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
}

/// A stocktake's counts: a product of A's.
pub(super) fn stocktake_counts(w: &World, c: &mut Cases) {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let bp = b.product.clone();
    {
        let path = format!("/api/v1/inventory/stocktakes/{}/counts", b.stocktake);
        c.add(
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
}
