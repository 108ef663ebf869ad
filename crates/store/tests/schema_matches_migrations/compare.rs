//! The comparisons: `schema.rs` against one migrated database, and one migration tree against the other.
//! Each returns every mismatch found, one sentence naming the table and column.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vendhub_store::Backend;

use crate::declared::DeclaredTable;
use crate::live::LiveTable;

/// Migrated tables that `schema.rs` leaves out on purpose, because only raw SQL touches them. Each entry
/// says why. Diesel's own `__diesel_schema_migrations` is never compared.
const RAW_SQL_ONLY_TABLES: &[&str] = &[];

/// The column types each diesel type may be stored as: the spellings the migrations use, nothing looser,
/// so that (say) a `BigInt` declared over an `INTEGER` column is caught on SQLite too. SQLite's entry is
/// the declared type as `pragma_table_info` reports it; PostgreSQL's is `information_schema.columns.udt_name`.
/// A diesel type that is missing here is reported, never waved through.
const ACCEPTED_TYPES: &[(&str, &[&str], &[&str])] = &[
    // (diesel type, SQLite declared types, PostgreSQL udt names)
    ("Text", &["TEXT"], &["text"]),
    ("Integer", &["INTEGER"], &["int4"]),
    ("BigInt", &["BIGINT"], &["int8"]),
    ("Bool", &["BOOLEAN"], &["bool"]),
    ("Timestamp", &["TIMESTAMP"], &["timestamp"]),
    ("Double", &["DOUBLE PRECISION"], &["float8"]),
];

/// Every way the migrated `live` schema of `backend` differs from what `schema.rs` declares.
pub fn mismatches_with_schema_rs(
    backend: Backend,
    declared: &BTreeMap<String, DeclaredTable>,
    live: &BTreeMap<String, LiveTable>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (table, want) in declared {
        let Some(have) = live.get(table) else {
            found.push(format!(
                "table {table}: declared in schema.rs, not created by the migrations"
            ));
            continue;
        };
        for column in &want.columns {
            let Some(live_column) = have.columns.iter().find(|c| c.column_name == column.name) else {
                found.push(format!(
                    "{table}.{}: declared in schema.rs, missing from the table",
                    column.name
                ));
                continue;
            };
            if column.nullable == live_column.not_null {
                let (says, is) = if column.nullable {
                    ("Nullable", "NOT NULL")
                } else {
                    ("not Nullable", "nullable")
                };
                found.push(format!(
                    "{table}.{}: schema.rs says {says}, the column is {is}",
                    column.name
                ));
            }
            match accepted_types(backend, &column.sql_type) {
                None => found.push(format!(
                    "{table}.{}: diesel type {} has no accepted column type in ACCEPTED_TYPES",
                    column.name, column.sql_type
                )),
                Some(accepted) if !accepted.contains(&live_column.column_type.as_str()) => {
                    found.push(format!(
                        "{table}.{}: schema.rs says {}, the column is {} (accepted: {accepted:?})",
                        column.name, column.sql_type, live_column.column_type
                    ));
                }
                Some(_) => {}
            }
        }
        for live_column in &have.columns {
            if !want.columns.iter().any(|c| c.name == live_column.column_name) {
                found.push(format!(
                    "{table}.{}: in the table, not declared in schema.rs",
                    live_column.column_name
                ));
            }
        }
        if want.primary_key != have.primary_key {
            found.push(format!(
                "table {table}: schema.rs says primary key {:?}, the table has {:?}",
                want.primary_key, have.primary_key
            ));
        }
    }
    for table in live.keys() {
        if !declared.contains_key(table) && !RAW_SQL_ONLY_TABLES.contains(&table.as_str()) {
            found.push(format!(
                "table {table}: created by the migrations, not declared in schema.rs (nor in RAW_SQL_ONLY_TABLES)"
            ));
        }
    }
    found
}

fn accepted_types(backend: Backend, diesel_type: &str) -> Option<&'static [&'static str]> {
    ACCEPTED_TYPES
        .iter()
        .find(|(name, _, _)| *name == diesel_type)
        .map(|(_, sqlite, postgres)| match backend {
            Backend::Sqlite => *sqlite,
            Backend::Postgres => *postgres,
        })
}

/// Every way the two migration trees built different tables, columns, nullability or primary keys.
pub fn mismatches_between_trees(
    sqlite: &BTreeMap<String, LiveTable>,
    postgres: &BTreeMap<String, LiveTable>,
) -> Vec<String> {
    let mut found = Vec::new();
    for table in sqlite.keys().filter(|t| !postgres.contains_key(*t)) {
        found.push(format!("table {table}: only the SQLite migrations create it"));
    }
    for table in postgres.keys().filter(|t| !sqlite.contains_key(*t)) {
        found.push(format!("table {table}: only the PostgreSQL migrations create it"));
    }
    for (table, lite) in sqlite {
        let Some(pg) = postgres.get(table) else { continue };
        for column in &lite.columns {
            match pg.columns.iter().find(|c| c.column_name == column.column_name) {
                None => found.push(format!(
                    "{table}.{}: only the SQLite migrations create it",
                    column.column_name
                )),
                Some(pg_column) if pg_column.not_null != column.not_null => found.push(format!(
                    "{table}.{}: NOT NULL on {}, nullable on {}",
                    column.column_name,
                    if column.not_null { "SQLite" } else { "PostgreSQL" },
                    if column.not_null { "PostgreSQL" } else { "SQLite" },
                )),
                Some(_) => {}
            }
        }
        for column in &pg.columns {
            if !lite.columns.iter().any(|c| c.column_name == column.column_name) {
                found.push(format!(
                    "{table}.{}: only the PostgreSQL migrations create it",
                    column.column_name
                ));
            }
        }
        if lite.primary_key != pg.primary_key {
            found.push(format!(
                "table {table}: primary key {:?} on SQLite, {:?} on PostgreSQL",
                lite.primary_key, pg.primary_key
            ));
        }
    }
    found
}

/// Fails with every mismatch at once, one per line.
pub fn assert_none(what: &str, mismatches: &[String]) {
    if mismatches.is_empty() {
        return;
    }
    let mut report = format!("{what}: {} mismatch(es)\n", mismatches.len());
    for m in mismatches {
        let _ = writeln!(report, "  - {m}");
    }
    panic!("{report}");
}
