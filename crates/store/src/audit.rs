//! The append-only audit log with a hash chain. Appends are serialised (PostgreSQL: a transaction-scoped
//! advisory lock; SQLite: the single writer lock, taken before the last hash is read).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use vendhub_domain::audit::{AuditContent, GENESIS, chain_hash};

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_log;
use crate::scope::TenantScope;

const AUDIT_LOCK: i64 = 0x0061_7564_6974;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub seq: i64,
    pub id: String,
    pub organization_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

/// What happened, by whom, to what.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub organization_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

fn at_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn content(row: &AuditRow) -> (String, AuditContent<'_>) {
    let at = at_text(row.at);
    // The string is returned alongside so the borrowed content can point into the row only.
    let c = AuditContent {
        seq: row.seq,
        id: &row.id,
        organization_id: row.organization_id.as_deref(),
        actor_user_id: row.actor_user_id.as_deref(),
        action: &row.action,
        entity_type: &row.entity_type,
        entity_id: row.entity_id.as_deref(),
        before: row.before_state.as_deref(),
        after: row.after_state.as_deref(),
        ip: row.ip.as_deref(),
        request_id: row.request_id.as_deref(),
        at: "",
    };
    (at, c)
}

fn hash_of(prev: &str, row: &AuditRow) -> String {
    let (at, mut c) = content(row);
    c.at = &at;
    chain_hash(prev, &c)
}

/// Across organizations: one hash chain runs through every organization's records (and those of no
/// organization, such as a failed sign-in), so appending reads the tail of the whole log. The record's
/// organization is the one its builder (`vendhub_app::audit_record::Record`) took from the caller.
/// Call inside the transaction of the change it records.
pub fn append(conn: &mut DbConn, entry: &NewAudit) -> Result<AuditRow, StoreError> {
    match conn {
        DbConn::Postgres(c) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<BigInt, _>(AUDIT_LOCK)
                .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            // A write statement first, so this transaction holds the writer lock before it reads the tail.
            diesel::sql_query("UPDATE audit_log SET seq = seq WHERE seq = -1").execute(c)?;
        }
    }
    let last: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let mut row = AuditRow {
        seq: prev_seq + 1,
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: entry.organization_id.clone(),
        actor_user_id: entry.actor_user_id.clone(),
        action: entry.action.clone(),
        entity_type: entry.entity_type.clone(),
        entity_id: entry.entity_id.clone(),
        before_state: entry.before.as_ref().map(ToString::to_string),
        after_state: entry.after.as_ref().map(ToString::to_string),
        ip: entry.ip.clone(),
        request_id: entry.request_id.clone(),
        at: crate::now(),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    row.hash = hash_of(&prev_hash, &row);
    diesel::insert_into(audit_log::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Across organizations: the chain is checked whole, through every organization's records. The first
/// record whose link is broken, if any: `(seq, reason)`.
pub fn verify(conn: &mut DbConn) -> Result<Result<i64, (i64, String)>, StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut offset = 0;
    loop {
        let page: Vec<AuditRow> = audit_log::table
            .order(audit_log::seq.asc())
            .offset(offset)
            .limit(1000)
            .select(AuditRow::as_select())
            .load(conn)?;
        if page.is_empty() {
            return Ok(Ok(expected_seq - 1));
        }
        for row in &page {
            if row.seq != expected_seq {
                return Ok(Err((expected_seq, format!("record {expected_seq} is missing"))));
            }
            if row.prev_hash != prev {
                return Ok(Err((
                    row.seq,
                    "does not point to the previous record's hash".into(),
                )));
            }
            if hash_of(&prev, row) != row.hash {
                return Ok(Err((row.seq, "content does not match its hash".into())));
            }
            prev.clone_from(&row.hash);
            expected_seq += 1;
        }
        offset += i64::try_from(page.len()).unwrap_or(1000);
    }
}

/// The scope's records, newest first, with optional filters.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    action: Option<&str>,
    entity_type: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), StoreError> {
    let mut q = audit_log::table
        .filter(audit_log::organization_id.eq(scope.org()))
        .into_boxed();
    let mut c = audit_log::table
        .filter(audit_log::organization_id.eq(scope.org()))
        .into_boxed();
    if let Some(a) = action {
        q = q.filter(audit_log::action.eq(a.to_owned()));
        c = c.filter(audit_log::action.eq(a.to_owned()));
    }
    if let Some(t) = entity_type {
        q = q.filter(audit_log::entity_type.eq(t.to_owned()));
        c = c.filter(audit_log::entity_type.eq(t.to_owned()));
    }
    let total: i64 = c.count().get_result(conn)?;
    let rows = q
        .order(audit_log::seq.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
