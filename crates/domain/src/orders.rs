//! Customer orders (DOMAIN.md "Sales, orders, cash"): the statuses, the transitions between them and the
//! 15-minute expiry. An order's human number comes from a database sequence, so nothing here makes one.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long a created order waits for its payment before its reserved unit is released (DOMAIN.md).
pub const ORDER_TTL: TimeDelta = TimeDelta::minutes(15);

/// Where an order is in its life. The set is the one DOMAIN.md draws:
/// `created -> paid -> dispensing -> dispensed`, `dispensing -> failed -> refund_pending -> refunded`,
/// `created -> expired | cancelled`; plus `paid -> refund_pending` (the machine never took the vend command
/// before it expired) and `dispensed -> refund_pending` (an accountant's manual refund).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Created,
    Paid,
    Dispensing,
    Dispensed,
    Failed,
    RefundPending,
    Refunded,
    Expired,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: &'static [Self] = &[
        Self::Created,
        Self::Paid,
        Self::Dispensing,
        Self::Dispensed,
        Self::Failed,
        Self::RefundPending,
        Self::Refunded,
        Self::Expired,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Dispensing => "dispensing",
            Self::Dispensed => "dispensed",
            Self::Failed => "failed",
            Self::RefundPending => "refund_pending",
            Self::Refunded => "refunded",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// No transition leaves this status.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refunded | Self::Expired | Self::Cancelled)
    }

    /// Whether the customer has been charged (and not yet refunded).
    pub fn is_charged(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Dispensing | Self::Dispensed | Self::Failed | Self::RefundPending
        )
    }

    /// Whether a provider may reverse the payment now (Payme `CancelTransaction` after perform, Uzum
    /// reverse): the product has not left the machine, or an accountant has started a refund. A vend in
    /// flight (`dispensing`) or a delivered product (`dispensed`) refuses it (Payme -31007, PROTOCOLS
    /// §1.2/§1.6).
    pub fn provider_may_reverse(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Failed | Self::RefundPending | Self::Refunded
        )
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status change the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order cannot go from {from} to {to}")]
pub struct IllegalOrderTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

/// Every (from, to) pair allowed; anything else is refused by [`transition`].
pub const ALLOWED: &[(OrderStatus, OrderStatus)] = &[
    (OrderStatus::Created, OrderStatus::Paid),
    (OrderStatus::Created, OrderStatus::Expired),
    (OrderStatus::Created, OrderStatus::Cancelled),
    (OrderStatus::Paid, OrderStatus::Dispensing),
    (OrderStatus::Paid, OrderStatus::RefundPending),
    (OrderStatus::Dispensing, OrderStatus::Dispensed),
    (OrderStatus::Dispensing, OrderStatus::Failed),
    (OrderStatus::Failed, OrderStatus::RefundPending),
    (OrderStatus::Dispensed, OrderStatus::RefundPending),
    (OrderStatus::RefundPending, OrderStatus::Refunded),
];

/// The state table: `to` if the order may move there from `from`, or why not.
pub fn transition(from: OrderStatus, to: OrderStatus) -> Result<OrderStatus, IllegalOrderTransition> {
    if ALLOWED.contains(&(from, to)) {
        Ok(to)
    } else {
        Err(IllegalOrderTransition { from, to })
    }
}

/// When a created order stops waiting for its payment.
pub fn expires_at(created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at + ORDER_TTL
}

/// Whether an order created at `created_at` has passed its 15 minutes at `now` (the boundary is expired).
pub fn is_expired(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= expires_at(created_at)
}

/// What a payment provider needs to know about the order a call names, gathered by the caller in the same
/// database transaction as the call is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    /// The order's amount in tiyin (the slot price when the order was made).
    pub amount: crate::money::Tiyin,
    pub status: OrderStatus,
    /// `created` but past its 15 minutes (the expiry job may not have run yet).
    pub expired: bool,
    /// Another payment is pending for this order (not counting the one the call is about), so a new one
    /// must be refused. It must count at least the same provider's (Payme's one-time account rule,
    /// PROTOCOLS.md §1.6). Counting other providers' too avoids a late refund; it is not needed to avoid a
    /// double charge, because the final step (Payme Perform, Click Complete, Uzum confirm) re-checks
    /// [`OrderFacts::payable`] under the order's row lock.
    pub other_pending_payment: bool,
}

impl OrderFacts {
    /// Whether a new payment may start: created, not expired.
    pub fn payable(&self) -> bool {
        self.status == OrderStatus::Created && !self.expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_text() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(OrderStatus::parse("Paid"), None);
    }

    #[test]
    fn the_happy_path_and_the_refund_path_are_allowed() {
        use OrderStatus as S;
        for (a, b) in [
            (S::Created, S::Paid),
            (S::Paid, S::Dispensing),
            (S::Dispensing, S::Dispensed),
            (S::Dispensing, S::Failed),
            (S::Failed, S::RefundPending),
            (S::RefundPending, S::Refunded),
        ] {
            assert_eq!(transition(a, b), Ok(b));
        }
    }

    #[test]
    fn a_paid_order_cannot_expire_and_a_final_one_cannot_move() {
        use OrderStatus as S;
        assert_eq!(
            transition(S::Paid, S::Expired),
            Err(IllegalOrderTransition {
                from: S::Paid,
                to: S::Expired
            })
        );
        assert!(transition(S::Expired, S::Paid).is_err());
        assert!(transition(S::Created, S::Dispensing).is_err());
        for from in OrderStatus::ALL.iter().copied().filter(|s| s.is_final()) {
            for to in OrderStatus::ALL {
                assert!(transition(from, *to).is_err(), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn an_order_expires_exactly_fifteen_minutes_after_creation() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert!(!is_expired(t0, t0 + TimeDelta::seconds(899)));
        assert!(is_expired(t0, t0 + TimeDelta::seconds(900)));
        assert_eq!(expires_at(t0), t0 + TimeDelta::minutes(15));
    }

    #[test]
    fn a_delivered_product_cannot_be_reversed_by_a_provider() {
        assert!(!OrderStatus::Dispensed.provider_may_reverse());
        assert!(!OrderStatus::Dispensing.provider_may_reverse());
        assert!(OrderStatus::RefundPending.provider_may_reverse());
        assert!(OrderStatus::Paid.provider_may_reverse());
    }
}
