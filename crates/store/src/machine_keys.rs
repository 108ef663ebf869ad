//! Machine API keys: a machine (or its telemetry gateway) calls the gateway API with one. Only a hash of
//! the key is kept; the prefix finds the row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::machine_api_keys;
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = machine_api_keys)]
pub struct KeyRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub label: String,
    /// The key's public start, unique: how a presented key finds its row.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub key_hash: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &KeyRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(machine_api_keys::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// A machine's keys, newest first, revoked ones included.
pub fn of_machine(conn: &mut DbConn, scope: &TenantScope, machine: &str) -> Result<Vec<KeyRow>, StoreError> {
    Ok(machine_api_keys::table
        .filter(machine_api_keys::organization_id.eq(scope.org()))
        .filter(machine_api_keys::machine_id.eq(machine))
        .order((machine_api_keys::created_at.desc(), machine_api_keys::id.desc()))
        .select(KeyRow::as_select())
        .load(conn)?)
}

pub fn get(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    id: &str,
) -> Result<Option<KeyRow>, StoreError> {
    Ok(machine_api_keys::table
        .filter(machine_api_keys::organization_id.eq(scope.org()))
        .filter(machine_api_keys::machine_id.eq(machine))
        .filter(machine_api_keys::id.eq(id))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: the key with this prefix, revoked or not, for authentication, which learns the
/// organization from the key it finds (the caller checks the hash and the revocation).
pub fn by_prefix(conn: &mut DbConn, prefix: &str) -> Result<Option<KeyRow>, StoreError> {
    Ok(machine_api_keys::table
        .filter(machine_api_keys::prefix.eq(prefix))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes a key that is not revoked yet; `false` when there was nothing to revoke.
pub fn revoke(
    conn: &mut DbConn,
    scope: &TenantScope,
    id: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(machine_api_keys::table.find(id))
        .filter(machine_api_keys::organization_id.eq(scope.org()))
        .filter(machine_api_keys::revoked_at.is_null())
        .set(machine_api_keys::revoked_at.eq(Some(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records that the key was used.
pub fn touch(conn: &mut DbConn, scope: &TenantScope, id: &str, at: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(machine_api_keys::table.find(id))
        .filter(machine_api_keys::organization_id.eq(scope.org()))
        .set(machine_api_keys::last_used_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}
