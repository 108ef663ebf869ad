//! Records the compiler version, git commit and build time for `/health/version` and `--version`.
//!
//! The names it emits (`BUILD_*`) deliberately carry none of the configuration's prefixes: `cargo run`
//! passes a build script's `rustc-env` values to the program it starts, and the configuration refuses
//! unknown `VENDHUB_*` variables (`tests/cli/config.rs` holds every name here to that).

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rust_version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    let commit = std::env::var("VENDHUB_GIT_COMMIT")
        .ok()
        .or_else(|| output("git", &["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    let build_time = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .map_or_else(|| output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]), |_| None)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=BUILD_RUST_VERSION={rust_version}");
    println!("cargo:rustc-env=BUILD_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=BUILD_TIME={build_time}");
    println!("cargo:rerun-if-env-changed=VENDHUB_GIT_COMMIT");
    println!("cargo:rerun-if-changed=../../.git/HEAD");
}
