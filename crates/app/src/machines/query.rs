//! What a machine list asks for, in domain types; the use case turns it into the store's filter.

use vendhub_domain::ids::{LocationId, UserId};
use vendhub_domain::machine::{MachineStatus, MachineType};
use vendhub_store::machines::MachineFilter;

/// What a machine list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineSort {
    #[default]
    Number,
    Name,
    Status,
    CreatedAt,
}

impl MachineSort {
    /// Every order, in the order the API documents them.
    pub const ALL: [Self; 4] = [Self::Number, Self::Name, Self::Status, Self::CreatedAt];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Name => "name",
            Self::Status => "status",
            Self::CreatedAt => "created_at",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Which machines to list, and in what order.
#[derive(Debug, Clone, Default)]
pub struct MachineQuery {
    pub status: Option<MachineStatus>,
    pub machine_type: Option<MachineType>,
    pub location_id: Option<LocationId>,
    /// The operator the machines are assigned to.
    pub operator_id: Option<UserId>,
    /// Searched in number, name and serial number, ignoring case.
    pub q: Option<String>,
    pub sort: MachineSort,
    pub descending: bool,
}

impl MachineQuery {
    pub(crate) fn filter(&self) -> MachineFilter {
        MachineFilter {
            status: self.status.map(|s| s.as_str().into()),
            machine_type: self.machine_type.map(|t| t.as_str().into()),
            location_id: self.location_id.map(|l| l.to_string()),
            operator_id: self.operator_id.map(|o| o.to_string()),
            q: self.q.clone(),
            sort: self.sort.as_str().into(),
            descending: self.descending,
        }
    }
}
