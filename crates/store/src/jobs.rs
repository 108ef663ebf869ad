//! The job table: enqueue inside the caller's transaction, claim with a lease, finish, retry, park.
//! The queue is one for every organization (workers take due jobs whatever their tenant), so no function
//! here takes a tenant scope: a job's `organization_id` is the one it was enqueued for, and a handler
//! acting on tenant rows makes its scope from that.
//!
//! Claiming is one `UPDATE … RETURNING`; on PostgreSQL its sub-select takes `FOR UPDATE SKIP LOCKED`
//! so several workers on several replicas never take the same row.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use vendhub_domain::ids::{JobId, OrganizationId};
use vendhub_domain::jobs::{AfterFailure, JobState, RetryPolicy};

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::jobs;

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// When it may run first; `None` is now.
    pub run_at: Option<NaiveDateTime>,
    pub max_attempts: u32,
    /// A job whose key is already on the queue (in any state) is not enqueued again.
    pub dedupe_key: Option<String>,
    pub organization_id: Option<OrganizationId>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at: None,
            max_attempts: RetryPolicy::default().max_attempts,
            dedupe_key: None,
            organization_id: None,
        }
    }

    #[must_use]
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    #[must_use]
    pub fn run_at(mut self, at: NaiveDateTime) -> Self {
        self.run_at = Some(at);
        self
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub organization_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// Across organizations: one queue for every tenant; the job carries the organization it is for.
/// Enqueues a job on `conn`. Call it inside the transaction of the change that causes the job, so that
/// a rolled-back change enqueues nothing. Returns `None` when the dedupe key is already taken.
pub fn enqueue(conn: &mut DbConn, job: &NewJob) -> Result<Option<JobId>, StoreError> {
    let now = crate::now();
    let id = JobId::new();
    let row = JobRow {
        id: id.to_string(),
        kind: job.kind.clone(),
        payload: job.payload.to_string(),
        state: JobState::Queued.as_str().into(),
        attempts: 0,
        max_attempts: i32::try_from(job.max_attempts).unwrap_or(i32::MAX),
        run_at: job.run_at.unwrap_or(now),
        locked_by: None,
        locked_until: None,
        last_error: None,
        dedupe_key: job.dedupe_key.clone(),
        organization_id: job.organization_id.map(|o| o.to_string()),
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    let inserted = match conn {
        DbConn::Sqlite(c) => diesel::insert_into(jobs::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Postgres(c) => diesel::insert_into(jobs::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok((inserted == 1).then_some(id))
}

/// Across organizations: workers take due jobs of every tenant.
/// Takes up to `limit` due jobs (queued and due, or running with an expired lease) for `worker`, leased
/// until `now + lease`. Each claim counts as an attempt.
pub fn claim(
    conn: &mut DbConn,
    worker: &str,
    limit: u32,
    lease: Duration,
) -> Result<Vec<JobRow>, StoreError> {
    let now = crate::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let lock = match conn {
        DbConn::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        DbConn::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, \
             updated_at = $3 \
         WHERE id IN (SELECT id FROM jobs \
             WHERE (state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3) \
             ORDER BY run_at, id LIMIT $4 {lock}) \
         RETURNING *"
    );
    let query = diesel::sql_query(sql)
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(i64::from(limit));
    let mut rows: Vec<JobRow> = match conn {
        DbConn::Postgres(c) => query.load(c)?,
        DbConn::Sqlite(c) => query.load(c)?,
    };
    rows.sort_by(|a, b| a.run_at.cmp(&b.run_at).then_with(|| a.id.cmp(&b.id)));
    Ok(rows)
}

/// Across organizations: a worker's lease, by job id, whatever the job's tenant.
/// Pushes the lease of a job this worker still holds; `false` when it no longer holds it.
pub fn extend_lease(conn: &mut DbConn, id: &str, worker: &str, lease: Duration) -> Result<bool, StoreError> {
    let until = crate::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let n = diesel::update(jobs::table)
        .filter(jobs::id.eq(id))
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::state.eq(JobState::Running.as_str()))
        .set(jobs::locked_until.eq(until))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: a worker finishes a job by id, whatever the job's tenant.
/// Marks a job this worker holds as done.
pub fn complete(conn: &mut DbConn, id: &str, worker: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(jobs::table)
        .filter(jobs::id.eq(id))
        .filter(jobs::locked_by.eq(worker))
        .set((
            jobs::state.eq(JobState::Done.as_str()),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::finished_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: a worker records a failure by job id, whatever the job's tenant.
/// Records a failed attempt: back on the queue after the policy's delay, or parked as dead.
pub fn fail(
    conn: &mut DbConn,
    job: &JobRow,
    worker: &str,
    error: &str,
    policy: &RetryPolicy,
) -> Result<JobState, StoreError> {
    let now = crate::now();
    let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
    let policy = RetryPolicy {
        max_attempts: u32::try_from(job.max_attempts).unwrap_or(1),
        ..*policy
    };
    let (state, run_at, finished) = match policy.after_failure(attempts) {
        AfterFailure::RetryIn(delay) => (
            JobState::Queued,
            now + chrono::Duration::from_std(delay).unwrap_or_default(),
            None,
        ),
        AfterFailure::Dead => (JobState::Dead, job.run_at, Some(now)),
    };
    let error: String = error.chars().take(2000).collect();
    diesel::update(jobs::table)
        .filter(jobs::id.eq(&job.id))
        .filter(jobs::locked_by.eq(worker))
        .set((
            jobs::state.eq(state.as_str()),
            jobs::run_at.eq(run_at),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(Some(error)),
            jobs::finished_at.eq(finished),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(state)
}

/// Across organizations: a stopping worker gives back a job by id, whatever the job's tenant.
/// Gives a job back without counting the attempt (a worker stopping before the job finished).
pub fn release(conn: &mut DbConn, id: &str, worker: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(jobs::table)
        .filter(jobs::id.eq(id))
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::state.eq(JobState::Running.as_str()))
        .set((
            jobs::state.eq(JobState::Queued.as_str()),
            jobs::attempts.eq(jobs::attempts - 1),
            jobs::run_at.eq(now),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: an operator's (and the tests') look at one job by id.
pub fn get(conn: &mut DbConn, id: JobId) -> Result<Option<JobRow>, StoreError> {
    Ok(jobs::table
        .find(id.to_string())
        .select(JobRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: an operator's (and the tests') look at the jobs of one kind.
pub fn by_kind(conn: &mut DbConn, kind: &str) -> Result<Vec<JobRow>, StoreError> {
    Ok(jobs::table
        .filter(jobs::kind.eq(kind))
        .order(jobs::created_at.asc())
        .select(JobRow::as_select())
        .load(conn)?)
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

#[derive(QueryableByName)]
struct StateCount {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Across organizations: the queue's depth for metrics and health.
pub fn counts(conn: &mut DbConn) -> Result<QueueCounts, StoreError> {
    let rows: Vec<StateCount> =
        diesel::sql_query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").load(conn)?;
    let mut c = QueueCounts::default();
    for row in rows {
        match JobState::parse(&row.state) {
            Some(JobState::Queued) => c.queued = row.n,
            Some(JobState::Running) => c.running = row.n,
            Some(JobState::Done) => c.done = row.n,
            Some(JobState::Dead) => c.dead = row.n,
            None => return Err(StoreError::Corrupt(format!("job state {:?}", row.state))),
        }
    }
    Ok(c)
}

/// Across organizations: maintenance prunes the whole queue.
/// Deletes finished (done) jobs older than `before`; dead jobs stay for an operator to see.
pub fn prune_done(conn: &mut DbConn, before: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(diesel::delete(jobs::table)
        .filter(jobs::state.eq(JobState::Done.as_str()))
        .filter(jobs::finished_at.lt(before))
        .execute(conn)?)
}

// Keep the unused-import lint honest for types only used in SQL binds on one backend.
#[allow(dead_code)]
type _Binds = (Integer, Nullable<Text>);
