//! Socket.IO at `/socket.io/` with a real client: the handshake's token, subscriptions to a machine or
//! the organization, the events they receive, and delivery across replicas through Redis.

use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::Payload;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use vendhub_app::ports::DomainEvent;
use vendhub_testkit::api::{an_operator, login, other_organization};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const WAIT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "another-long-password";

/// A connected Socket.IO client and the events it has received, in order.
struct Socket {
    client: Client,
    events: mpsc::UnboundedReceiver<(String, Value)>,
}

fn first_value(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if !values.is_empty() => values.swap_remove(0),
        #[expect(deprecated, reason = "older servers answer in this form")]
        Payload::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        _ => Value::Null,
    }
}

/// An acknowledgement's first argument (this client hands over the packet's whole argument list).
fn ack_value(payload: Payload) -> Value {
    match first_value(payload) {
        Value::Array(mut args) if !args.is_empty() => args.swap_remove(0),
        other => other,
    }
}

/// Connects with `auth` as the handshake's auth object; `Err` carries the server's refusal.
async fn connect(app: &TestApp, auth: Value) -> Result<Socket, String> {
    let (tx, events) = mpsc::unbounded_channel();
    let (status_tx, mut status) = mpsc::unbounded_channel::<Result<(), String>>();
    let error_tx = status_tx.clone();
    let client = ClientBuilder::new(app.url("/"))
        .auth(auth)
        .reconnect(false)
        .on("open", move |_, _| {
            let _ = status_tx.send(Ok(()));
            async {}.boxed()
        })
        .on("error", move |p, _| {
            let _ = error_tx.send(Err(format!("{:?}", first_value(p))));
            async {}.boxed()
        })
        .on_any(move |event, payload, _| {
            let _ = tx.send((String::from(event), first_value(payload)));
            async {}.boxed()
        })
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(WAIT, status.recv()).await {
        Ok(Some(Ok(()))) => Ok(Socket { client, events }),
        Ok(Some(Err(refusal))) => Err(refusal),
        _ => Err("no answer to the handshake".into()),
    }
}

async fn connect_with(app: &TestApp, token: &str) -> Socket {
    connect(app, json!({ "token": token })).await.unwrap()
}

impl Socket {
    /// Emits `event` and waits for the server's acknowledgement.
    async fn ask(&self, event: &str, body: Value) -> Value {
        let (tx, mut rx) = mpsc::unbounded_channel();
        self.client
            .emit_with_ack(event, body, WAIT, move |p, _| {
                let _ = tx.send(ack_value(p));
                async {}.boxed()
            })
            .await
            .unwrap();
        tokio::time::timeout(WAIT, rx.recv()).await.unwrap().unwrap()
    }

    async fn subscribe(&self, body: Value) -> Value {
        self.ask("subscribe", body).await
    }

    /// The events received until one whose payload has `"marker": marker` (which ends the list and is
    /// left out of it).
    async fn until(&mut self, marker: &str) -> Vec<(String, Value)> {
        let mut got = Vec::new();
        loop {
            let (name, payload) = tokio::time::timeout(WAIT, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no marker {marker}; received {got:?}"))
                .unwrap();
            if payload["marker"] == marker {
                return got;
            }
            got.push((name, payload));
        }
    }
}

fn event(name: &str, org: &str, machine: Option<&str>, payload: Value) -> DomainEvent {
    DomainEvent {
        name: name.into(),
        organization_id: org.into(),
        machine_id: machine.map(str::to_owned),
        payload,
    }
}

async fn publish(app: &TestApp, e: DomainEvent) {
    app.app.bus().publish(&e).await.unwrap();
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "GET {path}: {}", res.status());
    res.json().await.unwrap()
}

/// The demo fleet's organization: the owner's token, its id, and two of its machines' ids.
struct Fleet {
    token: String,
    org: String,
    machines: Vec<String>,
}

async fn demo_fleet(app: &TestApp) -> Fleet {
    vendhub_app::demo::seed(&app.app).await.unwrap();
    fleet_of(app).await
}

