//! The `vendhub` binary as an operator runs it: serve and stop, migrate, seed, config check, healthcheck,
//! and the bad inputs that must end with one clear line and a non-zero exit code.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

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

fn get(port: u16, path: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    })
}

#[test]
fn serve_on_a_fresh_folder_creates_data_prints_the_owner_once_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let server = serve(dir.path(), &[("DATABASE_URL", &url)]);
    let printed = server.stdout.join("");
    assert!(printed.contains("e-mail:   admin@vendhub.local"), "{printed}");
    let password_line = printed
        .lines()
        .find(|l| l.contains("password: "))
        .expect("password printed");
    let password = password_line
        .split("password: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(password.len(), 20);

    let (status, body) = get(server.port, "/health/ready");
    assert_eq!(status, 200, "{body}");
    let secrets = dir.path().join("data/secrets");
    assert!(secrets.exists(), "JWT secrets generated into ./data/secrets");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let secret_text = std::fs::read_to_string(&secrets).unwrap();
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0),
        "SIGTERM exits 0"
    );
    if matches!(db.url, DbUrl::Sqlite(_)) {
        // DATABASE_URL pointed elsewhere; the default file lives in ./data only without it.
        assert!(dir.path().join("data").is_dir());
    }

    let server = serve(dir.path(), &[("DATABASE_URL", &url)]);
    let printed = server.stdout.join("");
    assert!(
        !printed.contains("password"),
        "the password is printed only on the first start: {printed}"
    );
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(&secrets).unwrap(),
        secret_text,
        "secrets are kept, not regenerated"
    );
}

#[test]
fn serve_with_no_configuration_at_all_uses_the_sqlite_file_in_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let (status, body) = get(server.port, "/health/ready");
    assert_eq!(status, 200);
    assert!(body.contains(r#""backend":"memory""#), "{body}");
    assert!(dir.path().join("data/vendhub.db").is_file());
    assert!(dir.path().join("data/files").is_dir());
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0)
    );
}

#[test]
fn admin_credentials_from_the_environment_are_used_and_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("VENDHUB_ADMIN_EMAIL", "boss@example.uz"),
        ("VENDHUB_ADMIN_PASSWORD", "a-long-enough-password"),
    ];
    let server = serve(dir.path(), &env);
    let printed = server.stdout.join("");
    assert!(
        printed.contains("boss@example.uz") && !printed.contains("a-long-enough-password"),
        "{printed}"
    );
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0)
    );
}

#[test]
fn migrate_run_revert_and_show_work_like_the_runbook_says() {
    // What the binary embeds: every folder of migrations/sqlite, versions from their dates and numbers.
    let dir_of = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations/sqlite");
    let mut versions: Vec<String> = std::fs::read_dir(dir_of)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .split('_')
                .next()
                .unwrap()
                .replace('-', "")
        })
        .collect();
    versions.sort();
    let (n, newest) = (versions.len(), versions.last().unwrap().clone());

    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let env = [("DATABASE_URL", url.as_str())];
    let show = run(dir.path(), &env, &["migrate", "show"]);
    assert!(show.status.success(), "{}", stderr(&show));
    assert!(
        stdout(&show).contains(&format!("0 applied, {n} pending")),
        "{}",
        stdout(&show)
    );

    let up = run(dir.path(), &env, &["migrate", "run"]);
    assert!(up.status.success(), "{}{}", stdout(&up), stderr(&up));
    assert_eq!(stdout(&up).matches("Applied ").count(), n, "{}", stdout(&up));
    let again = run(dir.path(), &env, &["migrate", "run"]);
    assert!(
        stdout(&again).contains("No pending migrations."),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    let shown = run(dir.path(), &env, &["migrate", "show"]);
    assert!(
        stdout(&shown).contains(&format!("[X] {newest}")),
        "{}{}",
        stdout(&shown),
        stderr(&shown)
    );

    let down = run(dir.path(), &env, &["migrate", "revert"]);
    assert!(down.status.success(), "{}{}", stdout(&down), stderr(&down));
    assert!(
        stdout(&down).contains(&format!("Reverted {newest}")),
        "{}",
        stdout(&down)
    );
    let shown = run(dir.path(), &env, &["migrate", "show"]);
    let show = stdout(&shown);
    assert!(
        show.contains(&format!("[ ] {newest}")) && show.contains(&format!("{} applied, 1 pending", n - 1)),
        "{show}{}",
        stderr(&shown)
    );
}

