//! The `vendhub` binary's library: configuration, wiring (a URL picks each adapter), the server's life
//! cycle, and the CLI. `main.rs` only calls [`cli::main`].

pub mod backup;
pub mod cli;
pub mod config;
pub mod secrets;
pub mod serve;
pub mod simulate;
pub mod telemetry;
pub mod wiring;

/// This build, for `/health/version` and `--version`.
pub fn build_info() -> vendhub_http::BuildInfo {
    vendhub_http::BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        rust_version: env!("BUILD_RUST_VERSION"),
        git_commit: env!("BUILD_GIT_COMMIT"),
        build_time: env!("BUILD_TIME"),
    }
}
