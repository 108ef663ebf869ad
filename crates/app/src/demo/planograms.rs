//! The demo planograms: eight slots per machine, and the first one saved as a template.

use vendhub_domain::ids::OrganizationId;
use vendhub_store::StoreError;
use vendhub_store::products::ProductRow;

use super::demo_scope;

/// Eight slots (A1-A4, B1-B4) with products rotating through the catalog.
pub(super) fn demo_planogram(
    org: &str,
    machine: &str,
    catalog: &[ProductRow],
    i: usize,
    now: chrono::NaiveDateTime,
) -> Vec<vendhub_store::planograms::SlotRow> {
    (0..8usize)
        .map(|j| vendhub_store::planograms::SlotRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_owned(),
            machine_id: machine.to_owned(),
            code: format!("{}{}", if j < 4 { 'A' } else { 'B' }, j % 4 + 1),
            product_id: catalog[(i * 5 + j) % catalog.len()].id.clone(),
            capacity: 12,
            par_level: 10,
            price: None,
            created_at: now,
            updated_at: now,
        })
        .collect()
}

/// The first machine's planogram saved as the "Standard 8-slot" template.
pub(super) fn insert_template(
    conn: &mut vendhub_store::DbConn,
    org: OrganizationId,
    slots: &[vendhub_store::planograms::SlotRow],
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let template: Vec<serde_json::Value> = slots
        .iter()
        .map(|s| {
            serde_json::json!({ "slot": s.code, "product_id": s.product_id, "capacity": s.capacity,
                "par_level": s.par_level, "price": s.price })
        })
        .collect();
    vendhub_store::planograms::insert_template(
        conn,
        &demo_scope(org),
        &vendhub_store::planograms::TemplateRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_string(),
            name: "Standard 8-slot".into(),
            slots: serde_json::Value::Array(template).to_string(),
            created_at: now,
            deleted_at: None,
        },
    )
}
