//! Socket.IO at `/socket.io/` (CONTRACT section 5): the handshake's access token admits a client,
//! `subscribe`/`unsubscribe` join and leave the rooms of a machine or the organization, and one
//! forwarder per replica emits the bus's domain events to those rooms.
//!
//! Several replicas (`REDIS_URL`): the Socket.IO server uses the Redis adapter (`socketioxide-redis`,
//! channels `socket.io-*`), which carries every emit to the matching clients of every replica. So each
//! replica's forwarder emits only the events published on that replica (`subscribe_local`): an event
//! is emitted once, where it happened, and each client, connected to one replica, receives it once.
//! Without Redis the in-process adapter and bus serve the one replica.

pub mod rules;

use serde_json::{Value, json};
use socketioxide::adapter::{Adapter, Emitter, LocalAdapter};
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide::operators::BroadcastOperators;
use socketioxide::{BroadcastError, SocketIo};
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};
use tokio::sync::broadcast;
use vendhub_app::App;
use vendhub_app::auth::Principal;
use vendhub_app::ports::DomainEvent;
use vendhub_domain::roles::Permission;

use rules::{Refusal, Subscription};

type Shared = RedisAdapter<Emitter>;

/// The Socket.IO layer to put around the router, with its adapter.
pub enum Layer {
    Local(SocketIoLayer<LocalAdapter>),
    Redis(SocketIoLayer<Shared>),
}

impl Layer {
    /// Wraps `router` (outermost, so the transports are not bound by the request timeout).
    pub fn around(self, router: axum::Router) -> axum::Router {
        match self {
            Self::Local(layer) => router.layer(layer),
            Self::Redis(layer) => router.layer(layer),
        }
    }
}

enum Io {
    Local(SocketIo<LocalAdapter>),
    Redis(SocketIo<Shared>),
}

/// The replica's Socket.IO server and its feed of domain events, to be run by [`Realtime::run`].
pub struct Realtime {
    io: Io,
    events: broadcast::Receiver<DomainEvent>,
}

/// The Socket.IO layer with the in-process adapter, and the forwarder that feeds it from every
/// event of the bus. The bus is subscribed to here, so no event published after this call is missed.
pub fn layer(app: &App) -> (Layer, Realtime) {
    let (layer, io) = SocketIo::builder().build_layer();
    io.ns("/", on_connect::<LocalAdapter>(app));
    let events = app.bus().subscribe();
    (
        Layer::Local(layer),
        Realtime {
            io: Io::Local(io),
            events,
        },
    )
}

/// Why the Redis adapter could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AdapterError(String);

/// The Socket.IO layer with the Redis adapter at `redis_url`, and the forwarder that feeds it from
/// this replica's events. Returns once the adapter is subscribed to its channels.
pub async fn layer_with_redis(app: &App, redis_url: &str) -> Result<(Layer, Realtime), AdapterError> {
    use redis::IntoConnectionInfo;
    let err = |e: redis::RedisError| AdapterError(e.to_string());
    // The adapter's driver reads pub/sub messages as RESP3 pushes.
    let info = redis_url.into_connection_info().map_err(err)?;
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(redis::ProtocolVersion::RESP3);
    let client = redis::Client::open(info.set_redis_settings(settings)).map_err(err)?;
    let ctr = RedisAdapterCtr::new_with_redis(&client).await.map_err(err)?;
    let (layer, io) = SocketIo::builder().with_adapter::<Shared>(ctr).build_layer();
    let events = app.bus().subscribe_local();
    io.ns("/", on_connect::<Shared>(app))
        .await
        .map_err(|e| AdapterError(e.to_string()))?;
    Ok((
        Layer::Redis(layer),
        Realtime {
            io: Io::Redis(io),
            events,
        },
    ))
}

/// The connect handler of the `/` namespace.
fn on_connect<A: Adapter>(app: &App) -> impl ConnectHandler<A, (SocketRef<A>,)> {
    // The handlers are registered by the middleware, before the client is told it is connected: the
    // connect handler runs after that, and a `subscribe` sent at once could arrive before it.
    let on_connect = async |_: SocketRef<A>| {};
    let admit = {
        let app = app.clone();
        move |s: SocketRef<A>, TryData(auth): TryData<Value>| {
            let app = app.clone();
            async move {
                let auth = auth.unwrap_or(Value::Null);
                // A customer's order page: admitted to its order's room only, nothing else.
                if rules::token_of(&auth).is_none()
                    && let Some(order) = rules::order_of(&auth)
                {
                    vendhub_app::orders::public_get(&app, &order.to_string())
                        .await
                        .map_err(|_| Refusal::new("not_found", "no such order"))?;
                    s.join(rules::order_room(&order.to_string()));
                    return Ok::<(), Refusal>(());
                }
                let panel_cookie = same_origin_session(s.req_parts());
                let principal = admit(&app, &auth, panel_cookie).await?;
                s.extensions.insert(principal);
                register(&app, &s);
                Ok::<(), Refusal>(())
            }
        }
    };
    on_connect.with(admit)
}

