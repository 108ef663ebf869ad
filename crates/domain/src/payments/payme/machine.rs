//! The transaction state machine exactly as PROTOCOLS.md §1.6 gives it: one pure function per method that,
//! from the stored transaction (or none), the order's facts and `now_ms`, decides the answer and what to
//! store. Repeats are idempotent and answer with the STORED times.
//!
//! Where the public code differs, this follows §1.6's notes: expiry is `now_ms - create_time > TIMEOUT_MS`
//! in milliseconds (the PHP template compares seconds with ms, sign reversed), a stale `time` on
//! `CreateTransaction` is -31008 (not the template's -31050), and account problems use -31050..-31099.
//!
//! Two more template pitfalls §1.6 does not list (checked in `umidjons/paycom-integration-php-template` at
//! HEAD): its stale-`time` check is also reversed (`time - now >= TIMEOUT`, i.e. a time 12 h in the
//! future), and `Transaction::cancel` sets state -1 before testing for state 2, so it never produces -2.
//! Here a performed transaction cancels to -2.

use subtle::ConstantTimeEq;

use super::errors::PaymeError;
use super::params::{
    Account, CancelReason, ChangePasswordParams, CreateParams, FiscalType, PaymeTxId, SetFiscalDataParams,
    TxState,
};
use super::rpc::{PaymeResult, StatementEntry};
use crate::money::Tiyin;
use crate::orders::{OrderFacts, OrderStatus};

/// A transaction not performed within 12 hours of its creation is cancelled with reason 4 (PROTOCOLS.md
/// §1.6, `Paycom/Transaction.php::TIMEOUT`).
pub const TIMEOUT_MS: i64 = 43_200_000;

/// A Payme transaction as we store it. Times are Unix ms; 0 means "not yet" (as Payme's replies show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub payme_id: PaymeTxId,
    /// Our id for it, answered as `transaction`.
    pub transaction: String,
    pub order_id: String,
    /// Payme's own creation time (`params.time`): `GetStatement` selects by it.
    pub payme_time: i64,
    pub amount: Tiyin,
    pub state: TxState,
    pub create_time: i64,
    pub perform_time: i64,
    pub cancel_time: i64,
    pub reason: Option<CancelReason>,
}

impl Transaction {
    fn expired(&self, now_ms: i64) -> bool {
        now_ms.saturating_sub(self.create_time) > TIMEOUT_MS
    }

    fn cancelled(&self, state: TxState, reason: CancelReason, now_ms: i64) -> Self {
        Self {
            state,
            reason: Some(reason),
            cancel_time: now_ms,
            ..self.clone()
        }
    }

    fn create_result(&self) -> PaymeResult {
        PaymeResult::Create {
            create_time: self.create_time,
            transaction: self.transaction.clone(),
            state: self.state,
        }
    }

    fn perform_result(&self) -> PaymeResult {
        PaymeResult::Perform {
            transaction: self.transaction.clone(),
            perform_time: self.perform_time,
            state: self.state,
        }
    }

    fn cancel_result(&self) -> PaymeResult {
        PaymeResult::Cancel {
            transaction: self.transaction.clone(),
            cancel_time: self.cancel_time,
            state: self.state,
        }
    }
}

/// What the order must do because of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEffect {
    None,
    /// The transaction was performed: `created -> paid` and the vend is queued.
    MarkPaid,
    /// A pending transaction ended unperformed: the order may take another payment.
    Release,
    /// A performed transaction was cancelled (state -2): the refund is done. The order goes
    /// `-> refund_pending -> refunded` (from `paid`, `failed` or `refund_pending`), and a vend command still
    /// queued for it must be withdrawn in the same database transaction.
    Refunded,
}

/// A method's decision: the answer, the transaction row to write (the whole new row; `None` = write
/// nothing) and the order's change. All three are written in one database transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub answer: Result<PaymeResult, PaymeError>,
    pub store: Option<Transaction>,
    pub order: OrderEffect,
}

