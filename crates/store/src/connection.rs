//! The connection type (SQLite or PostgreSQL, picked by URL), the pool, and how a connection is set up.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::StoreError;

/// One connection to either backend. Queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A database URL that has been checked: `sqlite://path` or `postgres://…`. Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Why a `DATABASE_URL` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbUrlError {
    #[error("unsupported scheme {0:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    Scheme(String),
    #[error("malformed URL: {0}")]
    Malformed(String),
    #[error("sqlite URL has no file path: use sqlite://./data/vendhub.db")]
    EmptyPath,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<Self, DbUrlError> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(DbUrlError::EmptyPath);
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        let parsed = url::Url::parse(raw).map_err(|e| DbUrlError::Malformed(e.to_string()))?;
        match parsed.scheme() {
            "postgres" | "postgresql" => {
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(DbUrlError::Malformed("no host".into()));
                }
                Ok(Self::Postgres(raw.to_owned()))
            }
            other => Err(DbUrlError::Scheme(other.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password replaced, for logs and `config check`.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    u.to_string()
                }
                Err(_) => "postgres://***".into(),
            },
        }
    }

    /// The text diesel connects with. SQLite gets the plain path; PostgreSQL gets `sslmode` when asked.
    fn connect_string(&self, ssl: bool) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(raw) if ssl && !raw.contains("sslmode=") => {
                let sep = if raw.contains('?') { '&' } else { '?' };
                format!("{raw}{sep}sslmode=require")
            }
            Self::Postgres(raw) => raw.clone(),
        }
    }
}

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

/// Runs `f` in a transaction that writes. On SQLite the outermost one begins with `BEGIN IMMEDIATE`: it
/// takes the writer lock (waiting under `busy_timeout`) before its first read, so a transaction that reads
/// and then writes cannot fail with "database is locked" because another writer committed in between.
/// Nested transactions inside `f` become savepoints, as with `Connection::transaction`.
pub fn write<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_sqlite = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        DbConn::Postgres(_) => false,
    };
    if !outermost_sqlite {
        return conn.transaction(f);
    }
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConn::Sqlite(c) = conn else {
        unreachable!("checked above")
    };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(c) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                Err(e.into())
            }
        },
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(c)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_and_refuse_the_rest() {
        assert_eq!(
            DbUrl::parse("sqlite://./data/x.db").unwrap(),
            DbUrl::Sqlite("./data/x.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:/tmp/x.db").unwrap(),
            DbUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DbUrl::parse("postgres://u:p@h:5432/d").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DbUrl::parse("postgresql://h/d").unwrap().backend(),
            Backend::Postgres
        );
        assert!(matches!(DbUrl::parse("mysql://h/d"), Err(DbUrlError::Scheme(s)) if s == "mysql"));
        assert!(matches!(DbUrl::parse("not a url"), Err(DbUrlError::Malformed(_))));
        assert_eq!(DbUrl::parse("sqlite://"), Err(DbUrlError::EmptyPath));
        assert!(matches!(
            DbUrl::parse("postgres:///d"),
            Err(DbUrlError::Malformed(_))
        ));
    }

    #[test]
    fn redaction_hides_the_password_only() {
        let url = DbUrl::parse("postgres://vendhub:s3cret@db:5432/vendhub").unwrap();
        assert_eq!(url.redacted(), "postgres://vendhub:***@db:5432/vendhub");
    }

    #[test]
    fn ssl_adds_sslmode_once() {
        let url = DbUrl::parse("postgres://h/d").unwrap();
        assert_eq!(url.connect_string(true), "postgres://h/d?sslmode=require");
        let url = DbUrl::parse("postgres://h/d?sslmode=verify-full").unwrap();
        assert_eq!(url.connect_string(true), "postgres://h/d?sslmode=verify-full");
    }
}
