//! What the handlers' annotations cannot say alone, added to the merged OpenAPI document: the closed
//! sets of the domain as enums, and the problem+json answers every operation can give (from facts about
//! it: security, body, path and query parameters, permission, rate limit).

mod enums;
mod pages;
mod problems;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};
use utoipa::openapi::OpenApi;

pub use enums::{Target, closed_sets};
pub use problems::expected_errors;

use enums::{set_enum, target_schema};
use pages::add_pages;
use problems::add_problems;

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
