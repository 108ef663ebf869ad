//! The worker and scheduler against a real database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

mod instances;
mod running;
mod scheduling;

use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use vendhub_app::App;
use vendhub_app::state::Settings;
use vendhub_domain::ids::JobId;
use vendhub_domain::jobs::RetryPolicy;
use vendhub_infra::blobs::Blobs;
use vendhub_infra::memory::{MemoryBus, MemoryCache};
use vendhub_jobs::{Handler, JobContext, JobError, Registry, Worker, WorkerConfig};
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::test_db::TestDb;
use vendhub_store::{Db, DbOptions, migrations};

struct Env {
    db: TestDb,
    dir: tempfile::TempDir,
    app: App,
}

fn app_on(test: &TestDb, dir: &std::path::Path) -> App {
    let db = Db::connect(&DbOptions::new(test.url.clone())).unwrap();
    let ports = vendhub_app::state::Ports {
        bus: Arc::new(MemoryBus::new()),
        cache: Arc::new(MemoryCache::new()),
        blobs: Arc::new(Blobs::local(&dir.join("files")).unwrap()),
        mailer: Arc::new(vendhub_infra::smtp::NoMailer),
        clock: std::sync::Arc::new(vendhub_app::ports::SystemClock),
        providers: Arc::new(vendhub_app::ports::NoPaymentProviders),
    };
    App::new(db, ports, Settings::for_tests(dir.to_path_buf()))
}

fn env() -> Env {
    let test = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let app = app_on(&test, dir.path());
    migrations::run_pending(&mut app.db().conn().unwrap()).unwrap();
    Env { db: test, dir, app }
}

fn config(concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        concurrency,
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(30),
        retry: RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
        },
        shutdown_grace: Duration::from_secs(5),
        ..WorkerConfig::default()
    }
}

async fn enqueue(app: &App, job: NewJob) -> JobId {
    app.db()
        .run(move |c| jobs::enqueue(c, &job))
        .await
        .unwrap()
        .unwrap()
}

async fn state_of(app: &App, id: JobId) -> jobs::JobRow {
    app.db().run(move |c| jobs::get(c, id)).await.unwrap().unwrap()
}

/// Polls `check` until it holds, failing the test after `limit`.
async fn until<F, Fut>(limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "condition not met within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn spawn_worker(
    app: &App,
    registry: Registry,
    cfg: WorkerConfig,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let handle = tokio::spawn(Worker::new(app.clone(), registry, cfg).run(stop.clone()));
    (stop, handle)
}

struct Record {
    seen: Arc<Mutex<Vec<String>>>,
    who: &'static str,
}

#[async_trait]
impl Handler for Record {
    async fn run(&self, ctx: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let key = payload
            .get("slot")
            .map_or_else(|| ctx.job_id.clone(), ToString::to_string);
        self.seen.lock().unwrap().push(format!("{key}@{}", self.who));
        if let Some(ms) = payload.get("ms").and_then(serde_json::Value::as_u64) {
            // Long enough that one instance alone cannot drain the queue before the other starts.
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        Ok(())
    }
}
