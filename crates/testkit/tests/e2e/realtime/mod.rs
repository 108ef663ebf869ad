//! Socket.IO at `/socket.io/` with a real client: the handshake's token, subscriptions to a machine or
//! the organization, the events they receive, and delivery across replicas through Redis.

mod connect;
mod replicas;
mod subscriptions;

use futures_util::FutureExt;
use rust_socketio::Payload;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;
use vendhub_app::ports::DomainEvent;
use vendhub_testkit::api::{an_operator, login};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const WAIT: Duration = Duration::from_secs(10);

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
