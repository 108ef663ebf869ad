//! The scheduler: periodic jobs, enqueued once per period across all replicas. Only the leader (advisory
//! lock on PostgreSQL) enqueues, and each period's job has a dedupe key, so a change of leader can
//! neither skip nor repeat a period.

use std::collections::HashMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use vendhub_app::App;
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::leader::{Leadership, SCHEDULER_LOCK};

/// A job kind enqueued every `every`, on period boundaries (UTC epoch multiples).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub kind: String,
    pub every: Duration,
    pub payload: serde_json::Value,
    /// Shifts the period boundaries: `every` 24 h with `offset` 3 h runs daily at 03:00 UTC.
    pub offset: Duration,
}

impl Schedule {
    pub fn every(kind: impl Into<String>, every: Duration) -> Self {
        Self {
            kind: kind.into(),
            every: every.max(Duration::from_secs(1)),
            payload: serde_json::Value::Null,
            offset: Duration::ZERO,
        }
    }

    /// The same schedule with its period boundaries moved by `offset` (daily at a time of day).
    #[must_use]
    pub fn at_offset(mut self, offset: Duration) -> Self {
        self.offset = offset;
        self
    }

    /// The number of the period `at_ms` (milliseconds since the epoch) falls in.
    pub fn slot(&self, at_ms: i64) -> i64 {
        let every = i64::try_from(self.every.as_millis()).unwrap_or(i64::MAX).max(1);
        let offset = i64::try_from(self.offset.as_millis()).unwrap_or(0);
        (at_ms - offset).div_euclid(every)
    }
}

/// Periods missed while no leader ran are caught up to this many, not more.
const MAX_CATCH_UP: i64 = 10;

pub struct Scheduler {
    app: App,
    schedules: Vec<Schedule>,
    tick: Duration,
}

impl Scheduler {
    pub fn new(app: App, schedules: Vec<Schedule>) -> Self {
        Self {
            app,
            schedules,
            tick: Duration::from_millis(200),
        }
    }

    /// Every schedule the product ships.
    pub fn standard_schedules() -> Vec<Schedule> {
        let mut all = crate::maintenance::schedules();
        all.extend(crate::tasks::schedules());
        all.extend(crate::orders::schedules());
        all
    }

    pub async fn run(self, stop: CancellationToken) {
        let db = self.app.db().clone();
        let mut leadership = Some(Leadership::new(&db, SCHEDULER_LOCK));
        let mut last: HashMap<String, i64> = HashMap::new();
        let mut was_leader = false;
        loop {
            if stop.is_cancelled() {
                break;
            }
            let (returned, leader) = {
                let db = db.clone();
                let mut l = leadership
                    .take()
                    .unwrap_or_else(|| Leadership::new(&db, SCHEDULER_LOCK));
                match tokio::task::spawn_blocking(move || {
                    let r = l.try_acquire(&db);
                    (l, r)
                })
                .await
                {
                    Ok((l, r)) => (Some(l), r),
                    Err(_) => (None, Ok(false)),
                }
            };
            leadership = returned;
            let leader = leader.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "scheduler cannot check leadership");
                false
            });
            if leader != was_leader {
                tracing::info!(leader, "scheduler leadership changed");
                was_leader = leader;
                last.clear();
            }
            if leader {
                self.enqueue_due(&mut last).await;
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(self.tick) => {}
            }
        }
    }

    async fn enqueue_due(&self, last: &mut HashMap<String, i64>) {
        let now_ms = chrono::Utc::now().timestamp_millis();
        for s in &self.schedules {
            let current = s.slot(now_ms);
            let from = last
                .get(&s.kind)
                .map_or(current, |prev| (prev + 1).max(current - MAX_CATCH_UP));
            let mut new_last = last.get(&s.kind).copied();
            for slot in from..=current {
                let job = NewJob::new(
                    s.kind.clone(),
                    serde_json::json!({ "slot": slot, "schedule": s.payload }),
                )
                .dedupe_key(format!("schedule:{}:{slot}", s.kind))
                .max_attempts(3);
                match self.app.db().run(move |c| jobs::enqueue(c, &job)).await {
                    Ok(_) => new_last = Some(slot),
                    Err(e) => {
                        tracing::warn!(error = %e, kind = %s.kind, "could not enqueue a scheduled job");
                        break;
                    }
                }
            }
            if let Some(slot) = new_last {
                last.insert(s.kind.clone(), slot);
            }
        }
    }
}

#[cfg(test)]
mod offset_tests {
    use super::*;

    #[test]
    fn a_daily_schedule_with_an_offset_turns_over_at_that_time_of_day() {
        let s = Schedule::every("x", Duration::from_secs(86_400)).at_offset(Duration::from_secs(3 * 3600));
        let day = 86_400_000_i64;
        let three = 3 * 3_600_000_i64;
        assert_eq!(s.slot(10 * day + three - 1), s.slot(10 * day));
        assert_eq!(s.slot(10 * day + three), s.slot(10 * day) + 1);
        assert_eq!(s.slot(11 * day + three - 1), s.slot(10 * day + three));
    }
}
