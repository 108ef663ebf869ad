//! An order's changes of status, each inside the caller's database transaction with the order's row locked,
//! and the rows each one writes with it: the vend command when it is paid, the sale and its stock movement
//! when it is dispensed, the refund job when it must be refunded, the sale's reversal when it is refunded.
//! Each returns the events to publish once the transaction has committed.

use chrono::{NaiveDateTime, TimeDelta};
use vendhub_domain::orders::{OrderStatus, transition};
use vendhub_domain::payments::Provider;
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::machine_commands::{self, CommandRow};
use vendhub_store::orders::{self as store, OrderRow};
use vendhub_store::sales::{self, SaleRow};
use vendhub_store::{DbConn, TenantScope, audit, planograms};

use crate::AppError;
use crate::audit_record::Record;
use crate::gateway::sales::{self as gateway_sales, RecordedSale, Vend};
use crate::payments::PaymentSettings;
use crate::ports::DomainEvent;

/// The job that tries a refund through the order's provider.
pub const REFUND_JOB: &str = "orders.refund";
/// A non-real-time bus event: a vend command was queued for a machine (wakes its long poll on any replica).
pub const COMMAND_QUEUED: &str = "command:queued";
/// The real-time event of an order's new status (payload `order_id`, `status`, `amount`).
pub const ORDER_STATUS: &str = "order:status";

fn status_of(order: &OrderRow) -> Result<OrderStatus, AppError> {
    OrderStatus::parse(&order.status)
        .ok_or_else(|| AppError::internal(format!("order {} has status {:?}", order.id, order.status)))
}

/// Moves the order to `to` (the domain's table decides) and writes it.
fn move_to(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    to: OrderStatus,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let from = status_of(order)?;
    transition(from, to).map_err(|e| AppError::Conflict(e.to_string()))?;
    to.as_str().clone_into(&mut order.status);
    order.updated_at = now;
    store::update(c, scope, order)?;
    metrics::counter!("vendhub_order_transitions_total", "status" => to.as_str()).increment(1);
    Ok(())
}

/// The event that tells the panel and the customer's page about the order's status.
pub fn status_event(order: &OrderRow) -> DomainEvent {
    DomainEvent::new(
        ORDER_STATUS,
        &order.organization_id,
        Some(&order.machine_id),
        serde_json::json!({ "order_id": order.id, "status": order.status, "amount": order.amount,
            "provider": order.provider, "reason": order.reason }),
    )
}

/// `created -> paid`, and the vend command queued for the machine (one per order, by a unique index).
pub fn mark_paid(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    provider: Provider,
    settings: &PaymentSettings,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    move_to(c, scope, order, OrderStatus::Paid, now)?;
    order.provider = Some(provider.as_str().to_owned());
    order.paid_at = Some(now);
    store::update(c, scope, order)?;
    let ttl = TimeDelta::from_std(settings.vend_command_ttl).unwrap_or(TimeDelta::minutes(2));
    let command = CommandRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: order.organization_id.clone(),
        machine_id: order.machine_id.clone(),
        order_id: order.id.clone(),
        kind: "vend".into(),
        slot_code: order.slot_code.clone(),
        amount: order.amount,
        status: "pending".into(),
        reason: None,
        expires_at: now + ttl,
        sent_at: None,
        result_at: None,
        created_at: now,
    };
    if !machine_commands::insert(c, scope, &command)? {
        return Err(AppError::Conflict(format!(
            "order {} has a vend command already",
            order.id
        )));
    }
    audit::append(
        c,
        &Record::new("order.paid", "order", &order.id)
            .in_organization(&order.organization_id)
            .after(Some(
                serde_json::json!({ "provider": provider.as_str(), "amount": order.amount }),
            ))
            .done(),
    )?;
    Ok(vec![
        status_event(order),
        DomainEvent::new(
            COMMAND_QUEUED,
            &order.organization_id,
            Some(&order.machine_id),
            serde_json::json!({ "command_id": command.id, "order_id": order.id }),
        ),
    ])
}

/// `paid -> dispensing` as a machine takes the order's command.
pub fn dispensing(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    move_to(c, scope, order, OrderStatus::Dispensing, now)?;
    Ok(vec![status_event(order)])
}

