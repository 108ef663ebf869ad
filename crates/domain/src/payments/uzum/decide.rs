//! One decision per webhook (PROTOCOLS.md §3), idempotent on `transId`: a repeated `create` of a created
//! transaction and a repeated `confirm` of a confirmed one answer the stored times; `status` answers
//! Uzum's repeated polls from the stored row. As §3 (after the `PayTechUz` handler) says, `create` of a confirmed
//! transaction is 10008, of a reversed one 10009, and `reverse` of a reversed one 10009.

use super::wire::{
    CheckRequest, CheckResponse, ConfirmResponse, CreateRequest, CreateResponse, Data, ErrorCode,
    ErrorResponse, ReverseResponse, Status, StatusResponse, TransRequest,
};
use crate::money::Tiyin;
use crate::orders::{OrderFacts, OrderStatus};

/// Where an Uzum transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UzumState {
    Created,
    Confirmed,
    Reversed,
    /// Confirm arrived for an order that could no longer be paid.
    Failed,
}

impl UzumState {
    pub fn status(self) -> Status {
        match self {
            Self::Created => Status::Created,
            Self::Confirmed => Status::Confirmed,
            Self::Reversed => Status::Reversed,
            Self::Failed => Status::Failed,
        }
    }
}

/// An Uzum transaction as we store it, unique on `trans_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UzumTx {
    pub trans_id: String,
    pub order_id: String,
    pub amount: Tiyin,
    pub state: UzumState,
    pub trans_time: i64,
    pub confirm_time: Option<i64>,
    pub reverse_time: Option<i64>,
}

/// What the order must do because of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEffect {
    None,
    /// `created -> paid`, the vend is queued.
    MarkPaid,
    /// A created transaction was reversed; the order may take another payment.
    Release,
    /// A confirmed transaction was reversed: the refund is done, `-> refund_pending -> refunded`; a vend
    /// command still queued for the order must be withdrawn in the same database transaction.
    Refunded,
}

/// A decision: the reply (success or the error to send with HTTP 400), the row to write (whole; `None` =
/// nothing) and the order's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<R> {
    pub reply: Result<R, ErrorResponse>,
    pub store: Option<UzumTx>,
    pub order: OrderEffect,
}

impl<R> Decision<R> {
    fn error(service_id: i64, now_ms: i64, code: ErrorCode) -> Self {
        Self {
            reply: Err(ErrorResponse::new(service_id, now_ms, code)),
            store: None,
            order: OrderEffect::None,
        }
    }

    fn ok(reply: R) -> Self {
        Self {
            reply: Ok(reply),
            store: None,
            order: OrderEffect::None,
        }
    }
}

/// Whether the order named in `params` may take a new payment; the order id on success.
fn payable(order_id: Option<String>, order: Option<&OrderFacts>) -> Result<String, ErrorCode> {
    let id = order_id.ok_or(ErrorCode::MissingParams)?;
    let order = order.ok_or(ErrorCode::AccountNotFound)?;
    if order.status.is_charged() {
        return Err(ErrorCode::AlreadyProcessed);
    }
    if !order.payable() || order.other_pending_payment {
        return Err(ErrorCode::CheckFailed);
    }
    Ok(id)
}

/// `/check`. `order` is the order `params.order_id` names.
pub fn check(
    req: &CheckRequest,
    service_id: i64,
    order: Option<&OrderFacts>,
    now_ms: i64,
) -> Decision<CheckResponse> {
    if req.service_id != service_id {
        return Decision::error(req.service_id, now_ms, ErrorCode::InvalidServiceId);
    }
    match payable(req.params.order_id(), order) {
        Err(code) => Decision::error(req.service_id, now_ms, code),
        Ok(id) => Decision::ok(CheckResponse {
            service_id,
            timestamp: now_ms,
            status: Status::Ok,
            data: Data::for_order(&id),
        }),
    }
}

fn created(tx: &UzumTx, service_id: i64) -> CreateResponse {
    CreateResponse {
        service_id,
        trans_id: tx.trans_id.clone(),
        status: Status::Created,
        trans_time: tx.trans_time,
        data: Data::for_order(&tx.order_id),
        amount: tx.amount,
    }
}

/// `/create`. `stored` is the transaction with this `transId`; `order` the order `params.order_id` names
/// (its `other_pending_payment` must not count `stored`). A wrong amount is 99999 (no narrower code).
pub fn create(
    req: &CreateRequest,
    service_id: i64,
    stored: Option<&UzumTx>,
    order: Option<&OrderFacts>,
    now_ms: i64,
) -> Decision<CreateResponse> {
    if req.service_id != service_id {
        return Decision::error(req.service_id, now_ms, ErrorCode::InvalidServiceId);
    }
    if let Some(tx) = stored {
        return match tx.state {
            UzumState::Created => Decision::ok(created(tx, service_id)),
            UzumState::Confirmed => Decision::error(service_id, now_ms, ErrorCode::AlreadyProcessed),
            UzumState::Reversed | UzumState::Failed => {
                Decision::error(service_id, now_ms, ErrorCode::Cancelled)
            }
        };
    }
    let id = match payable(req.params.order_id(), order) {
        Ok(id) => id,
        Err(code) => return Decision::error(service_id, now_ms, code),
    };
    if order.is_some_and(|o| o.amount != req.amount) {
        return Decision::error(service_id, now_ms, ErrorCode::CheckFailed);
    }
    let tx = UzumTx {
        trans_id: req.trans_id.clone(),
        order_id: id,
        amount: req.amount,
        state: UzumState::Created,
        trans_time: now_ms,
        confirm_time: None,
        reverse_time: None,
    };
    Decision {
        reply: Ok(created(&tx, service_id)),
        store: Some(tx),
        order: OrderEffect::None,
    }
}

