//! Proves that `src/schema.rs` (the hand-written diesel `table!` blocks) says what the migrations build:
//! after every migration has run, each declared table exists with exactly its declared columns, the same
//! primary key, `Nullable<…>` exactly where a column takes NULL, and a column type that the diesel type
//! reads; and no migrated table is missing from `schema.rs`. It proves this on SQLite always and on
//! PostgreSQL when `TEST_DATABASE_URL=postgres://…` is set, where it also proves that the two migration
//! trees build the same tables, columns, nullability and primary keys.
#![expect(
    clippy::expect_used,
    reason = "a test fails loudly when its environment is broken"
)]

mod compare;
mod declared;
mod live;

use vendhub_store::Backend;

use compare::{assert_none, mismatches_between_trees, mismatches_with_schema_rs};
use declared::{DeclaredColumn, DeclaredTable, SCHEMA_RS, declared_schema, parse_schema};
use live::{postgres_schema, sqlite_schema};

#[test]
fn schema_rs_matches_the_sqlite_migrations() {
    let mismatches = mismatches_with_schema_rs(Backend::Sqlite, &declared_schema(), &sqlite_schema());
    assert_none("src/schema.rs against migrations/sqlite", &mismatches);
}

#[test]
fn schema_rs_matches_the_postgres_migrations() {
    let Some(live) = postgres_schema() else { return };
    let mismatches = mismatches_with_schema_rs(Backend::Postgres, &declared_schema(), &live);
    assert_none("src/schema.rs against migrations/postgres", &mismatches);
}

#[test]
fn sqlite_and_postgres_migrations_build_the_same_tables() {
    let Some(postgres) = postgres_schema() else { return };
    let mismatches = mismatches_between_trees(&sqlite_schema(), &postgres);
    assert_none("migrations/sqlite against migrations/postgres", &mismatches);
}

#[test]
fn the_parser_reads_every_table_block_of_schema_rs() {
    let declared = declared_schema();
    let blocks = SCHEMA_RS.matches("table! {").count();
    assert_eq!(declared.len(), blocks, "one parsed table per `table!` block");
    let users = declared.get("users").expect("schema.rs declares users");
    assert_eq!(users.primary_key, ["id"]);
    assert!(
        users.columns.contains(&DeclaredColumn {
            name: "totp_last_step".into(),
            sql_type: "BigInt".into(),
            nullable: true,
        }),
        "{users:?}"
    );
    let memberships = declared
        .get("memberships")
        .expect("schema.rs declares memberships");
    assert_eq!(memberships.primary_key, ["organization_id", "user_id"]);
}

#[test]
fn the_parser_follows_sql_names_paths_and_doc_comments() {
    let src = r#"
        diesel::table! {
            use diesel::sql_types::*;
            /// Renamed in Rust.
            #[sql_name = "people"]
            persons (person_id) {
                /// The key.
                #[sql_name = "id"]
                person_id -> diesel::sql_types::Text,
                nick -> Nullable<diesel::sql_types::Text>, // trailing comment
                #[sql_name = "type"]
                kind -> Integer
            }
        }
        table! { plain { id -> BigInt, } }
        diesel::joinable!(people -> plain (id));
    "#;
    let tables = parse_schema(src).unwrap_or_else(|e| panic!("{e}"));
    let column = |name: &str, sql_type: &str, nullable| DeclaredColumn {
        name: name.into(),
        sql_type: sql_type.into(),
        nullable,
    };
    assert_eq!(
        tables.get("people"),
        Some(&DeclaredTable {
            primary_key: vec!["id".into()],
            columns: vec![
                column("id", "Text", false),
                column("nick", "Text", true),
                column("type", "Integer", false),
            ],
        })
    );
    assert_eq!(
        tables.get("plain").map(|t| t.primary_key.clone()),
        Some(vec!["id".into()])
    );
    assert!(parse_schema("table! { t (id) { id -> Array<Text> } }").is_err());
    assert!(parse_schema("table! { t (id) { id Text } }").is_err());
}

#[test]
fn a_wrong_declaration_is_reported_by_table_and_column() {
    let mut declared = declared_schema();
    let users = declared.get_mut("users").expect("schema.rs declares users");
    users.columns.retain(|c| c.name != "email");
    for c in &mut users.columns {
        match c.name.as_str() {
            "full_name" => c.nullable = true,
            "failed_logins" => c.sql_type = "BigInt".into(),
            _ => {}
        }
    }
    users.columns.push(DeclaredColumn {
        name: "nickname".into(),
        sql_type: "Text".into(),
        nullable: true,
    });
    declared.remove("audit_log");

    let mismatches = mismatches_with_schema_rs(Backend::Sqlite, &declared, &sqlite_schema());
    let expected = [
        "users.full_name: schema.rs says Nullable, the column is NOT NULL",
        "users.failed_logins: schema.rs says BigInt, the column is INTEGER",
        "users.nickname: declared in schema.rs, missing from the table",
        "users.email: in the table, not declared in schema.rs",
        "table audit_log: created by the migrations, not declared in schema.rs",
    ];
    for e in expected {
        assert!(
            mismatches.iter().any(|m| m.starts_with(e)),
            "expected a mismatch starting {e:?} in {mismatches:#?}"
        );
    }
    assert_eq!(mismatches.len(), expected.len(), "{mismatches:#?}");
}