/// `dispensing -> dispensed`: the sale (source `order`, the provider as payment method) and its `sale`
/// movement out of the slot, in this transaction.
pub fn dispensed(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    now: NaiveDateTime,
) -> Result<(Vec<DomainEvent>, Option<RecordedSale>), AppError> {
    move_to(c, scope, order, OrderStatus::Dispensed, now)?;
    order.dispensed_at = Some(now);
    let slot = planograms::slot(c, scope, &order.machine_id, &order.slot_code)?;
    let method = order.provider.clone().unwrap_or_else(|| "telegram".into());
    let recorded = match slot {
        Some(slot) if slot.product_id == order.product_id => {
            let vend = Vend {
                event_id: &order.id,
                slot: &slot,
                price: order.amount,
                payment_method: &method,
                source: "order",
                at: now,
            };
            gateway_sales::record_vend(c, scope, &order.machine_id, &vend)?
        }
        // The slot was emptied or given another product since the order: the sale stands without a
        // movement, flagged for a look.
        _ => {
            let sale = SaleRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: order.organization_id.clone(),
                machine_id: order.machine_id.clone(),
                slot_code: Some(order.slot_code.clone()),
                product_id: Some(order.product_id.clone()),
                unit_price: order.amount,
                quantity: 1,
                amount: order.amount,
                payment_method: method.clone(),
                source: "order".into(),
                source_id: order.id.clone(),
                flag: Some("slot_changed".into()),
                sold_at: now,
                created_at: now,
            };
            sales::insert(c, scope, &sale)?;
            order.sale_id = Some(sale.id);
            None
        }
    };
    if let Some(r) = &recorded {
        order.sale_id = Some(r.sale_id.clone());
    }
    store::update(c, scope, order)?;
    Ok((vec![status_event(order)], recorded))
}

/// The order must give the money back: `dispensing -> failed -> refund_pending`, or `paid ->
/// refund_pending` (the machine never took the command), or `dispensed -> refund_pending` (an
/// accountant's refund). A command still waiting is withdrawn; the refund job is queued.
pub fn start_refund(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    reason: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    let mut events = Vec::new();
    if status_of(order)? == OrderStatus::Dispensing {
        order.reason = Some(reason.to_owned());
        move_to(c, scope, order, OrderStatus::Failed, now)?;
        events.push(status_event(order));
    }
    order.reason = Some(reason.to_owned());
    order.refund_requested_by = by.map(str::to_owned);
    move_to(c, scope, order, OrderStatus::RefundPending, now)?;
    withdraw_command(c, scope, &order.id, "refund", now)?;
    let mut job = NewJob::new(
        REFUND_JOB,
        serde_json::json!({ "order_id": order.id, "organization_id": order.organization_id }),
    )
    .dedupe_key(format!("refund:{}", order.id))
    .max_attempts(8);
    job.organization_id = Some(scope.id());
    jobs::enqueue(c, &job)?;
    let mut record = Record::new("order.refund_started", "order", &order.id)
        .in_organization(&order.organization_id)
        .after(Some(
            serde_json::json!({ "reason": reason, "amount": order.amount }),
        ));
    if let Some(user) = by {
        record = record.actor(&user);
    }
    audit::append(c, &record.done())?;
    events.push(status_event(order));
    Ok(events)
}

/// The money went back to the customer: `-> refund_pending -> refunded`. A recorded sale is reversed by a
/// negative sale (the product left the machine, so no stock moves); an undispensed order has no sale.
pub fn refunded(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    note: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    let mut events = Vec::new();
    let status = status_of(order)?;
    if status == OrderStatus::Refunded {
        return Ok(events);
    }
    if status != OrderStatus::RefundPending {
        if status == OrderStatus::Dispensing {
            move_to(c, scope, order, OrderStatus::Failed, now)?;
        }
        if order.reason.is_none() {
            order.reason = Some(note.to_owned());
        }
        move_to(c, scope, order, OrderStatus::RefundPending, now)?;
        withdraw_command(c, scope, &order.id, "refund", now)?;
        events.push(status_event(order));
    }
    move_to(c, scope, order, OrderStatus::Refunded, now)?;
    order.refunded_at = Some(now);
    store::update(c, scope, order)?;
    if let Some(sale_id) = &order.sale_id {
        let reversal = SaleRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: order.organization_id.clone(),
            machine_id: order.machine_id.clone(),
            slot_code: Some(order.slot_code.clone()),
            product_id: Some(order.product_id.clone()),
            unit_price: order.amount,
            quantity: -1,
            amount: -order.amount,
            payment_method: order.provider.clone().unwrap_or_else(|| "telegram".into()),
            source: "order".into(),
            source_id: format!("{}:refund", order.id),
            flag: Some(format!("refund_of:{sale_id}")),
            sold_at: now,
            created_at: now,
        };
        sales::insert(c, scope, &reversal)?;
    }
    let mut record = Record::new("order.refunded", "order", &order.id)
        .in_organization(&order.organization_id)
        .after(Some(
            serde_json::json!({ "note": note, "amount": order.amount, "provider": order.provider }),
        ));
    if let Some(user) = by {
        record = record.actor(&user);
    }
    audit::append(c, &record.done())?;
    events.push(status_event(order));
    Ok(events)
}

/// A command not yet taken is withdrawn (`withdrawn`), so no machine vends a refunded order.
fn withdraw_command(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if let Some(mut cmd) = machine_commands::for_order(c, scope, order)?
        && cmd.status == "pending"
    {
        cmd.status = "withdrawn".into();
        cmd.reason = Some(reason.to_owned());
        cmd.result_at = Some(now);
        machine_commands::update(c, scope, &cmd)?;
    }
    Ok(())
}

/// `created -> expired` (the unit is released: reservations count only live orders).
pub fn expire(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    move_to(c, scope, order, OrderStatus::Expired, now)?;
    Ok(vec![status_event(order)])
}
