//! Backend-neutral copies of a whole database (`vendhub export` / `vendhub import`): every table's rows
//! as JSON objects, tables in foreign-key order, inserted on the other backend with its own conversions
//! (PostgreSQL: `json_populate_record`; SQLite: `json_extract`, timestamps without the `T`).

use std::collections::{BTreeMap, BTreeSet};

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::whole_database::{self, MIGRATIONS_TABLE};

#[derive(diesel::QueryableByName)]
struct Pair {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    r: String,
}

#[derive(diesel::QueryableByName)]
struct ColType {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The data tables (not the migrations table), parents before children.
pub fn tables_in_order(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let tables: Vec<String> = whole_database::tables(conn)?
        .into_iter()
        .filter(|t| t != MIGRATIONS_TABLE)
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &tables {
        let pairs: Vec<Pair> = match conn {
            DbConn::Sqlite(_) => {
                diesel::sql_query("SELECT ? AS child, \"table\" AS parent FROM pragma_foreign_key_list(?)")
                    .bind::<Text, _>(t)
                    .bind::<Text, _>(t)
                    .load(conn)?
            }
            DbConn::Postgres(_) => diesel::sql_query(
                "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent \
                 FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = $1",
            )
            .bind::<Text, _>(t)
            .load(conn)?,
        };
        let entry = parents.entry(t.clone()).or_default();
        for p in pairs {
            let parent = p.parent.trim_matches('"').to_owned();
            if parent != p.child.trim_matches('"') {
                entry.insert(parent);
            }
        }
    }
    let mut ordered: Vec<String> = Vec::new();
    let mut left: Vec<String> = tables;
    while !left.is_empty() {
        let (ready, rest): (Vec<String>, Vec<String>) = left.into_iter().partition(|t| {
            parents
                .get(t)
                .is_none_or(|ps| ps.iter().all(|p| ordered.contains(p) || !parents.contains_key(p)))
        });
        if ready.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "foreign keys form a cycle among {rest:?}"
            )));
        }
        ordered.extend(ready);
        left = rest;
    }
    Ok(ordered)
}

/// Every row of `table` as one JSON object per line.
pub fn export_rows(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            let cols = whole_database::columns(conn, table)?;
            let pairs: Vec<String> = cols
                .iter()
                .map(|c| format!("'{}', {}", c.replace('\'', "''"), quote(c)))
                .collect();
            format!(
                "SELECT json_object({}) AS r FROM {}",
                pairs.join(", "),
                quote(table)
            )
        }
        DbConn::Postgres(_) => format!("SELECT row_to_json(t)::text AS r FROM {} t", quote(table)),
    };
    Ok(diesel::sql_query(sql)
        .load::<Row>(conn)?
        .into_iter()
        .map(|r| r.r)
        .collect())
}

/// Inserts JSON-object rows into `table` (call inside the import's transaction).
pub fn import_rows(conn: &mut DbConn, table: &str, rows: &[String]) -> Result<(), StoreError> {
    let sql = match conn {
        DbConn::Postgres(_) => format!(
            "INSERT INTO {0} SELECT * FROM json_populate_record(NULL::{0}, CAST($1 AS json))",
            quote(table)
        ),
        DbConn::Sqlite(_) => {
            let cols: Vec<ColType> =
                diesel::sql_query("SELECT name, type AS ty FROM pragma_table_info(?) ORDER BY cid")
                    .bind::<Text, _>(table)
                    .load(conn)?;
            let names: Vec<String> = cols.iter().map(|c| quote(&c.name)).collect();
            let values: Vec<String> = cols
                .iter()
                .map(|c| {
                    let path = format!("'$.\"{}\"'", c.name.replace('\'', "''"));
                    let ty = c.ty.to_ascii_uppercase();
                    if ty.contains("TIMESTAMP") || ty.contains("DATETIME") {
                        format!("replace(json_extract(j, {path}), 'T', ' ')")
                    } else {
                        format!("json_extract(j, {path})")
                    }
                })
                .collect();
            format!(
                "INSERT INTO {} ({}) SELECT {} FROM (SELECT ? AS j)",
                quote(table),
                names.join(", "),
                values.join(", ")
            )
        }
    };
    for row in rows {
        diesel::sql_query(&sql).bind::<Text, _>(row).execute(conn)?;
    }
    Ok(())
}

/// Whether `table` has a row with this `id`.
pub fn exists(conn: &mut DbConn, table: &str, id: &str) -> Result<bool, StoreError> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = match conn {
        DbConn::Sqlite(_) => format!("SELECT COUNT(*) AS n FROM {} WHERE id = ?", quote(table)),
        DbConn::Postgres(_) => format!("SELECT COUNT(*) AS n FROM {} WHERE id = $1", quote(table)),
    };
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(id)
        .get_result::<N>(conn)?
        .n
        > 0)
}
