//! The audit record (`NewAudit`) every fleet change writes, in one shape: who, what, before and after.
//! Reading the log and checking its chain is `crate::audit`.

use vendhub_store::audit::NewAudit;

use crate::auth::{Principal, RequestMeta};

/// `action` on `entity_type`/`entity_id`, by the caller, with before/after states.
pub fn entry(
    who: &Principal,
    meta: &RequestMeta,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> NewAudit {
    NewAudit {
        organization_id: Some(who.organization_id.to_string()),
        actor_user_id: Some(who.user_id.to_string()),
        action: action.into(),
        entity_type: entity_type.into(),
        entity_id: Some(entity_id.into()),
        before,
        after,
        ip: meta.ip.clone(),
        request_id: meta.request_id.clone(),
    }
}
