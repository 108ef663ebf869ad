//! What the handlers' annotations cannot say alone, added to the merged OpenAPI document: the closed
//! sets of the domain as enums, and the problem+json answers every operation can give (from facts about
//! it: security, body, path and query parameters, permission, rate limit).

use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use vendhub_domain::dex::DeltaBasis;
use vendhub_domain::machine::MachineStatus;
use vendhub_domain::roles::Role;
use vendhub_domain::stock::{MovementKind, WriteOffReason};
use vendhub_domain::tasks::{PhotoCategory, Priority, TaskStatus, TaskType};

/// Where a closed set applies: a property of a component schema, or a query parameter of a path.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Field(&'static str, &'static str),
    /// The items of an array property.
    Items(&'static str, &'static str),
    Query(&'static str, &'static str),
    /// A property of whichever `oneOf` variant of a component schema has it.
    Variant(&'static str, &'static str),
}

/// Every closed set the document declares, with its values taken from the Rust code.
pub fn closed_sets() -> Vec<(Target, Vec<&'static str>)> {
    use Target::{Field, Items, Query, Variant};
    let task_types: Vec<_> = TaskType::ALL.iter().map(|t| t.as_str()).collect();
    let priorities: Vec<_> = Priority::ALL.iter().map(|t| t.as_str()).collect();
    let task_statuses: Vec<_> = TaskStatus::ALL.iter().map(|t| t.as_str()).collect();
    let roles: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let kinds: Vec<_> = MovementKind::ALL.iter().map(|k| k.as_str()).collect();
    let machine_types = vendhub_app::machines::TYPES.to_vec();
    let machine_statuses: Vec<_> = MachineStatus::ALL.iter().map(|s| s.as_str()).collect();
    let settable: Vec<_> = MachineStatus::SETTABLE.iter().map(|s| s.as_str()).collect();
    let payments = vendhub_app::machines::PAYMENTS.to_vec();
    let photos: Vec<_> = PhotoCategory::ALL.iter().map(|c| c.as_str()).collect();
    let write_offs: Vec<_> = WriteOffReason::ALL.iter().map(|r| r.as_str()).collect();
    vec![
        (Field("CreateTaskBody", "task_type"), task_types.clone()),
        (Field("CreateTaskBody", "priority"), priorities.clone()),
        (Field("TaskView", "task_type"), task_types.clone()),
        (Field("TaskView", "priority"), priorities.clone()),
        (Field("TaskView", "status"), task_statuses.clone()),
        (Query("/api/v1/tasks", "task_type"), task_types.clone()),
        (Query("/api/v1/tasks", "priority"), priorities.clone()),
        (Query("/api/v1/tasks", "status"), task_statuses.clone()),
        (Query("/api/v1/tasks/my", "task_type"), task_types),
        (Query("/api/v1/tasks/my", "priority"), priorities),
        (Query("/api/v1/tasks/my", "status"), task_statuses),
        (Field("PhotoForm", "category"), photos.clone()),
        (Field("PhotoView", "category"), photos),
        (Field("MachineBody", "status"), settable),
        (Field("MapPoint", "status"), machine_statuses.clone()),
        (Query("/api/v1/machines", "status"), machine_statuses.clone()),
        (Items("MachineView", "accepted_payments"), payments.clone()),
        (Items("MachineBody", "accepted_payments"), payments),
        (Field("WriteOffBody", "reason"), write_offs),
        (Query("/api/v1/inventory/movements", "kind"), kinds.clone()),
        (Field("MachineView", "machine_type"), machine_types.clone()),
        (Field("MachineBody", "machine_type"), machine_types),
        (Field("MachineView", "status"), machine_statuses),
        (Field("Member", "role"), roles.clone()),
        (Field("UserView", "role"), roles.clone()),
        (Field("CreateUserBody", "role"), roles.clone()),
        (Field("PatchBody", "role"), roles.clone()),
        (Field("InviteBody", "role"), roles.clone()),
        (Field("InviteView", "role"), roles.clone()),
        (Field("OrganizationView", "role"), roles),
        (Field("MovementView", "kind"), kinds),
        (
            Query("/api/v1/machines", "type"),
            vendhub_app::machines::TYPES.to_vec(),
        ),
        (
            Field("Member", "status"),
            vendhub_app::users::MEMBER_STATUSES.to_vec(),
        ),
        (
            Field("StocktakeView", "status"),
            vendhub_app::stocktakes::STATUSES.to_vec(),
        ),
        (
            Field("EventOutcome", "status"),
            vendhub_app::gateway::events::OUTCOMES.to_vec(),
        ),
        (
            Variant("GatewayEvent", "payment_method"),
            vendhub_app::gateway::events::PAYMENT_METHODS.to_vec(),
        ),
        (
            Field("DexSale", "basis"),
            DeltaBasis::ALL.iter().map(|b| b.as_str()).collect(),
        ),
        (
            Field("LocationBody", "contract_type"),
            vendhub_app::locations::CONTRACT_TYPES.to_vec(),
        ),
        (
            Field("LocationView", "contract_type"),
            vendhub_app::locations::CONTRACT_TYPES.to_vec(),
        ),
        (
            Field("ProductBody", "unit"),
            vendhub_app::products::UNITS.to_vec(),
        ),
        (
            Field("ProductView", "unit"),
            vendhub_app::products::UNITS.to_vec(),
        ),
        (
            Field("OrganizationBody", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("OrganizationView", "language"),
            vendhub_app::organizations::LANGUAGES.to_vec(),
        ),
        (
            Field("TokenPair", "token_type"),
            vec![vendhub_app::auth::login::TOKEN_TYPE],
        ),
    ]
}

/// The merged document with closed sets and problem answers added.
pub fn finish(doc: OpenApi) -> OpenApi {
    let Ok(mut v) = serde_json::to_value(&doc) else {
        return doc;
    };
    for (target, values) in closed_sets() {
        if let Some(schema) = target_schema(&mut v, target) {
            set_enum(schema, &values);
        }
    }
    add_problems(&mut v);
    add_pages(&mut v);
    uuid_path_ids(&mut v);
    // An audit record's before/after are whatever the change recorded: an object, a list, or nothing.
    for side in ["before", "after"] {
        if let Some(p) = v.pointer_mut(&format!("/components/schemas/AuditEntry/properties/{side}")) {
            *p = json!({ "type": ["object", "array", "null"] });
        }
    }
    match serde_json::from_value(v) {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(error = %e, "the finished OpenAPI document does not parse; serving it unfinished");
            doc
        }
    }
}

