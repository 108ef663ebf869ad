//! Sending one request of a case, filling a path with one organization's ids, and comparing answers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::TINY_PNG;

use super::fields::holder;
use super::{DEX, Ids, World};

/// What an answer is, for comparing two: status, problem code and detail (a body that is not a problem
/// is compared whole).
pub(super) fn gist(status: StatusCode, body: &Value) -> (u16, Value) {
    let what = if body.get("code").is_some() {
        json!([body["code"], body["detail"], body["errors"]])
    } else {
        body.clone()
    };
    (status.as_u16(), what)
}

/// [`gist`] with the value sent written as `<id>`, for answers that name the value they were given.
pub(super) fn gist_sent(status: StatusCode, body: &Value, sent: &str) -> (u16, Value) {
    let (status, what) = gist(status, body);
    let text = what.to_string().replace(sent, "<id>");
    (status, serde_json::from_str(&text).unwrap_or(what))
}

/// Sends one request: JSON, multipart (a photo), raw PNG (an image) or DEX text, as the operation takes.
pub(super) async fn send(
    w: &World,
    m: &Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    as_machine: bool,
) -> (StatusCode, Value) {
    let mut req = w.app.client.request(m.clone(), w.app.url(path));
    req = if as_machine {
        req.header("x-api-key", token)
    } else {
        req.bearer_auth(token)
    };
    if path.ends_with("/image") && *m == Method::PUT {
        req = req.header("content-type", "image/png").body(TINY_PNG.to_vec());
    } else if path.ends_with("/photos") {
        let boundary = "tenancy-boundary";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nbefore\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(TINY_PNG);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        req = req
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(form);
    } else if path.contains("/gateway/dex") {
        req = req.header("content-type", "text/plain").body(DEX);
    } else if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A path with its parameters taken from `ids`; `{id}` by the collection the path belongs to.
pub(super) fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/api/v1/machines/") || path.starts_with("/api/v1/inventory/machine/") {
        &ids.machine
    } else if path.starts_with("/api/v1/locations/") {
        &ids.location
    } else if path.starts_with("/api/v1/warehouses/") {
        &ids.warehouse
    } else if path.starts_with("/api/v1/products/") {
        &ids.product
    } else if path.starts_with("/api/v1/categories/") {
        &ids.category
    } else if path.starts_with("/api/v1/planogram-templates/") {
        &ids.template
    } else if path.starts_with("/api/v1/tasks/") {
        &ids.task
    } else if path.starts_with("/api/v1/inventory/stocktakes/") {
        &ids.stocktake
    } else if path.starts_with("/api/v1/cash-collections/") {
        &ids.collection
    } else if path.starts_with("/api/v1/auth/sessions/") {
        &ids.session
    } else if path.starts_with("/api/v1/users/") {
        &ids.operator
    } else if path.starts_with("/api/v1/orders/") || path.starts_with("/api/v1/public/orders/") {
        &ids.order
    } else {
        panic!("no id kind for {path}: add it here")
    };
    path.replace("{id}", id)
        .replace("{key_id}", &ids.key_id)
        .replace("{slot}", &ids.slot)
        .replace("{photo_id}", &ids.photo)
}

/// The same path with every id replaced by one that exists nowhere (the slot stays: it names a place).
pub(super) fn fill_missing(path: &str) -> String {
    let none = Ids {
        machine: uuid::Uuid::now_v7().to_string(),
        location: uuid::Uuid::now_v7().to_string(),
        warehouse: uuid::Uuid::now_v7().to_string(),
        product: uuid::Uuid::now_v7().to_string(),
        category: uuid::Uuid::now_v7().to_string(),
        template: uuid::Uuid::now_v7().to_string(),
        task: uuid::Uuid::now_v7().to_string(),
        stocktake: uuid::Uuid::now_v7().to_string(),
        collection: uuid::Uuid::now_v7().to_string(),
        session: uuid::Uuid::now_v7().to_string(),
        operator: uuid::Uuid::now_v7().to_string(),
        key_id: uuid::Uuid::now_v7().to_string(),
        photo: uuid::Uuid::now_v7().to_string(),
        order: uuid::Uuid::now_v7().to_string(),
        slot: "A1".into(),
        ..Ids::default()
    };
    fill(path, &none)
}

/// A body whose id fields hold the caller's own ids, so that only the path's id can be the one not found.
pub(super) fn with_own_ids(mut body: Value, own: &Ids) -> Value {
    match &mut body {
        Value::Object(fields) => {
            for (name, value) in fields.iter_mut() {
                let id = match name.as_str() {
                    "product_id" => Some(own.product.clone()),
                    "machine_id" | "from_machine_id" => Some(own.machine.clone()),
                    "location_id" => Some(own.location.clone()),
                    "operator_id" | "assignee_id" => Some(own.operator.clone()),
                    "category_id" => Some(own.category.clone()),
                    "warehouse_id" => Some(own.warehouse.clone()),
                    "item_id" => Some(own.task_item.clone()),
                    "from_template_id" => Some(own.template.clone()),
                    "organization_id" => Some(own.org.clone()),
                    "slot" => Some(own.slot.clone()),
                    "holder" | "from" | "to" if value.is_string() => {
                        Some(holder("warehouse", &own.warehouse))
                    }
                    _ => None,
                };
                *value = match id {
                    Some(id) => Value::String(id),
                    None => with_own_ids(value.take(), own),
                };
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = with_own_ids(item.take(), own);
            }
        }
        _ => {}
    }
    body
}

/// (method, path, operation) of every operation with a parameter in its path, behind authentication.
/// Whether every path parameter of an operation is one of a closed set (an enum, such as a payment
/// provider's name): such a path names no record of an organization.
fn names_no_record(doc: &Value, op: &Value) -> bool {
    let resolve = |s: &Value| -> Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => doc
                .pointer(&r.trim_start_matches('#').replace("~1", "/"))
                .cloned()
                .unwrap_or(Value::Null),
            None => s.clone(),
        }
    };
    let params: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "path")
        .map(|p| resolve(&p["schema"]))
        .collect();
    !params.is_empty() && params.iter().all(|s| s.get("enum").is_some())
}

pub(super) fn path_operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || !path.contains('{') {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if op.get("x-permission") == Some(&json!("public")) || names_no_record(doc, op) {
                continue;
            }
            out.push((method.to_uppercase().parse().unwrap(), path.clone(), op.clone()));
        }
    }
    // Deletions last, so that the other operations still find what they look for.
    out.sort_by_key(|(m, ..)| *m == Method::DELETE);
    out
}
