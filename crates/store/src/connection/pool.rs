//! The pool: how it is built (`DbOptions`), how a connection is opened (`Manager`, `establish`) and set up
//! (SQLite pragmas, statement logging), and the handle shared by the process (`Db`).

use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Backend, DbConn, DbUrl};

/// How the pool is built.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: DbUrl,
    pub pool_size: u32,
    pub ssl: bool,
    /// Log every statement at debug level (`DB_LOGGING`).
    pub log_statements: bool,
    /// How long to keep retrying an unreachable database at start (`DB_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    /// Idle connections the pool keeps ready, opening them in the background: 1 for the server; 0 for
    /// one-shot commands, so that no connection is still being opened when the process exits (libpq and
    /// OpenSSL tear down their global state at exit, and a thread still inside them then crashes it).
    pub min_idle: u32,
}

impl DbOptions {
    pub fn new(url: DbUrl) -> Self {
        Self {
            url,
            pool_size: 10,
            ssl: false,
            log_statements: false,
            connect_timeout: Duration::from_secs(30),
            min_idle: 1,
        }
    }
}

/// Opens the backend the URL names (diesel's own `MultiConnection::establish` tries each backend in turn
/// and loses the real error, such as "connection refused").
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
    connect_string: String,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        match self.url {
            DbUrl::Sqlite(_) => SqliteConnection::establish(&self.connect_string).map(DbConn::Sqlite),
            DbUrl::Postgres(_) => PgConnection::establish(&self.connect_string).map(DbConn::Postgres),
        }
        .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// One connection outside the pool (the scheduler's leadership lock holds its own).
pub fn establish(url: &DbUrl) -> Result<DbConn, StoreError> {
    Manager {
        url: url.clone(),
        connect_string: url.connect_string(false),
    }
    .connect()
    .map_err(|e| StoreError::Connect(e.to_string()))
}

/// Applied to every new connection: SQLite pragmas (WAL, foreign keys, busy timeout) and statement logging.
#[derive(Debug, Clone, Copy)]
struct Setup {
    log_statements: bool,
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                // The busy timeout first: switching to WAL needs a lock that another connection (the
                // pool filling itself in the background, another process) may hold for a moment.
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if self.log_statements {
            conn.set_instrumentation(|event: diesel::connection::InstrumentationEvent<'_>| {
                if let diesel::connection::InstrumentationEvent::StartQuery { query, .. } = event {
                    tracing::debug!(target: "vendhub::sql", query = %query, "sql");
                }
            });
        }
        Ok(())
    }
}

/// Occupancy of the connection pool, for metrics and health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max: u32,
    pub open: u32,
    pub idle: u32,
}

/// The pooled database handle shared by the whole process.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    url: DbUrl,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Builds the pool, retrying with exponential backoff until `connect_timeout` when the database does
    /// not answer. A SQLite file's folder is created when missing.
    pub fn connect(opts: &DbOptions) -> Result<Self, StoreError> {
        if let DbUrl::Sqlite(path) = &opts.url {
            ensure_parent_dir(path)?;
        }
        let connect_string = opts.url.connect_string(opts.ssl);
        let deadline = Instant::now() + opts.connect_timeout;
        let mut delay = Duration::from_millis(200);
        let pool = loop {
            let built = Pool::builder()
                .max_size(opts.pool_size.max(1))
                .min_idle(Some(opts.min_idle))
                .connection_timeout(
                    Duration::from_secs(10).min(opts.connect_timeout.max(Duration::from_secs(1))),
                )
                .connection_customizer(Box::new(Setup {
                    log_statements: opts.log_statements,
                }))
                .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
                .build(Manager {
                    url: opts.url.clone(),
                    connect_string: connect_string.clone(),
                })
                // Without idle connections `build` opens none: one checkout proves the database answers.
                .and_then(|pool| match opts.min_idle {
                    0 => pool.get().map(|_| pool),
                    _ => Ok(pool),
                });
            match built {
                Ok(pool) => break pool,
                Err(e) if Instant::now() + delay < deadline => {
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis(), "database not reachable yet");
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(e) => {
                    return Err(StoreError::Connect(format!(
                        "{} did not answer within {}s: {}",
                        opts.url.redacted(),
                        opts.connect_timeout.as_secs(),
                        first_line(&e.to_string())
                    )));
                }
            }
        };
        Ok(Self {
            pool,
            backend: opts.url.backend(),
            url: opts.url.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// A connection for blocking code (CLI commands, tests). Async code uses [`Db::run`].
    pub fn conn(&self) -> Result<PooledConnection<Manager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on tokio's blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        // The blocking pool's threads do not inherit the caller's span: carry it, so that the SQL logged
        // below keeps the route, request id, organization and user of the request that ran it.
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Cancelled)?
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    }

    pub fn pool_status(&self) -> PoolStatus {
        let state = self.pool.state();
        PoolStatus {
            max: self.pool.max_size(),
            open: state.connections,
            idle: state.idle_connections,
        }
    }
}

fn ensure_parent_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Connect(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}
