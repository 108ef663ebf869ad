//! Which handler runs which job kind.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use vendhub_app::App;

/// What a handler gets besides its payload.
#[derive(Clone)]
pub struct JobContext {
    pub app: App,
    pub job_id: String,
    pub kind: String,
    /// 1 for the first run.
    pub attempt: u32,
}

/// Why a job attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (network, a busy dependency).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (bad payload): parked as dead at once.
    #[error("{0}")]
    Permanent(String),
}

#[async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn run(&self, ctx: &JobContext, payload: serde_json::Value) -> Result<(), JobError>;
}

/// Handlers by job kind.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn Handler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every handler the product ships.
    pub fn standard() -> Self {
        let mut r = Self::new();
        crate::maintenance::register(&mut r);
        crate::mail::register(&mut r);
        crate::tasks::register(&mut r);
        crate::fleet::register(&mut r);
        crate::orders::register(&mut r);
        r
    }

    pub fn register(&mut self, kind: impl Into<String>, handler: impl Handler) -> &mut Self {
        self.handlers.insert(kind.into(), Arc::new(handler));
        self
    }

    /// Adds every handler of `other` (replacing same-named ones).
    pub fn extend(&mut self, other: Registry) {
        self.handlers.extend(other.handlers);
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(kind).cloned()
    }
}
