//! Throw-away databases for tests: a SQLite file in a temp folder, or a new PostgreSQL database created
//! on the server named by `TEST_DATABASE_URL` and dropped again when the guard goes.

use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::connection::{DbConn, DbUrl};

/// Which backend the test suite runs on: `TEST_DATABASE_URL=postgres://…` selects PostgreSQL.
pub fn admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A fresh database; dropped (PostgreSQL) or deleted (SQLite) with the guard.
pub struct TestDb {
    pub url: DbUrl,
    dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    /// # Panics
    /// When the test database server cannot be reached: a test environment problem, said plainly.
    pub fn new() -> Self {
        let db = Self::create();
        eprintln!("test database: {}", db.backend());
        db
    }

    /// Creates the database (its line on stderr is [`TestDb::new`]'s).
    #[expect(
        clippy::expect_used,
        reason = "test support: a broken test environment should stop the test"
    )]
    fn create() -> Self {
        let Some(admin) = admin_url() else {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("vendhub.db");
            return Self {
                url: DbUrl::Sqlite(path),
                dir: Some(dir),
                pg_admin: None,
            };
        };
        let name = format!("vh_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = DbConn::establish(&admin).expect("TEST_DATABASE_URL must reach PostgreSQL");
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            url: DbUrl::Postgres(url.to_string()),
            dir: None,
            pg_admin: Some((admin, name)),
        }
    }

    /// Which backend and database this is, for a test's output: `sqlite (file …)` or
    /// `postgres (database vh_test_…)`.
    pub fn backend(&self) -> String {
        match (&self.url, &self.pg_admin) {
            (DbUrl::Sqlite(path), _) => format!("sqlite (file {})", path.display()),
            (DbUrl::Postgres(_), Some((_, name))) => format!("postgres (database {name})"),
            (DbUrl::Postgres(_), None) => "postgres".to_owned(),
        }
    }

    /// The folder a SQLite test database lives in (None on PostgreSQL).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(tempfile::TempDir::path)
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_admin.take()
            && let Ok(mut conn) = DbConn::establish(&admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
