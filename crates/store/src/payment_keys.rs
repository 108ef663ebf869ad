//! Keys a provider changed for the installation's own merchant account (Payme's `ChangePassword`): the
//! configured `PAYME_*` variables stay as they are, and the key stored here replaces the one that was
//! current. Installation-wide, not an organization's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::payment_key_overrides;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payment_key_overrides)]
pub struct KeyOverrideRow {
    /// `payme`.
    pub provider: String,
    /// Which configured key it replaces: `secret` or `test_secret`.
    pub which: String,
    /// The new key, sealed with `VENDHUB_ENCRYPTION_KEY`.
    pub secret_sealed: String,
    pub updated_at: NaiveDateTime,
}

/// The stored replacement of the installation's `which` key with `provider`.
pub fn get(conn: &mut DbConn, provider: &str, which: &str) -> Result<Option<KeyOverrideRow>, StoreError> {
    Ok(payment_key_overrides::table
        .find((provider, which))
        .select(KeyOverrideRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts or replaces the row for its provider and key.
pub fn save(conn: &mut DbConn, row: &KeyOverrideRow) -> Result<(), StoreError> {
    let n = diesel::update(payment_key_overrides::table.find((&row.provider, &row.which)))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(payment_key_overrides::table)
            .values(row)
            .execute(conn)
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}
