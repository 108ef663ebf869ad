//! Socket.IO at `/socket.io/` (CONTRACT section 5): the handshake's access token admits a client,
//! `subscribe`/`unsubscribe` join and leave the rooms of a machine or the organization, and one
//! forwarder per replica emits the bus's domain events to those rooms.
//!
//! Several replicas: the bus (Redis pub/sub with `REDIS_URL`) hands every event to every replica's
//! forwarder, which emits it to the clients connected to that replica. Each client is connected to one
//! replica, so it receives each event once; a Socket.IO Redis adapter on top would deliver it twice.

pub mod rules;

use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use tokio::sync::broadcast;
use vendhub_app::App;
use vendhub_app::auth::Principal;
use vendhub_app::ports::DomainEvent;
use vendhub_domain::roles::Permission;

use rules::{Refusal, Subscription};

/// The replica's Socket.IO server and its feed of domain events, to be run by [`Realtime::run`].
pub struct Realtime {
    io: SocketIo,
    events: broadcast::Receiver<DomainEvent>,
}

/// The Socket.IO layer to put around the router, and the forwarder that feeds it. The bus is
/// subscribed to here, so no event published after this call is missed.
pub fn layer(app: &App) -> (SocketIoLayer, Realtime) {
    let (layer, io) = SocketIo::builder().build_layer();
    // The handlers are registered by the middleware, before the client is told it is connected: the
    // connect handler runs after that, and a `subscribe` sent at once could arrive before it.
    let on_connect = async |_: SocketRef| {};
    let admit = {
        let app = app.clone();
        move |s: SocketRef, TryData(auth): TryData<Value>| async move {
            let principal = admit(&app, &auth.unwrap_or(Value::Null)).await?;
            s.extensions.insert(principal);
            register(&app, &s);
            Ok::<(), Refusal>(())
        }
    };
    io.ns("/", on_connect.with(admit));
    let events = app.bus().subscribe();
    (layer, Realtime { io, events })
}

/// Checks the handshake's token as the REST API does (signature, expiry, session, user active).
async fn admit(app: &App, auth: &Value) -> Result<Principal, Refusal> {
    let token = rules::token_of(auth).ok_or_else(Refusal::unauthorized)?;
    let principal = vendhub_app::auth::login::authenticate(app, token)
        .await
        .map_err(|_| Refusal::unauthorized())?;
    principal
        .require(Permission::FleetRead)
        .map_err(|_| Refusal::new("forbidden", "this role may not follow the fleet"))?;
    Ok(principal)
}

/// The handlers of an admitted socket.
fn register(app: &App, s: &SocketRef) {
    let subscribe = {
        let app = app.clone();
        move |s: SocketRef, TryData(body): TryData<Value>, ack: AckSender| async move {
            let answer = match subscribe(&app, &s, &body.unwrap_or(Value::Null)).await {
                Ok(room) => {
                    s.join(room.clone());
                    json!({ "ok": true, "room": room })
                }
                Err(refusal) => {
                    let _ = s.emit("subscribe:error", &refusal);
                    json!({ "ok": false, "error": refusal })
                }
            };
            let _ = ack.send(&answer);
        }
    };
    let unsubscribe = |s: SocketRef, TryData(body): TryData<Value>, ack: AckSender| async move {
        let answer = match unsubscribe(&s, &body.unwrap_or(Value::Null)) {
            Ok(room) => {
                s.leave(room.clone());
                json!({ "ok": true, "room": room })
            }
            Err(refusal) => json!({ "ok": false, "error": refusal }),
        };
        let _ = ack.send(&answer);
    };
    s.on("subscribe", subscribe);
    s.on("unsubscribe", unsubscribe);
}

/// The room a `subscribe` may join: the caller's organization, or one of its machines.
async fn subscribe(app: &App, s: &SocketRef, body: &Value) -> Result<String, Refusal> {
    let who: Principal = s.extensions.get().ok_or_else(Refusal::unauthorized)?;
    let wanted = Subscription::parse(body)?;
    if let Subscription::Machine(id) = wanted {
        vendhub_app::machines::get(app, &who, id)
            .await
            .map_err(|_| Refusal::new("not_found", "no such machine in your organization"))?;
    }
    Ok(wanted.room(who.organization_id))
}

fn unsubscribe(s: &SocketRef, body: &Value) -> Result<String, Refusal> {
    let who: Principal = s.extensions.get().ok_or_else(Refusal::unauthorized)?;
    Ok(Subscription::parse(body)?.room(who.organization_id))
}

impl Realtime {
    /// Emits every client event from the bus to its rooms on this replica, until `stop` resolves or
    /// the bus closes; then disconnects this replica's clients.
    pub async fn run(mut self, stop: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(stop);
        loop {
            let event = tokio::select! {
                () = &mut stop => break,
                e = self.events.recv() => e,
            };
            match event {
                Ok(event) => self.emit(&event).await,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "real-time forwarder fell behind the bus");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
        // Clients reconnect to another replica.
        self.io.close().await;
    }

    async fn emit(&self, event: &DomainEvent) {
        let Some(to) = rules::targets(event) else {
            return;
        };
        let Some(ns) = self.io.of("/") else {
            return;
        };
        let payload = rules::client_payload(event);
        // socketioxide does not merge rooms: a socket in both would get the event twice.
        let mut sent = ns
            .clone()
            .to(to.organization.clone())
            .emit(&event.name, &payload)
            .await;
        if sent.is_ok()
            && let Some(machine) = to.machine
        {
            sent = ns
                .to(machine)
                .except(to.organization)
                .emit(&event.name, &payload)
                .await;
        }
        if let Err(e) = sent {
            tracing::debug!(error = %e, event = %event.name, "could not emit to some clients");
        }
    }
}
