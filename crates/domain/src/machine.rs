//! A machine's status (the ones people set, and the ones that follow from what the machine reports) and its
//! type.

use std::fmt;

/// Where a machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MachineStatus {
    Active,
    /// A slot is below its low-stock threshold.
    LowStock,
    /// The machine reported an error.
    Error,
    Maintenance,
    /// Silent for longer than `MACHINE_OFFLINE_AFTER`.
    Offline,
    Disabled,
}

impl MachineStatus {
    /// Every status, in the order the API documents them.
    pub const ALL: [Self; 6] = [
        Self::Active,
        Self::LowStock,
        Self::Error,
        Self::Maintenance,
        Self::Offline,
        Self::Disabled,
    ];

    /// The statuses a person may set; the others follow from telemetry.
    pub const SETTABLE: [Self; 3] = [Self::Active, Self::Maintenance, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::LowStock => "low_stock",
            Self::Error => "error",
            Self::Maintenance => "maintenance",
            Self::Offline => "offline",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn is_settable(self) -> bool {
        Self::SETTABLE.contains(&self)
    }

    /// What a batch of telemetry makes of the status: an error event puts the machine in `error`; any
    /// word from an offline machine brings it back `active`; otherwise it stays (`None`).
    pub fn after_telemetry(self, error_seen: bool) -> Option<Self> {
        if error_seen && self != Self::Error {
            Some(Self::Error)
        } else if !error_seen && self == Self::Offline {
            Some(Self::Active)
        } else {
            None
        }
    }
}

impl fmt::Display for MachineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a machine sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MachineType {
    Snack,
    Drink,
    Coffee,
    Combo,
    Fresh,
    Water,
    IceCream,
}

impl MachineType {
    /// Every type, in the order the API documents them.
    pub const ALL: [Self; 7] = [
        Self::Snack,
        Self::Drink,
        Self::Coffee,
        Self::Combo,
        Self::Fresh,
        Self::Water,
        Self::IceCream,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Snack => "snack",
            Self::Drink => "drink",
            Self::Coffee => "coffee",
            Self::Combo => "combo",
            Self::Fresh => "fresh",
            Self::Water => "water",
            Self::IceCream => "ice_cream",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for MachineType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::MachineStatus::{self, Active, Error, Maintenance, Offline};
    use super::MachineType;

    #[test]
    fn status_follows_errors_and_returns() {
        assert_eq!(Active.after_telemetry(true), Some(Error));
        assert_eq!(Offline.after_telemetry(false), Some(Active));
        assert_eq!(Offline.after_telemetry(true), Some(Error));
        assert_eq!(Error.after_telemetry(true), None);
        assert_eq!(Error.after_telemetry(false), None);
        assert_eq!(Maintenance.after_telemetry(false), None);
    }

    #[test]
    fn every_status_parses_back() {
        for s in MachineStatus::ALL {
            assert_eq!(MachineStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MachineStatus::parse("broken"), None);
    }

    #[test]
    fn every_type_parses_back() {
        for t in MachineType::ALL {
            assert_eq!(MachineType::parse(t.as_str()), Some(t));
        }
        assert_eq!(MachineType::parse("robot"), None);
    }
}
