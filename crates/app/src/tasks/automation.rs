//! Automation: refill tasks for machines whose slots fell below their threshold share of par, and the
//! escalation of overdue tasks. Each run is idempotent: a machine gets at most one open task of a type,
//! and a task is escalated once.

use std::collections::HashMap;

use vendhub_domain::ids::OrganizationId;
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, is_low};
use vendhub_domain::stock::Qty;
use vendhub_domain::tasks::{Priority, TaskType};
use vendhub_store::{DbConn, StoreError, TenantScope, machines, planograms, stock, tasks};

use super::{NewItem, NewTask, insert_task};
use crate::{App, AppError};

/// The scope a sweep acts in on a row it read across organizations: the row's own organization.
fn scope_of_row(organization_id: &str) -> Result<TenantScope, StoreError> {
    let org: OrganizationId = organization_id
        .parse()
        .map_err(|_| StoreError::Corrupt("organization id".into()))?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization of the row the sweep just read"
    )]
    let scope = TenantScope::authenticated(org);
    Ok(scope)
}

/// Creates the refill tasks one organization needs; answers the rows created.
fn refill_tasks_of(c: &mut DbConn, scope: &TenantScope) -> Result<Vec<tasks::TaskRow>, StoreError> {
    let balances: HashMap<String, i64> = stock::balances(c, scope, "slot:", true)?
        .into_iter()
        .map(|b| (format!("{}|{}", b.holder, b.product_id), b.quantity))
        .collect();
    let mut low: HashMap<String, Vec<NewItem>> = HashMap::new();
    for s in planograms::of_organization(c, scope)? {
        let q = balances
            .get(&format!("slot:{}:{}|{}", s.machine_id, s.code, s.product_id))
            .copied()
            .unwrap_or(0);
        let (Ok(balance), Ok(par)) = (Qty::new(q), Qty::new(s.par_level)) else {
            continue;
        };
        if is_low(balance, par, DEFAULT_LOW_STOCK_PERCENT) {
            let need = s.par_level.min(s.capacity) - q;
            low.entry(s.machine_id.clone()).or_default().push(NewItem {
                product_id: s.product_id,
                slot: Some(s.code),
                planned_qty: need.max(0),
            });
        }
    }
    let mut created = Vec::new();
    let mut machine_ids: Vec<_> = low.keys().cloned().collect();
    machine_ids.sort();
    for mid in machine_ids {
        if tasks::has_open(c, scope, &mid, TaskType::Refill.as_str())? {
            continue;
        }
        let Some(m) = machines::get(c, scope, &mid)? else {
            continue;
        };
        if m.status == "disabled" {
            continue;
        }
        let t = NewTask {
            task_type: TaskType::Refill,
            priority: Priority::Normal,
            machine_id: mid
                .parse()
                .map_err(|_| StoreError::Corrupt("machine id".into()))?,
            assignee_id: m.operator_id.as_deref().and_then(|o| o.parse().ok()),
            title: Some(format!("Refill {} (low stock)", m.number)),
            description: Some("Created automatically: slots below their low-stock threshold.".into()),
            due_at: Some((vendhub_store::now() + chrono::Duration::hours(24)).and_utc()),
            requires_photos: None,
            items: low.remove(&mid).unwrap_or_default(),
            checklist: Vec::new(),
        };
        match insert_task(c, scope, None, &t) {
            Ok(row) => created.push(row),
            // A store failure ends the run (its transaction is gone); a refused task only skips the machine.
            Err(e @ (AppError::Internal(_) | AppError::Unavailable(_))) => {
                return Err(StoreError::Corrupt(format!("refill task of {mid}: {e}")));
            }
            Err(e) => tracing::warn!(machine = %mid, error = %e, "automatic refill task not created"),
        }
    }
    Ok(created)
}

/// Creates refill tasks for low machines in every organization; answers how many were created.
pub async fn create_refill_tasks(app: &App) -> Result<usize, AppError> {
    let orgs = app.db().run(tasks::organizations_with_slots).await?;
    let mut total = 0;
    for org in orgs {
        let scope = scope_of_row(&org)?;
        let created = app
            .db()
            .run(move |c| vendhub_store::write(c, |c| refill_tasks_of(c, &scope)))
            .await?;
        total += created.len();
        for t in &created {
            super::publish(app, t).await;
        }
    }
    Ok(total)
}

/// Raises the priority of open tasks past their due time, once each; answers how many.
pub async fn escalate_overdue(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let escalated = app
        .db()
        .run(move |c| {
            vendhub_store::write(c, |c| {
                let mut out = Vec::new();
                for mut t in tasks::overdue(c, now)? {
                    let p = Priority::parse(&t.priority).unwrap_or(Priority::Normal);
                    let next = p.escalated().unwrap_or(p);
                    let scope = scope_of_row(&t.organization_id)?;
                    if tasks::escalate(c, &scope, &t.id, next.as_str(), now)? {
                        t.priority = next.as_str().into();
                        out.push(t);
                    }
                }
                Ok::<_, StoreError>(out)
            })
        })
        .await?;
    for t in &escalated {
        super::publish(app, t).await;
    }
    Ok(escalated.len())
}
