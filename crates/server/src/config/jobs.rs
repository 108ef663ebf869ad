//! The background job runner (`JOB_*`): how many run at once, retries, polling and leases.

use std::time::Duration;

use super::vars::Vars;

#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub concurrency: usize,
    pub max_attempts: u32,
    pub poll_interval: Duration,
    pub lease: Duration,
}

pub(super) fn jobs(v: &mut Vars<'_>) -> JobsConfig {
    JobsConfig {
        concurrency: v.parse("JOB_CONCURRENCY", 4usize, "a whole number"),
        max_attempts: v.parse("JOB_MAX_ATTEMPTS", 5u32, "a whole number"),
        poll_interval: v.duration("JOB_POLL_INTERVAL", "500ms"),
        lease: v.duration("JOB_LEASE", "60s"),
    }
}

/// Checks that wait until every setting is read, to keep the order problems are reported in.
pub(super) fn check_jobs(v: &mut Vars<'_>, jobs: &JobsConfig) {
    if jobs.concurrency == 0 {
        v.problem("JOB_CONCURRENCY", "must be at least 1");
    }
    if jobs.max_attempts == 0 {
        v.problem("JOB_MAX_ATTEMPTS", "must be at least 1");
    }
}
