//! Completion and rejection, each one transaction. Completing a refill moves the actual quantities from
//! the assignee's stock into the slots; a collection records the counted cash against the cash sales since
//! the previous collection; an audit counts the slots and posts the differences as adjustments.
//! Rejecting reverses what completion posted, with new movements (the ledger is append-only).

use vendhub_domain::ids::TaskId;
use vendhub_domain::stock::{Holder, MovementKind, Qty, SlotCode};
use vendhub_domain::tasks::{Command, PhotoCategory, PhotoTaken, TaskType, missing_photos, over_short};
use vendhub_store::cash_collections::{self, CollectionRow};
use vendhub_store::stock::{self, MovementFilter};
use vendhub_store::tasks::{self, TaskRow};
use vendhub_store::{DbConn, StoreError, TenantScope, planograms, sales, stocktakes};

use super::commands::{guard, save};
use super::{TaskView, invalid, publish};
use crate::auth::{Principal, RequestMeta};
use crate::error::Rule;
use crate::stock::ledger::{self, LedgerError, Movement, Reason, Reference, Route};
use crate::{App, AppError};

/// The actual quantity of one planned item.
#[derive(Debug, Clone)]
pub struct ItemActual {
    pub item_id: String,
    pub actual_qty: i64,
}

/// What the operator reports at completion.
#[derive(Debug, Clone, Default)]
pub struct CompleteRequest {
    /// Items not named keep their planned quantity.
    pub items: Vec<ItemActual>,
    /// Counted cash, tiyin (collections).
    pub counted: Option<i64>,
    pub bag_number: Option<String>,
}

fn check_photos(c: &mut DbConn, scope: &TenantScope, t: &TaskRow) -> Result<(), AppError> {
    if !t.requires_photos {
        return Ok(());
    }
    let photos: Vec<PhotoTaken> = tasks::photos(c, scope, &t.id)?
        .into_iter()
        .filter_map(|p| {
            Some(PhotoTaken {
                category: PhotoCategory::parse(&p.category)?,
                taken_at: p.taken_at,
            })
        })
        .collect();
    let missing = missing_photos(t.started_at, &photos);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Rule::PhotoProofMissing.refuse(format!("photo proof missing: {}", missing.join(" and "))))
    }
}

fn corrupt(what: &str) -> impl FnOnce(vendhub_domain::stock::StockError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// A movement of this task, posted by `actor`.
fn movement(t: &TaskRow, route: Route, product: &str, qty: i64, actor: &str) -> Result<Movement, AppError> {
    let product = product
        .parse()
        .map_err(|_| StoreError::Corrupt("product id".into()))?;
    let qty = Qty::movement(qty).map_err(|e| invalid("items", &e.to_string()))?;
    Ok(Movement::new(route, product, qty, vendhub_store::now())
        .reference(Reference::Task(t.id.clone()))
        .by(actor.parse().ok()))
}

/// Refill: the actual quantities move from the assignee to each slot; refused whole, naming the slot.
pub(crate) fn refill(
    c: &mut DbConn,
    scope: &TenantScope,
    t: &TaskRow,
    req: &CompleteRequest,
    actor: &str,
) -> Result<(), AppError> {
    let operator = t.assignee_id.clone().unwrap_or_else(|| actor.to_owned());
    let operator = Holder::Operator(
        operator
            .parse()
            .map_err(|_| StoreError::Corrupt("task assignee".into()))?,
    );
    let machine = t
        .machine_id
        .parse()
        .map_err(|_| StoreError::Corrupt("machine id".into()))?;
    for item in tasks::items(c, scope, &t.id)? {
        let actual = req
            .items
            .iter()
            .find(|a| a.item_id == item.id)
            .map_or(item.planned_qty, |a| a.actual_qty);
        tasks::set_actual(c, scope, &t.id, &item.id, actual)?;
        let Some(code) = &item.slot_code else {
            continue;
        };
        if actual == 0 {
            continue;
        }
        let capacity = planograms::slot(c, scope, &t.machine_id, code)?.map(|s| s.capacity);
        let slot = Holder::Slot {
            machine,
            slot: SlotCode::parse(code).map_err(corrupt("slot code"))?,
        };
        let route = Route::new(MovementKind::Refill, Some(operator.clone()), Some(slot))
            .map_err(corrupt("refill route"))?;
        let m = movement(t, route, &item.product_id, actual, actor)?.into_capacity(capacity);
        match ledger::post(c, scope, &m) {
            Ok(_) => {}
            Err(LedgerError::Store(e)) => return Err(e.into()),
            Err(refused) => {
                let AppError::Rule(rule, why) = AppError::from(refused) else {
                    return Err(Rule::SlotOverCapacity.refuse(format!("slot {code} refused")));
                };
                return Err(rule.refuse(format!("slot {code}: {why}")));
            }
        }
    }
    tasks::touch_refill(c, scope, &t.machine_id, vendhub_store::now())?;
    Ok(())
}

/// Collection: the counted cash against the cash sales since the previous collection.
pub(crate) fn collect(
    c: &mut DbConn,
    scope: &TenantScope,
    t: &TaskRow,
    req: &CompleteRequest,
    actor: &str,
) -> Result<(), AppError> {
    let Some(counted) = req.counted else {
        return Err(invalid("counted", "is required to complete a collection"));
    };
    let now = vendhub_store::now();
    let previous = cash_collections::latest(c, scope, &t.machine_id)?.map(|p| p.collected_at);
    let expected = sales::cash_total(c, scope, &t.machine_id, previous, now)?;
    cash_collections::insert(
        c,
        scope,
        &CollectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: t.organization_id.clone(),
            machine_id: t.machine_id.clone(),
            operator_id: Some(t.assignee_id.clone().unwrap_or_else(|| actor.to_owned())),
            task_id: Some(t.id.clone()),
            counted,
            expected,
            over_short: over_short(counted, expected),
            bag_number: req.bag_number.clone(),
            period_from: previous,
            collected_at: now,
            confirmed_by: None,
            confirmed_at: None,
            reversed_at: None,
        },
    )?;
    tasks::touch_collection(c, scope, &t.machine_id, now)?;
    Ok(())
}

