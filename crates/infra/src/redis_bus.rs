//! The event bus on Redis pub/sub: an event published on one replica reaches subscribers on all of them.

use async_trait::async_trait;
use futures::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;
use vendhub_app::ports::{DomainEvent, EventBus, PortError};

const CAPACITY: usize = 4096;

pub struct RedisBus {
    publisher: ConnectionManager,
    channel: String,
    local: broadcast::Sender<DomainEvent>,
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
        // Subscribe before returning, so an event published right after `connect` is not missed.
        let mut pubsub = client.get_async_pubsub().await.map_err(PortError::new)?;
        pubsub.subscribe(channel).await.map_err(PortError::new)?;
        let listener = tokio::spawn(relay(client, channel.to_owned(), local.clone(), pubsub));
        Ok(Self {
            publisher,
            channel: channel.to_owned(),
            local,
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
                match serde_json::from_slice::<DomainEvent>(&payload) {
                    Ok(event) => {
                        let _ = local.send(event);
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
        let body = serde_json::to_vec(event).map_err(PortError::new)?;
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