async fn fleet_of(app: &TestApp) -> Fleet {
    let token = login(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let me = get(app, "/api/v1/auth/me", &token).await;
    let list = get(app, "/api/v1/machines?limit=100", &token).await;
    let machines = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    Fleet {
        token,
        org: me["organization_id"].as_str().unwrap().to_owned(),
        machines,
    }
}

/// Unloads a demo slot until it crosses the low-stock level; returns the machine's id.
async fn make_a_slot_low(app: &TestApp, token: &str) -> String {
    let operator = an_operator(app, token).await;
    let list = get(app, "/api/v1/machines?limit=100", token).await;
    for m in list["data"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        let inv = get(app, &format!("/api/v1/machines/{id}/inventory"), token).await;
        let Some(slot) = inv
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["quantity"].as_i64().unwrap() >= 4)
        else {
            continue;
        };
        // Down to 2 of par 10: below the 30% low-stock level.
        let res = app
            .client
            .post(app.url("/api/v1/inventory/transfers"))
            .bearer_auth(token)
            .json(&json!({
                "product_id": slot["product_id"],
                "from": format!("slot:{id}:{}", slot["slot"].as_str().unwrap()),
                "to": format!("operator:{operator}"),
                "quantity": slot["quantity"].as_i64().unwrap() - 2,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        return id.to_owned();
    }
    panic!("no demo slot has 4 units");
}

#[tokio::test]
async fn a_missing_bad_or_revoked_token_is_refused_at_connect() {
    let app = TestApp::spawn().await;
    let token = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    for auth in [
        json!({}),
        json!({ "token": "not-a-token" }),
        json!({ "token": 42 }),
    ] {
        let refused = connect(&app, auth.clone()).await.err();
        assert!(
            refused.as_deref().is_some_and(|r| r.contains("unauthorized")),
            "{auth}: {refused:?}"
        );
    }
    // A good token is admitted; once its session is ended it is not.
    drop(connect_with(&app, &token).await);
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let refused = connect(&app, json!({ "token": token })).await.err();
    assert!(refused.is_some_and(|r| r.contains("unauthorized")));
}

#[tokio::test]
async fn a_foreign_machine_or_a_malformed_subscription_is_refused_and_not_joined() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (b_org, b_token) = other_organization(&app, "other", PASSWORD).await;
    let (status, own) = vendhub_testkit::api::post(
        &app,
        "/api/v1/machines",
        &b_token,
        json!({ "number": "OT-001", "name": "Own", "machine_type": "snack" }),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    let own = own["id"].as_str().unwrap().to_owned();
    let mut b = connect_with(&app, &b_token).await;
    let foreign = a.machines[0].as_str();
    let refused = b.subscribe(json!({ "machine_id": foreign })).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["error"]["code"], "not_found");
    let refused = b.subscribe(json!({ "machine_id": "VH-001" })).await;
    assert_eq!(refused["error"]["code"], "invalid_subscription", "{refused}");
    let refused = b.subscribe(json!({ "organization": false })).await;
    assert_eq!(refused["error"]["code"], "invalid_subscription", "{refused}");
    // Not joined: B holds only its own machine's room. The foreign machine's events go out both in
    // A's organization and in the room a refused subscription would have joined (named within B's),
    // then a control event of B's own machine, which must arrive, and alone: the bus keeps order, so
    // anything of the foreign machine would have come before it.
    let ok = b.subscribe(json!({ "machine_id": own })).await;
    assert_eq!(ok["ok"], true, "{ok}");
    for org in [a.org.as_str(), b_org.as_str()] {
        publish(
            &app,
            event(
                "machine:status",
                org,
                Some(foreign),
                json!({ "status": "offline" }),
            ),
        )
        .await;
    }
    publish(
        &app,
        event(
            "machine:status",
            &b_org,
            Some(&own),
            json!({ "status": "online", "marker": "own" }),
        ),
    )
    .await;
    let got = b.until("own").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["subscribe:error"; 3], "{got:?}");
    assert_eq!(got[0].1["code"], "not_found");
    // A check that something does not happen: the order above already proves it, this short pause
    // only gives a stray late event the chance to show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        b.events.try_recv().is_err(),
        "nothing of the foreign machine after the control event"
    );
}

#[tokio::test]
async fn a_machine_subscription_receives_its_machines_events_only() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (m1, m2) = (a.machines[0].as_str(), a.machines[1].as_str());
    let mut s = connect_with(&app, &a.token).await;
    let ok = s.subscribe(json!({ "machine_id": m1 })).await;
    let room = format!("org:{}:machine:{m1}", a.org);
    assert_eq!(ok, json!({ "ok": true, "room": room }));
    let org = a.org.as_str();
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "offline" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", org, Some(m2), json!({ "status": "offline" })),
    )
    .await;
    publish(
        &app,
        event("order:created", org, None, json!({ "order_id": "o-1" })),
    )
    .await;
    publish(
        &app,
        event("machine:telemetry", org, Some(m1), json!({ "temperature": 4.5 })),
    )
    .await;
    publish(&app, event("inventory:changed", org, Some(m1), json!({}))).await;
    publish(
        &app,
        event("task:updated", org, Some(m1), json!({ "task_id": "t-1" })),
    )
    .await;
    publish(
        &app,
        event("task:updated", org, Some(m1), json!({ "marker": "end" })),
    )
    .await;
    let got = s.until("end").await;
    assert_eq!(
        got,
        vec![
            (
                "machine:status".into(),
                json!({ "status": "offline", "machine_id": m1 })
            ),
            (
                "machine:telemetry".into(),
                json!({ "temperature": 4.5, "machine_id": m1 })
            ),
            (
                "task:updated".into(),
                json!({ "task_id": "t-1", "machine_id": m1 })
            ),
        ]
    );
    // Unsubscribed, the machine's events stop.
    let left = s.ask("unsubscribe", json!({ "machine_id": m1 })).await;
    assert_eq!(left["ok"], true, "{left}");
    assert_eq!(s.subscribe(json!({ "machine_id": m2 })).await["ok"], true);
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "online" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", org, Some(m2), json!({ "marker": "again" })),
    )
    .await;
    assert_eq!(s.until("again").await, vec![]);
}

