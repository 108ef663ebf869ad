//! Invitations: a one-time code (stored hashed) that lets someone join an organization with a role.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::invites;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub id: String,
    pub organization_id: String,
    pub code_hash: String,
    pub email: Option<String>,
    pub role: String,
    pub invited_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub used_by: Option<String>,
}

/// Stores an invitation to the scope's organization.
pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &InviteRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(invites::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Across organizations: accepting an invitation finds it by its code, before the person is in its
/// organization (the scope is made from the invitation it finds).
pub fn by_code_hash(conn: &mut DbConn, hash: &str) -> Result<Option<InviteRow>, StoreError> {
    Ok(invites::table
        .filter(invites::code_hash.eq(hash))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?)
}

/// Claims an unused, unexpired invite of the scope's organization for `user`; `false` when someone else
/// claimed it first.
pub fn claim(conn: &mut DbConn, scope: &TenantScope, id: &str, user: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(invites::table.find(id))
        .filter(invites::organization_id.eq(scope.org()))
        .filter(invites::used_at.is_null())
        .filter(invites::expires_at.gt(now))
        .set((invites::used_at.eq(Some(now)), invites::used_by.eq(Some(user))))
        .execute(conn)?;
    Ok(n == 1)
}

/// The scope's invitations, newest first.
pub fn list(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<InviteRow>, StoreError> {
    Ok(invites::table
        .filter(invites::organization_id.eq(scope.org()))
        .order(invites::created_at.desc())
        .select(InviteRow::as_select())
        .load(conn)?)
}
