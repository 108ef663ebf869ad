//! Staff accounts and their memberships (organization + role). A membership is a tenant row and is
//! reached through a [`TenantScope`]; a user is a person shared by every organization they belong to, so
//! the account functions (password, 2FA, profile) take no scope.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{memberships, users};
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub password_hash: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    /// Encrypted (see the app's `secrets_at_rest`); `Some` with `totp_enabled = false` is a pending setup.
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub totp_failures: i32,
    pub totp_locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
struct NewUserRow {
    id: String,
    email: String,
    full_name: String,
    password_hash: String,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    pub organization_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    /// `active` or `suspended`: suspension is one organization's, never the account's.
    pub status: String,
}

/// A user to create inside an organization with a role. The password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub email: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Creates the user and the membership together; a taken e-mail is `Conflict("users_email_key")`.
pub fn insert_member(
    conn: &mut DbConn,
    scope: &TenantScope,
    new: &NewMember<'_>,
) -> Result<UserRow, StoreError> {
    scope.check(&new.organization_id.to_string())?;
    let now = crate::now();
    let user = NewUserRow {
        id: new.id.to_string(),
        email: new.email.to_lowercase(),
        full_name: new.full_name.to_owned(),
        password_hash: new.password_hash.to_owned(),
        status: "active".into(),
        created_at: now,
        updated_at: now,
    };
    let user = crate::write(conn, |conn| {
        diesel::insert_into(users::table).values(&user).execute(conn)?;
        diesel::insert_into(memberships::table)
            .values(&MembershipRow {
                organization_id: new.organization_id.to_string(),
                user_id: user.id.clone(),
                role: new.role.as_str().into(),
                created_at: now,
                status: "active".into(),
            })
            .execute(conn)?;
        users::table
            .find(&user.id)
            .select(UserRow::as_select())
            .first(conn)
    })
    .map_err(StoreError::from_write)?;
    Ok(user)
}

pub fn get(conn: &mut DbConn, id: UserId) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The role a user holds in the scope's organization, if an active member (and the organization is not
/// deleted).
pub fn role_in(conn: &mut DbConn, scope: &TenantScope, user: UserId) -> Result<Option<String>, StoreError> {
    Ok(membership(conn, scope, user)?
        .filter(|m| m.status == "active")
        .map(|m| m.role))
}

/// Across organizations: authentication checks that a user is an active member of the organization a
/// token, session, challenge or switch names, before any scope exists (the scope is made from its answer).
/// The role held there, as [`role_in`] answers it.
pub fn active_role(
    conn: &mut DbConn,
    user: UserId,
    org: OrganizationId,
) -> Result<Option<String>, StoreError> {
    Ok(membership_of(conn, user, &org.to_string())?
        .filter(|m| m.status == "active")
        .map(|m| m.role))
}

/// A user's membership of the scope's organization whatever its status (for the organization's admins).
pub fn membership(
    conn: &mut DbConn,
    scope: &TenantScope,
    user: UserId,
) -> Result<Option<MembershipRow>, StoreError> {
    membership_of(conn, user, scope.org())
}

