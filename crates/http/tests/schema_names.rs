//! Every schema the OpenAPI document publishes has one name per Rust type. utoipa keeps components in a
//! map by name, so two types that publish the same name silently become one schema (a client generated
//! from the document then sends one type's fields to the other's route). This reads every type deriving
//! `ToSchema` in the workspace's sources and fails when two of them publish one name.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (published name, where) of each `ToSchema` type in `source`: the type's name, or its `as = …`.
fn published(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending = false;
    let mut alias: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[derive(") && line.contains("ToSchema") {
            pending = true;
            alias = None;
            continue;
        }
        if !pending {
            continue;
        }
        if line.starts_with("#[schema(") && line.contains("as =") {
            let rest = line.split("as =").nth(1).unwrap();
            let name: String = rest
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            alias = Some(name.rsplit("::").next().unwrap().to_owned());
            continue;
        }
        let item = line
            .strip_prefix("pub ")
            .unwrap_or(line)
            .trim_start_matches("(crate) ");
        if let Some(rest) = item
            .strip_prefix("struct ")
            .or_else(|| item.strip_prefix("enum "))
        {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(alias.take().unwrap_or(name));
            pending = false;
        }
    }
    names
}

#[test]
fn no_two_rust_types_publish_the_same_schema_name() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["domain", "app", "http"] {
        rust_files(&crates.join(krate).join("src"), &mut files);
    }
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for name in published(&source) {
            let at = file.strip_prefix(&crates).unwrap().display().to_string();
            seen.entry(name).or_default().push(at);
        }
    }
    assert!(seen.len() > 50, "the scan finds the schemas: {}", seen.len());
    let clashes: Vec<String> = seen
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(name, at)| format!("{name}: {}", at.join(", ")))
        .collect();
    assert!(
        clashes.is_empty(),
        "schema names published by more than one type: {clashes:#?}"
    );
}

#[test]
fn the_scan_sees_a_clash_and_an_alias() {
    let source = "#[derive(Deserialize, ToSchema)]\npub struct CreateBody {}\n\
                  #[derive(Serialize, utoipa::ToSchema)]\n#[schema(as = TaskView)]\nstruct View {}\n";
    assert_eq!(published(source), ["CreateBody", "TaskView"]);
}
