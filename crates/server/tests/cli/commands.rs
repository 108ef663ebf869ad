//! The operator's commands: migrate, seed, version, audit verify, simulate.

use std::process::Command;
use vendhub_store::test_db::TestDb;

use super::{BIN, assert_one_line_failure, db_url, run, serve, stderr, stdout};

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
fn version_prints_the_version() {
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert!(o.status.success());
    assert!(stdout(&o).starts_with(&format!("vendhub {}", env!("CARGO_PKG_VERSION"))));
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
    let bad = run(dir.path(), &[], &["simulate", "--vend-failure-rate", "1.5"]);
    assert_one_line_failure(&bad, "--vend-failure-rate");
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