fn membership_of(conn: &mut DbConn, user: UserId, org: &str) -> Result<Option<MembershipRow>, StoreError> {
    use crate::schema::organizations;
    Ok(memberships::table
        .inner_join(organizations::table.on(organizations::id.eq(memberships::organization_id)))
        .filter(organizations::deleted_at.is_null())
        .filter(memberships::user_id.eq(user.to_string()))
        .filter(memberships::organization_id.eq(org))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

/// Suspends (`suspended`) or reactivates (`active`) one membership.
pub fn set_membership_status(
    conn: &mut DbConn,
    scope: &TenantScope,
    user: UserId,
    status: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(memberships::table)
        .filter(memberships::user_id.eq(user.to_string()))
        .filter(memberships::organization_id.eq(scope.org()))
        .set(memberships::status.eq(status))
        .execute(conn)?;
    Ok(n == 1)
}

/// Ends one membership; the account and its other memberships stay.
pub fn remove_membership(conn: &mut DbConn, scope: &TenantScope, user: UserId) -> Result<bool, StoreError> {
    let n = diesel::delete(memberships::table)
        .filter(memberships::user_id.eq(user.to_string()))
        .filter(memberships::organization_id.eq(scope.org()))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: how many organizations (not deleted) a person belongs to, in any status, so
/// that ending one membership knows whether it ends the account.
pub fn membership_count(conn: &mut DbConn, user: UserId) -> Result<i64, StoreError> {
    use crate::schema::organizations;
    Ok(memberships::table
        .inner_join(organizations::table.on(organizations::id.eq(memberships::organization_id)))
        .filter(organizations::deleted_at.is_null())
        .filter(memberships::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?)
}

/// Records a failed password; locks the account until `lock_until` when this makes `max` failures.
pub fn record_failed_login(
    conn: &mut DbConn,
    id: &str,
    max: i32,
    lock_until: NaiveDateTime,
) -> Result<i32, StoreError> {
    crate::write(conn, |conn| {
        let failures: i32 = diesel::update(users::table.find(id))
            .set(users::failed_logins.eq(users::failed_logins + 1))
            .returning(users::failed_logins)
            .get_result(conn)?;
        if failures >= max {
            diesel::update(users::table.find(id))
                .set((
                    users::locked_until.eq(Some(lock_until)),
                    users::failed_logins.eq(0),
                ))
                .execute(conn)?;
        }
        Ok(failures)
    })
}

pub fn record_login(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::last_login_at.eq(Some(crate::now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a pending (not yet enabled) encrypted TOTP secret.
pub fn set_pending_totp(conn: &mut DbConn, id: &str, secret: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set((
            users::totp_secret.eq(Some(secret)),
            users::totp_enabled.eq(false),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_totp_enabled(conn: &mut DbConn, id: &str, enabled: bool) -> Result<(), StoreError> {
    let secret: Option<Option<String>> = if enabled { None } else { Some(None) };
    match secret {
        None => diesel::update(users::table.find(id))
            .set(users::totp_enabled.eq(true))
            .execute(conn)?,
        Some(cleared) => diesel::update(users::table.find(id))
            .set((
                users::totp_enabled.eq(false),
                users::totp_secret.eq(cleared),
                users::totp_last_step.eq(None::<i64>),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Marks TOTP time step `step` as used, only if it is newer than the last used one (replay guard).
pub fn use_totp_step(conn: &mut DbConn, id: &str, step: i64) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.find(id))
        .filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step)))
        .set((users::totp_last_step.eq(Some(step)), users::totp_failures.eq(0)))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn reset_totp_failures(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set(users::totp_failures.eq(0))
        .execute(conn)?;
    Ok(())
}

/// Counts a wrong second-factor code; locks 2FA until `lock_until` at `max` failures.
pub fn record_totp_failure(
    conn: &mut DbConn,
    id: &str,
    max: i32,
    lock_until: NaiveDateTime,
) -> Result<i32, StoreError> {
    crate::write(conn, |conn| {
        let failures: i32 = diesel::update(users::table.find(id))
            .set(users::totp_failures.eq(users::totp_failures + 1))
            .returning(users::totp_failures)
            .get_result(conn)?;
        if failures >= max {
            diesel::update(users::table.find(id))
                .set((
                    users::totp_locked_until.eq(Some(lock_until)),
                    users::totp_failures.eq(0),
                ))
                .execute(conn)?;
        }
        Ok(failures)
    })
}

pub fn set_password(conn: &mut DbConn, id: &str, hash: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::updated_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Soft-deletes a user: the e-mail stays taken by the deleted row only until it is renamed here.
pub fn soft_delete(conn: &mut DbConn, id: UserId) -> Result<(), StoreError> {
    let now = crate::now();
    let tomb = format!("deleted+{}+{}", now.and_utc().timestamp(), id);
    diesel::update(users::table.find(id.to_string()))
        .set((
            users::deleted_at.eq(Some(now)),
            users::status.eq("deleted"),
            users::email.eq(tomb),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update_profile(conn: &mut DbConn, id: UserId, full_name: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id.to_string()))
        .set((users::full_name.eq(full_name), users::updated_at.eq(crate::now())))
        .execute(conn)?;
    Ok(())
}

pub fn set_role(
    conn: &mut DbConn,
    scope: &TenantScope,
    user: UserId,
    role: Role,
) -> Result<bool, StoreError> {
    let n = diesel::update(memberships::table)
        .filter(memberships::user_id.eq(user.to_string()))
        .filter(memberships::organization_id.eq(scope.org()))
        .set(memberships::role.eq(role.as_str()))
        .execute(conn)?;
    Ok(n == 1)
}

/// Adds an existing user to the scope's organization.
pub fn add_membership(
    conn: &mut DbConn,
    scope: &TenantScope,
    user: UserId,
    role: Role,
) -> Result<(), StoreError> {
    diesel::insert_into(memberships::table)
        .values(&MembershipRow {
            organization_id: scope.org().to_owned(),
            user_id: user.to_string(),
            role: role.as_str().into(),
            created_at: crate::now(),
            status: "active".into(),
        })
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Members of the scope's organization with their roles, newest first, paged.
pub fn list_members(
    conn: &mut DbConn,
    scope: &TenantScope,
    offset: i64,
    limit: i64,
) -> Result<(Vec<(UserRow, MembershipRow)>, i64), StoreError> {
    let base = || {
        users::table
            .inner_join(memberships::table.on(memberships::user_id.eq(users::id)))
            .filter(memberships::organization_id.eq(scope.org()))
            .filter(users::deleted_at.is_null())
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows = base()
        .order(users::created_at.desc())
        .offset(offset)
        .limit(limit)
        .select((UserRow::as_select(), MembershipRow::as_select()))
        .load(conn)?;
    Ok((rows, total))
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::email.eq(email.to_lowercase()))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: a person's active memberships in every organization that is not deleted, oldest
/// first, which sign-in chooses from.
pub fn memberships_of(conn: &mut DbConn, user: UserId) -> Result<Vec<MembershipRow>, StoreError> {
    use crate::schema::organizations;
    Ok(memberships::table
        .inner_join(organizations::table.on(organizations::id.eq(memberships::organization_id)))
        .filter(organizations::deleted_at.is_null())
        .filter(memberships::user_id.eq(user.to_string()))
        .filter(memberships::status.eq("active"))
        .order(memberships::created_at.asc())
        .select(MembershipRow::as_select())
        .load(conn)?)
}

/// Users of the scope's organization holding `role`.
pub fn count_with_role(conn: &mut DbConn, scope: &TenantScope, role: Role) -> Result<i64, StoreError> {
    Ok(memberships::table
        .filter(memberships::organization_id.eq(scope.org()))
        .filter(memberships::role.eq(role.as_str()))
        .count()
        .get_result(conn)?)
}