#[test]
fn seed_is_idempotent_and_demo_adds_the_fleet_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let env = [("DATABASE_URL", url.as_str())];
    let first = run(dir.path(), &env, &["seed"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("password: "));
    let second = run(dir.path(), &env, &["seed", "--demo"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let out = stdout(&second);
    assert!(out.contains("The first organization exists already."), "{out}");
    assert!(
        out.contains("2 locations, 20 machines, 30 products, 1 warehouse"),
        "{out}"
    );
    let third = stdout(&run(dir.path(), &env, &["seed", "--demo"]));
    assert!(third.contains("Demo data exists already"), "{third}");
}

#[test]
fn config_check_prints_the_effective_configuration_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s".repeat(40);
    let o = run(
        dir.path(),
        &[
            ("JWT_SECRET", &secret),
            ("JWT_REFRESH_SECRET", &"r".repeat(40)),
            (
                "DATABASE_URL",
                "postgres://vendhub:hunter2-password@db.internal:5432/vendhub",
            ),
            ("PAYME_SECRET_KEY", "payme-key-value"),
        ],
        &["config", "check"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("configuration is valid (development environment)"));
    assert!(
        out.contains("JWT_SECRET=***") && out.contains("PAYME_SECRET_KEY=***"),
        "{out}"
    );
    assert!(
        out.contains("DATABASE_URL=postgres://vendhub:***@db.internal:5432/vendhub"),
        "{out}"
    );
    assert!(out.contains("PORT=4000") && out.contains("JWT_EXPIRES_IN=15m"));
    for leaked in [secret.as_str(), "hunter2-password", "payme-key-value"] {
        assert!(!out.contains(leaked), "{leaked} printed");
    }
}

/// The names `build.rs` hands to the compiler with `cargo:rustc-env=`: `cargo run` (the README's first
/// command) puts each of them in the environment of the program it starts.
fn build_script_env() -> Vec<String> {
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs")).unwrap();
    script
        .split("cargo:rustc-env=")
        .skip(1)
        .map(|rest| rest.split('=').next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_variables_cargo_run_passes_from_the_build_script_are_accepted() {
    let names = build_script_env();
    assert!(
        names.len() >= 3,
        "build.rs emits the version, commit and time: {names:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "from-build-script")).collect();
    let o = run(dir.path(), &env, &["config", "check"]);
    assert!(o.status.success(), "cargo run would fail: {}", stderr(&o));
}

#[test]
fn healthcheck_exits_zero_only_when_ready() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let port = server.port.to_string();
    let ok = run(dir.path(), &[("PORT", &port)], &["healthcheck"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0)
    );
    let down = run(
        dir.path(),
        &[("PORT", &port)],
        &["healthcheck", "--timeout", "2s"],
    );
    assert_one_line_failure(&down, &format!("127.0.0.1:{port}/health/ready"));
}

#[test]
fn version_prints_the_version() {
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert!(o.status.success());
    assert!(stdout(&o).starts_with(&format!("vendhub {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn a_malformed_or_foreign_database_url_is_one_line_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    assert_one_line_failure(
        &run(dir.path(), &[("DATABASE_URL", "mysql://h/db")], &["serve"]),
        "DATABASE_URL",
    );
    assert_one_line_failure(
        &run(dir.path(), &[("DATABASE_URL", "::nonsense::")], &["serve"]),
        "DATABASE_URL",
    );
}

#[test]
fn an_unknown_app_env_every_problem_and_typos_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[("APP_ENV", "prod"), ("DB_POOLSIZE", "5"), ("PORT", "eighty")],
        &["serve"],
    );
    assert_one_line_failure(&o, "APP_ENV: must be development, staging or production");
    let err = stderr(&o);
    assert!(
        err.contains("DB_POOLSIZE: unknown variable (did you mean DB_POOL_SIZE?)"),
        "{err}"
    );
    assert!(err.contains("PORT: must be a port number"), "{err}");
}

#[test]
fn production_requires_long_jwt_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[("APP_ENV", "production"), ("JWT_SECRET", "short")],
        &["serve"],
    );
    assert_one_line_failure(&o, "JWT_SECRET: must be at least 32 characters");
    assert!(stderr(&o).contains("JWT_REFRESH_SECRET: is required in production"));
    assert!(!stderr(&o).contains("short\""), "the secret itself is not echoed");
}

#[test]
fn an_unreachable_database_is_retried_then_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let o = run(
        dir.path(),
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/vendhub"),
            ("DB_CONNECT_TIMEOUT", "2s"),
        ],
        &["serve"],
    );
    assert_one_line_failure(
        &o,
        "DATABASE_URL: postgres://postgres@127.0.0.1:1/vendhub did not answer within 2s",
    );
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "it retried before giving up"
    );
}

#[test]
fn a_port_already_in_use_is_one_line_naming_port() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = run(dir.path(), &[("PORT", &port), ("HOST", "127.0.0.1")], &["serve"]);
    assert_one_line_failure(&o, "PORT: cannot listen on 127.0.0.1:");
    assert!(stderr(&o).contains("already in use"));
}