/// Every `{id}` in a path is an entity's UUID (a value that is not one answers 400, `invalid_path`).
fn uuid_path_ids(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if !path.contains("{id}") {
            continue;
        }
        for op in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            for p in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if p["in"] == "path" && p["name"] == "id" {
                    p["schema"] = json!({ "type": "string", "format": "uuid" });
                }
            }
        }
    }
}

fn target_schema(doc: &mut Value, target: Target) -> Option<&mut Value> {
    match target {
        Target::Field(schema, field) => {
            doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}"))
        }
        Target::Items(schema, field) => {
            doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}/items"))
        }
        Target::Query(path, param) => doc
            .pointer_mut(&format!("/paths/{}/get/parameters", path.replace('/', "~1")))?
            .as_array_mut()?
            .iter_mut()
            .find(|p| p["in"] == "query" && p["name"] == param)?
            .get_mut("schema"),
        Target::Variant(schema, field) => doc
            .pointer_mut(&format!("/components/schemas/{schema}/oneOf"))?
            .as_array_mut()?
            .iter_mut()
            .find_map(|v| v.pointer_mut(&format!("/properties/{field}"))),
    }
}

/// Turns a string schema (possibly nullable) into an enum of `values`, keeping its description.
fn set_enum(schema: &mut Value, values: &[&str]) {
    let Some(obj) = schema.as_object_mut() else { return };
    let nullable = obj
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x == "null"));
    let mut list: Vec<Value> = values.iter().map(|s| json!(s)).collect();
    if nullable {
        list.push(Value::Null);
    }
    obj.insert("enum".into(), Value::Array(list));
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The error statuses an operation can answer, from facts about it.
pub fn expected_errors(path: &str, op: &Value) -> Vec<u16> {
    let mut s = Vec::new();
    let params = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
    let has_body = op.get("requestBody").is_some();
    if has_body || params.iter().any(|p| p["in"] == "query") {
        s.push(400);
    }
    let secured = op["security"]
        .as_array()
        .is_some_and(|reqs| reqs.iter().any(|r| r.as_object().is_some_and(|o| !o.is_empty())));
    if secured {
        s.push(401);
    }
    if op.get("x-permission").is_some() {
        s.push(403);
    }
    if params.iter().any(|p| p["in"] == "path") {
        // A path value that does not parse is 400 `invalid_path` (params.rs); one that names nothing in
        // the caller's organization is 404.
        s.push(400);
        s.push(404);
    }
    if has_body {
        s.push(413);
        if op.pointer("/requestBody/content/application~1json").is_some() {
            s.push(415);
        }
    }
    // The rate limiter (rate_limit.rs) answers on every route but health, metrics and the docs.
    if path.starts_with("/api/") {
        s.push(429);
    }
    s
}

