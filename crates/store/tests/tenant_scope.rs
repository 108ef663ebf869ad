//! Every repository function that touches tenant-owned rows takes a `TenantScope`, or says on its first
//! doc line why it spans organizations (`Across organizations: ...`). Tenant-owned: a table with an
//! `organization_id` column, `organizations` itself, and the child tables reached through a parent.
//! The check reads the store's source with `syn`, so a new function that forgets the scope fails here
//! even before a tenancy test would catch its route.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a file that cannot be read fails it"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quote::ToTokens;

/// Tables without an `organization_id` whose rows belong to a parent that has one.
const CHILD_TABLES: &[&str] = &["task_items", "task_comments", "task_checklist", "stocktake_lines"];

/// Modules that are not repositories of tenant data: the connection, migrations, the schema itself,
/// whole-database copies for backups, and the test databases.
const NOT_REPOSITORIES: &[&str] = &[
    "connection.rs",
    "error.rs",
    "lib.rs",
    "migrations.rs",
    "portable.rs",
    "schema.rs",
    "schema_introspection.rs",
    "scope.rs",
    "test_db.rs",
    "whole_database.rs",
];

const MARK: &str = "Across organizations:";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Table names of `schema.rs`, with whether each has an `organization_id` column.
fn tables() -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(src().join("schema.rs")).unwrap();
    let mut out = Vec::new();
    let mut current: Option<(String, bool)> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some((name, _)) = t.split_once(" (").filter(|_| t.ends_with('{')) {
            current = Some((name.trim().to_owned(), false));
        } else if t.starts_with("organization_id ->") {
            if let Some(c) = current.as_mut() {
                c.1 = true;
            }
        } else if t == "}"
            && let Some(c) = current.take()
        {
            out.push(c);
        }
    }
    out
}

fn tenant_tables() -> BTreeSet<String> {
    let tables = tables();
    assert!(tables.len() > 20, "schema.rs was not read: {tables:?}");
    for child in CHILD_TABLES {
        let found = tables.iter().find(|(n, _)| n == child);
        assert!(
            matches!(found, Some((_, false))),
            "{child} is listed as a child table but is {found:?} in schema.rs"
        );
    }
    tables
        .into_iter()
        .filter(|(_, has_org)| *has_org)
        .map(|(n, _)| n)
        .chain(["organizations".to_owned()])
        .chain(CHILD_TABLES.iter().map(|t| (*t).to_owned()))
        .collect()
}

fn first_doc_line(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .find_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_default()
}

struct Finding {
    scoped: Vec<String>,
    marked: Vec<String>,
    missing: Vec<String>,
}

fn check_items(file: &str, items: &[syn::Item], tenant: &BTreeSet<String>, found: &mut Finding) {
    for item in items {
        match item {
            syn::Item::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                let body = f.block.to_token_stream().to_string();
                let touches: Vec<&String> = tenant
                    .iter()
                    .filter(|t| body.contains(&format!("{t} ::")))
                    .collect();
                if touches.is_empty() {
                    continue;
                }
                let name = format!("{}::{}", file.trim_end_matches(".rs"), f.sig.ident);
                let takes_scope = f
                    .sig
                    .inputs
                    .iter()
                    .any(|arg| arg.to_token_stream().to_string().contains("TenantScope"));
                if takes_scope {
                    found.scoped.push(name);
                } else if first_doc_line(&f.attrs).starts_with(MARK) {
                    found.marked.push(name);
                } else {
                    found.missing.push(format!("{name} (touches {touches:?})"));
                }
            }
            syn::Item::Mod(m) if !m.attrs.iter().any(|a| a.path().is_ident("cfg")) => {
                if let Some((_, inner)) = &m.content {
                    check_items(file, inner, tenant, found);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_store_function_on_tenant_rows_takes_a_tenant_scope_or_says_why_not() {
    let tenant = tenant_tables();
    let mut found = Finding {
        scoped: vec![],
        marked: vec![],
        missing: vec![],
    };
    let mut files: Vec<_> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_REPOSITORIES.contains(&file.as_str()) {
            continue;
        }
        let parsed = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
        check_items(&file, &parsed.items, &tenant, &mut found);
    }
    eprintln!(
        "store functions on tenant rows: {} take a TenantScope, {} span organizations ({}), {} neither",
        found.scoped.len(),
        found.marked.len(),
        found.marked.join(", "),
        found.missing.len()
    );
    assert!(
        found.scoped.len() > 50,
        "the source was not read: {:?}",
        found.scoped
    );
    assert!(
        found.missing.is_empty(),
        "these store functions touch tenant rows without a TenantScope and without a first doc line \
         `{MARK} <why>`:\n  {}",
        found.missing.join("\n  ")
    );
}
