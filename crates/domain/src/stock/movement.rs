//! Movement kinds and the routes each may take between holders (`None` is outside the ledger: where
//! a purchase comes from and where a sale or write-off goes).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Holder, StockError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Outside -> warehouse.
    Purchase,
    /// Between warehouses and operators, in any direction.
    Transfer,
    /// Operator -> slot.
    Refill,
    /// Slot -> operator.
    Unload,
    /// Slot -> outside.
    Sale,
    /// Warehouse, operator or slot -> outside, with a [`WriteOffReason`].
    WriteOff,
    /// A stocktake difference: outside -> any holder (surplus) or any holder -> outside (shortage).
    Adjustment,
    /// Operator -> warehouse.
    Return,
}

impl MovementKind {
    pub const ALL: [Self; 8] = [
        Self::Purchase,
        Self::Transfer,
        Self::Refill,
        Self::Unload,
        Self::Sale,
        Self::WriteOff,
        Self::Adjustment,
        Self::Return,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Purchase => "purchase",
            Self::Transfer => "transfer",
            Self::Refill => "refill",
            Self::Unload => "unload",
            Self::Sale => "sale",
            Self::WriteOff => "write_off",
            Self::Adjustment => "adjustment",
            Self::Return => "return",
        }
    }

    /// Where this kind may move stock, as a sentence for error messages.
    pub(super) fn rule(self) -> &'static str {
        match self {
            Self::Purchase => "a purchase brings stock into a warehouse",
            Self::Transfer => "a transfer moves stock between warehouses and operators",
            Self::Refill => "a refill moves stock from an operator to a machine slot",
            Self::Unload => "an unload moves stock from a machine slot to an operator",
            Self::Sale => "a sale takes stock out of a machine slot",
            Self::WriteOff => "a write-off takes stock out of a warehouse, an operator or a machine slot",
            Self::Adjustment => "an adjustment brings stock into one holder or takes it out of one",
            Self::Return => "a return moves stock from an operator to a warehouse",
        }
    }
}

impl fmt::Display for MovementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MovementKind {
    type Err = StockError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| StockError::UnknownKind(s.to_owned()))
    }
}

/// Why stock is written off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOffReason {
    Spoiled,
    Expired,
    Damaged,
}

impl WriteOffReason {
    pub const ALL: [Self; 3] = [Self::Spoiled, Self::Expired, Self::Damaged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spoiled => "spoiled",
            Self::Expired => "expired",
            Self::Damaged => "damaged",
        }
    }
}

impl fmt::Display for WriteOffReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WriteOffReason {
    type Err = StockError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == s)
            .ok_or_else(|| StockError::UnknownReason(s.to_owned()))
    }
}

/// Whether `kind` may move stock from `from` to `to` (`None`: outside the ledger).
pub fn validate_route(
    kind: MovementKind,
    from: Option<&Holder>,
    to: Option<&Holder>,
) -> Result<(), StockError> {
    use Holder::{Operator as O, Slot as S, Warehouse as W};
    use MovementKind as K;

    if let (Some(from), Some(to)) = (from, to)
        && from == to
    {
        return Err(StockError::SameHolder(from.clone()));
    }
    let allowed = matches!(
        (kind, from, to),
        (K::Purchase, None, Some(W(_)))
            | (K::Transfer, Some(W(_) | O(_)), Some(W(_) | O(_)))
            | (K::Refill, Some(O(_)), Some(S { .. }))
            | (K::Unload, Some(S { .. }), Some(O(_)))
            | (K::Sale, Some(S { .. }), None)
            | (K::WriteOff | K::Adjustment, Some(_), None)
            | (K::Adjustment, None, Some(_))
            | (K::Return, Some(O(_)), Some(W(_)))
    );
    if allowed {
        Ok(())
    } else {
        Err(StockError::Route {
            kind,
            from: from.cloned(),
            to: to.cloned(),
        })
    }
}

