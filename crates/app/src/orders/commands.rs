//! The machine's side of a paid order (CONTRACT §6): it long-polls `GET /api/v1/gateway/commands` for its
//! vend commands and answers each with `dispensed` or `failed`. A command is handed out once (PostgreSQL
//! `SKIP LOCKED` between replicas, SQLite's single writer on one), a result is idempotent (a repeat
//! answers the first outcome), and a command no machine took or answered before it expired refunds.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use vendhub_store::machine_commands::{self, CommandRow};
use vendhub_store::orders as order_store;

use super::lifecycle;
use crate::gateway::MachineCaller;
use crate::gateway::sales::RecordedSale;
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// The longest a poll waits.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// Commands handed out per poll at most.
const BATCH: i64 = 10;

/// A command for the machine.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Command {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: CommandKind,
    pub order_id: String,
    pub slot: String,
    /// Tiyin, already paid.
    pub amount: i64,
    pub expires_at: DateTime<Utc>,
}

/// What a command asks.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Vend,
}

/// `GET /api/v1/gateway/commands`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commands {
    pub commands: Vec<Command>,
}

/// What the machine did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VendOutcome {
    Dispensed,
    Failed,
}

/// `POST /api/v1/gateway/commands/{id}/result`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandResult {
    pub status: VendOutcome,
    /// Why it failed (motor jam, empty spiral, …).
    pub reason: Option<String>,
}

/// Where a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandState {
    Pending,
    Sent,
    Dispensed,
    Failed,
    /// No machine took or answered it in time: the order is refunded, a late result changes nothing.
    Expired,
    /// The payment was reversed before the vend.
    Withdrawn,
}

impl CommandState {
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "dispensed" => Self::Dispensed,
            "failed" => Self::Failed,
            "withdrawn" => Self::Withdrawn,
            _ => Self::Expired,
        }
    }
}

/// The answer to a result: the command's outcome (the first one, on a repeat) and the order's status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommandOutcome {
    pub id: String,
    pub order_id: String,
    pub status: CommandState,
    pub order_status: super::OrderStatusName,
}

fn command(k: &CommandRow) -> Command {
    Command {
        id: k.id.clone(),
        kind: CommandKind::Vend,
        order_id: k.order_id.clone(),
        slot: k.slot_code.clone(),
        amount: k.amount,
        expires_at: k.expires_at.and_utc(),
    }
}

/// Hands out the machine's waiting commands (each once), marking each order `dispensing`.
async fn claim(app: &App, caller: &MachineCaller) -> Result<Vec<Command>, AppError> {
    let scope = caller.scope().clone();
    let machine = caller.machine_id().to_owned();
    let now = app.now();
    // A read first: an idle machine's polls never take the writer lock (SQLite has one writer).
    let (s2, m2) = (scope.clone(), machine.clone());
    if !app
        .read(move |c| Ok(machine_commands::has_pending(c, &s2, &m2, now)?))
        .await?
    {
        return Ok(Vec::new());
    }
    let (commands, events) = app
        .write(move |c| {
            let mut out = Vec::new();
            let mut events = Vec::new();
            for seen in machine_commands::pending_for_machine(c, &scope, &machine, now, BATCH)? {
                // The order first, then the command: the order of locks every change of an order takes.
                let Some(mut order) = order_store::lock(c, &scope, &seen.order_id)? else {
                    continue;
                };
                let Some(mut k) = machine_commands::lock(c, &scope, &seen.id)? else {
                    continue;
                };
                if k.status != "pending" || k.expires_at <= now {
                    // Another replica handed it out, or it was withdrawn, while we waited for the lock.
                    continue;
                }
                if order.status != "paid" {
                    // Refunded or otherwise moved on meanwhile: nothing to vend.
                    k.status = "withdrawn".into();
                    k.result_at = Some(now);
                    machine_commands::update(c, &scope, &k)?;
                    continue;
                }
                k.status = "sent".into();
                k.sent_at = Some(now);
                machine_commands::update(c, &scope, &k)?;
                events.extend(lifecycle::dispensing(c, &scope, &mut order, now)?);
                out.push(command(&k));
            }
            Ok((out, events))
        })
        .await?;
    super::publish_all(app, &events).await;
    Ok(commands)
}

/// Long-polls the machine's commands: answers at once when one is waiting, else when one is queued (on any
/// replica: the bus carries the wake-up) or after `wait` (at most 30 s) with none.
pub async fn poll(app: &App, caller: &MachineCaller, wait: Duration) -> Result<Commands, AppError> {
    let wait = wait.min(MAX_WAIT);
    let mut bus = app.bus().subscribe();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let commands = claim(app, caller).await?;
        if !commands.is_empty() || tokio::time::Instant::now() >= deadline || app.is_draining() {
            return Ok(Commands { commands });
        }
        // Wake on a queued command for this machine, else re-check every second (a missed bus message
        // costs at most that).
        let tick = tokio::time::Instant::now() + Duration::from_secs(1);
        let until = tick.min(deadline);
        loop {
            match tokio::time::timeout_at(until, bus.recv()).await {
                Ok(Ok(e)) if is_wake_up(&e, caller.machine_id()) => break,
                Ok(Ok(_)) => {}
                // Lagged (missed messages), closed, or the second is up: look at the table again.
                Ok(Err(_)) | Err(_) => break,
            }
        }
    }
}

