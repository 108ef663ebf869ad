//! Logs and metrics: `LOG_LEVEL`, `LOG_FORMAT` and the separate metrics port (`METRICS_PORT`).
//! (`METRICS_TOKEN` and the `HEALTH_*` limits are plain reads in [`super::Config::from_map`].)

use super::vars::Vars;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

pub(super) fn logging(v: &mut Vars<'_>, production: bool) -> (String, LogFormat) {
    let log_level = v
        .string("LOG_LEVEL", if production { "info" } else { "debug" })
        .to_ascii_lowercase();
    if !matches!(log_level.as_str(), "trace" | "debug" | "info" | "warn" | "error") {
        v.problem(
            "LOG_LEVEL",
            format!("must be trace, debug, info, warn or error (got {log_level:?})"),
        );
    }
    let log_format = match v.string("LOG_FORMAT", "json").as_str() {
        "json" => LogFormat::Json,
        "pretty" | "text" => LogFormat::Pretty,
        other => {
            v.problem("LOG_FORMAT", format!("must be json or pretty (got {other:?})"));
            LogFormat::Json
        }
    };
    (log_level, log_format)
}

/// `METRICS_PORT`: `/metrics` on a port of its own; unset serves it on the main port.
pub(super) fn metrics_port(v: &mut Vars<'_>) -> Option<u16> {
    v.opt("METRICS_PORT").and_then(|p| match p.parse::<u16>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            v.problem("METRICS_PORT", format!("must be a port number (got {p:?})"));
            None
        }
    })
}
