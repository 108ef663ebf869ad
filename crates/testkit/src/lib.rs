//! `TestApp`: the real VendHub server on 127.0.0.1, port 0, over a fresh database (SQLite, or
//! PostgreSQL with `TEST_DATABASE_URL`) and a fresh data folder. `TEST_LOG=1` shows its logs.
//!
//! Each app says on stderr which backend it runs on when it starts (`testkit: backend sqlite (file …)`),
//! and a test that panics says it again beside its panic message: nextest shows both for a failing test.
//! [`api`] holds the requests the end-to-end suites share.

pub mod api;
pub mod orders;
pub mod panel;
pub mod smtp;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use vendhub::config::Config;
use vendhub::serve::Extras;
use vendhub_app::App;
use vendhub_store::test_db::TestDb;

pub const OWNER_EMAIL: &str = "owner@test.vendhub.uz";
pub const OWNER_PASSWORD: &str = "correct-horse-battery-staple";

/// The Redis of the test machine (`TEST_REDIS_URL`, default the local one).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

/// The backends of the test apps alive in this process, by app: named again when a test panics.
static BACKENDS: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
static NEXT_APP: AtomicU64 = AtomicU64::new(0);
static PANIC_HOOK: Once = Once::new();

/// Notes a started app's backend, and (once per process) puts a panic hook before the default one that
/// names the backends of the apps alive, so that a failed assertion says where it ran.
fn note_backend(backend: &str) -> u64 {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            for (_, backend) in BACKENDS.lock().unwrap_or_else(PoisonError::into_inner).iter() {
                eprintln!("testkit: this test ran on backend {backend}");
            }
            previous(info);
        }));
    });
    let id = NEXT_APP.fetch_add(1, Ordering::Relaxed);
    BACKENDS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((id, backend.to_owned()));
    id
}

/// How a test app is started.
#[derive(Default)]
pub struct Builder {
    env: HashMap<String, String>,
    extras: Extras,
    db: Option<Arc<TestDb>>,
}

impl Builder {
    /// Sets an environment variable of the app (as `vendhub serve` would read it).
    #[must_use]
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_owned(), value.into());
        self
    }

    /// Uses the local Redis for cache and bus.
    #[must_use]
    pub fn redis(self) -> Self {
        self.env("REDIS_URL", redis_url())
    }

    #[must_use]
    pub fn jobs(mut self, registry: vendhub_jobs::Registry, schedules: Vec<vendhub_jobs::Schedule>) -> Self {
        self.extras.registry = Some(registry);
        self.extras.schedules = schedules;
        self
    }

    /// The clock the use cases go by: a [`vendhub_app::ports::ManualClock`] the test moves, so that expiry
    /// is tested without sleeping.
    #[must_use]
    pub fn clock(mut self, clock: vendhub_app::ports::ManualClock) -> Self {
        self.extras.clock = Some(Arc::new(clock));
        self
    }

    /// Extra routes (stand-ins a test needs, such as a deliberately slow endpoint).
    #[must_use]
    pub fn routes(mut self, routes: axum::Router) -> Self {
        self.extras.routes = Some(routes);
        self
    }

    /// The signing and encryption secrets replicas share, as production configuration requires: for two
    /// apps over one database that accept each other's tokens.
    #[must_use]
    pub fn shared_secrets(self) -> Self {
        self.env("JWT_SECRET", "shared-jwt-secret-for-both-replicas-0123")
            .env("JWT_REFRESH_SECRET", "shared-refresh-secret-for-both-replicas-01")
            .env(
                "VENDHUB_ENCRYPTION_KEY",
                "shared-encryption-key-for-both-replicas-0",
            )
    }

    /// Shares the database of another test app (a second replica).
    #[must_use]
    pub fn same_database_as(mut self, other: &TestApp) -> Self {
        self.db = Some(Arc::clone(&other.db));
        self
    }

    /// Starts the app and waits until it listens.
    ///
    /// # Panics
    /// When the app cannot start: the test cannot go on.
    #[expect(
        clippy::expect_used,
        reason = "test harness: a failed start ends the test with its reason"
    )]
    pub async fn spawn(self) -> TestApp {
        let db = self.db.unwrap_or_else(|| Arc::new(TestDb::new()));
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match &db.url {
            vendhub_store::DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            vendhub_store::DbUrl::Postgres(u) => u.clone(),
        };
        let mut env: HashMap<String, String> = [
            ("DATABASE_URL", url.as_str()),
            ("VENDHUB_DATA_DIR", &dir.path().display().to_string()),
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("VENDHUB_ADMIN_EMAIL", OWNER_EMAIL),
            ("VENDHUB_ADMIN_PASSWORD", OWNER_PASSWORD),
            ("LOG_LEVEL", "debug"),
            ("JOB_POLL_INTERVAL", "50ms"),
            ("DB_POOL_SIZE", "5"),
            ("SHUTDOWN_TIMEOUT", "5s"),
            ("RATE_LIMIT_AUTH_LIMIT", "1000"),
            // Tests read the dashboard's figures right after changing them; the cache has its own test.
            ("DASHBOARD_CACHE_TTL", "0s"),
            // Tests run the automation jobs themselves, when they want them.
            ("FEATURE_TASK_AUTOMATION", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        env.extend(self.env);
        let config = Config::from_map(&env).expect("test configuration is valid");
        if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
            vendhub::telemetry::init(&config);
        }
        let running = vendhub::serve::start(config, self.extras)
            .await
            .expect("test app starts");
        let addr = running.addr;
        let metrics_addr = running.metrics_addr;
        let backend = db.backend();
        eprintln!("testkit: backend {backend}, app on {addr}");
        let backend_id = note_backend(&backend);
        let app = running.app.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(running.serve(async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            metrics_addr,
            app,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            db,
            backend,
            backend_id,
            dir,
            stop: Some(tx),
            handle: Some(handle),
        }
    }
}

/// A running VendHub for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    pub app: App,
    pub client: reqwest::Client,
    db: Arc<TestDb>,
    backend: String,
    backend_id: u64,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn database(&self) -> &TestDb {
        &self.db
    }

    /// The backend this app runs on: `sqlite (file …)` or `postgres (database vh_test_…)`.
    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// # Panics
    /// When the request cannot be sent.
    #[expect(clippy::expect_used, reason = "test harness")]
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Sends the shutdown signal (as SIGTERM would) without waiting.
    pub fn signal_shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    /// Signals shutdown and waits for the server to finish draining.
    pub async fn shutdown(mut self) {
        self.signal_shutdown();
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }

    /// Waits for a shutdown signalled earlier to complete.
    pub async fn stopped(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        BACKENDS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.backend_id);
        if let Some(h) = self.handle.take() {
            h.abort();
        }
    }
}
