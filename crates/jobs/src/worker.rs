//! The worker: claims due jobs with a lease, runs at most `concurrency` at once, keeps their leases
//! fresh, and records the outcome (done, retried with backoff, or dead). On shutdown it lets running
//! jobs finish for a while, then gives the rest back to the queue.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use vendhub_app::App;
use vendhub_domain::jobs::RetryPolicy;
use vendhub_store::jobs::{self, JobRow};

use crate::registry::{JobContext, JobError, Registry};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// A name unique to this process (host + pid + random), recorded as the lease holder.
    pub worker_id: String,
    pub concurrency: usize,
    /// How often an idle worker looks for due jobs.
    pub poll_interval: Duration,
    /// How long a claim holds a job; renewed every third of it while the job runs.
    pub lease: Duration,
    pub retry: RetryPolicy,
    /// How long running jobs may go on after shutdown starts before they are given back.
    pub shutdown_grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            worker_id: format!("worker-{}", uuid::Uuid::now_v7().simple()),
            concurrency: 4,
            poll_interval: Duration::from_millis(250),
            lease: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(15),
        }
    }
}

pub struct Worker {
    app: App,
    registry: Registry,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(app: App, registry: Registry, config: WorkerConfig) -> Self {
        Self {
            app,
            registry,
            config,
        }
    }

    /// Runs until `stop` is cancelled, then drains as described above.
    pub async fn run(self, stop: CancellationToken) {
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut running: JoinSet<()> = JoinSet::new();
        let mut held: Vec<(tokio::task::Id, String)> = Vec::new();
        loop {
            while let Some(done) = running.try_join_next_with_id() {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                held.retain(|(t, _)| *t != id);
            }
            if stop.is_cancelled() {
                break;
            }
            let free = permits.available_permits();
            let claimed = if free == 0 {
                Vec::new()
            } else {
                let worker = self.config.worker_id.clone();
                let lease = self.config.lease;
                let limit = u32::try_from(free).unwrap_or(1);
                match self
                    .app
                    .db()
                    .run(move |c| jobs::claim(c, &worker, limit, lease))
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot claim jobs");
                        Vec::new()
                    }
                }
            };
            let idle = claimed.is_empty();
            for job in claimed {
                let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                    break;
                };
                let job_id = job.id.clone();
                let task = self.execute(job);
                let handle = running.spawn(async move {
                    task.await;
                    drop(permit);
                });
                held.push((handle.id(), job_id));
            }
            if idle {
                tokio::select! {
                    () = stop.cancelled() => {}
                    () = tokio::time::sleep(self.config.poll_interval) => {}
                    Some(_) = running.join_next(), if !running.is_empty() => {}
                }
            }
        }
        self.drain(running, held).await;
    }

    async fn drain(&self, mut running: JoinSet<()>, mut held: Vec<(tokio::task::Id, String)>) {
        let grace = tokio::time::sleep(self.config.shutdown_grace);
        tokio::pin!(grace);
        while !running.is_empty() {
            tokio::select! {
                done = running.join_next_with_id() => {
                    let id = match done {
                        Some(Ok((id, ()))) => id,
                        Some(Err(e)) => e.id(),
                        None => break,
                    };
                    held.retain(|(t, _)| *t != id);
                }
                () = &mut grace => {
                    running.abort_all();
                    break;
                }
            }
        }
        for (_, job_id) in held {
            let worker = self.config.worker_id.clone();
            let released = self
                .app
                .db()
                .run(move |c| jobs::release(c, &job_id, &worker))
                .await;
            if let Err(e) = released {
                tracing::warn!(error = %e, "could not give a job back; its lease will expire");
            }
        }
    }

    /// Runs one claimed job to its recorded outcome.
    fn execute(&self, job: JobRow) -> impl Future<Output = ()> + Send + 'static {
        let app = self.app.clone();
        let handler = self.registry.get(&job.kind);
        let config = self.config.clone();
        let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, attempt = job.attempts);
        async move {
            let kind = job.kind.clone();
            let attempt = u32::try_from(job.attempts).unwrap_or(u32::MAX);
            let outcome = if attempt > u32::try_from(job.max_attempts).unwrap_or(1) {
                // Claimed again after a crash on its last attempt: nothing more to try.
                Err(JobError::Permanent("attempts exhausted (the worker holding it stopped)".into()))
            } else if let Some(handler) = handler {
                let ctx = JobContext { app: app.clone(), job_id: job.id.clone(), kind: kind.clone(), attempt };
                let payload = serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
                let keep_lease = keep_lease(app.clone(), job.id.clone(), config.worker_id.clone(), config.lease);
                let result = tokio::select! {
                    r = handler.run(&ctx, payload) => r,
                    () = keep_lease => Err(JobError::Retry("lost the lease".into())),
                };
                result
            } else {
                Err(JobError::Permanent(format!("no handler for job kind {kind:?}")))
            };
            let worker = config.worker_id.clone();
            let recorded = match outcome {
                Ok(()) => {
                    metrics::counter!("vendhub_jobs_completed_total", "kind" => kind.clone()).increment(1);
                    app.db().run(move |c| jobs::complete(c, &job.id, &worker).map(|_| ())).await
                }
                Err(err) => {
                    metrics::counter!("vendhub_jobs_failed_total", "kind" => kind.clone()).increment(1);
                    tracing::warn!(job.kind = %kind, attempt, error = %err, "job failed");
                    let policy = match err {
                        JobError::Permanent(_) => RetryPolicy { max_attempts: 0, ..config.retry },
                        JobError::Retry(_) => config.retry,
                    };
                    let mut row = job;
                    if policy.max_attempts == 0 {
                        row.max_attempts = 0;
                    }
                    let message = err.to_string();
                    app.db().run(move |c| jobs::fail(c, &row, &worker, &message, &policy).map(|_| ())).await
                }
            };
            if let Err(e) = recorded {
                tracing::error!(error = %e, "could not record a job's outcome; it will run again after its lease");
            }
        }
        .instrument(span)
    }
}

/// Renews the lease every third of its length; ends only when the lease was lost.
async fn keep_lease(app: App, job_id: String, worker: String, lease: Duration) {
    let mut tick = tokio::time::interval(lease / 3);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (id, w) = (job_id.clone(), worker.clone());
        match app.db().run(move |c| jobs::extend_lease(c, &id, &w, lease)).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => tracing::warn!(error = %e, "could not renew a job lease"),
        }
    }
}