/// The admin panel's session cookie of a handshake made by one of our own pages (its `Origin` is this
/// host), so that a page elsewhere cannot ride on a signed-in person's cookie.
fn same_origin_session(parts: &axum::http::request::Parts) -> Option<String> {
    let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let origin = parts.headers.get(axum::http::header::ORIGIN)?.to_str().ok()?;
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    if origin_host != host {
        return None;
    }
    crate::cookies::read(&parts.headers, crate::cookies::SESSION_COOKIE).filter(|s| !s.is_empty())
}

/// Checks the handshake's token as the REST API does (signature, expiry, session, user active), or else
/// the admin panel's session cookie the same way.
async fn admit(app: &App, auth: &Value, panel_cookie: Option<String>) -> Result<Principal, Refusal> {
    let principal = match (rules::token_of(auth), panel_cookie) {
        (Some(token), _) => vendhub_app::auth::login::authenticate(app, token).await,
        (None, Some(cookie)) => vendhub_app::auth::login::authenticate_panel_session(app, &cookie).await,
        (None, None) => return Err(Refusal::unauthorized()),
    }
    .map_err(|_| Refusal::unauthorized())?;
    principal
        .require(Permission::FleetRead)
        .map_err(|_| Refusal::new("forbidden", "this role may not follow the fleet"))?;
    Ok(principal)
}

/// The handlers of an admitted socket.
fn register<A: Adapter>(app: &App, s: &SocketRef<A>) {
    let subscribe = {
        let app = app.clone();
        move |s: SocketRef<A>, TryData(body): TryData<Value>, ack: AckSender<A>| async move {
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
    let unsubscribe = |s: SocketRef<A>, TryData(body): TryData<Value>, ack: AckSender<A>| async move {
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
async fn subscribe<A: Adapter>(app: &App, s: &SocketRef<A>, body: &Value) -> Result<String, Refusal> {
    let who: Principal = s.extensions.get().ok_or_else(Refusal::unauthorized)?;
    let wanted = Subscription::parse(body)?;
    if let Subscription::Machine(id) = wanted {
        vendhub_app::machines::get(app, &who, id)
            .await
            .map_err(|_| Refusal::new("not_found", "no such machine in your organization"))?;
    }
    Ok(wanted.room(who.organization_id()))
}

fn unsubscribe<A: Adapter>(s: &SocketRef<A>, body: &Value) -> Result<String, Refusal> {
    let who: Principal = s.extensions.get().ok_or_else(Refusal::unauthorized)?;
    Ok(Subscription::parse(body)?.room(who.organization_id()))
}

impl Realtime {
    /// Emits the client events of its feed to their rooms, until `stop` resolves or the bus closes;
    /// then disconnects this replica's clients.
    pub async fn run(mut self, stop: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(stop);
        loop {
            let event = tokio::select! {
                () = &mut stop => break,
                e = self.events.recv() => e,
            };
            match event {
                Ok(event) => match &self.io {
                    Io::Local(io) => emit(io, &event).await,
                    Io::Redis(io) => emit(io, &event).await,
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "real-time forwarder fell behind the bus");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
        // Clients reconnect to another replica.
        match self.io {
            Io::Local(io) => io.close().await,
            Io::Redis(io) => io.close().await,
        }
    }
}

/// Emits `event` to its rooms; with the Redis adapter, on every replica.
async fn emit<A: Adapter>(io: &SocketIo<A>, event: &DomainEvent) {
    let Some(to) = rules::targets(event) else {
        return;
    };
    let Some(ns) = io.of("/") else {
        return;
    };
    let payload = rules::client_payload(event);
    // socketioxide does not merge rooms: a socket in both would get the event twice. The exception
    // travels with the broadcast, and each replica applies it to its own sockets.
    emit_to(&ns, &to.organization, None, &event.name, &payload).await;
    if let Some(machine) = &to.machine {
        emit_to(&ns, machine, Some(&to.organization), &event.name, &payload).await;
    }
    // The customer's page of an order (a room nobody else joins).
    if let Some((room, narrow)) = rules::order_target(event) {
        emit_to(&ns, &room, None, &event.name, &narrow).await;
    }
}

/// Emits to `room` but not to `except`. When the adapter cannot reach the other replicas (Redis
/// down), it has sent nothing: the event then goes to this replica's clients only.
async fn emit_to<A: Adapter>(
    ns: &BroadcastOperators<A>,
    room: &str,
    except: Option<&str>,
    name: &str,
    payload: &Value,
) {
    let to = |ns: BroadcastOperators<A>| {
        let ns = ns.to(room.to_owned());
        match except {
            Some(other) => ns.except(other.to_owned()),
            None => ns,
        }
    };
    let failure = match to(ns.clone()).emit(name, payload).await {
        Ok(()) => return,
        Err(BroadcastError::Adapter(e)) => e.to_string(),
        Err(e) => {
            tracing::debug!(error = %e, event = %name, "could not emit to some clients");
            return;
        }
    };
    tracing::warn!(error = %failure, event = %name, "the Socket.IO adapter failed; emitting to this replica's clients only");
    if let Err(e) = to(ns.clone().local()).emit(name, payload).await {
        tracing::debug!(error = %e, event = %name, "could not emit to some clients");
    }
}
