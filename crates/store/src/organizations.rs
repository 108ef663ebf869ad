//! Organizations (tenants): the rows every tenant-owned record points at. A caller reads and changes only
//! the organization of its [`TenantScope`]; the lookups across every organization say so.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use vendhub_domain::ids::OrganizationId;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::organizations;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub language: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// What is needed to create an organization.
#[derive(Debug, Clone)]
pub struct NewOrganization<'a> {
    pub id: OrganizationId,
    pub name: &'a str,
    pub slug: &'a str,
    pub timezone: &'a str,
    pub language: &'a str,
}

/// Creates the scope's organization (its creator's scope, made for the new id).
pub fn insert(
    conn: &mut DbConn,
    scope: &TenantScope,
    new: &NewOrganization<'_>,
) -> Result<OrganizationRow, StoreError> {
    scope.check(&new.id.to_string())?;
    let now = crate::now();
    let row = OrganizationRow {
        id: new.id.to_string(),
        name: new.name.to_owned(),
        slug: new.slug.to_owned(),
        timezone: new.timezone.to_owned(),
        language: new.language.to_owned(),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    diesel::insert_into(organizations::table)
        .values(&row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(row)
}

/// Across organizations: a slug is unique among every organization (setup and seeding look one up).
pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> Result<Option<OrganizationRow>, StoreError> {
    Ok(organizations::table
        .filter(organizations::slug.eq(slug))
        .filter(organizations::deleted_at.is_null())
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: how many organizations there are (setup runs only on an empty database).
pub fn count(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(organizations::table
        .filter(organizations::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The scope's organization, unless deleted.
pub fn get(conn: &mut DbConn, scope: &TenantScope) -> Result<Option<OrganizationRow>, StoreError> {
    Ok(organizations::table
        .find(scope.org())
        .filter(organizations::deleted_at.is_null())
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: the organizations a person belongs to, with their role in each (what they may
/// switch to).
pub fn of_user(conn: &mut DbConn, user: &str) -> Result<Vec<(OrganizationRow, String)>, StoreError> {
    use crate::schema::memberships;
    Ok(organizations::table
        .inner_join(memberships::table.on(memberships::organization_id.eq(organizations::id)))
        .filter(memberships::user_id.eq(user))
        .filter(organizations::deleted_at.is_null())
        .order(memberships::created_at.asc())
        .select((OrganizationRow::as_select(), memberships::role))
        .load(conn)?)
}

/// Renames the scope's organization and sets its time zone and language.
pub fn update_settings(
    conn: &mut DbConn,
    scope: &TenantScope,
    name: &str,
    timezone: &str,
    language: &str,
) -> Result<(), StoreError> {
    diesel::update(organizations::table.find(scope.org()))
        .set((
            organizations::name.eq(name),
            organizations::timezone.eq(timezone),
            organizations::language.eq(language),
            organizations::updated_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Soft-deletes the scope's organization: its data stays (ledgers are never deleted), nobody can act in it.
pub fn soft_delete(conn: &mut DbConn, scope: &TenantScope) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(organizations::table.find(scope.org()))
        .filter(organizations::deleted_at.is_null())
        .set((
            organizations::deleted_at.eq(Some(now)),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
