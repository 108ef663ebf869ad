//! `vendhub export` / `vendhub import`: a whole installation moves SQLite → PostgreSQL → SQLite (when
//! `TEST_DATABASE_URL` names a PostgreSQL server; SQLite → SQLite → SQLite otherwise) with every table
//! equal row for row, and an import into a database that already holds the organization is refused
//! with the target left as it was.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::path::Path;
use std::process::{Command, Output};

use vendhub_store::test_db::TestDb;
use vendhub_store::{DbUrl, whole_database};

const BIN: &str = env!("CARGO_BIN_EXE_vendhub");

fn url_text(url: &DbUrl) -> String {
    match url {
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DbUrl::Postgres(u) => u.clone(),
    }
}

fn run(dir: &Path, url: &DbUrl, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn")
        .env("DATABASE_URL", url_text(url))
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// One field, written the same way by both backends: booleans as 0/1, timestamps with a space and
/// no trailing zeros in the fraction.
fn normalize(field: &str) -> String {
    match field {
        "true" => return "1".into(),
        "false" => return "0".into(),
        _ => {}
    }
    let b = field.as_bytes();
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b' ') && b[13] == b':' {
        let mut s = field.replacen('T', " ", 1);
        if s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
        }
        return s;
    }
    field.to_owned()
}