#[tokio::test]
async fn an_organization_subscription_receives_all_its_events_once_and_none_of_another() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (b_org, _) = other_organization(&app, "other", PASSWORD).await;
    let mut s = connect_with(&app, &a.token).await;
    assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    // In the machine's room too: its events still arrive once.
    let m1 = a.machines[0].as_str();
    assert_eq!(s.subscribe(json!({ "machine_id": m1 })).await["ok"], true);
    let org = a.org.as_str();
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "error" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", &b_org, Some(m1), json!({ "status": "x" })),
    )
    .await;
    publish(
        &app,
        event("order:created", &b_org, None, json!({ "order_id": "b" })),
    )
    .await;
    publish(
        &app,
        event("order:created", org, None, json!({ "order_id": "a" })),
    )
    .await;
    // A real stock movement over HTTP announces a low slot.
    let low_machine = make_a_slot_low(&app, &a.token).await;
    publish(
        &app,
        event("order:created", org, None, json!({ "marker": "end" })),
    )
    .await;
    let got = s.until("end").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    // Once each, and nothing of organization B (not even an event naming A's machine).
    assert_eq!(
        names,
        ["machine:status", "order:created", "inventory:low"],
        "{got:?}"
    );
    assert_eq!(got[0].1, json!({ "status": "error", "machine_id": m1 }));
    assert_eq!(got[1].1, json!({ "order_id": "a" }));
    assert_eq!(got[2].1["machine_id"], low_machine);
    assert_eq!(got[2].1["balance"], 2);
}

#[tokio::test]
async fn with_redis_an_event_from_one_replica_reaches_clients_of_both_once() {
    // Replicas share their signing secrets, as production configuration requires.
    let replica = || TestApp::builder().redis().shared_secrets();
    let one = replica().spawn().await;
    let two = replica().same_database_as(&one).spawn().await;
    let a = demo_fleet(&one).await;
    let mut on_one = connect_with(&one, &a.token).await;
    let mut on_two = connect_with(&two, &a.token).await;
    for s in [&on_one, &on_two] {
        assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    }
    // In both rooms on replica one: the machine room's broadcast from replica two excludes it there.
    let m1 = a.machines[0].as_str();
    assert_eq!(on_one.subscribe(json!({ "machine_id": m1 })).await["ok"], true);
    // The Socket.IO Redis adapter's channels, as the runbook's `PUBSUB CHANNELS "socket.io*"` shows.
    let redis = redis::Client::open(vendhub_testkit::redis_url()).unwrap();
    let mut conn = redis.get_multiplexed_async_connection().await.unwrap();
    let channels: Vec<String> = redis::cmd("PUBSUB")
        .arg("CHANNELS")
        .arg("socket.io*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        channels.iter().any(|c| c == "socket.io-request#/#"),
        "{channels:?}"
    );
    let (_, listening): (String, u64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg("socket.io-request#/#")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(listening >= 2, "both replicas listen: {listening}");
    // Published on replica two (directly, and by a stock movement through its API).
    publish(
        &two,
        event("machine:status", &a.org, Some(m1), json!({ "status": "offline" })),
    )
    .await;
    let low_machine = make_a_slot_low(&two, &a.token).await;
    publish(
        &two,
        event("order:created", &a.org, None, json!({ "marker": "end" })),
    )
    .await;
    for s in [&mut on_one, &mut on_two] {
        let got = s.until("end").await;
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["machine:status", "inventory:low"], "{got:?}");
        assert_eq!(got[0].1["machine_id"], m1);
        assert_eq!(got[1].1["machine_id"], low_machine);
    }
}

#[tokio::test]
async fn with_redis_down_a_replica_still_emits_its_events_to_its_own_clients() {
    let redis = crate::redis::private_redis();
    let app = TestApp::builder()
        .env("REDIS_URL", format!("redis://127.0.0.1:{}/", redis.1))
        .spawn()
        .await;
    let a = demo_fleet(&app).await;
    let mut s = connect_with(&app, &a.token).await;
    assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    drop(redis);
    let m1 = a.machines[0].as_str();
    for e in [
        event("machine:status", &a.org, Some(m1), json!({ "status": "offline" })),
        event("order:created", &a.org, None, json!({ "marker": "end" })),
    ] {
        // The bus cannot reach Redis either; the event is still this replica's own.
        let _ = app.app.bus().publish(&e).await;
    }
    let got = s.until("end").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["machine:status"], "{got:?}");
}

#[tokio::test]
async fn the_engine_io_handshake_answers_over_long_polling() {
    let app = TestApp::spawn().await;
    let res = app.get("/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let open: Value = serde_json::from_str(body.strip_prefix('0').unwrap()).unwrap();
    assert!(open["sid"].is_string(), "{body}");
    assert!(open["upgrades"].as_array().unwrap().contains(&json!("websocket")));
}
