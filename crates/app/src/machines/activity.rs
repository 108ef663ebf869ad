//! What a machine did lately: its latest sales, telemetry readings and DEX audit, for its page.

use serde::Serialize;
use vendhub_domain::ids::MachineId;
use vendhub_store::{gateway, machines, sales};

use crate::auth::Principal;
use crate::{App, AppError};

/// How many sales and readings the activity shows.
pub const RECENT: i64 = 10;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecentSale {
    pub slot: Option<String>,
    pub product_id: Option<String>,
    pub quantity: i64,
    /// Tiyin.
    pub amount: i64,
    pub payment_method: String,
    pub sold_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TelemetryReading {
    /// The reading as the machine sent it (temperature, humidity, door, signal, error codes).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DexAuditView {
    /// What the import found (sales, warnings, expected cash).
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// Tiyin taken in cash since the previous audit, when known.
    pub expected_cash: Option<i64>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MachineActivity {
    /// Newest first.
    pub sales: Vec<RecentSale>,
    /// Newest first.
    pub telemetry: Vec<TelemetryReading>,
    pub last_dex_audit: Option<DexAuditView>,
}

/// The machine's latest sales, telemetry readings and DEX audit.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn activity(app: &App, who: &Principal, id: MachineId) -> Result<MachineActivity, AppError> {
    let scope = who.scope().clone();
    let machine = id.to_string();
    let found = app
        .db()
        .run(move |c| {
            if machines::get(c, &scope, &machine)?.is_none() {
                return Ok(None);
            }
            let filter = sales::SaleFilter {
                machine_id: Some(machine.clone()),
                ..Default::default()
            };
            let (sold, _) = sales::list(c, &scope, &filter, 0, RECENT)?;
            let readings = gateway::events_of(c, &scope, &machine, Some("telemetry"), RECENT)?;
            let dex = gateway::last_dex_audit(c, &scope, &machine)?;
            Ok(Some((sold, readings, dex)))
        })
        .await?;
    let (sold, readings, dex) = found.ok_or(AppError::NotFound)?;
    let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
    Ok(MachineActivity {
        sales: sold
            .into_iter()
            .map(|s| RecentSale {
                slot: s.slot_code,
                product_id: s.product_id,
                quantity: s.quantity,
                amount: s.amount,
                payment_method: s.payment_method,
                sold_at: s.sold_at.and_utc(),
            })
            .collect(),
        telemetry: readings
            .into_iter()
            .map(|e| TelemetryReading {
                payload: json(&e.payload),
                received_at: e.received_at.and_utc(),
            })
            .collect(),
        last_dex_audit: dex.map(|d| DexAuditView {
            summary: json(&d.summary),
            expected_cash: d.expected_cash,
            received_at: d.received_at.and_utc(),
        }),
    })
}
