//! Sign-in sessions: one row per refresh token, rotated on every use, grouped in families. A session is
//! opened in one organization (its scope); authentication and a person's own session list find sessions
//! by id, token or user across organizations, and say so.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::sessions;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub family_id: String,
    /// SHA-256 of the opaque refresh token (the token itself is never stored).
    pub refresh_hash: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// Opens a session in the scope's organization.
pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &SessionRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Across organizations: authentication looks a session up by the id its token carries, before the
/// caller's organization is proven; a person's own session actions (logout, revoke) use it too.
pub fn get(conn: &mut DbConn, id: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: a refresh token names its session, before any organization is proven.
pub fn by_refresh_hash(conn: &mut DbConn, hash: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(sessions::table
        .filter(sessions::refresh_hash.eq(hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: refresh rotates the session its token named (found by
/// [`by_refresh_hash`]). Marks it rotated (its refresh token used) if it still is live; `false` when
/// another request rotated or revoked it first.
pub fn mark_rotated(conn: &mut DbConn, id: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(sessions::table.find(id))
        .filter(sessions::rotated_at.is_null())
        .filter(sessions::revoked_at.is_null())
        .set((sessions::rotated_at.eq(Some(now)), sessions::last_used_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: ends one session by id (authentication's own bookkeeping).
pub fn revoke(conn: &mut DbConn, id: &str, reason: &str) -> Result<bool, StoreError> {
    let n = diesel::update(sessions::table.find(id))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(Some(crate::now())),
            sessions::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: a family is one person's chain of refreshed sessions, ended whole (logout,
/// a replayed refresh token, a password change), whatever organization it was opened in.
pub fn revoke_family(conn: &mut DbConn, family: &str, reason: &str) -> Result<usize, StoreError> {
    Ok(
        diesel::update(sessions::table.filter(sessions::family_id.eq(family)))
            .filter(sessions::revoked_at.is_null())
            .set((
                sessions::revoked_at.eq(Some(crate::now())),
                sessions::revoked_reason.eq(Some(reason)),
            ))
            .execute(conn)?,
    )
}

/// Across organizations: a password reset or the end of an account ends the person's sessions in
/// every organization.
pub fn revoke_all_of_user(conn: &mut DbConn, user: &str, reason: &str) -> Result<usize, StoreError> {
    Ok(diesel::update(sessions::table.filter(sessions::user_id.eq(user)))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(Some(crate::now())),
            sessions::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)?)
}

/// Ends a user's sessions in the scope's organization (their membership there was suspended or ended).
pub fn revoke_all_of_user_in(
    conn: &mut DbConn,
    scope: &TenantScope,
    user: &str,
    reason: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(sessions::table.filter(sessions::user_id.eq(user)))
        .filter(sessions::organization_id.eq(scope.org()))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(Some(crate::now())),
            sessions::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)?)
}

/// Across organizations: a person's own live sessions in every organization they sign in to (the
/// newest token of each family), newest first.
pub fn live_of_user(conn: &mut DbConn, user: &str) -> Result<Vec<SessionRow>, StoreError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::rotated_at.is_null())
        .filter(sessions::expires_at.gt(crate::now()))
        .order(sessions::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Ends every session in the scope's organization (it was deleted).
pub fn revoke_all_in_organization(
    conn: &mut DbConn,
    scope: &TenantScope,
    reason: &str,
) -> Result<usize, StoreError> {
    Ok(
        diesel::update(sessions::table.filter(sessions::organization_id.eq(scope.org())))
            .filter(sessions::revoked_at.is_null())
            .set((
                sessions::revoked_at.eq(Some(crate::now())),
                sessions::revoked_reason.eq(Some(reason)),
            ))
            .execute(conn)?,
    )
}
