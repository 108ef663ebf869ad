//! Password reset tokens: stored hashed, valid for an hour, used once. They are a person's, not an
//! organization's (the account is shared by every organization the person belongs to), so no function
//! here takes a tenant scope.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::password_resets;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &PasswordResetRow) -> Result<(), StoreError> {
    diesel::insert_into(password_resets::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Uses the token with this hash if it is unused and unexpired; returns its user.
pub fn consume(conn: &mut DbConn, hash: &str) -> Result<Option<String>, StoreError> {
    let now = crate::now();
    let Some(row) = password_resets::table
        .filter(password_resets::token_hash.eq(hash))
        .select(PasswordResetRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let n = diesel::update(password_resets::table.find(&row.id))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .set(password_resets::used_at.eq(Some(now)))
        .execute(conn)?;
    Ok((n == 1).then_some(row.user_id))
}
