//! Whole-database views for backups: the tables, their row counts, the applied schema version, a
//! consistent SQLite copy (`VACUUM INTO`), an exported PostgreSQL snapshot, and each table's rows as text
//! (to compare two databases row by row). The text description of the schema, for the migration test, is
//! `schema_introspection`.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};

use crate::connection::DbConn;
use crate::error::StoreError;

/// The table diesel records applied migrations in.
pub const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    r: String,
}

/// A table or column name, quoted for both backends (names come from the catalog, never from users).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table of ours (including the migrations table), sorted by name.
pub fn tables(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        DbConn::Postgres(_) => {
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    Ok(diesel::sql_query(sql)
        .load::<Name>(conn)?
        .into_iter()
        .map(|n| n.name)
        .collect())
}

/// The number of rows of every table.
pub fn row_counts(conn: &mut DbConn) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut counts = BTreeMap::new();
    for table in tables(conn)? {
        let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quote(&table)))
            .get_result::<Count>(conn)?
            .n;
        counts.insert(table, n);
    }
    Ok(counts)
}

/// The newest applied migration (the schema version), `None` on an empty database.
pub fn schema_version(conn: &mut DbConn) -> Result<Option<String>, StoreError> {
    if !tables(conn)?.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(None);
    }
    Ok(diesel::sql_query(format!(
        "SELECT version AS name FROM {MIGRATIONS_TABLE} ORDER BY version DESC LIMIT 1"
    ))
    .load::<Name>(conn)?
    .into_iter()
    .next()
    .map(|n| n.name))
}

/// Whether any table other than the migrations table holds a row.
pub fn has_data(conn: &mut DbConn) -> Result<bool, StoreError> {
    Ok(row_counts(conn)?
        .iter()
        .any(|(table, n)| table != MIGRATIONS_TABLE && *n > 0))
}

/// SQLite: writes a consistent copy of the database (one read transaction) to `to`, which must not exist.
pub fn sqlite_copy_to(conn: &mut DbConn, to: &Path) -> Result<(), StoreError> {
    let path = to.display().to_string().replace('\'', "''");
    conn.batch_execute(&format!("PRAGMA busy_timeout = 10000; VACUUM INTO '{path}'"))?;
    Ok(())
}

/// SQLite: `PRAGMA integrity_check` answers "ok".
pub fn sqlite_integrity_ok(conn: &mut DbConn) -> Result<bool, StoreError> {
    let rows = diesel::sql_query("PRAGMA integrity_check").load::<IntegrityRow>(conn)?;
    Ok(rows.len() == 1 && rows[0].integrity_check == "ok")
}

#[derive(diesel::QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// SQLite: moves everything in the write-ahead log into the database file and empties the log.
pub fn sqlite_checkpoint(conn: &mut DbConn) -> Result<(), StoreError> {
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(())
}

/// PostgreSQL: opens a read-only repeatable-read transaction on `conn` and exports its snapshot, so that
/// `pg_dump --snapshot` sees exactly what this connection sees. End it with [`pg_end_snapshot`].
pub fn pg_begin_snapshot(conn: &mut DbConn) -> Result<String, StoreError> {
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
    Ok(diesel::sql_query("SELECT pg_export_snapshot() AS name")
        .get_result::<Name>(conn)?
        .name)
}

pub fn pg_end_snapshot(conn: &mut DbConn) -> Result<(), StoreError> {
    conn.batch_execute("COMMIT")?;
    Ok(())
}

/// PostgreSQL: the server's major version (16 for 16.4).
pub fn pg_server_major(conn: &mut DbConn) -> Result<i64, StoreError> {
    let n = diesel::sql_query("SELECT current_setting('server_version_num')::bigint AS n")
        .get_result::<Count>(conn)?
        .n;
    Ok(n / 10_000)
}

/// PostgreSQL: tries to take a session advisory lock on this connection (held until it closes).
pub fn pg_try_lock(conn: &mut DbConn, key: i64) -> Result<bool, StoreError> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    Ok(diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(key)
        .get_result::<Locked>(conn)?
        .locked)
}

/// The columns of a table, in order.
pub fn columns(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    let rows = match conn {
        DbConn::Sqlite(_) => diesel::sql_query("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind::<Text, _>(table)
            .load::<Name>(conn)?,
        DbConn::Postgres(_) => diesel::sql_query(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(table)
        .load::<Name>(conn)?,
    };
    Ok(rows.into_iter().map(|n| n.name).collect())
}

/// Every row of `table` as one text line (columns cast to text, `NULL` as `\N`, joined by a unit
/// separator), sorted: two databases with the same data give the same lines.
pub fn table_rows(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    let cols = columns(conn, table)?;
    if cols.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = cols
        .iter()
        .map(|c| format!("COALESCE(CAST({} AS TEXT), '\\N')", quote(c)))
        .collect();
    let sql = format!(
        "SELECT {} AS r FROM {}",
        parts.join(" || '\u{1f}' || "),
        quote(table)
    );
    let mut rows: Vec<String> = diesel::sql_query(sql)
        .load::<Row>(conn)?
        .into_iter()
        .map(|r| r.r)
        .collect();
    rows.sort();
    Ok(rows)
}
