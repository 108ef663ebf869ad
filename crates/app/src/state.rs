//! `App`: the handle every interface (HTTP, CLI, jobs) holds: database, ports and settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use vendhub_store::Db;

use crate::AppError;
use crate::ports::{BlobStore, Cache, Clock, EventBus, Mailer, PaymentProviders};

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
    /// How long an organization's dashboard figures are reused (`DASHBOARD_CACHE_TTL`); zero computes
    /// them on every view.
    pub dashboard_cache_ttl: std::time::Duration,
    /// Merchant accounts, checkout links and the vend command's time to live.
    pub payments: crate::payments::PaymentSettings,
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
            dashboard_cache_ttl: std::time::Duration::ZERO,
            payments: crate::payments::PaymentSettings::unconfigured("http://localhost:4000"),
        }
    }
}

struct Inner {
    db: Db,
    bus: Arc<dyn EventBus>,
    cache: Arc<dyn Cache>,
    blobs: Arc<dyn BlobStore>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    providers: Arc<dyn PaymentProviders>,
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
    pub clock: Arc<dyn Clock>,
    /// The payment providers' merchant APIs (refunds).
    pub providers: Arc<dyn PaymentProviders>,
}

/// What a transaction run by [`App::write_keeping_refusal`] answers: `Err` is a refusal whose writes are
/// committed all the same.
pub type Kept<T> = Result<T, AppError>;

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
            clock: ports.clock,
            providers: ports.providers,
            settings,
            started: Instant::now(),
            draining: AtomicBool::new(false),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Runs `f` in one write transaction on the blocking pool. An `Err` (a refused rule or a failed store
    /// call, which `?` turns into an [`AppError`]) rolls everything back; store errors are mapped once,
    /// here. Use cases write through this, never through `db().run` with a nested result.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut vendhub_store::DbConn) -> Result<T, AppError> + Send + 'static,
    {
        self.0
            .db
            .run(move |c| Ok(vendhub_store::write::<_, AppError, _>(c, f)))
            .await?
    }

    /// Runs `f` on the blocking pool without a write transaction (reads), with [`AppError`] as its error.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut vendhub_store::DbConn) -> Result<T, AppError> + Send + 'static,
    {
        self.0.db.run(move |c| Ok(f(c))).await?
    }

    /// Like [`App::write`], for an attempt whose failure must be kept: `f` answers a refusal as
    /// `Ok(Err(refusal))`, and the transaction is committed before the refusal is returned (a wrong code
    /// counts towards the lock; a replayed refresh token's family stays revoked). An `Err` of `f` itself
    /// rolls back as in [`App::write`].
    pub async fn write_keeping_refusal<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut vendhub_store::DbConn) -> Result<Kept<T>, AppError> + Send + 'static,
    {
        self.write(f).await?
    }

    /// The time now, by the clock port (UTC).
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.0.clock.now()
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

    /// The payment providers' merchant APIs (refunds).
    pub fn providers(&self) -> &Arc<dyn PaymentProviders> {
        &self.0.providers
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
