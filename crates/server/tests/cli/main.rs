//! The `vendhub` binary as an operator runs it: serve and stop, migrate, seed, config check, healthcheck,
//! and the bad inputs that must end with one clear line and a non-zero exit code.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

mod commands;
mod config;
mod failures;
mod orders_kill;
mod serve;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use vendhub_store::DbUrl;
use vendhub_store::test_db::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_vendhub");

fn db_url(db: &TestDb) -> String {
    match &db.url {
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DbUrl::Postgres(u) => u.clone(),
    }
}

/// A command with a clean environment: only what the test gives it (plus PATH).
fn vendhub(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    vendhub(dir, env).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The failure is one line on stderr, naming `needle`, with no panic or backtrace.
fn assert_one_line_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(
        !o.status.success(),
        "expected failure, got success; stdout: {}",
        stdout(o)
    );
    assert_eq!(err.trim().lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "{needle:?} not named in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

struct Server {
    child: Child,
    /// Set once the process has been waited for: its pid may then belong to someone else.
    exited: bool,
    port: u16,
    stdout: Vec<String>,
    /// What it printed after the listening line.
    later: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // A test that failed half-way must not leave its server running; an exited one is left alone
        // (its pid may already belong to another test's process).
        if !self.exited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `vendhub serve` on a free port and waits for its "listening" line.
#[expect(
    clippy::zombie_processes,
    reason = "the child is waited for by Server's Drop, even on a failed assert"
)]
fn serve(dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut child = vendhub(dir, env)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .args(["serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let start = Instant::now();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "server exited early: {lines:#?}"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no listening line");
        if let Some(addr) = line.trim().strip_prefix("VendHub is listening on http://") {
            let port = addr.rsplit(':').next().unwrap().parse().unwrap();
            lines.push(line);
            // Keep draining stdout so the server never blocks on a full pipe.
            let later = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let kept = later.clone();
            std::thread::spawn(move || {
                for line in reader.lines().map_while(Result::ok) {
                    kept.lock().unwrap().push(line);
                }
            });
            return Server {
                child,
                exited: false,
                port,
                stdout: lines,
                later,
            };
        }
        lines.push(line);
    }
}

impl Server {
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.exited = true;
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
