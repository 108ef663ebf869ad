//! The finished document against the domain and the handlers: every closed set an enum, every published
//! schema named once, every operation with the problems it can answer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::enums::{Target, closed_sets};
use super::problems::{METHODS, expected_errors, is_webhook};

fn doc() -> Value {
    serde_json::to_value(crate::openapi_document()).unwrap()
}

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

/// The schema name each `ToSchema` derive publishes: `#[schema(as = X)]` or the type's name.
fn published_names(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending = false;
    let mut alias: Option<String> = None;
    for line in src.lines().map(str::trim) {
        if line.starts_with("#[derive(") && line.contains("ToSchema") {
            pending = true;
            alias = None;
        } else if pending && line.starts_with("#[schema(") && line.contains("as = ") {
            let rest = line.split("as = ").nth(1).unwrap_or_default();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            alias = name.rsplit("::").next().map(str::to_owned);
        } else if pending {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(i) = words.iter().position(|w| *w == "struct" || *w == "enum") {
                let ty: String = words[i + 1]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(alias.take().unwrap_or(ty));
                pending = false;
            }
        }
    }
    names
}

#[test]
fn no_two_rust_types_publish_the_same_schema_name() {
    // utoipa's components map keeps the last schema registered under a name, so the merged document
    // cannot show a collision: the derives in the source are what can.
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["http", "app", "domain"] {
        rust_files(&crates.join(krate).join("src"), &mut files);
    }
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        for name in published_names(&src) {
            seen.entry(name).or_default().push(file.display().to_string());
        }
    }
    let dupes: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(
        dupes.is_empty(),
        "schema names published by more than one type: {dupes:#?}"
    );
    assert!(
        seen.contains_key("CreateTaskBody") && seen.contains_key("Problem"),
        "{seen:?}"
    );
}

#[test]
fn the_alias_of_a_derive_is_the_published_name() {
    let src = "#[derive(Deserialize, ToSchema)]\n#[schema(as = tasks::CreateTaskBody)]\npub struct CreateBody {}\n#[derive(ToSchema)]\nenum Kind { A }";
    assert_eq!(published_names(src), ["CreateTaskBody", "Kind"]);
}

#[test]
fn closed_sets_are_enums_of_exactly_the_domain_values() {
    let doc = doc();
    for (target, values) in closed_sets() {
        let schema = match target {
            Target::Field(s, f) => doc
                .pointer(&format!("/components/schemas/{s}/properties/{f}"))
                .cloned(),
            Target::Items(s, f) => doc
                .pointer(&format!("/components/schemas/{s}/properties/{f}/items"))
                .cloned(),
            Target::Query(p, q) => doc
                .pointer(&format!("/paths/{}/get/parameters", p.replace('/', "~1")))
                .and_then(Value::as_array)
                .and_then(|ps| ps.iter().find(|x| x["in"] == "query" && x["name"] == q))
                .map(|x| x["schema"].clone()),
            Target::Variant(s, f) => doc
                .pointer(&format!("/components/schemas/{s}/oneOf"))
                .and_then(Value::as_array)
                .and_then(|vs| vs.iter().find_map(|v| v.pointer(&format!("/properties/{f}"))))
                .cloned(),
        };
        let schema = schema.unwrap_or_else(|| panic!("{target:?} is not in the document"));
        let got: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{target:?} is not an enum: {schema}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(got, values, "{target:?}");
    }
}

/// Names that, in this API, always hold a closed set.
const CLOSED_NAMES: &[&str] = &[
    "status",
    "kind",
    "type",
    "basis",
    "payment_method",
    "role",
    "language",
    "unit",
    "contract_type",
    "priority",
    "task_type",
    "machine_type",
    "category",
    "token_type",
    "outcome",
    "source",
];
/// Where such a name holds free text: a person's reason, a problem's type URI.
/// A provider call's outcome is `ok` or that provider's own error code (Payme -31050, Click -9, Uzum 10008).
const FREE: &[&str] = &[
    "ReasonBody.reason",
    "OptionalReasonBody.reason",
    "Problem.type",
    "ProviderCall.outcome",
];

fn plain_strings(schema: &Value, at: &str, out: &mut Vec<String>) {
    for (name, p) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let is_string = p["type"] == "string" || p["type"] == serde_json::json!(["string", "null"]);
        if is_string && p.get("enum").is_none() && CLOSED_NAMES.contains(&name.as_str()) {
            out.push(format!("{at}.{name}"));
        }
        plain_strings(p, &format!("{at}.{name}"), out);
        plain_strings(&p["items"], &format!("{at}.{name}[]"), out);
    }
    for v in schema
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        plain_strings(v, at, out);
    }
}

#[test]
fn no_closed_set_is_left_a_plain_string() {
    let doc = doc();
    let mut found = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        plain_strings(schema, name, &mut found);
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for p in item
            .pointer("/get/parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = p["name"].as_str().unwrap_or_default();
            if p["in"] == "query" && CLOSED_NAMES.contains(&name) && p["schema"].get("enum").is_none() {
                found.push(format!("GET {path}?{name}"));
            }
        }
    }
    found.retain(|f| !FREE.contains(&f.as_str()));
    assert!(
        found.is_empty(),
        "closed sets documented as plain strings: {found:?}"
    );
}

