//! `ItemPage` schemas for the paged lists that handlers describe as `` `{data: [Item], meta}` ``.

use serde_json::{Map, Value, json};

use super::problems::METHODS;

/// The item type of a paged list response described as `` `{data: [Item], meta}` ``.
fn paged_item(description: &str) -> Option<&str> {
    description.strip_prefix("`{data: [")?.strip_suffix("], meta}`")
}

/// Success answers described only as `` `{data: [Item], meta}` `` get an `ItemPage` schema.
pub(super) fn add_pages(doc: &mut Value) {
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
