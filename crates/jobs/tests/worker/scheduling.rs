//! The scheduler: each period exactly once across instances, one leader at a time and a takeover when it stops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use vendhub_app::App;
use vendhub_jobs::{Registry, Schedule, Scheduler, Worker};
use vendhub_store::jobs::{self};

use super::{Record, app_on, config, env, until};

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