/// A write-off needs a reason; no other kind takes one.
pub fn validate_reason(kind: MovementKind, reason: Option<WriteOffReason>) -> Result<(), StockError> {
    match (kind, reason) {
        (MovementKind::WriteOff, None) => Err(StockError::ReasonRequired),
        (MovementKind::WriteOff, Some(_)) | (_, None) => Ok(()),
        (other, Some(_)) => Err(StockError::ReasonNotAllowed(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MachineId, UserId, WarehouseId};
    use crate::stock::SlotCode;

    struct Holders {
        warehouse: Holder,
        warehouse2: Holder,
        operator: Holder,
        operator2: Holder,
        slot: Holder,
        slot2: Holder,
    }

    fn holders() -> Holders {
        let machine = MachineId::new();
        let slot = |code: &str| Holder::Slot {
            machine,
            slot: SlotCode::parse(code).unwrap(),
        };
        Holders {
            warehouse: Holder::Warehouse(WarehouseId::new()),
            warehouse2: Holder::Warehouse(WarehouseId::new()),
            operator: Holder::Operator(UserId::new()),
            operator2: Holder::Operator(UserId::new()),
            slot: slot("A1"),
            slot2: slot("A2"),
        }
    }

    /// The kinds that allow moving stock from `from` to `to`.
    fn allowed_kinds(from: Option<&Holder>, to: Option<&Holder>) -> Vec<MovementKind> {
        MovementKind::ALL
            .into_iter()
            .filter(|kind| validate_route(*kind, from, to).is_ok())
            .collect()
    }

    #[test]
    fn each_kind_allows_exactly_its_routes() {
        use MovementKind as K;
        let h = holders();
        let (w, w2, o, o2, s, s2) = (
            Some(&h.warehouse),
            Some(&h.warehouse2),
            Some(&h.operator),
            Some(&h.operator2),
            Some(&h.slot),
            Some(&h.slot2),
        );
        let cases: Vec<(Option<&Holder>, Option<&Holder>, Vec<K>)> = vec![
            (None, w, vec![K::Purchase, K::Adjustment]),
            (None, o, vec![K::Adjustment]),
            (None, s, vec![K::Adjustment]),
            (None, None, vec![]),
            (w, w2, vec![K::Transfer]),
            (w, o, vec![K::Transfer]),
            (o, w, vec![K::Transfer, K::Return]),
            (o, o2, vec![K::Transfer]),
            (o, s, vec![K::Refill]),
            (s, o, vec![K::Unload]),
            (w, s, vec![]),
            (s, w, vec![]),
            (s, s2, vec![]),
            (s, None, vec![K::Sale, K::WriteOff, K::Adjustment]),
            (w, None, vec![K::WriteOff, K::Adjustment]),
            (o, None, vec![K::WriteOff, K::Adjustment]),
            (w, w, vec![]),
            (o, o, vec![]),
        ];
        for (from, to, expected) in cases {
            assert_eq!(allowed_kinds(from, to), expected, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn a_refused_route_names_both_ends_and_the_rule() {
        let h = holders();
        let err = validate_route(MovementKind::Refill, Some(&h.warehouse), Some(&h.slot)).unwrap_err();
        let Holder::Warehouse(w) = &h.warehouse else {
            unreachable!()
        };
        let Holder::Slot { machine, .. } = &h.slot else {
            unreachable!()
        };
        assert_eq!(
            err.to_string(),
            format!(
                "refill from warehouse {w} to slot A1 of machine {machine} is not allowed: \
                 a refill moves stock from an operator to a machine slot"
            )
        );
        let err = validate_route(MovementKind::Sale, None, Some(&h.slot)).unwrap_err();
        assert!(
            err.to_string().starts_with("sale from outside to slot A1"),
            "{err}"
        );
    }

    #[test]
    fn moving_stock_to_the_same_holder_is_refused() {
        let h = holders();
        let err = validate_route(MovementKind::Transfer, Some(&h.operator), Some(&h.operator)).unwrap_err();
        assert_eq!(err, StockError::SameHolder(h.operator.clone()));
        let Holder::Operator(o) = &h.operator else {
            unreachable!()
        };
        assert_eq!(
            err.to_string(),
            format!("stock cannot move from operator {o} to itself")
        );
    }

    #[test]
    fn only_a_write_off_has_a_reason_and_it_must() {
        assert_eq!(
            validate_reason(MovementKind::WriteOff, Some(WriteOffReason::Expired)),
            Ok(())
        );
        assert_eq!(
            validate_reason(MovementKind::WriteOff, None),
            Err(StockError::ReasonRequired)
        );
        assert_eq!(validate_reason(MovementKind::Sale, None), Ok(()));
        assert_eq!(
            validate_reason(MovementKind::Sale, Some(WriteOffReason::Damaged)),
            Err(StockError::ReasonNotAllowed(MovementKind::Sale))
        );
        assert_eq!(
            StockError::ReasonRequired.to_string(),
            "a write-off needs a reason: spoiled, expired or damaged"
        );
        assert_eq!(
            StockError::ReasonNotAllowed(MovementKind::Sale).to_string(),
            "only a write-off takes a reason, not a sale"
        );
    }

    #[test]
    fn kinds_and_reasons_round_trip_through_their_text() {
        for kind in MovementKind::ALL {
            assert_eq!(kind.as_str().parse::<MovementKind>().unwrap(), kind);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
        for reason in WriteOffReason::ALL {
            assert_eq!(reason.as_str().parse::<WriteOffReason>().unwrap(), reason);
        }
        assert_eq!(
            "writeoff".parse::<MovementKind>().unwrap_err().to_string(),
            "not a movement kind: \"writeoff\""
        );
        assert_eq!(
            "stolen".parse::<WriteOffReason>().unwrap_err().to_string(),
            "not a write-off reason: \"stolen\" (expected spoiled, expired or damaged)"
        );
    }
}