/// Audit: each item's actual quantity is the count of its slot. Each counted slot gets a stocktake,
/// closed at once in this transaction: its differences become adjustment movements at average cost,
/// and show as shortage/surplus like any other stocktake.
fn audit_count(
    c: &mut DbConn,
    scope: &TenantScope,
    t: &TaskRow,
    req: &CompleteRequest,
    actor: &str,
) -> Result<(), AppError> {
    let now = vendhub_store::now();
    let mut by_slot: std::collections::BTreeMap<String, Vec<(String, i64)>> =
        std::collections::BTreeMap::new();
    for item in tasks::items(c, scope, &t.id)? {
        let Some(code) = &item.slot_code else {
            continue;
        };
        let Some(counted) = req
            .items
            .iter()
            .find(|a| a.item_id == item.id)
            .map(|a| a.actual_qty)
        else {
            continue;
        };
        tasks::set_actual(c, scope, &t.id, &item.id, counted)?;
        by_slot
            .entry(format!("slot:{}:{code}", t.machine_id))
            .or_default()
            .push((item.product_id.clone(), counted));
    }
    for (holder, counts) in by_slot {
        let take = stocktakes::StocktakeRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: t.organization_id.clone(),
            holder,
            status: "open".into(),
            started_by: Some(actor.to_owned()),
            started_at: now,
            closed_at: None,
            task_id: Some(t.id.clone()),
        };
        stocktakes::insert(c, scope, &take)?;
        for (product_id, counted) in counts {
            stocktakes::count(
                c,
                scope,
                &stocktakes::LineRow {
                    stocktake_id: take.id.clone(),
                    product_id,
                    counted,
                    counted_by: Some(actor.to_owned()),
                },
            )?;
        }
        crate::stocktakes::close_in(c, scope, &take, actor)?;
    }
    Ok(())
}

/// Every actual quantity names an item of this task, once: an id of another task (or organization), or
/// one that does not exist, is refused (422 naming it) instead of being ignored.
fn check_items(
    c: &mut DbConn,
    scope: &TenantScope,
    t: &TaskRow,
    req: &CompleteRequest,
) -> Result<(), AppError> {
    let own: Vec<String> = tasks::items(c, scope, &t.id)?.into_iter().map(|i| i.id).collect();
    for (n, actual) in req.items.iter().enumerate() {
        if !own.contains(&actual.item_id) {
            return Err(Rule::TaskItemInvalid.refuse(format!(
                "items[{n}].item_id: {} is not an item of this task",
                actual.item_id
            )));
        }
        if req.items[..n].iter().any(|a| a.item_id == actual.item_id) {
            return Err(Rule::TaskItemInvalid
                .refuse(format!("items[{n}].item_id: {} is given twice", actual.item_id)));
        }
    }
    Ok(())
}

