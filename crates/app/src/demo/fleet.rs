//! The demo fleet: two locations and 20 machines of mixed types, shared among the operators.

use vendhub_store::locations::LocationRow;
use vendhub_store::machines::MachineRow;
use vendhub_store::{StoreError, TenantScope, locations, machines};

use super::som;

const MACHINE_TYPES: [(&str, &str); 7] = [
    ("snack", "Necta Snakky"),
    ("drink", "Bianchi BVM 972"),
    ("coffee", "Rheavendors Luce X2"),
    ("combo", "Jofemar Vision"),
    ("fresh", "Sielaff FK 184"),
    ("water", "AquaVend 300"),
    ("ice_cream", "Fas Faster 900"),
];

/// The locations, and the machines spread over them and over `operators` (user ids), in turn.
pub(super) fn insert(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    operators: &[String],
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let org_s = scope.id().to_string();
    let sites = [
        (
            "Samarqand Darvoza",
            "Tashkent, Qoratosh ko'chasi 5A",
            41.3165,
            69.2495,
            "rent",
            som(2_500_000),
            0,
        ),
        (
            "Tashkent City Mall",
            "Tashkent, Furqat ko'chasi 1",
            41.3135,
            69.2480,
            "revenue_share",
            0,
            12,
        ),
    ];
    let mut location_ids = Vec::new();
    for (name, address, lat, lon, contract, rent, share) in sites {
        let id = uuid::Uuid::now_v7().to_string();
        locations::insert(
            conn,
            scope,
            &LocationRow {
                id: id.clone(),
                organization_id: org_s.clone(),
                name: name.into(),
                address: address.into(),
                latitude: Some(lat),
                longitude: Some(lon),
                contact_name: Some("Administrator".into()),
                contact_phone: Some("+998 71 200 00 00".into()),
                opening_hours: Some("08:00-22:00".into()),
                contract_type: contract.into(),
                rent_amount: rent,
                revenue_share_percent: share,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            },
        )?;
        location_ids.push(id);
    }
    for i in 0..20usize {
        let (kind, model) = MACHINE_TYPES[i % MACHINE_TYPES.len()];
        let payments = if i % 3 == 0 {
            r#"["cash"]"#
        } else {
            r#"["cash","card","payme","click","uzum"]"#
        };
        machines::insert(
            conn,
            scope,
            &MachineRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: org_s.clone(),
                number: format!("VH-{:03}", i + 1),
                name: format!("{} #{}", model, i + 1),
                machine_type: kind.into(),
                model: Some(model.into()),
                serial_number: Some(format!("SN{:08}", 24_000_000 + i * 7919)),
                location_id: location_ids.get(i % location_ids.len()).cloned(),
                operator_id: operators.get(i % operators.len().max(1)).cloned(),
                status: "active".into(),
                accepted_payments: payments.into(),
                cash_capacity: som(5_000_000),
                last_seen_at: None,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            },
        )?;
    }
    Ok(())
}