fn is_wake_up(e: &DomainEvent, machine: &str) -> bool {
    e.name == lifecycle::COMMAND_QUEUED && e.machine_id.as_deref() == Some(machine)
}

/// The machine's answer to a command. `dispensed` records the sale and moves the stock; `failed` starts the
/// refund. A repeat answers the first outcome; a command of another machine is not found.
pub async fn result(
    app: &App,
    caller: &MachineCaller,
    id: &str,
    body: CommandResult,
) -> Result<CommandOutcome, AppError> {
    let scope = caller.scope().clone();
    let machine = caller.machine_id().to_owned();
    let id = id.to_owned();
    let now = app.now();
    let reason = body
        .reason
        .map(|r| r.chars().take(500).collect::<String>())
        .filter(|r| !r.trim().is_empty());
    let (outcome, events, sale) = app
        .write(move |c| {
            let seen = machine_commands::get(c, &scope, &id)?
                .filter(|k| k.machine_id == machine)
                .ok_or(AppError::NotFound)?;
            // The order first, then the command (see `claim`).
            let mut order = order_store::lock(c, &scope, &seen.order_id)?.ok_or(AppError::NotFound)?;
            let mut k = machine_commands::lock(c, &scope, &id)?.ok_or(AppError::NotFound)?;
            let mut events = Vec::new();
            let mut sale: Option<RecordedSale> = None;
            if matches!(k.status.as_str(), "sent" | "pending") && order.status == "paid" {
                // Answered without a poll having taken it (a machine that lost the poll's answer).
                events.extend(lifecycle::dispensing(c, &scope, &mut order, now)?);
            }
            if matches!(k.status.as_str(), "sent" | "pending") && order.status == "dispensing" {
                k.result_at = Some(now);
                match body.status {
                    VendOutcome::Dispensed => {
                        k.status = "dispensed".into();
                        machine_commands::update(c, &scope, &k)?;
                        let (ev, recorded) = lifecycle::dispensed(c, &scope, &mut order, now)?;
                        events.extend(ev);
                        sale = recorded;
                    }
                    VendOutcome::Failed => {
                        k.status = "failed".into();
                        k.reason.clone_from(&reason);
                        machine_commands::update(c, &scope, &k)?;
                        let why = reason
                            .clone()
                            .unwrap_or_else(|| "the machine could not dispense".into());
                        events.extend(lifecycle::start_refund(c, &scope, &mut order, &why, None, now)?);
                    }
                }
            }
            let outcome = CommandOutcome {
                id: k.id.clone(),
                order_id: k.order_id.clone(),
                status: CommandState::parse(&k.status),
                order_status: super::status_name(&order.status),
            };
            Ok((outcome, events, sale))
        })
        .await?;
    super::publish_all(app, &events).await;
    if let Some(s) = sale {
        crate::gateway::sales::publish(app, caller.organization_id(), caller.machine_id(), &[s]).await;
    }
    Ok(outcome)
}

/// Commands past their time that no machine took or answered: each expires and its order is refunded.
/// Across organizations: each is changed in its own organization's scope. The number expired.
pub async fn expire_overdue(app: &App) -> Result<usize, AppError> {
    let now: NaiveDateTime = app.now();
    let due = app
        .read(move |c| Ok(machine_commands::overdue_ids(c, now, 500)?))
        .await?;
    let mut n = 0;
    for (org, id) in due {
        let scope = crate::payments::order_scope_of(&org)?;
        let events = app
            .write(move |c| {
                let Some(seen) = machine_commands::get(c, &scope, &id)? else {
                    return Ok(Vec::new());
                };
                // The order first, then the command (see `claim`).
                let Some(mut order) = order_store::lock(c, &scope, &seen.order_id)? else {
                    return Ok(Vec::new());
                };
                let Some(mut k) = machine_commands::lock(c, &scope, &id)? else {
                    return Ok(Vec::new());
                };
                if !matches!(k.status.as_str(), "pending" | "sent") || k.expires_at > now {
                    return Ok(Vec::new());
                }
                let taken = k.status == "sent";
                k.status = "expired".into();
                k.result_at = Some(now);
                machine_commands::update(c, &scope, &k)?;
                if !matches!(order.status.as_str(), "paid" | "dispensing") {
                    return Ok(Vec::new());
                }
                let why = if taken {
                    "the machine did not report the vend in time"
                } else {
                    "the machine did not take the vend in time"
                };
                lifecycle::start_refund(c, &scope, &mut order, why, None, now)
            })
            .await?;
        n += usize::from(!events.is_empty());
        super::publish_all(app, &events).await;
    }
    Ok(n)
}
