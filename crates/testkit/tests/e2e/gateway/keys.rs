//! Machine API keys: shown once, stored hashed, audited and revocable; missing, unknown, revoked and foreign keys refused.

use reqwest::Method;
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo, machine_id};

use super::{new_key, org_id, send_events, status_of};

#[tokio::test]
async fn api_keys_are_shown_once_stored_hashed_audited_and_revocable() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    assert!(key.starts_with("vhk_"), "{key}");
    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/machines/{m}/api-keys"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let listed = &list[0];
    assert!(
        listed.get("key").is_none(),
        "the secret is never listed: {listed}"
    );
    assert!(key.starts_with(listed["prefix"].as_str().unwrap()));
    assert_eq!(listed["last_used_at"], Value::Null);
    let org = org_id(&app, &t).await;
    let stored = app
        .app
        .db()
        .run({
            let m = m.clone();
            move |c| {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the test reads back its own organization's keys"
                )]
                let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
                vendhub_store::machine_keys::of_machine(c, &scope, &m)
            }
        })
        .await
        .unwrap();
    assert!(!stored[0].key_hash.contains(&key[20..]), "only a hash is kept");

    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "hb-1" }])).await;
    assert_eq!(status, 200);
    let (_, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/machines/{m}/api-keys"),
        &t,
        None,
    )
    .await;
    assert_ne!(list[0]["last_used_at"], Value::Null, "last use recorded: {list}");

    let key_id = list[0]["id"].as_str().unwrap();
    let (status, revoked) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/machines/{m}/api-keys/{key_id}"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{revoked}");
    assert_ne!(revoked["revoked_at"], Value::Null);
    let (status, body) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "hb-2" }])).await;
    assert_eq!(status, 401, "{body}");
    let (_, audit) = call(
        &app,
        Method::GET,
        "/api/v1/audit?entity_type=machine_api_key",
        &t,
        None,
    )
    .await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["machine_key.revoke", "machine_key.create"]);
    // Another machine's key id under this machine is not found.
    let other = machine_id(&app, &t, "VH-002").await;
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/machines/{other}/api-keys/{key_id}"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn missing_unknown_and_revoked_keys_are_401_and_another_machines_id_is_403() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let other = machine_id(&app, &t, "VH-002").await;
    let key = new_key(&app, &t, &m).await;
    let hb = json!([{ "type": "heartbeat", "id": "hb-1" }]);
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let forged = format!("{}{}", &key[..key.len() - 4], "0000");
    for bad in ["nonsense", "vhk_", "vhk_abc_def", forged.as_str()] {
        let (status, _) = send_events(&app, bad, &m, hb.clone()).await;
        assert_eq!(status, 401, "{bad}");
    }
    // A user's access token is not a machine key.
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .bearer_auth(&t)
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The bearer form of the machine key works too.
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .bearer_auth(&key)
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, body) = send_events(&app, &key, &other, hb.clone()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        status_of(&app, &t, &other).await["last_seen_at"],
        Value::Null,
        "nothing written"
    );
}