fn confirmed(tx: &UzumTx, service_id: i64) -> ConfirmResponse {
    ConfirmResponse {
        service_id,
        trans_id: tx.trans_id.clone(),
        status: Status::Confirmed,
        confirm_time: tx.confirm_time.unwrap_or(tx.trans_time),
        data: Data::for_order(&tx.order_id),
        amount: tx.amount,
    }
}

/// `/confirm`: Uzum has debited the customer; we deliver. `order` is the transaction's order. An order that
/// was paid otherwise (10008) or can no longer be paid (10009) fails the transaction, so `status` answers
/// `FAILED` and Uzum returns the money.
pub fn confirm(
    req: &TransRequest,
    service_id: i64,
    stored: Option<&UzumTx>,
    order: Option<&OrderFacts>,
    now_ms: i64,
) -> Decision<ConfirmResponse> {
    if req.service_id != service_id {
        return Decision::error(req.service_id, now_ms, ErrorCode::InvalidServiceId);
    }
    let Some(tx) = stored else {
        return Decision::error(service_id, now_ms, ErrorCode::Cancelled);
    };
    match tx.state {
        UzumState::Confirmed => return Decision::ok(confirmed(tx, service_id)),
        UzumState::Reversed | UzumState::Failed => {
            return Decision::error(service_id, now_ms, ErrorCode::Cancelled);
        }
        UzumState::Created => {}
    }
    let refused = match order {
        Some(o) if o.status.is_charged() => Some(ErrorCode::AlreadyProcessed),
        Some(o) if o.payable() => None,
        _ => Some(ErrorCode::Cancelled),
    };
    if let Some(code) = refused {
        return Decision {
            reply: Err(ErrorResponse::new(service_id, now_ms, code)),
            store: Some(UzumTx {
                state: UzumState::Failed,
                ..tx.clone()
            }),
            order: OrderEffect::Release,
        };
    }
    let done = UzumTx {
        state: UzumState::Confirmed,
        confirm_time: Some(now_ms),
        ..tx.clone()
    };
    Decision {
        reply: Ok(confirmed(&done, service_id)),
        store: Some(done),
        order: OrderEffect::MarkPaid,
    }
}

/// `/reverse`: a created transaction is released; a confirmed one refunded unless the product left the
/// machine and no refund was started (10008, see [`OrderStatus::provider_may_reverse`]).
pub fn reverse(
    req: &TransRequest,
    service_id: i64,
    stored: Option<&UzumTx>,
    order_status: OrderStatus,
    now_ms: i64,
) -> Decision<ReverseResponse> {
    if req.service_id != service_id {
        return Decision::error(req.service_id, now_ms, ErrorCode::InvalidServiceId);
    }
    let Some(tx) = stored else {
        return Decision::error(service_id, now_ms, ErrorCode::Cancelled);
    };
    let effect = match tx.state {
        UzumState::Reversed | UzumState::Failed => {
            return Decision::error(service_id, now_ms, ErrorCode::Cancelled);
        }
        UzumState::Confirmed if !order_status.provider_may_reverse() => {
            return Decision::error(service_id, now_ms, ErrorCode::AlreadyProcessed);
        }
        UzumState::Confirmed => OrderEffect::Refunded,
        UzumState::Created => OrderEffect::Release,
    };
    let done = UzumTx {
        state: UzumState::Reversed,
        reverse_time: Some(now_ms),
        ..tx.clone()
    };
    let reply = ReverseResponse {
        service_id,
        trans_id: done.trans_id.clone(),
        status: Status::Reversed,
        reverse_time: now_ms,
        data: Data::for_order(&done.order_id),
        amount: done.amount,
    };
    Decision {
        reply: Ok(reply),
        store: Some(done),
        order: effect,
    }
}

/// `/status`: the stored row, never a change.
pub fn status(
    req: &TransRequest,
    service_id: i64,
    stored: Option<&UzumTx>,
    now_ms: i64,
) -> Decision<StatusResponse> {
    if req.service_id != service_id {
        return Decision::error(req.service_id, now_ms, ErrorCode::InvalidServiceId);
    }
    let Some(tx) = stored else {
        return Decision::error(service_id, now_ms, ErrorCode::Cancelled);
    };
    Decision::ok(StatusResponse {
        service_id,
        trans_id: tx.trans_id.clone(),
        status: tx.state.status(),
        trans_time: tx.trans_time,
        confirm_time: tx.confirm_time,
        reverse_time: tx.reverse_time,
        data: Data::for_order(&tx.order_id),
        amount: tx.amount,
    })
}
