//! Database URLs: which backend a URL selects, what a `DATABASE_URL` may look like, and its redacted
//! form for logs.

use std::path::PathBuf;

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
    pub(super) fn connect_string(&self, ssl: bool) -> String {
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
