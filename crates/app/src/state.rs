//! `App`: the handle every interface (HTTP, CLI, jobs) holds: database, ports and settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use vendhub_store::Db;

use crate::ports::{BlobStore, Cache, EventBus, Mailer};

/// Settings the use cases read (the server turns the environment into these).
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: String,
    /// Where people reach this installation (links in e-mails), e.g. `https://admin.vendhub.uz`.
    pub public_url: String,
    pub auth: crate::auth::AuthSettings,
    pub data_dir: PathBuf,
    /// `memory_heap` is reported down above this resident size, in bytes.
    pub memory_heap_limit: u64,
    /// `memory_rss` is reported down above this resident size, in bytes.
    pub memory_rss_limit: u64,
    /// `disk` is reported down when the data folder's disk is fuller than this percentage.
    pub disk_threshold_percent: u8,
    /// The largest upload (`MAX_FILE_SIZE`), bytes.
    pub max_file_size: u64,
}

impl Settings {
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            environment: "test".into(),
            public_url: "http://localhost:4000".into(),
            auth: crate::auth::AuthSettings::random(),
            data_dir,
            memory_heap_limit: 2 << 30,
            memory_rss_limit: 3 << 30,
            disk_threshold_percent: 99,
            max_file_size: 10 * 1024 * 1024,
        }
    }
}

struct Inner {
    db: Db,
    bus: Arc<dyn EventBus>,
    cache: Arc<dyn Cache>,
    blobs: Arc<dyn BlobStore>,
    mailer: Arc<dyn Mailer>,
    settings: Settings,
    started: Instant,
    draining: AtomicBool,
}

/// The outside parts the use cases talk to.
pub struct Ports {
    pub bus: Arc<dyn EventBus>,
    pub cache: Arc<dyn Cache>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
}

/// Cheap to clone; one per process.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    pub fn new(db: Db, ports: Ports, settings: Settings) -> Self {
        Self(Arc::new(Inner {
            db,
            bus: ports.bus,
            cache: ports.cache,
            blobs: ports.blobs,
            mailer: ports.mailer,
            settings,
            started: Instant::now(),
            draining: AtomicBool::new(false),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn bus(&self) -> &Arc<dyn EventBus> {
        &self.0.bus
    }

    pub fn cache(&self) -> &Arc<dyn Cache> {
        &self.0.cache
    }

    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.0.blobs
    }

    pub fn mailer(&self) -> &Arc<dyn Mailer> {
        &self.0.mailer
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn auth(&self) -> &crate::auth::AuthSettings {
        &self.0.settings.auth
    }

    pub fn uptime(&self) -> std::time::Duration {
        self.0.started.elapsed()
    }

    /// From now on readiness answers 503, so load balancers stop sending new requests.
    pub fn start_draining(&self) {
        self.0.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.0.draining.load(Ordering::SeqCst)
    }
}