impl Decision {
    fn reply(answer: Result<PaymeResult, PaymeError>) -> Self {
        Self {
            answer,
            store: None,
            order: OrderEffect::None,
        }
    }

    fn error(e: PaymeError) -> Self {
        Self::reply(Err(e))
    }
}

/// `CheckPerformTransaction`: may this order be paid with this amount? `order` is `None` when
/// `account.order_id` is missing or names no order of this merchant. The caller adds the fiscal `detail`.
pub fn check_perform(amount: Tiyin, order: Option<&OrderFacts>) -> Result<(), PaymeError> {
    let order = order.ok_or(PaymeError::order_not_found())?;
    if amount != order.amount {
        return Err(PaymeError::wrong_amount());
    }
    if order.status.is_charged() {
        return Err(PaymeError::already_paid());
    }
    if !order.payable() {
        return Err(PaymeError::not_payable());
    }
    if order.other_pending_payment {
        return Err(PaymeError::pending_payment());
    }
    Ok(())
}

/// `CreateTransaction` (PROTOCOLS.md §1.6). `stored` is the transaction with `params.id`, if any; `order` the
/// order `params.account.order_id` names (its `other_pending_payment` must not count `stored`); `new_id` is
/// the id a new row gets.
pub fn create(
    params: &CreateParams,
    stored: Option<&Transaction>,
    order: Option<&OrderFacts>,
    now_ms: i64,
    new_id: &str,
) -> Decision {
    if let Some(tx) = stored {
        if tx.state != TxState::Created {
            return Decision::error(PaymeError::cannot_perform());
        }
        if tx.expired(now_ms) {
            return Decision {
                answer: Err(PaymeError::cannot_perform()),
                store: Some(tx.cancelled(TxState::CancelledBeforePerform, CancelReason::Timeout, now_ms)),
                order: OrderEffect::Release,
            };
        }
        return Decision::reply(Ok(tx.create_result()));
    }
    if let Err(e) = check_perform(params.amount, order) {
        return Decision::error(e);
    }
    if now_ms.saturating_sub(params.time) > TIMEOUT_MS {
        return Decision::error(PaymeError::cannot_perform());
    }
    let tx = Transaction {
        payme_id: params.id.clone(),
        transaction: new_id.to_owned(),
        order_id: params.account.order_id.clone().unwrap_or_default(),
        payme_time: params.time,
        amount: params.amount,
        state: TxState::Created,
        create_time: now_ms,
        perform_time: 0,
        cancel_time: 0,
        reason: None,
    };
    Decision {
        answer: Ok(tx.create_result()),
        store: Some(tx),
        order: OrderEffect::None,
    }
}

/// `PerformTransaction` (PROTOCOLS.md §1.6). `order` is the transaction's order. An order that can no longer
/// be paid (it expired meanwhile) is -31008 with nothing written; Payme then cancels the transaction.
pub fn perform(stored: Option<&Transaction>, order: &OrderFacts, now_ms: i64) -> Decision {
    let Some(tx) = stored else {
        return Decision::error(PaymeError::tx_not_found());
    };
    match tx.state {
        TxState::Created if tx.expired(now_ms) => Decision {
            answer: Err(PaymeError::cannot_perform()),
            store: Some(tx.cancelled(TxState::CancelledBeforePerform, CancelReason::Timeout, now_ms)),
            order: OrderEffect::Release,
        },
        TxState::Created if !order.payable() => Decision::error(PaymeError::cannot_perform()),
        TxState::Created => {
            let done = Transaction {
                state: TxState::Performed,
                perform_time: now_ms,
                ..tx.clone()
            };
            Decision {
                answer: Ok(done.perform_result()),
                store: Some(done),
                order: OrderEffect::MarkPaid,
            }
        }
        TxState::Performed => Decision::reply(Ok(tx.perform_result())),
        TxState::CancelledBeforePerform | TxState::CancelledAfterPerform => {
            Decision::error(PaymeError::cannot_perform())
        }
    }
}

