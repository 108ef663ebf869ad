//! The one way an audit record (`NewAudit`) is made: what happened to which record, then who did it,
//! from which request, and the states before and after. Reading the log and checking its chain is
//! `crate::audit`.
//!
//! ```ignore
//! audit::append(c, &Record::new("machine.update", "machine", &id).by(&who).from(&meta)
//!     .before(old).after(new).done())?;
//! ```

use serde_json::Value;
use vendhub_store::audit::NewAudit;

use crate::auth::{Principal, RequestMeta};

/// An audit record being made.
#[must_use]
#[derive(Debug, Clone)]
pub struct Record(NewAudit);

impl Record {
    /// `action` (`machine.update`) on the record `entity_type` (`machine`) `entity_id`.
    pub fn new(action: &str, entity_type: &str, entity_id: &dyn std::fmt::Display) -> Self {
        Self(NewAudit {
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: Some(entity_id.to_string()),
            ..NewAudit::default()
        })
    }

    /// A person's own event (`auth.login`): the record is the user, who is also the actor.
    pub fn of_user(action: &str, user: &dyn std::fmt::Display) -> Self {
        Self::new(action, "user", user).actor(user)
    }

    /// Done by the caller, in the caller's organization.
    pub fn by(self, who: &Principal) -> Self {
        self.in_organization(&who.organization_id()).actor(&who.user_id())
    }

    /// In this organization's log.
    pub fn in_organization(mut self, org: &dyn std::fmt::Display) -> Self {
        self.0.organization_id = Some(org.to_string());
        self
    }

    /// Done by this person.
    pub fn actor(mut self, user: &dyn std::fmt::Display) -> Self {
        self.0.actor_user_id = Some(user.to_string());
        self
    }

    /// From this request (its address and id).
    pub fn from(mut self, meta: &RequestMeta) -> Self {
        self.0.ip.clone_from(&meta.ip);
        self.0.request_id.clone_from(&meta.request_id);
        self
    }

    /// The state before.
    pub fn before(mut self, state: Option<Value>) -> Self {
        self.0.before = state;
        self
    }

    /// The state after.
    pub fn after(mut self, state: Option<Value>) -> Self {
        self.0.after = state;
        self
    }

    /// The record, to append.
    pub fn done(self) -> NewAudit {
        self.0
    }
}
