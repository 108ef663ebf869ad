//! Logs: JSON lines (or human-readable) at `LOG_LEVEL`, with each request's span (route, request id).

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) {
    let level = &config.log_level;
    // Our crates at LOG_LEVEL; chatty dependencies at warn unless asked for trace.
    let default = format!(
        "warn,vendhub={level},vendhub_http={level},vendhub_app={level},vendhub_jobs={level},\
         vendhub_store={level},vendhub_infra={level},tower_http=info"
    );
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE);
    let _ = match config.log_format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            // The whole chain: the request's span (route, request id) and the use case's (org, user).
            .with_span_list(true)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
