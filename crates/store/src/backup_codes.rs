//! Single-use 2FA backup codes, stored hashed. They are a person's, not an organization's (the account is
//! shared by every organization the person belongs to), so no function here takes a tenant scope.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::backup_codes;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = backup_codes)]
pub struct BackupCodeRow {
    pub id: String,
    pub user_id: String,
    pub code_hash: String,
    pub used_at: Option<NaiveDateTime>,
}

/// Replaces a user's codes with new ones.
pub fn replace(conn: &mut DbConn, user: &str, hashes: &[String]) -> Result<(), StoreError> {
    diesel::delete(backup_codes::table.filter(backup_codes::user_id.eq(user))).execute(conn)?;
    let rows: Vec<BackupCodeRow> = hashes
        .iter()
        .map(|h| BackupCodeRow {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user.to_owned(),
            code_hash: h.clone(),
            used_at: None,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(backup_codes::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Uses the code with this hash if it exists and is unused; `false` otherwise.
pub fn use_code(conn: &mut DbConn, user: &str, hash: &str) -> Result<bool, StoreError> {
    let n = diesel::update(backup_codes::table)
        .filter(backup_codes::user_id.eq(user))
        .filter(backup_codes::code_hash.eq(hash))
        .filter(backup_codes::used_at.is_null())
        .set(backup_codes::used_at.eq(Some(crate::now())))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn remaining(conn: &mut DbConn, user: &str) -> Result<i64, StoreError> {
    Ok(backup_codes::table
        .filter(backup_codes::user_id.eq(user))
        .filter(backup_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}
