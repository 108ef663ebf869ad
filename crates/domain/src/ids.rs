//! Typed identifiers: every entity id is a UUID v7 newtype, so a machine id cannot be passed as a user id.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An id string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id (expected a UUID): {0:?}")]
pub struct InvalidId(pub String);

macro_rules! entity_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| InvalidId(s.to_owned()))
            }
        }
    };
}

entity_id!(
    /// An organization (tenant).
    OrganizationId
);
entity_id!(
    /// A staff user account.
    UserId
);
entity_id!(
    /// A background job.
    JobId
);
entity_id!(
    /// A vending machine.
    MachineId
);
entity_id!(
    /// A product (SKU or ingredient) in an organization's catalogue.
    ProductId
);
entity_id!(
    /// A warehouse that holds stock.
    WarehouseId
);
entity_id!(
    /// A location where machines stand.
    LocationId
);
entity_id!(
    /// A product category.
    CategoryId
);
entity_id!(
    /// A field task.
    TaskId
);
entity_id!(
    /// A stocktake (a count of one holder).
    StocktakeId
);
entity_id!(
    /// A cash collection from a machine.
    CashCollectionId
);
entity_id!(
    /// A sign-in session.
    SessionId
);
entity_id!(
    /// A planogram template.
    PlanogramTemplateId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = UserId::new();
        let parsed: UserId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
    }

    #[test]
    fn a_non_uuid_is_refused_with_the_offending_text() {
        let err = "machine-1".parse::<OrganizationId>().unwrap_err();
        assert_eq!(err, InvalidId("machine-1".into()));
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = JobId::new();
        let b = JobId::new();
        assert!(a < b, "uuid v7 ids sort by creation time");
        assert_eq!(a.as_uuid().get_version_num(), 7);
    }
}