fn problem_content() -> Value {
    json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } })
}

fn reason(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

fn add_problems(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else { continue };
            let expected = expected_errors(path, op);
            let Some(responses) = op
                .as_object_mut()
                .map(|o| o.entry("responses").or_insert_with(|| Value::Object(Map::new())))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for status in expected {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| json!({ "description": reason(status) }));
            }
            for (status, response) in responses.iter_mut() {
                // 4xx are problems; a 5xx keeps what its route documents, and health's 503 is its own
                // report in JSON (CONTRACT section 3), not a problem.
                let Some(r) = response.as_object_mut() else {
                    continue;
                };
                if status.len() != 3 || status.as_str() < "400" {
                    continue;
                }
                if status.as_str() < "500" {
                    r.insert("content".into(), problem_content());
                } else if path.starts_with("/health") && !r.contains_key("content") {
                    r.insert(
                        "content".into(),
                        json!({ "application/json": { "schema": { "type": "object" } } }),
                    );
                }
            }
        }
    }
}

/// The item type of a paged list response described as `` `{data: [Item], meta}` ``.
fn paged_item(description: &str) -> Option<&str> {
    description.strip_prefix("`{data: [")?.strip_suffix("], meta}`")
}

/// Success answers described only as `` `{data: [Item], meta}` `` get an `ItemPage` schema.
fn add_pages(doc: &mut Value) {
    let Ok(meta) = serde_json::to_value(<vendhub_app::paging::PageMeta as utoipa::PartialSchema>::schema())
    else {
        return;
    };
    let mut pages = Map::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(ok) = item.pointer_mut(&format!("/{method}/responses/200")) else {
                    continue;
                };
                let Some(name) = ok["description"].as_str().and_then(paged_item).map(str::to_owned) else {
                    continue;
                };
                let page = format!("{name}Page");
                pages.insert(
                    page.clone(),
                    json!({
                        "type": "object",
                        "required": ["data", "meta"],
                        "properties": {
                            "data": { "type": "array", "items": { "$ref": format!("#/components/schemas/{name}") } },
                            "meta": { "$ref": "#/components/schemas/PageMeta" },
                        },
                    }),
                );
                ok["content"] = json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{page}") } } });
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.entry("PageMeta").or_insert(meta);
        schemas.extend(pages);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    use super::{METHODS, Target, closed_sets, expected_errors};

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
    const FREE: &[&str] = &["ReasonBody.reason", "OptionalReasonBody.reason", "Problem.type"];

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
        rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut missing = Vec::new();
        for f in files {
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
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md"))
                .unwrap();
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
                    if status.as_str() >= "400" && status.as_str() < "500" {
                        let content = r["content"]
                            .as_object()
                            .unwrap_or_else(|| panic!("{method} {path} {status}"));
                        assert_eq!(
                            content.keys().collect::<Vec<_>>(),
                            ["application/problem+json"],
                            "{method} {path} {status}"
                        );
                        assert_eq!(
                            content["application/problem+json"]["schema"]["$ref"],
                            "#/components/schemas/Problem",
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
}
