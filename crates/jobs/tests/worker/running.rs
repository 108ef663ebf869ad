//! One worker: a job runs once, failures back off then die, unknown kinds die at once, the concurrency limit holds, a crashed holder's lease runs out.

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use vendhub_jobs::{Handler, JobContext, JobError, Registry};
use vendhub_store::jobs::{self, NewJob};

use super::{config, enqueue, env, spawn_worker, state_of, until};

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
