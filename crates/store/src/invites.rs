//! Invitations: a one-time code (stored hashed) that lets someone join an organization with a role.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::invites;

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

pub fn insert(conn: &mut DbConn, row: &InviteRow) -> Result<(), StoreError> {
    diesel::insert_into(invites::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn by_code_hash(conn: &mut DbConn, hash: &str) -> Result<Option<InviteRow>, StoreError> {
    Ok(invites::table
        .filter(invites::code_hash.eq(hash))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?)
}

/// Claims an unused, unexpired invite for `user`; `false` when someone else claimed it first.
pub fn claim(conn: &mut DbConn, id: &str, user: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(invites::table.find(id))
        .filter(invites::used_at.is_null())
        .filter(invites::expires_at.gt(now))
        .set((invites::used_at.eq(Some(now)), invites::used_by.eq(Some(user))))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn list(conn: &mut DbConn, org: &str) -> Result<Vec<InviteRow>, StoreError> {
    Ok(invites::table
        .filter(invites::organization_id.eq(org))
        .order(invites::created_at.desc())
        .select(InviteRow::as_select())
        .load(conn)?)
}
