//! Contract tests that walk the OpenAPI document, so routes added later are covered without anyone
//! remembering to: every route says who may call it, every role gets exactly what DOMAIN.md allows,
//! and every operation documents what it answers. (Tenancy of every id a request carries: `tenancy.rs`.)

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_domain::roles::{Permission, Role};
use vendhub_testkit::api::{login, text_everywhere, valid_value};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const PASSWORD: &str = "contract-pass-2026";

/// (method, path template, x-permission) of every operation under /api/v1.
async fn operations(app: &TestApp) -> Vec<(Method, String, String)> {
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let permission = op
                .get("x-permission")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            ops.push((m, path.clone(), permission));
        }
    }
    // Deleting the organization comes last.
    ops.sort_by_key(|(m, p, _)| *m == Method::DELETE && p.ends_with("/organizations/current"));
    ops
}

fn permission(name: &str) -> Option<Permission> {
    serde_json::from_value(json!(name)).ok()
}

async fn send(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if matches!(*method, Method::POST | Method::PATCH | Method::PUT) {
        req = req.json(&json!({}));
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn fill(path: &str, id: &str) -> String {
    path.replace("{id}", id)
}

#[tokio::test]
async fn every_api_route_says_who_may_call_it() {
    let app = TestApp::spawn().await;
    let ops = operations(&app).await;
    assert!(ops.len() >= 25, "the document lists the API: {}", ops.len());
    for (m, path, p) in &ops {
        let known = matches!(p.as_str(), "public" | "authenticated" | "owner") || permission(p).is_some();
        assert!(known, "{m} {path} has no (or an unknown) x-permission: {p:?}");
    }
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::now_v7().to_string();
    for (m, path, _) in operations(&app).await {
        let (_, body) = send(&app, &m, &fill(&path, &id), None).await;
        assert_ne!(
            body["detail"], "no such route",
            "{m} {path} is documented but not served"
        );
    }
}

#[tokio::test]
async fn each_role_gets_exactly_what_domain_md_allows() {
    // A request per role and route from one address: the general limit is not what this test is about.
    let app = TestApp::builder()
        .env("RATE_LIMIT_LIMIT", "1000000")
        .spawn()
        .await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let mut tokens = vec![(
        Role::Owner,
        owner.clone(),
        (OWNER_EMAIL.to_owned(), OWNER_PASSWORD.to_owned()),
    )];
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Owner) {
        let email = format!("{}@matrix.test", role.as_str());
        let res = app
            .client
            .post(app.url("/api/v1/users"))
            .bearer_auth(&owner)
            .json(&json!({ "email": email, "full_name": "Matrix", "password": PASSWORD, "role": role.as_str() }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        tokens.push((
            role,
            login(&app, &email, PASSWORD).await,
            (email.clone(), PASSWORD.to_owned()),
        ));
    }
    let missing = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for (m, path, p) in operations(&app).await {
        if p == "public" {
            continue;
        }
        let (status, _) = send(&app, &m, &fill(&path, &missing), None).await;
        assert_eq!(status, 401, "{m} {path} without a token");
        // The owner last: an allowed destructive call (deleting the organization) must not end the others' turn.
        for (role, token, (email, password)) in tokens.iter().rev() {
            // Logging out ends the session it is called with: use a session of its own.
            let token = if path.ends_with("/logout") {
                login(&app, email, password).await
            } else {
                token.clone()
            };
            let token = &token;
            let allowed = match p.as_str() {
                "authenticated" => true,
                "owner" => *role == Role::Owner,
                other => role.can(permission(other).unwrap()),
            };
            let (status, body) = send(&app, &m, &fill(&path, &missing), Some(token)).await;
            if allowed {
                assert!(
                    status != 403 && status != 401,
                    "{role:?} may {m} {path}, got {status}: {body}"
                );
            } else {
                assert_eq!(status, 403, "{role:?} may not {m} {path}: {body}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[tokio::test]
async fn injection_strings_in_every_text_field_never_break_a_route() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let payloads = [
        "' OR '1'='1'; DROP TABLE users; --",
        "<script>alert(document.cookie)</script>",
        "\u{0000}\u{202e}../../etc/passwd",
        &"x".repeat(5000),
    ];
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            if path.ends_with("/logout") {
                continue;
            }
            for p in payloads {
                let body = text_everywhere(&doc, schema, p);
                let m: Method = method.to_uppercase().parse().unwrap();
                let res = app
                    .client
                    .request(m, app.url(&fill(path, &id)))
                    .bearer_auth(&owner)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                assert!(status < 500, "{method} {path} answered {status} to {p:?}");
                checked += 1;
            }
        }
    }
    // The same strings as ids in paths and as query values.
    for (m, path, _) in operations(&app).await {
        if path.ends_with("/logout") || (m == Method::DELETE && !path.contains("{id}")) {
            continue;
        }
        for p in payloads {
            let encoded: String = url::form_urlencoded::byte_serialize(p.as_bytes()).collect();
            let url = format!("{}?action={encoded}&page=1", fill(&path, &encoded));
            let mut req = app.client.request(m.clone(), app.url(&url)).bearer_auth(&owner);
            if matches!(m, Method::POST | Method::PATCH) {
                req = req.json(&json!({}));
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert!(status < 500, "{m} {path} answered {status} with {p:?} in the URL");
            checked += 1;
        }
    }
    assert!(checked >= 100, "{checked}");
    // The owner can still sign in and the tables answer.
    let again = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let res = app
        .client
        .get(app.url("/api/v1/users"))
        .bearer_auth(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[test]
fn api_routes_are_only_registered_through_the_openapi_router() {
    // A route added with plain `.route(` would be served but missing from /openapi.json. Areas split
    // into a folder (`api/tasks/`) are read file by file too.
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../http/src/api"
    ))];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains(".route("),
                "{} registers a route outside OpenApiRouter::routes",
                path.display()
            );
            files += 1;
        }
    }
    assert!(files >= 5);
}

#[tokio::test]
async fn every_operation_documents_its_error_answers_as_problem_json() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method.parse::<Method>().is_err() || !op.is_object() {
                continue;
            }
            let responses = op["responses"].as_object().unwrap();
            // A provider's webhook (`x-webhook`) answers in the provider's own protocol, never problem+json.
            if op.get("x-webhook").is_some() {
                assert!(
                    responses
                        .values()
                        .all(|r| r.pointer("/content/application~1problem+json").is_none()),
                    "{method} {path}: a webhook documents no problem answers"
                );
                continue;
            }
            let has = |s: &str| responses.contains_key(s);
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            // A payment provider's webhook answers in the provider's protocol: only the edge's own
            // refusals (body too large, rate limit) are problems.
            let webhook = op.get("x-webhook").is_some();
            let mut expected = Vec::new();
            if webhook {
                if op.get("requestBody").is_some() {
                    expected.push("413");
                }
                expected.push("429");
            } else if secured {
                expected.push("401");
            }
            if let Some(body) = op.get("requestBody").filter(|_| !webhook) {
                expected.push("413");
                let content = &body["content"];
                if content.get("application/json").is_some() {
                    expected.extend(["400", "415"]);
                }
                if content.get("multipart/form-data").is_some() {
                    expected.push("400");
                }
            }
            if !webhook && params.iter().any(|p| p["in"] == "path") {
                expected.push("404");
            }
            if !webhook && params.iter().any(|p| p["in"] == "query") {
                expected.push("400");
            }
            if !webhook && path.starts_with("/api/v1/") {
                expected.push("429");
            }
            for status in &expected {
                assert!(has(status), "{method} {path} does not document {status}");
            }
            for (status, response) in responses {
                // 4xx are problems; health's 503 is its own JSON report (CONTRACT section 3).
                if !status.starts_with('4') || (webhook && !expected.contains(&status.as_str())) {
                    continue;
                }
                let content = response["content"].as_object();
                let keys: Vec<&String> = content.map(|c| c.keys().collect()).unwrap_or_default();
                assert_eq!(keys, ["application/problem+json"], "{method} {path} {status}");
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 60, "operations checked: {checked}");
}

#[tokio::test]
async fn a_body_made_from_the_documented_schema_gets_past_deserialization() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let mut refused = Vec::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            let body = valid_value(&doc, schema, 0);
            let m: Method = method.to_uppercase().parse().unwrap();
            let res = app
                .client
                .request(m, app.url(&fill(path, &id)))
                .bearer_auth(&owner)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let answer: Value = res.json().await.unwrap_or(Value::Null);
            if answer["code"] == "malformed_body" {
                refused.push(format!("{method} {path} {body}: {}", answer["detail"]));
            }
            checked += 1;
            assert!(status.as_u16() < 500, "{method} {path} answered {status}");
        }
    }
    assert!(checked >= 20, "{checked}");
    assert!(
        refused.is_empty(),
        "documented bodies the server cannot read:\n{}",
        refused.join("\n")
    );
}
