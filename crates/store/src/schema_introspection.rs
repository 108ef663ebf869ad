//! A text description of the live schema, so migrations can be proven reversible (up, down, up: same).

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::connection::DbConn;
use crate::error::StoreError;

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// One line per table, column and index, sorted; diesel's own bookkeeping table is left out.
pub fn describe(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let lines: Vec<Line> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS line FROM sqlite_master \
             WHERE name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .load(c)?,
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
                 || ' ' || COALESCE(column_default, '') AS line \
             FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name NOT LIKE '__diesel%' \
             UNION ALL \
             SELECT 'index ' || tablename || ': ' || indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename NOT LIKE '__diesel%' \
             UNION ALL \
             SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
                 AND conrelid::regclass::text NOT LIKE '__diesel%' \
             ORDER BY 1",
        )
        .load(c)?,
    };
    Ok(lines.into_iter().map(|l| l.line).collect())
}

/// The user tables, for backups and row counts.
pub fn tables(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let lines: Vec<Line> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .load(c)?,
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS line FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '__diesel%' ORDER BY 1",
        )
        .load(c)?,
    };
    Ok(lines.into_iter().map(|l| l.line).collect())
}
