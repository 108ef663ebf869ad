//! The event bus on Redis pub/sub: an event published on one replica reaches subscribers on all of them.
//! Each message carries the publishing replica's random id (`origin`) beside the event's fields.

use async_trait::async_trait;
use futures::StreamExt;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use vendhub_app::ports::{DomainEvent, EventBus, PortError};

const CAPACITY: usize = 4096;

/// A message on the channel: the event and the replica that published it (absent from older
/// publishers, which sent the bare event).
#[derive(Serialize, Deserialize)]
struct Envelope<E> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(flatten)]
    event: E,
}

pub struct RedisBus {
    publisher: ConnectionManager,
    channel: String,
    /// This replica's id in the envelopes it publishes.
    origin: String,
    /// Events from every replica, as they come back from Redis.
    local: broadcast::Sender<DomainEvent>,
    /// Events published by this replica, as they are published.
    own: broadcast::Sender<DomainEvent>,
    listener: tokio::task::JoinHandle<()>,
}

impl RedisBus {
    /// Subscribes to `channel` and starts relaying what arrives to local subscribers; reconnects with
    /// backoff when the subscription drops.
    pub async fn connect(client: redis::Client, channel: &str) -> Result<Self, PortError> {
        let publisher = ConnectionManager::new(client.clone())
            .await
            .map_err(PortError::new)?;
        let (local, _) = broadcast::channel(CAPACITY);
        let (own, _) = broadcast::channel(CAPACITY);
        // Subscribe before returning, so an event published right after `connect` is not missed.
        let mut pubsub = client.get_async_pubsub().await.map_err(PortError::new)?;
        pubsub.subscribe(channel).await.map_err(PortError::new)?;
        let listener = tokio::spawn(relay(client, channel.to_owned(), local.clone(), pubsub));
        Ok(Self {
            publisher,
            channel: channel.to_owned(),
            origin: uuid::Uuid::now_v7().simple().to_string(),
            local,
            own,
            listener,
        })
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

async fn relay(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<DomainEvent>,
    first: redis::aio::PubSub,
) {
    let mut pubsub = Some(first);
    let mut delay = std::time::Duration::from_millis(100);
    loop {
        if let Some(mut ps) = pubsub.take() {
            delay = std::time::Duration::from_millis(100);
            let mut messages = ps.on_message();
            while let Some(msg) = messages.next().await {
                let Ok(payload) = msg.get_payload::<Vec<u8>>() else {
                    continue;
                };
                match serde_json::from_slice::<Envelope<DomainEvent>>(&payload) {
                    Ok(envelope) => {
                        let _ = local.send(envelope.event);
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed event on the bus"),
                }
            }
            tracing::warn!("event bus subscription to Redis ended; reconnecting");
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(std::time::Duration::from_secs(5));
        match client.get_async_pubsub().await {
            Ok(mut ps) => {
                if ps.subscribe(&channel).await.is_ok() {
                    pubsub = Some(ps);
                }
            }
            Err(e) => tracing::warn!(error = %e, "event bus cannot reach Redis"),
        }
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: &DomainEvent) -> Result<(), PortError> {
        // This replica's own subscribers hear of it even when Redis cannot be reached.
        let _ = self.own.send(event.clone());
        let envelope = Envelope {
            origin: Some(self.origin.clone()),
            event,
        };
        let body = serde_json::to_vec(&envelope).map_err(PortError::new)?;
        let _: i64 = redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(body)
            .query_async(&mut self.publisher.clone())
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.local.subscribe()
    }

    fn subscribe_local(&self) -> broadcast::Receiver<DomainEvent> {
        self.own.subscribe()
    }

    async fn ping(&self) -> Result<(), PortError> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.publisher.clone())
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}
