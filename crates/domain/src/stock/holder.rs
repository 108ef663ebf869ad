//! Who holds stock: a warehouse, an operator (the person or their vehicle) or a machine slot, with a
//! stable text form for storage (`warehouse:<id>`, `operator:<id>`, `slot:<machine id>:A1`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{MachineId, UserId, WarehouseId};

use super::StockError;

/// A machine slot's code: up to 4 characters, letters then digits (`A1`, `B12`, `AA3`), upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SlotCode(String);

impl SlotCode {
    pub const MAX_LEN: usize = 4;

    /// Accepts `a1` as `A1`; refuses anything but letters followed by digits.
    pub fn parse(code: &str) -> Result<Self, StockError> {
        let letters = code.chars().take_while(char::is_ascii_alphabetic).count();
        let digits = code.len().saturating_sub(letters);
        let well_formed = code.is_ascii()
            && code.len() <= Self::MAX_LEN
            && letters > 0
            && digits > 0
            && code[letters..].bytes().all(|b| b.is_ascii_digit());
        if well_formed {
            Ok(Self(code.to_ascii_uppercase()))
        } else {
            Err(StockError::InvalidSlotCode(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SlotCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SlotCode {
    type Err = StockError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SlotCode {
    type Error = StockError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<SlotCode> for String {
    fn from(code: SlotCode) -> Self {
        code.0
    }
}

/// Where stock is. `Display` and `FromStr` are the stored text form and round-trip.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Holder {
    Warehouse(WarehouseId),
    Operator(UserId),
    Slot { machine: MachineId, slot: SlotCode },
}

impl Holder {
    /// How an error message names this holder: `slot A1 of machine <id>`.
    pub(super) fn label(&self) -> String {
        match self {
            Self::Warehouse(id) => format!("warehouse {id}"),
            Self::Operator(id) => format!("operator {id}"),
            Self::Slot { machine, slot } => format!("slot {slot} of machine {machine}"),
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Warehouse(id) => write!(f, "warehouse:{id}"),
            Self::Operator(id) => write!(f, "operator:{id}"),
            Self::Slot { machine, slot } => write!(f, "slot:{machine}:{slot}"),
        }
    }
}

impl FromStr for Holder {
    type Err = StockError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || StockError::InvalidHolder(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(invalid)?;
        match kind {
            "warehouse" => rest.parse().map(Self::Warehouse).map_err(|_| invalid()),
            "operator" => rest.parse().map(Self::Operator).map_err(|_| invalid()),
            "slot" => {
                let (machine, slot) = rest.split_once(':').ok_or_else(invalid)?;
                Ok(Self::Slot {
                    machine: machine.parse().map_err(|_| invalid())?,
                    slot: SlotCode::parse(slot).map_err(|_| invalid())?,
                })
            }
            _ => Err(invalid()),
        }
    }
}

impl TryFrom<String> for Holder {
    type Error = StockError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Holder> for String {
    fn from(holder: Holder) -> Self {
        holder.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_codes_are_letters_then_digits_in_upper_case() {
        for ok in ["A1", "B12", "AA3", "Z999", "ab12"] {
            assert!(SlotCode::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(SlotCode::parse("b12").unwrap().as_str(), "B12");
        for bad in [
            "", "A", "1", "12", "1A", "A1B", "A12345", "AB123", "A-1", "Ä1", " A1", "A 1",
        ] {
            assert_eq!(
                SlotCode::parse(bad),
                Err(StockError::InvalidSlotCode(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert_eq!(
            SlotCode::parse("1A").unwrap_err().to_string(),
            "not a slot code: \"1A\" (expected up to 4 characters, letters then digits, like A1 or B12)"
        );
    }

    #[test]
    fn holders_round_trip_through_their_stored_text() {
        let machine = MachineId::new();
        let holders = [
            Holder::Warehouse(WarehouseId::new()),
            Holder::Operator(UserId::new()),
            Holder::Slot {
                machine,
                slot: SlotCode::parse("A1").unwrap(),
            },
        ];
        for holder in holders {
            assert_eq!(holder.to_string().parse::<Holder>().unwrap(), holder);
        }
        let slot: Holder = format!("slot:{machine}:b2").parse().unwrap();
        assert_eq!(slot.to_string(), format!("slot:{machine}:B2"));
    }

    #[test]
    fn malformed_holder_text_is_refused_with_the_text() {
        let machine = MachineId::new();
        for bad in [
            String::new(),
            "warehouse".into(),
            "warehouse:".into(),
            "warehouse:42".into(),
            "truck:0190b3a0-0000-7000-8000-000000000000".into(),
            format!("slot:{machine}"),
            format!("slot:{machine}:"),
            format!("slot:{machine}:A1:B2"),
            "slot:x:A1".into(),
        ] {
            assert_eq!(bad.parse::<Holder>(), Err(StockError::InvalidHolder(bad.clone())));
        }
        assert_eq!(
            "truck:1".parse::<Holder>().unwrap_err().to_string(),
            "not a stock holder: \"truck:1\" (expected warehouse:<id>, operator:<id> or \
             slot:<machine id>:<slot code>)"
        );
    }

    #[test]
    fn json_uses_the_stored_text() {
        let holder = Holder::Warehouse(WarehouseId::new());
        let json = serde_json::to_string(&holder).unwrap();
        assert_eq!(json, format!("\"{holder}\""));
        assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), holder);
        assert!(serde_json::from_str::<SlotCode>("\"1A\"").is_err());
    }
}