/// Every data table's rows, normalized and sorted.
fn contents(url: &DbUrl) -> Vec<(String, Vec<String>)> {
    let mut conn = vendhub_store::connection::establish(url).unwrap();
    whole_database::tables(&mut conn)
        .unwrap()
        .into_iter()
        .filter(|t| t != whole_database::MIGRATIONS_TABLE)
        .map(|t| {
            let mut rows: Vec<String> = whole_database::table_rows(&mut conn, &t)
                .unwrap()
                .iter()
                .map(|r| {
                    r.split('\u{1f}')
                        .map(normalize)
                        .collect::<Vec<_>>()
                        .join("\u{1f}")
                })
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// A row in each table the demo seed leaves empty (SQLite), so the round trip carries every table.
const FILL: &str = "
INSERT INTO backup_codes SELECT 'bc-1', id, 'hash', NULL FROM users LIMIT 1;
INSERT INTO dex_audits SELECT 'dx-1', organization_id, id, '{}', '{}', 1000, '2026-01-02 03:04:05' FROM machines LIMIT 1;
INSERT INTO gateway_events SELECT 'ge-1', organization_id, id, 'e-1', 'heartbeat', '{}', '2026-01-02 03:04:05', '2026-01-02 03:04:06' FROM machines LIMIT 1;
INSERT INTO invites SELECT 'in-1', organization_id, 'hash', 'new@example.test', 'operator', user_id, '2026-01-02 03:04:05', '2026-01-09 03:04:05', NULL, NULL FROM memberships LIMIT 1;
INSERT INTO machine_api_keys SELECT 'mk-1', organization_id, id, 'gateway', 'vhk_abcd', 'hash', NULL, '2026-01-02 03:04:05', NULL, NULL FROM machines LIMIT 1;
INSERT INTO machine_moves SELECT 'mm-1', organization_id, id, location_id, location_id, NULL, '2026-01-02 03:04:05' FROM machines LIMIT 1;
INSERT INTO password_resets SELECT 'pr-1', id, 'hash', '2026-01-02 03:04:05', '2026-01-02 04:04:05', NULL FROM users LIMIT 1;
INSERT INTO product_categories SELECT 'pc-1', id, 'Snacks', '2026-01-02 03:04:05', NULL FROM organizations LIMIT 1;
INSERT INTO sales SELECT 'sa-1', organization_id, id, 'A1', NULL, 500000, 2, 1000000, 'cash', 'test', 'src-1', NULL, '2026-01-02 03:04:05', '2026-01-02 03:04:06' FROM machines LIMIT 1;
INSERT INTO sessions SELECT 'se-1', user_id, organization_id, 'fam-1', 'hash', '127.0.0.1', 'test', '2026-01-02 03:04:05', '2026-01-02 03:04:05', '2026-02-02 03:04:05', NULL, NULL, NULL FROM memberships LIMIT 1;
INSERT INTO stocktakes SELECT 'st-1', id, 'warehouse', 'open', NULL, '2026-01-02 03:04:05', NULL, NULL FROM organizations LIMIT 1;
INSERT INTO stocktake_lines SELECT 'st-1', id, 7, NULL FROM products LIMIT 1;
INSERT INTO task_comments SELECT 'tc-1', id, NULL, 'done', '2026-01-02 03:04:05' FROM tasks LIMIT 1;
INSERT INTO orders SELECT 'or-1', m.organization_id, m.id, 'A1', p.id, 'Water', 500000, 'paid', 'payme', '127.0.0.1', 'uz', '2026-01-02 03:19:05', '2026-01-02 03:05:05', NULL, NULL, NULL, NULL, NULL, '2026-01-02 03:04:05', '2026-01-02 03:05:05' FROM machines m JOIN products p ON p.organization_id = m.organization_id LIMIT 1;
INSERT INTO payment_transactions SELECT 'pt-1', organization_id, id, 'payme', '5e730e8e0b852a417aa49ceb', '2', 500000, 1577836800000, 1577836800100, 1577836800200, 0, NULL, NULL, NULL, '{}', '2026-01-02 03:04:05', '2026-01-02 03:05:05' FROM orders LIMIT 1;
INSERT INTO payment_calls SELECT 'pc-9', organization_id, 'payme', 'PerformTransaction', id, '5e730e8e0b852a417aa49ceb', '{}', '{}', 200, 'ok', '2026-01-02 03:05:05' FROM orders LIMIT 1;
INSERT INTO machine_commands SELECT 'mc-1', organization_id, machine_id, id, 'vend', 'A1', 500000, 'pending', NULL, '2026-01-02 03:07:05', NULL, NULL, '2026-01-02 03:05:05' FROM orders LIMIT 1;
INSERT INTO payment_accounts SELECT id, 'click', '1111', '2222', 'sealed', NULL, '33', 0, NULL, '2026-01-02 03:04:05' FROM organizations LIMIT 1;
INSERT INTO payment_counters VALUES ('click_prepare', 7);
";

/// The demo seed, then a row in every table it leaves empty: jobs and audit records through the store
/// (the audit chain is hashed), the rest as plain rows.
fn fill_every_table(url: &DbUrl) {
    use diesel::connection::SimpleConnection;
    let mut conn = vendhub_store::connection::establish(url).unwrap();
    vendhub_store::write(&mut conn, |c| {
        vendhub_store::jobs::enqueue(
            c,
            &vendhub_store::jobs::NewJob::new("test.portable", serde_json::json!({ "n": 1 })),
        )?;
        for n in 0..3 {
            vendhub_store::audit::append(
                c,
                &vendhub_store::audit::NewAudit {
                    organization_id: None,
                    actor_user_id: None,
                    action: "test.portable".into(),
                    entity_type: "test".into(),
                    entity_id: Some(n.to_string()),
                    before: None,
                    after: Some(serde_json::json!({ "n": n })),
                    ip: Some("127.0.0.1".into()),
                    request_id: None,
                },
            )?;
        }
        Ok::<_, vendhub_store::StoreError>(())
    })
    .unwrap();
    let vendhub_store::DbConn::Sqlite(sqlite) = &mut conn else {
        panic!("the first database is SQLite");
    };
    sqlite.batch_execute(FILL).unwrap();
}

#[test]
fn an_installation_moves_to_the_other_backend_and_back_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let first = DbUrl::Sqlite(dir.path().join("first.db"));
    ok(&run(dir.path(), &first, &["seed", "--demo"]));
    fill_every_table(&first);
    let empty: Vec<String> = contents(&first)
        .into_iter()
        .filter(|(_, rows)| rows.is_empty())
        .map(|(t, _)| t)
        .collect();
    assert!(
        empty.is_empty(),
        "fill these tables too, or the round trip does not test them: {empty:?}"
    );
    let middle_db = TestDb::new();
    let middle = match &middle_db.url {
        DbUrl::Postgres(_) => middle_db.url.clone(),
        DbUrl::Sqlite(_) => DbUrl::Sqlite(dir.path().join("middle.db")),
    };
    let last = DbUrl::Sqlite(dir.path().join("last.db"));

    let out = ok(&run(dir.path(), &first, &["export", "--out", "one.tar.gz"]));
    assert!(out.starts_with("Export written: one.tar.gz (sqlite"), "{out}");
    let out = ok(&run(dir.path(), &middle, &["import", "one.tar.gz"]));
    assert!(out.starts_with("Imported one.tar.gz (sqlite export"), "{out}");
    ok(&run(dir.path(), &middle, &["export", "--out", "two.tar.gz"]));
    ok(&run(dir.path(), &last, &["import", "two.tar.gz"]));

    let original = contents(&first);
    assert!(original.len() > 10 && original.iter().any(|(t, r)| t == "machines" && !r.is_empty()));
    let moved = contents(&middle);
    let back = contents(&last);
    for (i, (table, rows)) in original.iter().enumerate() {
        assert_eq!(&moved[i].0, table);
        assert_eq!(&moved[i].1, rows, "{table} on {}", middle.backend().as_str());
        assert_eq!(&back[i], &original[i], "{table} back on SQLite");
    }
    assert_eq!(original.len(), moved.len());
    assert_eq!(original.len(), back.len());
    // The audit chain still verifies where it was imported.
    for url in [&middle, &last] {
        let verified = ok(&run(dir.path(), url, &["audit", "verify"]));
        assert!(verified.starts_with("audit log intact"), "{verified}");
    }
}

#[test]
fn importing_into_a_database_that_holds_the_organization_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    ok(&run(dir.path(), &db.url, &["seed", "--demo"]));
    ok(&run(dir.path(), &db.url, &["export", "--out", "x.tar.gz"]));
    let before = contents(&db.url);
    let o = run(dir.path(), &db.url, &["import", "x.tar.gz"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("is already in the target database"), "{err}");
    assert_eq!(contents(&db.url), before);

    // A damaged export is refused before anything is written.
    let bytes = std::fs::read(dir.path().join("x.tar.gz")).unwrap();
    std::fs::write(dir.path().join("short.tar.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let empty = DbUrl::Sqlite(dir.path().join("empty.db"));
    let o = run(dir.path(), &empty, &["import", "short.tar.gz"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("backup is corrupt"));
}