#[test]
fn a_data_folder_that_cannot_be_written_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: refused even for root, unlike a permission bit.
    std::fs::write(dir.path().join("blocker"), b"x").unwrap();
    let o = run(dir.path(), &[("VENDHUB_DATA_DIR", "blocker/data")], &["serve"]);
    assert_one_line_failure(&o, "data folder blocker/data");
}

#[test]
fn audit_verify_reports_an_intact_log_and_names_the_first_broken_record() {
    use diesel::RunQueryDsl;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("VENDHUB_ADMIN_PASSWORD", "audit-test-password"),
    ];
    let server = serve(dir.path(), &env);
    let port = server.port;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        for password in ["wrong-one-1", "audit-test-password", "wrong-two-2"] {
            c.post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
                .json(&serde_json::json!({ "email": "admin@vendhub.local", "password": password }))
                .send()
                .await
                .unwrap();
        }
    });
    assert_eq!(
        {
            let mut s = server;
            s.terminate()
        }
        .code(),
        Some(0)
    );
    let ok = run(dir.path(), &env, &["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{:?}: {}{}",
        ok.status,
        stdout(&ok),
        stderr(&ok)
    );
    assert_eq!(stdout(&ok).trim(), "audit log intact: 3 records");

    let pool = vendhub_store::Db::connect(&vendhub_store::DbOptions::new(db.url.clone())).unwrap();
    diesel::sql_query("UPDATE audit_log SET ip = '10.0.0.1' WHERE seq = 2")
        .execute(&mut *pool.conn().unwrap())
        .unwrap();
    let broken = run(dir.path(), &env, &["audit", "verify"]);
    assert_one_line_failure(
        &broken,
        "audit log broken at record 2: content does not match its hash",
    );

    // Deleting a record, not just changing one, is found too, and named: records 1 and 3 are
    // untouched, so only the gap can be what verify reports.
    diesel::sql_query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&mut *pool.conn().unwrap())
        .unwrap();
    let deleted = run(dir.path(), &env, &["audit", "verify"]);
    assert_one_line_failure(&deleted, "audit log broken at record 2: record 2 is missing");
}

#[test]
fn simulate_fails_in_one_line_on_bad_arguments_or_an_unreachable_server() {
    let dir = tempfile::tempdir().unwrap();
    let bad = run(dir.path(), &[], &["simulate", "--machines", "0"]);
    assert_one_line_failure(&bad, "--machines");
    let unreachable = run(
        dir.path(),
        &[],
        &[
            "simulate",
            "--url",
            "http://127.0.0.1:9",
            "--password",
            "whatever-password",
            "--duration",
            "1s",
        ],
    );
    assert_one_line_failure(&unreachable, "cannot reach http://127.0.0.1:9");
}

/// A SQL statement's log line names the request (route, request id) and the use case's organization and
/// user, although the statement ran on the blocking pool.
#[test]
fn sql_log_lines_carry_the_request_and_the_use_case() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = db_url(&db);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("VENDHUB_ADMIN_EMAIL", "boss@example.uz"),
        ("VENDHUB_ADMIN_PASSWORD", "a-long-enough-password"),
        ("LOG_FORMAT", "json"),
        ("LOG_LEVEL", "debug"),
        ("DB_LOGGING", "true"),
    ];
    let mut server = serve(dir.path(), &env);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{}", server.port);
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": "boss@example.uz", "password": "a-long-enough-password" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let res = client
            .get(format!("{base}/api/v1/locations"))
            .bearer_auth(login["access_token"].as_str().unwrap())
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    });
    let start = Instant::now();
    let line = loop {
        let found = server.later.lock().unwrap().iter().find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let spans = v["spans"].as_array()?;
            // The use case's own query (authentication's queries run before it).
            let is_sql = v["target"] == "vendhub::sql"
                && v["fields"]["query"]
                    .as_str()?
                    .replace('`', "\"")
                    .contains("\"locations\"");
            let in_request = spans.iter().any(|s| s["request_id"] == "trace-me-42");
            (is_sql && in_request).then_some(v)
        });
        if let Some(v) = found {
            break v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no SQL line of the request: {:#?}",
            server.later.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let spans = line["spans"].as_array().unwrap();
    assert!(spans.iter().any(|s| s["route"] == "/api/v1/locations"), "{line}");
    let case = spans
        .iter()
        .find(|s| s.get("org.id").is_some())
        .unwrap_or_else(|| panic!("no use-case span with org.id: {line}"));
    assert!(case.get("user.id").is_some(), "{line}");
    assert_eq!(server.terminate().code(), Some(0));
}