#[test]
fn every_code_the_edge_writes_is_documented() {
    let all = crate::problem::all_codes();
    let mut files = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    rust_files(&src, &mut files);
    let mut missing = Vec::new();
    // The admin panel answers pages, not problem+json: its `invalid("field", …)` names form fields.
    let panel = src.join("web");
    for f in files.into_iter().filter(|f| !f.starts_with(&panel)) {
        let src = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if !(line.contains("Problem::new(") || line.contains("invalid(\"")) {
                continue;
            }
            for next in &lines[n..(n + 4).min(lines.len())] {
                for lit in next.split('"').skip(1).step_by(2) {
                    let is_code = !lit.is_empty()
                        && lit.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        && lit.contains('_');
                    if is_code && !all.contains(&lit) {
                        missing.push(format!("{}:{}: {lit}", f.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "codes written but not documented: {missing:?}"
    );
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md")).unwrap();
    let undocumented: Vec<_> = all.iter().filter(|c| !docs.contains(&format!("`{c}`"))).collect();
    assert!(
        undocumented.is_empty(),
        "codes missing from docs/errors.md: {undocumented:?}"
    );
}

#[test]
fn every_path_id_is_a_uuid() {
    let doc = doc();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" && p["name"] == "id" {
                    assert_eq!(p["schema"]["format"], "uuid", "{path}");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 50, "{seen}");
}

#[test]
fn paged_lists_have_a_page_schema_whose_items_exist() {
    let doc = doc();
    let mut pages = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(ok) = item.pointer(&format!("/{method}/responses/200")) else {
                continue;
            };
            let Some(r) = ok
                .pointer("/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
            else {
                assert!(
                    !ok["description"].as_str().unwrap_or_default().contains("meta}"),
                    "{method} {path}"
                );
                continue;
            };
            let name = r.trim_start_matches("#/components/schemas/");
            let schema = &doc["components"]["schemas"][name];
            assert!(!schema.is_null(), "{method} {path}: {name} is missing");
            if let Some(items) = schema
                .pointer("/properties/data/items/$ref")
                .and_then(Value::as_str)
            {
                pages += 1;
                let item = items.trim_start_matches("#/components/schemas/");
                assert!(
                    !doc["components"]["schemas"][item].is_null(),
                    "{method} {path}: {item} is missing"
                );
                assert!(name.ends_with("Page"), "{name}");
            }
        }
    }
    assert!(pages >= 9, "{pages} paged lists");
    assert!(
        doc.pointer("/components/schemas/PageMeta/properties/total_pages")
            .is_some()
    );
}

#[test]
fn every_operation_lists_its_error_statuses_as_problem_json() {
    let doc = doc();
    assert!(doc.pointer("/components/schemas/Problem").is_some());
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            count += 1;
            let responses = op["responses"].as_object().unwrap();
            for status in expected_errors(path, op) {
                assert!(
                    responses.contains_key(&status.to_string()),
                    "{method} {path} lacks {status}"
                );
            }
            for (status, r) in responses {
                // A provider's answers in its own protocol (Uzum's 400) are the provider's format.
                let own =
                    is_webhook(op) && !expected_errors(path, op).iter().any(|e| e.to_string() == *status);
                if status.as_str() >= "400" && status.as_str() < "500" && !own {
                    let content = r["content"]
                        .as_object()
                        .unwrap_or_else(|| panic!("{method} {path} {status}"));
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        ["application/problem+json"],
                        "{method} {path} {status}"
                    );
                    assert_eq!(
                        content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert!(count > 50, "only {count} operations");
    // Spot checks of the facts: a body route, an id route, a permission route.
    let create_task = &doc["paths"]["/api/v1/tasks"]["post"]["responses"];
    for s in ["400", "401", "403", "413", "415", "429"] {
        assert!(create_task.get(s).is_some(), "POST /api/v1/tasks lacks {s}");
    }
    assert!(
        doc["paths"]["/health/live"]["get"]["responses"]
            .get("429")
            .is_none()
    );
}

#[test]
fn a_webhook_documents_its_provider_s_answers_and_no_problem_json() {
    let doc = doc();
    let uzum = &doc["paths"]["/api/v1/payments/uzum/{webhook}"]["post"];
    assert!(is_webhook(uzum));
    assert_eq!(
        uzum.pointer("/responses/400/content/application~1json/schema/$ref"),
        Some(&serde_json::json!("#/components/schemas/UzumError"))
    );
    // Body rejections are answered in the provider's protocol and `/api/v1/payments/` is not rate
    // limited (rate_limit.rs): no problem+json at all.
    for s in ["413", "429"] {
        assert!(uzum.pointer(&format!("/responses/{s}")).is_none(), "{s}");
    }
    assert!(
        uzum.pointer("/responses/404").is_none(),
        "no problem for a provider's path"
    );
    let click = &doc["paths"]["/api/v1/payments/click/{organization_slug}/complete"]["post"];
    assert!(is_webhook(click));
    assert!(click.pointer("/responses/400").is_none() && click.pointer("/responses/415").is_none());
}
