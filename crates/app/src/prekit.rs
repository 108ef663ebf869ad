//! Pre-kit: for chosen machines (or the machines of an operator's route), what each slot needs to reach
//! par, and the warehouse pick list summed per product. Slot balances come from the ledger; a slot with
//! no balance falls back to average daily sales over the last [`HISTORY_DAYS`] days × days since the last
//! refill (the domain's rule).

use serde::Serialize;
use vendhub_domain::ids::{MachineId, ProductId};
use vendhub_domain::prekit::{DailySales, PrekitSlot, pick_list, slot_need};
use vendhub_domain::stock::{Qty, SlotCode};
use vendhub_store::{StoreError, machines, planograms, products, sales, stock};

use crate::auth::Principal;
use crate::error::FieldError;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotNeed {
    pub slot: String,
    pub product_id: String,
    pub balance: Option<i64>,
    pub par_level: i64,
    pub need: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MachineNeeds {
    pub machine_id: String,
    pub number: String,
    pub slots: Vec<SlotNeed>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PickItem {
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub total: i64,
    /// `(machine id, quantity)` for each machine that needs some.
    pub machines: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Prekit {
    pub machines: Vec<MachineNeeds>,
    pub pick_list: Vec<PickItem>,
}

/// How far back sales are averaged for slots whose balance is unknown.
pub const HISTORY_DAYS: u32 = 28;

/// Which machines to kit.
#[derive(Debug, Clone)]
pub enum Selection {
    /// These machines (1 to 500).
    Machines(Vec<MachineId>),
    /// Every machine the operator is assigned to (their route).
    Operator(vendhub_domain::ids::UserId),
    /// The machines with an open refill task due on this day (UTC), optionally only the operator's.
    Day(chrono::NaiveDate, Option<vendhub_domain::ids::UserId>),
}

/// One machine as the store reads it: the row, its slots, slot balances, units sold per (slot, product)
/// in the history window, and when it was last refilled.
type MachineData = (
    machines::MachineRow,
    Vec<planograms::SlotRow>,
    Vec<stock::BalanceRow>,
    Vec<(String, String, i64)>,
    Option<chrono::NaiveDateTime>,
);

fn load(
    c: &mut vendhub_store::DbConn,
    scope: &vendhub_store::TenantScope,
    ids: &[String],
) -> Result<Option<Vec<MachineData>>, StoreError> {
    let since = vendhub_store::now() - chrono::Duration::days(i64::from(HISTORY_DAYS));
    let mut out = Vec::new();
    for id in ids {
        let Some(m) = machines::get(c, scope, id)? else {
            return Ok(None);
        };
        let slots = planograms::of_machine(c, scope, &m.id)?;
        let balances = stock::balances(c, scope, &format!("slot:{}:", m.id), true)?;
        let sold = sales::units_per_slot(c, scope, &m.id, since)?;
        let refilled = machines::last_refill_at(c, scope, &m.id)?;
        out.push((m, slots, balances, sold, refilled));
    }
    Ok(Some(out))
}

/// The ids of the machines a selection names.
fn chosen(
    c: &mut vendhub_store::DbConn,
    scope: &vendhub_store::TenantScope,
    selection: &Selection,
) -> Result<Vec<String>, StoreError> {
    Ok(match selection {
        Selection::Machines(ids) => ids.iter().map(ToString::to_string).collect(),
        Selection::Operator(user) => machines::ids_of_operator(c, scope, &user.to_string())?,
        Selection::Day(day, user) => {
            let from = day.and_time(chrono::NaiveTime::MIN);
            vendhub_store::tasks::refill_machines_due(
                c,
                scope,
                from,
                from + chrono::Duration::days(1),
                user.map(|u| u.to_string()).as_deref(),
            )?
        }
    })
}

/// Whole days since the last refill; a machine never refilled counts the whole history window.
fn days_since(refilled: Option<chrono::NaiveDateTime>) -> u32 {
    refilled.map_or(HISTORY_DAYS, |at| {
        let days = (vendhub_store::now() - at).num_days().max(0);
        u32::try_from(days).unwrap_or(u32::MAX)
    })
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn compute(app: &App, who: &Principal, selection: Selection) -> Result<Prekit, AppError> {
    if let Selection::Machines(ids) = &selection
        && (ids.is_empty() || ids.len() > 500)
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "machine_ids",
            "give 1 to 500 machines",
        )]));
    }
    let scope = who.scope().clone();
    let data = app
        .db()
        .run(move |c| {
            let ids = chosen(c, &scope, &selection)?;
            let Some(out) = load(c, &scope, &ids)? else {
                return Ok(None);
            };
            let catalog = products::list(c, &scope)?;
            Ok(Some((out, catalog)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let (rows, catalog) = data;
    let corrupt = |e: &dyn std::fmt::Display| AppError::from(StoreError::Corrupt(e.to_string()));
    let mut all = Vec::new();
    let mut machines_out = Vec::new();
    for (m, slots, balances, sold, refilled) in rows {
        let machine: MachineId = m.id.parse().map_err(|e| corrupt(&e))?;
        let days_since_last_refill = days_since(refilled);
        let mut needs = Vec::new();
        for s in slots {
            let holder = format!("slot:{}:{}", m.id, s.code);
            let balance = balances
                .iter()
                .find(|b| b.holder == holder && b.product_id == s.product_id)
                .map(|b| b.quantity);
            let ps = PrekitSlot {
                machine,
                slot: SlotCode::parse(&s.code).map_err(|e| corrupt(&e))?,
                product: s.product_id.parse::<ProductId>().map_err(|e| corrupt(&e))?,
                balance: balance.map(Qty::new).transpose().map_err(|e| corrupt(&e))?,
                par_level: Qty::new(s.par_level).map_err(|e| corrupt(&e))?,
                capacity: Qty::new(s.capacity).map_err(|e| corrupt(&e))?,
                avg_daily_sales: sold
                    .iter()
                    .find(|(slot, product, _)| *slot == s.code && *product == s.product_id)
                    .map_or(DailySales::NONE, |(_, _, units)| {
                        Qty::new(*units).map_or(DailySales::NONE, |q| DailySales::new(q, HISTORY_DAYS))
                    }),
                days_since_last_refill,
            };
            needs.push(SlotNeed {
                slot: s.code,
                product_id: s.product_id,
                balance,
                par_level: s.par_level,
                need: slot_need(&ps).get(),
            });
            all.push(ps);
        }
        machines_out.push(MachineNeeds {
            machine_id: m.id,
            number: m.number,
            slots: needs,
        });
    }
    let picks = pick_list(&all).map_err(|e| crate::error::Rule::PickListInvalid.refuse(e.to_string()))?;
    let by_id: std::collections::HashMap<&str, &products::ProductRow> =
        catalog.iter().map(|p| (p.id.as_str(), p)).collect();
    let pick_list = picks
        .into_iter()
        .map(|p| {
            let id = p.product.to_string();
            let product = by_id.get(id.as_str());
            PickItem {
                sku: product.map(|x| x.sku.clone()).unwrap_or_default(),
                name: product.map(|x| x.name_en.clone()).unwrap_or_default(),
                total: p.total.get(),
                machines: p
                    .machines
                    .iter()
                    .map(|mq| (mq.machine.to_string(), mq.qty.get()))
                    .collect(),
                product_id: id,
            }
        })
        .collect();
    Ok(Prekit {
        machines: machines_out,
        pick_list,
    })
}
