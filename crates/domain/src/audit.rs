//! The audit log's tamper evidence: each record's hash covers its content and the previous record's hash,
//! so changing or deleting any record breaks every link after it.

use sha2::{Digest, Sha256};

/// The hash the first record points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a record that its hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub organization_id: Option<&'a str>,
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub request_id: Option<&'a str>,
    /// RFC 3339 with microseconds, UTC.
    pub at: &'a str,
}

/// `sha256(prev_hash || 0x1f || field || 0x1f || …)`, hex. Absent fields hash as a distinct marker, so
/// `None` and `Some("")` differ.
pub fn chain_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    let seq = c.seq.to_string();
    let fields = [
        Some(seq.as_str()),
        Some(c.id),
        c.organization_id,
        c.actor_user_id,
        Some(c.action),
        Some(c.entity_type),
        c.entity_id,
        c.before,
        c.after,
        c.ip,
        c.request_id,
        Some(c.at),
    ];
    for f in fields {
        h.update([0x1f]);
        match f {
            Some(v) => {
                h.update([b'1']);
                h.update(v.as_bytes());
            }
            None => h.update([b'0']),
        }
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(action: &str) -> AuditContent<'_> {
        AuditContent {
            seq: 1,
            id: "a",
            organization_id: Some("o"),
            actor_user_id: None,
            action,
            entity_type: "user",
            entity_id: Some("u"),
            before: None,
            after: Some("{}"),
            ip: None,
            request_id: None,
            at: "2026-11-22T00:00:00.000000Z",
        }
    }

    #[test]
    fn any_change_or_a_different_predecessor_changes_the_hash() {
        let base = chain_hash(GENESIS, &content("user.create"));
        assert_eq!(base.len(), 64);
        assert_eq!(base, chain_hash(GENESIS, &content("user.create")));
        assert_ne!(base, chain_hash(GENESIS, &content("user.delete")));
        assert_ne!(base, chain_hash(&base, &content("user.create")));
        let mut empty = content("user.create");
        empty.actor_user_id = Some("");
        assert_ne!(base, chain_hash(GENESIS, &empty), "absent and empty differ");
    }
}
