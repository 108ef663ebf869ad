//! The tenant scope: the organization a caller has proven they act for. Every repository function on
//! tenant-owned rows takes one right after the connection and filters by it, and rows that belong to a
//! parent (a task's items, a stocktake's lines) are reached through the parent's organization, so a query
//! that forgets the tenant does not compile.
//!
//! Only authentication makes a scope: [`TenantScope::authenticated`] is a disallowed method
//! (`clippy.toml`), and the few places that prove an organization (a user's token, a machine's key, a
//! signed-in membership, a job enqueued by one of them) say so with an `#[expect]` naming their reason.
//! See `docs/adr/0002-tenant-scope.md`.

use vendhub_domain::ids::OrganizationId;

use crate::error::StoreError;

/// The organization whose rows a call may read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    id: OrganizationId,
    text: String,
}

impl TenantScope {
    /// The scope of an organization the caller has proven to act for. Disallowed outside authentication
    /// (`clippy.toml`); each caller states its proof.
    pub fn authenticated(id: OrganizationId) -> Self {
        Self {
            id,
            text: id.to_string(),
        }
    }

    /// The organization's id.
    pub fn id(&self) -> OrganizationId {
        self.id
    }

    /// The organization's id as the `organization_id` columns store it.
    pub fn org(&self) -> &str {
        &self.text
    }

    /// Whether a row's `organization_id` is this scope's.
    pub fn owns(&self, organization_id: &str) -> bool {
        self.text == organization_id
    }

    /// `Ok` when a row about to be written belongs to this scope, [`StoreError::OutOfScope`] otherwise.
    pub fn check(&self, organization_id: &str) -> Result<(), StoreError> {
        if self.owns(organization_id) {
            Ok(())
        } else {
            Err(StoreError::OutOfScope)
        }
    }
}

impl std::fmt::Display for TenantScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
