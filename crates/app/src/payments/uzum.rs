//! Uzum Bank merchant webhooks (PROTOCOLS.md §3): check, create, confirm, reverse, status, each answered in
//! ONE write transaction (Basic auth and `serviceId` checked, the order's row locked, the stored transaction
//! read, the pure decision of `vendhub_domain::payments::uzum`, the row and the order's change written, the
//! call recorded with our answer). Errors are `{status:"FAILED", errorCode}` with HTTP 400.

use chrono::NaiveDateTime;
use serde::Serialize;
use vendhub_domain::money::Tiyin;
use vendhub_domain::orders::OrderStatus;
use vendhub_domain::payments::Provider;
use vendhub_domain::payments::uzum::wire::{CheckRequest, CreateRequest, ERROR_HTTP_STATUS, TransRequest};
use vendhub_domain::payments::uzum::{
    self as rules, Decision, ErrorCode, ErrorResponse, OrderEffect, UzumState, UzumTx, Webhook,
};
use vendhub_store::orders::OrderRow;
use vendhub_store::payments::{self as store, PaymentTxRow};
use vendhub_store::{DbConn, TenantScope};

use super::click::{served_order, served_row};
use super::{Effect, Endpoint, ms, order_facts, record_call};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// Our answer: HTTP status and JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// Answers the webhook named `webhook` (the URL's last segment; any other name is 10003). `authorization`
/// is the `Authorization` header, `raw` the body. An internal failure rolls the call's changes back and is
/// answered 99999 (recorded in a transaction of its own).
pub async fn call(
    app: &App,
    endpoint: Endpoint,
    webhook: &str,
    authorization: Option<String>,
    raw: Vec<u8>,
) -> Answer {
    let now = app.now();
    let method: String = webhook.chars().take(32).collect();
    let in_tx = (app.clone(), method.clone(), raw.clone());
    let done = app
        .write(move |c| {
            answer(
                &in_tx.0,
                c,
                &endpoint,
                &in_tx.1,
                authorization.as_deref(),
                &in_tx.2,
                now,
            )
        })
        .await;
    match done {
        Ok((answer, events)) => {
            crate::orders::publish_all(app, &events).await;
            answer
        }
        Err(e) => {
            tracing::error!(error = %e, webhook = %method, "uzum call failed");
            let body = error_body(&raw, now, ErrorCode::CheckFailed);
            let logged_body = body.clone();
            let logged = app
                .write(move |c| {
                    record_call(
                        c,
                        Provider::Uzum,
                        &method,
                        None,
                        None,
                        None,
                        &raw,
                        &logged_body,
                        ERROR_HTTP_STATUS,
                        &ErrorCode::CheckFailed.to_string(),
                        now,
                    )
                })
                .await;
            if let Err(e) = logged {
                tracing::error!(error = %e, "uzum call not recorded");
            }
            Answer {
                status: ERROR_HTTP_STATUS,
                body,
            }
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

fn error_body(raw: &[u8], now: NaiveDateTime, code: ErrorCode) -> String {
    let service_id = rules::service_id_of(raw).unwrap_or_default();
    to_json(&ErrorResponse::new(service_id, ms(now), code))
}

fn state_text(s: UzumState) -> &'static str {
    match s {
        UzumState::Created => "created",
        UzumState::Confirmed => "confirmed",
        UzumState::Reversed => "reversed",
        UzumState::Failed => "failed",
    }
}

fn tx_of(row: &PaymentTxRow) -> Result<UzumTx, AppError> {
    let state = match row.state.as_str() {
        "created" => UzumState::Created,
        "confirmed" => UzumState::Confirmed,
        "reversed" => UzumState::Reversed,
        "failed" => UzumState::Failed,
        other => return Err(AppError::internal(format!("uzum transaction in state {other:?}"))),
    };
    Ok(UzumTx {
        trans_id: row.provider_tx_id.clone(),
        order_id: row.order_id.clone(),
        amount: Tiyin::new(row.amount),
        state,
        trans_time: row.create_time,
        confirm_time: row.perform_time,
        reverse_time: row.cancel_time,
    })
}

fn row_for(
    tx: &UzumTx,
    stored: Option<&PaymentTxRow>,
    organization: &str,
    now: NaiveDateTime,
) -> PaymentTxRow {
    let mut row = stored.cloned().unwrap_or_else(|| PaymentTxRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: organization.to_owned(),
        order_id: tx.order_id.clone(),
        provider: Provider::Uzum.as_str().to_owned(),
        provider_tx_id: tx.trans_id.clone(),
        state: String::new(),
        amount: tx.amount.get(),
        provider_time: None,
        create_time: tx.trans_time,
        perform_time: None,
        cancel_time: None,
        reason: None,
        prepare_id: None,
        paydoc_id: None,
        fiscal_data: None,
        created_at: now,
        updated_at: now,
    });
    state_text(tx.state).clone_into(&mut row.state);
    row.perform_time = tx.confirm_time;
    row.cancel_time = tx.reverse_time;
    row.updated_at = now;
    row
}

fn effect(e: OrderEffect) -> Effect {
    match e {
        OrderEffect::None => Effect::None,
        OrderEffect::MarkPaid => Effect::MarkPaid,
        OrderEffect::Release => Effect::Release,
        OrderEffect::Refunded => Effect::Refunded,
    }
}

/// A decision reduced to what is written and answered.
struct Outcome {
    answer: Answer,
    /// `ok` or the error code, for the log.
    code: String,
    store: Option<UzumTx>,
    order: OrderEffect,
}

fn outcome<R: Serialize>(d: Decision<R>) -> Outcome {
    let (answer, outcome) = match &d.reply {
        Ok(r) => (
            Answer {
                status: 200,
                body: to_json(r),
            },
            "ok".to_owned(),
        ),
        Err(e) => (
            Answer {
                status: ERROR_HTTP_STATUS,
                body: to_json(e),
            },
            e.error_code.clone(),
        ),
    };
    Outcome {
        answer,
        code: outcome,
        store: d.store,
        order: d.order,
    }
}

fn refused(raw: &[u8], now: NaiveDateTime, code: ErrorCode) -> Outcome {
    Outcome {
        answer: Answer {
            status: ERROR_HTTP_STATUS,
            body: error_body(raw, now, code),
        },
        code: code.to_string(),
        store: None,
        order: OrderEffect::None,
    }
}

/// What a webhook's decision came to: the outcome, the locked order with its scope, the stored row and the
/// transaction id.
type Decided = (
    Outcome,
    Option<(TenantScope, OrderRow)>,
    Option<PaymentTxRow>,
    Option<String>,
);

/// The order a transaction-only webhook (confirm, reverse, status) is about: the stored row's order,
/// locked, and the row read again under the lock.
fn order_of_tx(
    c: &mut DbConn,
    account: &super::MerchantAccount,
    trans_id: &str,
) -> Result<Option<(TenantScope, OrderRow, PaymentTxRow)>, AppError> {
    let Some(row) = served_row(c, account, Provider::Uzum, Some(trans_id))? else {
        return Ok(None);
    };
    let Some((scope, order)) = served_order(c, account, Some(&row.order_id))? else {
        return Ok(None);
    };
    let row = served_row(c, account, Provider::Uzum, Some(trans_id))?.filter(|r| r.order_id == order.id);
    Ok(row.map(|r| (scope, order, r)))
}

#[allow(
    clippy::too_many_lines,
    reason = "one match over the five webhooks, each a few lines"
)]
fn answer(
    app: &App,
    c: &mut DbConn,
    endpoint: &Endpoint,
    webhook: &str,
    authorization: Option<&str>,
    raw: &[u8],
    now: NaiveDateTime,
) -> Result<(Answer, Vec<DomainEvent>), AppError> {
    let now_ms = ms(now);
    let account = super::accounts::resolve(app, c, Provider::Uzum, endpoint)?;
    let authorized = account.as_ref().is_some_and(|a| {
        rules::authorized(authorization, &a.merchant_id, a.key()) && a.service_id_number().is_some()
    });
    let record = |c: &mut DbConn, org: Option<&str>, order: Option<&str>, tx: Option<&str>, o: &Outcome| {
        record_call(
            c,
            Provider::Uzum,
            webhook,
            org,
            order,
            tx,
            raw,
            &o.answer.body,
            o.answer.status,
            &o.code,
            now,
        )
    };
    let (Some(account), true) = (account, authorized) else {
        let o = refused(raw, now, ErrorCode::AccessDenied);
        record(c, None, None, None, &o)?;
        return Ok((o.answer, Vec::new()));
    };
    let service_id = account.service_id_number().unwrap_or_default();
    let Some(hook) = Webhook::parse(webhook) else {
        let o = refused(raw, now, ErrorCode::UnknownOperation);
        record(c, None, None, None, &o)?;
        return Ok((o.answer, Vec::new()));
    };
    let (o, mut order, stored_row, tx_id): Decided = match hook {
        Webhook::Check => match rules::parse_request::<CheckRequest>(raw) {
            Err(code) => (refused(raw, now, code), None, None, None),
            Ok(req) => {
                let order = served_order(c, &account, req.params.order_id().as_deref())?;
                let facts = match &order {
                    Some((scope, o)) => Some(order_facts(c, scope, o, None, now)?),
                    None => None,
                };
                let d = rules::check(&req, service_id, facts.as_ref(), now_ms);
                (outcome(d), order, None, None)
            }
        },
        Webhook::Create => match rules::parse_request::<CreateRequest>(raw) {
            Err(code) => (refused(raw, now, code), None, None, None),
            Ok(req) => {
                let order = served_order(c, &account, req.params.order_id().as_deref())?;
                let stored_row = served_row(c, &account, Provider::Uzum, Some(&req.trans_id))?;
                // A repeated create answers its own transaction (whatever `params` say now); a new one
                // is for the order `params` name.
                let order = match &stored_row {
                    Some(r) if order.as_ref().is_none_or(|(_, o)| o.id != r.order_id) => {
                        served_order(c, &account, Some(&r.order_id))?
                    }
                    _ => order,
                };
                let stored = stored_row.as_ref().map(tx_of).transpose()?;
                let facts = match &order {
                    Some((scope, o)) => Some(order_facts(
                        c,
                        scope,
                        o,
                        Some((Provider::Uzum, &req.trans_id)),
                        now,
                    )?),
                    None => None,
                };
                let d = rules::create(&req, service_id, stored.as_ref(), facts.as_ref(), now_ms);
                (outcome(d), order, stored_row, Some(req.trans_id.clone()))
            }
        },
        Webhook::Confirm | Webhook::Reverse | Webhook::Status => {
            match rules::parse_request::<TransRequest>(raw) {
                Err(code) => (refused(raw, now, code), None, None, None),
                Ok(req) => {
                    let found = order_of_tx(c, &account, &req.trans_id)?;
                    let (order, stored_row) = match found {
                        Some((scope, o, r)) => (Some((scope, o)), Some(r)),
                        None => (None, None),
                    };
                    let stored = stored_row.as_ref().map(tx_of).transpose()?;
                    let o = match hook {
                        Webhook::Confirm => {
                            let facts = match &order {
                                Some((scope, o)) => Some(order_facts(
                                    c,
                                    scope,
                                    o,
                                    Some((Provider::Uzum, &req.trans_id)),
                                    now,
                                )?),
                                None => None,
                            };
                            outcome(rules::confirm(
                                &req,
                                service_id,
                                stored.as_ref(),
                                facts.as_ref(),
                                now_ms,
                            ))
                        }
                        Webhook::Reverse => {
                            let status = match &order {
                                Some((_, o)) => OrderStatus::parse(&o.status).ok_or_else(|| {
                                    AppError::internal(format!("order {} has status {:?}", o.id, o.status))
                                })?,
                                // No order: the decision answers 10009 for the missing transaction.
                                None => OrderStatus::Created,
                            };
                            outcome(rules::reverse(&req, service_id, stored.as_ref(), status, now_ms))
                        }
                        _ => outcome(rules::status(&req, service_id, stored.as_ref(), now_ms)),
                    };
                    (o, order, stored_row, Some(req.trans_id.clone()))
                }
            }
        }
    };
    let mut events = Vec::new();
    let (org, order_id) = match &mut order {
        Some((scope, ord)) => {
            if let Some(tx) = &o.store {
                store::save(
                    c,
                    scope,
                    &row_for(tx, stored_row.as_ref(), &ord.organization_id, now),
                )?;
            }
            events = super::apply(
                c,
                scope,
                ord,
                Provider::Uzum,
                effect(o.order),
                &app.settings().payments,
                now,
            )?;
            (Some(ord.organization_id.clone()), Some(ord.id.clone()))
        }
        None => (None, None),
    };
    record(c, org.as_deref(), order_id.as_deref(), tx_id.as_deref(), &o)?;
    Ok((o.answer, events))
}
