//! `vendhub serve`: a fresh folder, no configuration, admin credentials, the health check, SQL log lines in their request.

use std::time::{Duration, Instant};
use vendhub_store::DbUrl;
use vendhub_store::test_db::TestDb;

use super::{assert_one_line_failure, db_url, run, serve, stderr};

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
