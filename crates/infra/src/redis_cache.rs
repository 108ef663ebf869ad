//! The cache on Redis: shared by every replica (rate-limit counters included).

use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use vendhub_app::ports::{Cache, PortError};

/// Keys are prefixed so that one Redis can serve several installations.
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisCache {
    /// Connects (with the manager reconnecting on its own afterwards).
    pub async fn connect(client: redis::Client, prefix: &str) -> Result<Self, PortError> {
        let conn = ConnectionManager::new(client).await.map_err(PortError::new)?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.conn.clone().get(self.key(key)).await.map_err(PortError::new)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), PortError> {
        let _: () = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        let _: () = self
            .conn
            .clone()
            .del(self.key(key))
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    async fn incr(&self, key: &str, window: Duration) -> Result<(u64, Duration), PortError> {
        // INCR and PEXPIRE NX in one round trip: the window starts at the first hit, atomically.
        let (n, ttl): (u64, i64) = redis::pipe()
            .atomic()
            .incr(self.key(key), 1u64)
            .cmd("PEXPIRE")
            .arg(self.key(key))
            .arg(millis(window))
            .arg("NX")
            .ignore()
            .pttl(self.key(key))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(PortError::new)?;
        let left = u64::try_from(ttl).map_or(window, Duration::from_millis);
        Ok((n, left))
    }

    async fn ping(&self) -> Result<(), PortError> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.conn.clone())
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}
