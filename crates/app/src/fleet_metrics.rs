//! Fleet-wide business figures for `/metrics` (machines per status, lowest slot fill, sales), read from
//! the database at scrape time so they always match it; the http crate's `metrics` module exports them.

use std::collections::HashMap;
use vendhub_domain::machine::MachineStatus;

use crate::{App, AppError};

/// What `/metrics` shows about the fleet and its sales.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Machines per status (every [`MachineStatus`], so one with no machines shows 0, and any other
    /// found).
    pub machine_status: Vec<(String, i64)>,
    /// (machine id, machine number, lowest slot fill in percent) of machines with a planogram.
    pub inventory_level: Vec<(String, String, i64)>,
    /// (source, payment method, sales recorded).
    pub sales: Vec<(String, String, i64)>,
}

/// Across organizations: the figures of the whole fleet, for the operator's `/metrics` scrape (no
/// tenant's request; nothing of one organization is shown to another).
pub async fn figures(app: &App) -> Result<Figures, AppError> {
    let (status, slots, balances, sales) = app
        .db()
        .run(|c| {
            Ok((
                vendhub_store::machines::count_by_status(c)?,
                vendhub_store::gateway::fleet_slots(c)?,
                vendhub_store::gateway::slot_balances(c)?,
                vendhub_store::gateway::sales_counts(c)?,
            ))
        })
        .await?;
    let mut by_status: HashMap<String, i64> = MachineStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    for (s, n) in status {
        *by_status.entry(s).or_default() += n;
    }
    let mut machine_status: Vec<(String, i64)> = by_status.into_iter().collect();
    machine_status.sort();
    let balances: HashMap<(String, String), i64> =
        balances.into_iter().map(|(h, p, q)| ((h, p), q)).collect();
    let mut lowest: Vec<(String, String, i64)> = Vec::new();
    for (machine, number, code, product, capacity) in slots {
        let q = balances
            .get(&(format!("slot:{machine}:{code}"), product))
            .copied()
            .unwrap_or(0);
        let fill = if capacity > 0 {
            q.saturating_mul(100) / capacity
        } else {
            0
        };
        match lowest.last_mut() {
            Some(last) if last.0 == machine => last.2 = last.2.min(fill),
            _ => lowest.push((machine, number, fill)),
        }
    }
    Ok(Figures {
        machine_status,
        inventory_level: lowest,
        sales,
    })
}
