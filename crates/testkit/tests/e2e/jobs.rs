//! Jobs through the running app: two instances on one database share the queue and the schedule.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use vendhub_jobs::{Handler, JobContext, JobError, Registry, Schedule};
use vendhub_store::jobs::NewJob;
use vendhub_testkit::TestApp;

struct Record(Arc<Mutex<Vec<(i64, &'static str)>>>, &'static str);

#[async_trait]
impl Handler for Record {
    async fn run(&self, _: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let slot = payload["slot"]
            .as_i64()
            .ok_or_else(|| JobError::Permanent("no slot".into()))?;
        self.0.lock().unwrap().push((slot, self.1));
        Ok(())
    }
}

struct Fails;

#[async_trait]
impl Handler for Fails {
    async fn run(&self, _: &JobContext, _: serde_json::Value) -> Result<(), JobError> {
        Err(JobError::Permanent("bad payload".into()))
    }
}

fn every_second(seen: &Arc<Mutex<Vec<(i64, &'static str)>>>, who: &'static str) -> (Registry, Vec<Schedule>) {
    let mut r = Registry::new();
    r.register("test.every_second", Record(Arc::clone(seen), who));
    (
        r,
        vec![Schedule::every("test.every_second", Duration::from_secs(1))],
    )
}

async fn until(limit: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "not reached within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_instances_run_a_job_every_second_exactly_ten_times_in_ten_seconds() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (r1, s1) = every_second(&seen, "one");
    let one = TestApp::builder().jobs(r1, s1).spawn().await;
    let (r2, s2) = every_second(&seen, "two");
    let two = TestApp::builder()
        .same_database_as(&one)
        .jobs(r2, s2)
        .spawn()
        .await;

    until(Duration::from_secs(10), || !seen.lock().unwrap().is_empty()).await;
    let first = seen.lock().unwrap().iter().map(|s| s.0).min().unwrap();
    until(Duration::from_secs(30), || {
        seen.lock().unwrap().iter().any(|s| s.0 >= first + 11)
    })
    .await;
    one.shutdown().await;
    two.shutdown().await;

    let seen = seen.lock().unwrap();
    let mut window: Vec<i64> = seen
        .iter()
        .map(|s| s.0)
        .filter(|s| (first + 1..=first + 10).contains(s))
        .collect();
    window.sort_unstable();
    assert_eq!(
        window,
        (first + 1..=first + 10).collect::<Vec<_>>(),
        "ten seconds, ten runs: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_jobs_show_in_metrics_and_detailed_health() {
    let mut r = Registry::new();
    r.register("test.fails", Fails);
    let app = TestApp::builder().jobs(r, Vec::new()).spawn().await;
    let job = NewJob::new("test.fails", serde_json::json!({}));
    app.app
        .db()
        .run(move |c| vendhub_store::jobs::enqueue(c, &job))
        .await
        .unwrap();
    let db = app.app.db().clone();
    let start = Instant::now();
    loop {
        let counts = db.run(vendhub_store::jobs::counts).await.unwrap();
        if counts.dead == 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "job never parked");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("vendhub_jobs_dead 1"), "{text}");
    assert!(text.contains(r#"vendhub_jobs_failed_total{kind="test.fails"} 1"#));
    let detailed: serde_json::Value = app.get("/health/detailed").await.json().await.unwrap();
    assert_eq!(detailed["details"]["queue"]["dead"], 1);
}
