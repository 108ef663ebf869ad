//! In-process cache and event bus: the embedded default for a single `vendhub serve`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use async_trait::async_trait;
use tokio::sync::broadcast;
use vendhub_app::ports::{Cache, DomainEvent, EventBus, PortError};

/// How many events a slow subscriber may fall behind before it misses some.
const BUS_CAPACITY: usize = 4096;

pub struct MemoryBus {
    tx: broadcast::Sender<DomainEvent>,
}

impl MemoryBus {
    pub fn new() -> Self {
        Self {
            tx: broadcast::channel(BUS_CAPACITY).0,
        }
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, event: &DomainEvent) -> Result<(), PortError> {
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.tx.send(event.clone());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.tx.subscribe()
    }

    /// In one process every event is local.
    fn subscribe_local(&self) -> broadcast::Receiver<DomainEvent> {
        self.tx.subscribe()
    }

    async fn ping(&self) -> Result<(), PortError> {
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

struct Entry {
    value: Vec<u8>,
    expires: Instant,
}

/// A map with expiry. Expired entries are dropped when touched and swept when the map grows.
#[derive(Default)]
pub struct MemoryCache {
    map: Mutex<HashMap<String, Entry>>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_map<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> Result<T, PortError> {
        let mut map = self
            .map
            .lock()
            .map_err(|_| PortError::new("cache lock poisoned"))?;
        if map.len() > 100_000 {
            let now = Instant::now();
            map.retain(|_, e| e.expires > now);
        }
        Ok(f(&mut map))
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.with_map(|m| match m.get(key) {
            Some(e) if e.expires > Instant::now() => Some(e.value.clone()),
            Some(_) => {
                m.remove(key);
                None
            }
            None => None,
        })
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), PortError> {
        self.with_map(|m| {
            m.insert(
                key.to_owned(),
                Entry {
                    value: value.to_vec(),
                    expires: Instant::now() + ttl,
                },
            );
        })
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.with_map(|m| {
            m.remove(key);
        })
    }

    async fn incr(&self, key: &str, window: Duration) -> Result<(u64, Duration), PortError> {
        self.with_map(|m| {
            let now = Instant::now();
            let entry = m.entry(key.to_owned()).or_insert_with(|| Entry {
                value: 0u64.to_le_bytes().to_vec(),
                expires: now + window,
            });
            if entry.expires <= now {
                *entry = Entry {
                    value: 0u64.to_le_bytes().to_vec(),
                    expires: now + window,
                };
            }
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(entry.value.get(..8).unwrap_or(&[0; 8]));
            let n = u64::from_le_bytes(bytes).saturating_add(1);
            entry.value = n.to_le_bytes().to_vec();
            (n, entry.expires - now)
        })
    }

    async fn ping(&self) -> Result<(), PortError> {
        self.with_map(|_| ())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
