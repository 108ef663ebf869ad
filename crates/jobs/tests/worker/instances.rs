//! Several instances: one queue shared without running a job twice, and a shutdown that finishes short jobs and gives long ones back.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vendhub_jobs::{Handler, JobContext, JobError, Registry, WorkerConfig};
use vendhub_store::jobs::NewJob;

use super::{Record, app_on, config, enqueue, env, spawn_worker, state_of, until};

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
