//! The worker and scheduler against a real database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use vendhub_app::App;
use vendhub_app::state::Settings;
use vendhub_domain::ids::JobId;
use vendhub_domain::jobs::RetryPolicy;
use vendhub_infra::blobs::Blobs;
use vendhub_infra::memory::{MemoryBus, MemoryCache};
use vendhub_jobs::{Handler, JobContext, JobError, Registry, Schedule, Scheduler, Worker, WorkerConfig};
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

struct Count(Arc<AtomicUsize>);

#[async_trait]
impl Handler for Count {
    async fn run(&self, _: &JobContext, _: serde_json::Value) -> Result<(), JobError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

struct AlwaysFails;

#[async_trait]
impl Handler for AlwaysFails {
    async fn run(&self, ctx: &JobContext, _: serde_json::Value) -> Result<(), JobError> {
        Err(JobError::Retry(format!("attempt {} failed", ctx.attempt)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_once_and_is_marked_done() {
    let env = env();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut reg = Registry::new();
    reg.register("test.count", Count(Arc::clone(&runs)));
    let id = enqueue(&env.app, NewJob::new("test.count", serde_json::json!({}))).await;
    let (stop, handle) = spawn_worker(&env.app, reg, config(2));
    until(Duration::from_secs(10), || async {
        state_of(&env.app, id).await.state == "done"
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(state_of(&env.app, id).await.finished_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_with_backoff_then_parked_as_dead() {
    let env = env();
    let mut reg = Registry::new();
    reg.register("test.fail", AlwaysFails);
    let id = enqueue(
        &env.app,
        NewJob::new("test.fail", serde_json::json!({})).max_attempts(3),
    )
    .await;
    let (stop, handle) = spawn_worker(&env.app, reg, config(1));
    until(Duration::from_secs(10), || async {
        state_of(&env.app, id).await.state == "dead"
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    let row = state_of(&env.app, id).await;
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error.as_deref(), Some("attempt 3 failed"));
    let counts = env.app.db().run(jobs::counts).await.unwrap();
    assert_eq!(counts.dead, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_an_unknown_kind_is_dead_at_once() {
    let env = env();
    let id = enqueue(&env.app, NewJob::new("test.nobody", serde_json::json!({}))).await;
    let (stop, handle) = spawn_worker(&env.app, Registry::new(), config(1));
    until(Duration::from_secs(10), || async {
        state_of(&env.app, id).await.state == "dead"
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    let row = state_of(&env.app, id).await;
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.unwrap().contains("no handler"));
}

struct Gauge {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
}

#[async_trait]
impl Handler for Gauge {
    async fn run(&self, _: &JobContext, _: serde_json::Value) -> Result<(), JobError> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        // The job's own work, not a wait in the test: it lasts long enough for runs to overlap.
        tokio::time::sleep(Duration::from_millis(30)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        self.done.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_than_the_concurrency_limit_run_at_once() {
    let env = env();
    let (now, max, done) = (
        Arc::default(),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut reg = Registry::new();
    reg.register(
        "test.gauge",
        Gauge {
            now,
            max: Arc::clone(&max),
            done: Arc::clone(&done),
        },
    );
    for _ in 0..12 {
        enqueue(&env.app, NewJob::new("test.gauge", serde_json::json!({}))).await;
    }
    let (stop, handle) = spawn_worker(&env.app, reg, config(3));
    until(Duration::from_secs(20), || async {
        done.load(Ordering::SeqCst) == 12
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    let max = max.load(Ordering::SeqCst);
    assert!(max <= 3, "ran {max} at once with a limit of 3");
    assert!(max >= 2, "the limit is used, not just one at a time (saw {max})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_crashed_worker_runs_again_after_its_lease() {
    let env = env();
    let id = enqueue(&env.app, NewJob::new("test.count", serde_json::json!({}))).await;
    // A worker that claims the job and then dies without a word.
    let claimed = env
        .app
        .db()
        .run(|c| jobs::claim(c, "crashed-worker", 1, Duration::from_millis(200)))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);

    let runs = Arc::new(AtomicUsize::new(0));
    let mut reg = Registry::new();
    reg.register("test.count", Count(Arc::clone(&runs)));
    let (stop, handle) = spawn_worker(&env.app, reg, config(1));
    until(Duration::from_secs(10), || async {
        state_of(&env.app, id).await.state == "done"
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        state_of(&env.app, id).await.attempts,
        2,
        "the crashed attempt counts"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_queue_without_running_a_job_twice() {
    let env = env();
    let other = app_on(&env.db, env.dir.path());
    for _ in 0..60 {
        enqueue(
            &env.app,
            NewJob::new("test.record", serde_json::json!({ "ms": 40 })),
        )
        .await;
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let registry = |who| {
        let mut r = Registry::new();
        r.register(
            "test.record",
            Record {
                seen: Arc::clone(&seen),
                who,
            },
        );
        r
    };
    let (stop_a, a) = spawn_worker(&env.app, registry("a"), config(4));
    let (stop_b, b) = spawn_worker(&other, registry("b"), config(4));
    until(Duration::from_secs(20), || async {
        seen.lock().unwrap().len() >= 60
    })
    .await;
    stop_a.cancel();
    stop_b.cancel();
    a.await.unwrap();
    b.await.unwrap();
    let seen = seen.lock().unwrap();
    let mut per_job: HashMap<&str, usize> = HashMap::new();
    for s in seen.iter() {
        *per_job.entry(s.split('@').next().unwrap()).or_default() += 1;
    }
    assert_eq!(per_job.len(), 60);
    assert!(per_job.values().all(|n| *n == 1), "a job ran twice: {seen:?}");
    let by = |who: &str| seen.iter().filter(|s| s.ends_with(who)).count();
    assert!(
        by("@a") > 0 && by("@b") > 0,
        "both instances took jobs from the queue: a {}, b {}",
        by("@a"),
        by("@b")
    );
}

struct Slow;

#[async_trait]
impl Handler for Slow {
    async fn run(&self, _: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let ms = payload.get("ms").and_then(serde_json::Value::as_u64).unwrap_or(0);
        // The job's own work, not a wait in the test: shorter or longer than the shutdown grace.
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_shutdown_short_jobs_finish_and_long_ones_go_back_to_the_queue() {
    let env = env();
    let mut reg = Registry::new();
    reg.register("test.slow", Slow);
    let short = enqueue(
        &env.app,
        NewJob::new("test.slow", serde_json::json!({ "ms": 300 })),
    )
    .await;
    let long = enqueue(
        &env.app,
        NewJob::new("test.slow", serde_json::json!({ "ms": 60_000 })),
    )
    .await;
    let cfg = WorkerConfig {
        shutdown_grace: Duration::from_millis(1500),
        ..config(2)
    };
    let (stop, handle) = spawn_worker(&env.app, reg, cfg);
    until(Duration::from_secs(10), || async {
        state_of(&env.app, short).await.state == "running"
            && state_of(&env.app, long).await.state == "running"
    })
    .await;
    stop.cancel();
    handle.await.unwrap();
    assert_eq!(
        state_of(&env.app, short).await.state,
        "done",
        "a job that finishes within the grace is done"
    );
    let long = state_of(&env.app, long).await;
    assert_eq!(
        (long.state.as_str(), long.attempts, long.locked_by),
        ("queued", 0, None),
        "given back untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_with_a_job_every_second_run_it_exactly_ten_times_in_ten_seconds() {
    let env = env();
    let other = app_on(&env.db, env.dir.path());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let schedule = vec![Schedule::every("test.tick", Duration::from_secs(1))];
    let mut handles = Vec::new();
    let stop = CancellationToken::new();
    for (app, who) in [(&env.app, "a"), (&other, "b")] {
        let mut r = Registry::new();
        r.register(
            "test.tick",
            Record {
                seen: Arc::clone(&seen),
                who,
            },
        );
        handles.push(tokio::spawn(
            Worker::new(app.clone(), r, config(2)).run(stop.clone()),
        ));
        handles.push(tokio::spawn(
            Scheduler::new(app.clone(), schedule.clone()).run(stop.clone()),
        ));
    }
    let slot_of = |s: &String| s.split('@').next().unwrap().parse::<i64>().unwrap();
    let first = {
        until(Duration::from_secs(10), || async {
            !seen.lock().unwrap().is_empty()
        })
        .await;
        seen.lock().unwrap().iter().map(slot_of).min().unwrap()
    };
    // Wait until the eleventh second after the first has run, so the ten before it are all in.
    until(Duration::from_secs(30), || async {
        seen.lock().unwrap().iter().map(slot_of).any(|s| s >= first + 11)
    })
    .await;
    stop.cancel();
    for h in handles {
        h.await.unwrap();
    }
    let seen = seen.lock().unwrap();
    let window: Vec<i64> = seen
        .iter()
        .map(slot_of)
        .filter(|s| (first + 1..=first + 10).contains(s))
        .collect();
    let mut sorted = window.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (first + 1..=first + 10).collect::<Vec<_>>(),
        "each second exactly once: {seen:?}"
    );
    // Outside the window too: no period was ever run twice, whichever instance ran it.
    let mut runs: HashMap<i64, Vec<&String>> = HashMap::new();
    for s in seen.iter() {
        runs.entry(slot_of(s)).or_default().push(s);
    }
    assert!(
        runs.values().all(|r| r.len() == 1),
        "a period ran twice: {seen:?}"
    );
}

/// Which of the two schedulers enqueued a tick in each second: each has its own job kind, so the
/// dedupe key (per kind and period) cannot hide two leaders.
async fn ticks_by_kind(app: &App) -> HashMap<String, Vec<i64>> {
    let mut by: HashMap<String, Vec<i64>> = HashMap::new();
    for kind in ["test.lead.a", "test.lead.b"] {
        let rows = app.db().run(move |c| jobs::by_kind(c, kind)).await.unwrap();
        for row in rows {
            let payload: serde_json::Value = serde_json::from_str(&row.payload).unwrap();
            by.entry(row.kind)
                .or_default()
                .push(payload["slot"].as_i64().unwrap());
        }
    }
    by
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_scheduler_leads_at_a_time_and_the_other_takes_over_when_it_stops() {
    let env = env();
    let other = app_on(&env.db, env.dir.path());
    let stop_a = CancellationToken::new();
    let stop_b = CancellationToken::new();
    let a = tokio::spawn(
        Scheduler::new(
            env.app.clone(),
            vec![Schedule::every("test.lead.a", Duration::from_secs(1))],
        )
        .run(stop_a.clone()),
    );
    // B starts once A leads, so that A is the one holding the lock.
    until(Duration::from_secs(10), || async {
        ticks_by_kind(&env.app).await.contains_key("test.lead.a")
    })
    .await;
    let b = tokio::spawn(
        Scheduler::new(
            other.clone(),
            vec![Schedule::every("test.lead.b", Duration::from_secs(1))],
        )
        .run(stop_b.clone()),
    );
    // Give B its chance to lead: on SQLite every scheduler leads, so its first tick shows; on
    // PostgreSQL, wait until A has enqueued two more periods (B has tried about ten times meanwhile).
    let sqlite = env.app.db().backend() == vendhub_store::Backend::Sqlite;
    let a_at_b_start = ticks_by_kind(&env.app).await["test.lead.a"]
        .iter()
        .copied()
        .max()
        .unwrap();
    until(Duration::from_secs(10), || async {
        let ticks = ticks_by_kind(&env.app).await;
        if sqlite {
            ticks.contains_key("test.lead.b")
        } else {
            ticks["test.lead.a"].iter().any(|s| *s >= a_at_b_start + 2)
        }
    })
    .await;
    let during = ticks_by_kind(&env.app).await;
    if env.app.db().backend() == vendhub_store::Backend::Sqlite {
        // One process by design: every scheduler leads, and the dedupe key alone keeps a period once.
        assert!(during.contains_key("test.lead.b"), "{during:?}");
        stop_a.cancel();
        stop_b.cancel();
        a.await.unwrap();
        b.await.unwrap();
        return;
    }
    assert!(
        !during.contains_key("test.lead.b"),
        "a second scheduler enqueued while the first led: {during:?}"
    );
    stop_a.cancel();
    a.await.unwrap();
    let a_last = ticks_by_kind(&env.app).await["test.lead.a"]
        .iter()
        .copied()
        .max()
        .unwrap();
    until(Duration::from_secs(10), || async {
        ticks_by_kind(&env.app).await.contains_key("test.lead.b")
    })
    .await;
    stop_b.cancel();
    b.await.unwrap();
    let after = ticks_by_kind(&env.app).await;
    assert_eq!(
        after["test.lead.a"].iter().copied().max(),
        Some(a_last),
        "the stopped leader enqueued nothing more"
    );
    assert!(!after["test.lead.b"].is_empty(), "the other one took over");
}