/// `CancelTransaction` (PROTOCOLS.md §1.6). A performed transaction is refunded (-2) unless the product left
/// the machine and no refund was started (-31007, see [`OrderStatus::provider_may_reverse`]).
pub fn cancel(
    reason: CancelReason,
    stored: Option<&Transaction>,
    order_status: OrderStatus,
    now_ms: i64,
) -> Decision {
    let Some(tx) = stored else {
        return Decision::error(PaymeError::tx_not_found());
    };
    match tx.state {
        TxState::Created => {
            let done = tx.cancelled(TxState::CancelledBeforePerform, reason, now_ms);
            Decision {
                answer: Ok(done.cancel_result()),
                store: Some(done),
                order: OrderEffect::Release,
            }
        }
        TxState::Performed if !order_status.provider_may_reverse() => {
            Decision::error(PaymeError::cannot_cancel())
        }
        TxState::Performed => {
            let done = tx.cancelled(TxState::CancelledAfterPerform, reason, now_ms);
            Decision {
                answer: Ok(done.cancel_result()),
                store: Some(done),
                order: OrderEffect::Refunded,
            }
        }
        TxState::CancelledBeforePerform | TxState::CancelledAfterPerform => {
            Decision::reply(Ok(tx.cancel_result()))
        }
    }
}

/// `CheckTransaction`: the stored times, state and reason (`null` when none).
pub fn check(stored: Option<&Transaction>) -> Result<PaymeResult, PaymeError> {
    let tx = stored.ok_or(PaymeError::tx_not_found())?;
    Ok(PaymeResult::Check {
        create_time: tx.create_time,
        perform_time: tx.perform_time,
        cancel_time: tx.cancel_time,
        transaction: tx.transaction.clone(),
        state: tx.state,
        reason: tx.reason,
    })
}

/// `GetStatement`: the transactions whose Payme `time` is within `from..=to`, ascending by that time.
pub fn statement(from: i64, to: i64, stored: &[Transaction]) -> PaymeResult {
    let mut picked: Vec<&Transaction> = stored
        .iter()
        .filter(|t| (from..=to).contains(&t.payme_time))
        .collect();
    picked.sort_by_key(|t| (t.payme_time, t.create_time));
    PaymeResult::Statement {
        transactions: picked
            .into_iter()
            .map(|t| StatementEntry {
                id: t.payme_id.clone(),
                time: t.payme_time,
                amount: t.amount,
                account: Account {
                    order_id: Some(t.order_id.clone()),
                },
                create_time: t.create_time,
                perform_time: t.perform_time,
                cancel_time: t.cancel_time,
                transaction: t.transaction.clone(),
                state: t.state,
                reason: t.reason,
                receivers: None,
            })
            .collect(),
    }
}

/// `ChangePassword`: `Ok` means store the new key, then answer `{"success": true}`. An empty password is
/// -32600 with `data:"password"` (the PHP template uses -31050, an account code, for it; §1.4 reserves that
/// range for account fields). The current key again is -32504, as in the template.
pub fn change_password(params: &ChangePasswordParams, current_key: &str) -> Result<(), PaymeError> {
    if params.password.is_empty() {
        return Err(PaymeError::invalid_request(Some("password")));
    }
    if bool::from(params.password.as_bytes().ct_eq(current_key.as_bytes())) {
        return Err(PaymeError::insufficient_privilege());
    }
    Ok(())
}

/// `SetFiscalData`: `Ok` means store `fiscal_data` with the transaction, then answer `{"success": true}`.
/// No transaction is -32001; a `PERFORM` receipt for an unperformed transaction or a `CANCEL` receipt for
/// one not refunded is -32602 naming `type`.
pub fn set_fiscal_data(params: &SetFiscalDataParams, stored: Option<&Transaction>) -> Result<(), PaymeError> {
    let tx = stored.ok_or(PaymeError::receipt_not_found())?;
    let fits = match params.kind {
        FiscalType::Perform => tx.perform_time != 0,
        FiscalType::Cancel => tx.state == TxState::CancelledAfterPerform,
    };
    if fits {
        Ok(())
    } else {
        Err(PaymeError::invalid_params("type"))
    }
}
