//! `POST /api/v1/gateway/dex`: a machine's DEX/EVA-DTS audit file. The file is parsed and verified whole
//! (G85 CRC) before anything is written; its since-initialisation counters, against the machine's
//! previous audit, give the sales since then (resets and lost reads handled by the domain), recorded
//! with source `dex`, and the cash a collection should find. The audit's counters become the next
//! audit's baseline, in the same transaction. A first audit is a baseline only.
//!
//! DEX sales carry no payment method per selection: they are recorded as `unknown`, and post no stock
//! movements (vend events from telemetry move stock; DEX is the audited count of the same vends).

use serde::Serialize;
use vendhub_domain::dex::{self, AuditCounters, DexError, SalesDelta};
use vendhub_domain::stock::SlotCode;
use vendhub_store::gateway::{self, DexAuditRow};
use vendhub_store::planograms::{self, SlotRow};
use vendhub_store::sales::{self, SaleRow};
use vendhub_store::{DbConn, StoreError};

use super::MachineCaller;
use crate::{App, AppError};

/// One selection's sales since the previous audit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DexSale {
    pub selection: String,
    /// The planogram slot of that selection, when the machine has one of that code.
    pub slot: Option<String>,
    pub product_id: Option<String>,
    pub quantity: i64,
    /// Tiyin.
    pub amount: i64,
    /// `since_previous`, `since_reset` (counters were reset: a lower bound) or `new_selection`.
    pub basis: String,
}

/// What an audit import recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DexImport {
    pub audit_id: String,
    pub machine_id: String,
    /// The machine's first audit: kept as the baseline, no sales derived.
    pub baseline_only: bool,
    pub sales: Vec<DexSale>,
    /// Tiyin taken in cash for vends since the previous audit, when the file tells.
    pub expected_cash: Option<i64>,
    /// What was odd in the file or in the counters (read and imported anyway).
    pub warnings: Vec<String>,
}

/// Why an audit was not imported.
#[derive(Debug)]
pub enum DexFailure {
    /// The file is not a whole, verified audit: nothing was written.
    Refused(DexError),
    App(AppError),
}

impl From<AppError> for DexFailure {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

fn slot_of<'a>(slots: &'a [SlotRow], selection: &str) -> Option<&'a SlotRow> {
    let code = SlotCode::parse(selection).ok()?;
    slots.iter().find(|s| s.code == code.as_str())
}

fn warnings(report: &dex::DexReport, delta: &SalesDelta) -> Vec<String> {
    let mut out: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    out.extend(
        delta
            .warnings
            .iter()
            .map(|w| serde_json::to_string(w).unwrap_or_default()),
    );
    out
}

/// Imports one audit file of the caller's machine (`machine_id`, when given, must be the key's machine).
#[tracing::instrument(skip_all, fields(org.id = %caller.organization_id(), machine.id = %caller.machine_id(), bytes = body.len()))]
pub async fn import(
    app: &App,
    caller: &MachineCaller,
    machine_id: Option<&str>,
    body: &[u8],
) -> Result<DexImport, DexFailure> {
    if machine_id.is_some_and(|m| m != caller.machine_id()) {
        return Err(AppError::Forbidden.into());
    }
    let report = dex::parse(body).map_err(DexFailure::Refused)?;
    let counters = report.counters();
    let caller2 = caller.clone();
    let imported = app
        .db()
        .run(move |c| vendhub_store::write(c, |c| record(c, &caller2, &report, &counters)))
        .await
        .map_err(|e| DexFailure::App(e.into()))?;
    Ok(imported)
}

fn record(
    c: &mut DbConn,
    caller: &MachineCaller,
    report: &dex::DexReport,
    counters: &AuditCounters,
) -> Result<DexImport, StoreError> {
    let (org, machine) = (caller.organization_id(), caller.machine_id());
    // One audit at a time per machine: each one's baseline is the one before.
    gateway::lock_machine(c, caller.scope(), machine)?.ok_or(StoreError::NotFound)?;
    let previous: Option<AuditCounters> = gateway::last_dex_audit(c, caller.scope(), machine)?
        .map(|a| serde_json::from_str(&a.counters))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("a stored DEX baseline: {e}")))?;
    let delta = dex::sales_since(previous.as_ref(), counters);
    let slots = planograms::of_machine(c, caller.scope(), machine)?;
    let now = vendhub_store::now();
    let audit_id = uuid::Uuid::now_v7().to_string();
    let mut sold = Vec::new();
    for s in &delta.selections {
        let slot = slot_of(&slots, &s.selection);
        let quantity = i64::try_from(s.quantity).unwrap_or(i64::MAX);
        let basis = s.basis.as_str().to_owned();
        let sale = SaleRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_owned(),
            machine_id: machine.to_owned(),
            slot_code: Some(slot.map_or_else(|| s.selection.clone(), |x| x.code.clone())),
            product_id: slot.map(|x| x.product_id.clone()),
            unit_price: if quantity > 0 { s.value / quantity } else { 0 },
            quantity,
            amount: s.value,
            payment_method: "unknown".into(),
            source: "dex".into(),
            source_id: format!("{audit_id}:{}", s.selection),
            flag: (basis == "since_reset").then(|| "counter_reset".to_owned()),
            sold_at: now,
            created_at: now,
        };
        sales::insert(c, caller.scope(), &sale)?;
        sold.push(DexSale {
            selection: s.selection.clone(),
            slot: slot.map(|x| x.code.clone()),
            product_id: sale.product_id,
            quantity,
            amount: s.value,
            basis,
        });
    }
    let imported = DexImport {
        audit_id: audit_id.clone(),
        machine_id: machine.to_owned(),
        baseline_only: delta.baseline_only,
        sales: sold,
        expected_cash: delta.expected_cash.map(|e| e.value),
        warnings: warnings(report, &delta),
    };
    gateway::insert_dex_audit(
        c,
        caller.scope(),
        &DexAuditRow {
            id: audit_id,
            organization_id: org.to_owned(),
            machine_id: machine.to_owned(),
            counters: serde_json::to_string(counters).unwrap_or_default(),
            summary: serde_json::to_string(&imported).unwrap_or_default(),
            expected_cash: imported.expected_cash,
            received_at: now,
        },
    )?;
    Ok(imported)
}
