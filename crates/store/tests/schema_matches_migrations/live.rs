//! What the migrations build: every migration applied with the store's own runner to a fresh database,
//! then its tables, columns, nullability and primary keys read back.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use diesel::sql_types::{Bool, Integer, Text};
use vendhub_store::connection::establish;
use vendhub_store::test_db::{TestDb, admin_url};
use vendhub_store::{DbConn, DbUrl, migrations};

/// One column as the database reports it.
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct LiveColumn {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    /// SQLite: the declared type; PostgreSQL: the `udt_name`.
    #[diesel(sql_type = Text)]
    pub column_type: String,
    #[diesel(sql_type = Bool)]
    pub not_null: bool,
    /// Position in the primary key, from 1; 0 when the column is not part of it.
    #[diesel(sql_type = Integer)]
    pub pk_position: i32,
}

/// A migrated table: its columns in table order and its primary key in key order.
#[derive(Debug, Clone, Default)]
pub struct LiveTable {
    pub columns: Vec<LiveColumn>,
    pub primary_key: Vec<String>,
}

const SQLITE_COLUMNS: &str = "\
    SELECT m.name AS table_name, p.name AS column_name, p.type AS column_type, \
           p.\"notnull\" <> 0 AS not_null, p.pk AS pk_position \
    FROM sqlite_master m JOIN pragma_table_info(m.name) p \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
      AND m.name <> '__diesel_schema_migrations' \
    ORDER BY m.name, p.cid";

const POSTGRES_COLUMNS: &str = "\
    SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
           c.udt_name::text AS column_type, c.is_nullable = 'NO' AS not_null, \
           COALESCE(k.ordinal_position, 0)::int4 AS pk_position \
    FROM information_schema.columns c \
    JOIN information_schema.tables t \
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' \
    LEFT JOIN information_schema.table_constraints tc \
      ON tc.table_schema = c.table_schema AND tc.table_name = c.table_name \
     AND tc.constraint_type = 'PRIMARY KEY' \
    LEFT JOIN information_schema.key_column_usage k \
      ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name \
     AND k.table_name = c.table_name AND k.column_name = c.column_name \
    WHERE c.table_schema = current_schema() AND c.table_name <> '__diesel_schema_migrations' \
    ORDER BY c.table_name, c.ordinal_position";

/// Runs every migration with the application's own runner, then reads back tables and columns.
fn migrate_and_introspect(url: &DbUrl) -> BTreeMap<String, LiveTable> {
    let mut conn = establish(url).expect("open the test database");
    let applied = migrations::run_pending(&mut conn).expect("every migration applies");
    assert!(!applied.is_empty(), "a fresh database has migrations to apply");
    let query = match &conn {
        DbConn::Sqlite(_) => SQLITE_COLUMNS,
        DbConn::Postgres(_) => POSTGRES_COLUMNS,
    };
    let rows: Vec<LiveColumn> = diesel::sql_query(query)
        .load(&mut conn)
        .expect("introspect the migrated schema");

    let mut tables: BTreeMap<String, LiveTable> = BTreeMap::new();
    for row in rows {
        tables
            .entry(row.table_name.clone())
            .or_default()
            .columns
            .push(row);
    }
    for table in tables.values_mut() {
        let mut key: Vec<&LiveColumn> = table.columns.iter().filter(|c| c.pk_position > 0).collect();
        key.sort_by_key(|c| c.pk_position);
        table.primary_key = key.into_iter().map(|c| c.column_name.clone()).collect();
    }
    tables
}

pub fn sqlite_schema() -> BTreeMap<String, LiveTable> {
    let dir = tempfile::tempdir().expect("a temp dir for the SQLite database");
    migrate_and_introspect(&DbUrl::Sqlite(dir.path().join("schema.db")))
}

/// A fresh PostgreSQL database of its own (dropped afterwards), or `None` without `TEST_DATABASE_URL`.
pub fn postgres_schema() -> Option<BTreeMap<String, LiveTable>> {
    if admin_url().is_none() {
        eprintln!("TEST_DATABASE_URL is not a postgres:// URL: the PostgreSQL check is skipped");
        return None;
    }
    let test = TestDb::new();
    Some(migrate_and_introspect(&test.url))
}
