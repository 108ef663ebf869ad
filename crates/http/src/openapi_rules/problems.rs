//! The problem+json answers each operation can give, from facts about it (security, body, path and
//! query parameters, permission, rate limit).

use serde_json::{Map, Value, json};

pub(super) const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Whether a payment provider calls the operation (`x-webhook`, the provider's name): it answers in the
/// provider's own protocol (a body it cannot read included, and it is not rate limited), so the errors it
/// documents keep their own content and none is problem+json.
pub fn is_webhook(op: &Value) -> bool {
    op.get("x-webhook").is_some()
}

/// The error statuses an operation can answer, from facts about it.
pub fn expected_errors(path: &str, op: &Value) -> Vec<u16> {
    let mut s = Vec::new();
    // A provider's webhook (`x-webhook`: the provider) answers in that provider's protocol, never
    // problem+json, and is not rate limited (rate_limit.rs): it documents its own statuses.
    if op.get("x-webhook").is_some() {
        return s;
    }
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

pub(super) fn add_problems(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else { continue };
            let expected = expected_errors(path, op);
            let webhook = is_webhook(op);
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
                if webhook && r.contains_key("content") {
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