/// Completes a task in one transaction (the assignee's or a manager's).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn complete(
    app: &App,
    who: &Principal,
    id: TaskId,
    req: CompleteRequest,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    if req.items.iter().any(|i| i.actual_qty < 0) {
        return Err(invalid("items", "actual quantities must not be negative"));
    }
    if req.counted.is_some_and(|n| n < 0) {
        return Err(invalid("counted", "must not be negative"));
    }
    if req.bag_number.as_ref().is_some_and(|b| b.chars().count() > 64) {
        return Err(invalid("bag_number", "must be at most 64 characters"));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    let saved = app
        .write(move |c| {
            let (before, next) = guard(c, &who2, &id, Command::Complete)?;
            check_photos(c, who2.scope(), &before)?;
            check_items(c, who2.scope(), &before, &req)?;
            let now = vendhub_store::now();
            let actor = who2.user_id().to_string();
            let after = TaskRow {
                status: next.as_str().into(),
                completed_at: Some(now),
                completed_by: Some(actor.clone()),
                updated_at: now,
                ..before.clone()
            };
            // The state change first: it takes the task's row lock, so a concurrent completion waits here
            // and then finds the task completed.
            save(c, &who2, &meta, &before, &after, Command::Complete)?;
            match TaskType::parse(&before.task_type) {
                Some(TaskType::Refill) => refill(c, who2.scope(), &before, &req, &actor)?,
                Some(TaskType::Collection) => collect(c, who2.scope(), &before, &req, &actor)?,
                Some(TaskType::Audit) => audit_count(c, who2.scope(), &before, &req, &actor)?,
                _ => {}
            }
            Ok(after)
        })
        .await?;
    publish(app, &saved).await;
    super::view_of(app, who, saved.id).await
}

/// Posts the reverse of every movement the task's completion posted.
fn reverse_movements(c: &mut DbConn, scope: &TenantScope, t: &TaskRow, actor: &str) -> Result<(), AppError> {
    // What the task posted itself, and what the stocktakes of an audit task posted.
    let mut references = vec![t.id.clone()];
    references.extend(stocktakes::ids_of_task(c, scope, &t.id)?);
    let mut posted = Vec::new();
    for reference in references {
        let filter = MovementFilter {
            reference_id: Some(reference),
            ..MovementFilter::default()
        };
        posted.extend(stock::movements(c, scope, &filter, 0, 10_000)?.0);
    }
    let holder = |h: Option<&String>| -> Result<Option<Holder>, StoreError> {
        h.map(|h| h.parse().map_err(corrupt("holder"))).transpose()
    };
    for m in posted.into_iter().rev() {
        let kind = m.kind.parse().map_err(corrupt("movement kind"))?;
        let (from, to) = (holder(m.from_holder.as_ref())?, holder(m.to_holder.as_ref())?);
        let capacity = match &from {
            Some(Holder::Slot { machine, slot }) => {
                planograms::slot(c, scope, &machine.to_string(), slot.as_str())?.map(|s| s.capacity)
            }
            _ => None,
        };
        let back = Route::new(kind, from, to)
            .and_then(|r| r.reversed())
            .map_err(corrupt("movement route"))?;
        let back = movement(t, back, &m.product_id, m.quantity, actor)?
            .reason(Reason::TaskRejected)
            .into_capacity(capacity);
        ledger::post(c, scope, &back)?;
    }
    Ok(())
}

/// Rejects a completed task (a manager's), reversing what completion posted.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn reject(
    app: &App,
    who: &Principal,
    id: TaskId,
    reason: String,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    let id = id.to_string();
    if reason.trim().is_empty() || reason.chars().count() > 500 {
        return Err(invalid("reason", "must be 1 to 500 characters"));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    let saved = app
        .write(move |c| {
            let (before, next) = guard(c, &who2, &id, Command::Reject)?;
            let after = TaskRow {
                status: next.as_str().into(),
                status_reason: Some(reason.clone()),
                updated_at: vendhub_store::now(),
                ..before.clone()
            };
            save(c, &who2, &meta, &before, &after, Command::Reject)?;
            reverse_movements(c, who2.scope(), &before, &who2.user_id().to_string())?;
            cash_collections::reverse_for_task(c, who2.scope(), &before.id, vendhub_store::now())?;
            Ok(after)
        })
        .await?;
    publish(app, &saved).await;
    super::view_of(app, who, saved.id).await
}
