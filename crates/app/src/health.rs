//! Health checks of each part (database, cache or Redis, memory, disk, file storage, job queue), in the
//! shape of the runbook's `/health/*` answers: parts that are up under `info`, the failing under `error`.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::App;

/// How long one part may take to answer before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// One part's state and what was measured.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub status: &'static str,
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl Component {
    fn up(details: Map<String, Value>) -> Self {
        Self {
            status: "up",
            details,
        }
    }

    fn down(message: impl Into<String>, mut details: Map<String, Value>) -> Self {
        details.insert("message".into(), Value::String(message.into()));
        Self {
            status: "down",
            details,
        }
    }

    pub fn is_up(&self) -> bool {
        self.status == "up"
    }
}

/// The answer of a health URL: `ok` when every part checked is up.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: &'static str,
    pub info: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub error: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Map<String, Value>>,
}

impl Report {
    fn from_parts(parts: Vec<(&'static str, Component)>, with_details: bool) -> Self {
        let mut info = Map::new();
        let mut error = Map::new();
        let mut details = Map::new();
        for (name, part) in parts {
            let value = serde_json::to_value(&part).unwrap_or(Value::Null);
            if with_details {
                details.insert(name.into(), value.clone());
            }
            let summary = if with_details { value } else { brief(&part) };
            if part.is_up() {
                info.insert(name.into(), summary);
            } else {
                error.insert(name.into(), summary);
            }
        }
        Self {
            status: if error.is_empty() { "ok" } else { "error" },
            info,
            error,
            details: with_details.then_some(details),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

/// Only `status` (plus `backend` and `message`, where there are) for the short answers.
fn brief(part: &Component) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), Value::String(part.status.into()));
    for key in ["backend", "message"] {
        if let Some(v) = part.details.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

async fn timed<F, T, E>(fut: F) -> Result<(T, u128), String>
where
    F: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let start = std::time::Instant::now();
    match tokio::time::timeout(CHECK_TIMEOUT, fut).await {
        Ok(Ok(v)) => Ok((v, start.elapsed().as_millis())),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {}s", CHECK_TIMEOUT.as_secs())),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

async fn database(app: &App) -> Component {
    let backend = app.db().backend().as_str();
    let pool = app.db().pool_status();
    let details =
        json!({ "backend": backend, "pool_max": pool.max, "pool_open": pool.open, "pool_idle": pool.idle });
    match timed(app.db().ping()).await {
        Ok(((), ms)) => {
            let mut d = obj(details);
            d.insert("response_time_ms".into(), json!(ms));
            Component::up(d)
        }
        Err(e) => Component::down(e, obj(details)),
    }
}

async fn cache(app: &App) -> (&'static str, Component) {
    let backend = app.cache().backend();
    let name = if backend == "redis" { "redis" } else { "cache" };
    let details = obj(json!({ "backend": backend }));
    let part = match timed(app.cache().ping()).await {
        Ok(((), ms)) => {
            let mut d = details;
            d.insert("response_time_ms".into(), json!(ms));
            Component::up(d)
        }
        Err(e) => Component::down(e, details),
    };
    (name, part)
}

fn resident_bytes() -> Option<u64> {
    memory_stats::memory_stats().map(|m| m.physical_mem as u64)
}

fn memory(limit: u64) -> Component {
    let Some(used) = resident_bytes() else {
        return Component::down("memory use cannot be read on this platform", Map::new());
    };
    let details = obj(json!({ "used_bytes": used, "limit_bytes": limit }));
    if used <= limit {
        Component::up(details)
    } else {
        Component::down(
            format!("resident memory {used} bytes is over the limit {limit}"),
            details,
        )
    }
}

fn disk(app: &App) -> Component {
    let dir = &app.settings().data_dir;
    let threshold = app.settings().disk_threshold_percent;
    match (fs4::total_space(dir), fs4::available_space(dir)) {
        (Ok(total), Ok(free)) if total > 0 => {
            let used_percent = (total - free.min(total)) * 100 / total;
            let details = obj(json!({
                "path": dir.display().to_string(), "total_bytes": total, "free_bytes": free,
                "used_percent": used_percent, "threshold_percent": threshold,
            }));
            if used_percent < u64::from(threshold) {
                Component::up(details)
            } else {
                Component::down(format!("disk is {used_percent}% full"), details)
            }
        }
        (Err(e), _) | (_, Err(e)) => Component::down(format!("{}: {e}", dir.display()), Map::new()),
        _ => Component::down("disk size is zero", Map::new()),
    }
}

async fn storage(app: &App) -> Component {
    let details = obj(json!({ "backend": app.blobs().backend() }));
    match timed(app.blobs().ping()).await {
        Ok(((), ms)) => {
            let mut d = details;
            d.insert("response_time_ms".into(), json!(ms));
            Component::up(d)
        }
        Err(e) => Component::down(e, details),
    }
}

async fn queue(app: &App) -> Component {
    match timed(app.db().run(vendhub_store::jobs::counts)).await {
        Ok((c, _)) => Component::up(obj(json!({
            "queued": c.queued, "running": c.running, "dead": c.dead, "done": c.done,
        }))),
        Err(e) => Component::down(e, Map::new()),
    }
}

/// Jobs per state, for the queue gauges of `/metrics`.
pub async fn queue_counts(app: &App) -> Result<vendhub_store::jobs::QueueCounts, crate::AppError> {
    Ok(app.db().run(vendhub_store::jobs::counts).await?)
}

fn draining() -> Component {
    Component::down("shutting down", Map::new())
}

/// `/health/live`: the process runs and its memory is under its limit.
pub fn live(app: &App) -> Report {
    Report::from_parts(
        vec![("memory_heap", memory(app.settings().memory_heap_limit))],
        false,
    )
}

/// `/health/ready`: the database and the cache (or Redis) answer, and the server is not shutting down.
pub async fn ready(app: &App) -> Report {
    let (db, (cache_name, cache)) = tokio::join!(database(app), cache(app));
    let mut parts = vec![("database", db), (cache_name, cache)];
    if app.is_draining() {
        parts.push(("server", draining()));
    }
    Report::from_parts(parts, false)
}

/// `/health/detailed`: every part with what was measured.
pub async fn detailed(app: &App) -> Report {
    let (db, (cache_name, cache), storage, queue) =
        tokio::join!(database(app), cache(app), storage(app), queue(app));
    let settings = app.settings();
    let mut parts = vec![
        ("database", db),
        (cache_name, cache),
        ("memory_heap", memory(settings.memory_heap_limit)),
        ("memory_rss", memory(settings.memory_rss_limit)),
        ("disk", disk(app)),
        ("storage", storage),
        ("queue", queue),
    ];
    if app.is_draining() {
        parts.push(("server", draining()));
    }
    Report::from_parts(parts, true)
}
