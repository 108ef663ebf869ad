//! The database (`DATABASE_URL`, or the runbook's `DB_HOST`/`DB_PORT`/… parts) and its pool (`DB_*`).

use std::path::Path;
use std::time::Duration;

use vendhub_store::DbUrl;

use super::vars::Vars;

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: DbUrl,
    pub pool_size: u32,
    pub ssl: bool,
    pub logging: bool,
    pub connect_timeout: Duration,
}

pub(super) fn database(v: &mut Vars<'_>, data_dir: &Path) -> DatabaseConfig {
    let explicit = v.raw("DATABASE_URL");
    // The runbook's DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD build a PostgreSQL URL when DB_HOST is set.
    let host = v.raw("DB_HOST");
    let port = v.port_part("DB_PORT", "5432");
    let name = v.raw("DB_NAME").unwrap_or_else(|| "vendhub".into());
    let user = v.raw("DB_USER").unwrap_or_else(|| "vendhub".into());
    let password = v.raw("DB_PASSWORD");
    let raw = match (explicit, host) {
        (Some(url), _) => url,
        (None, Some(host)) => {
            let auth = match password {
                Some(p) => format!(
                    "{user}:{}",
                    url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
                ),
                None => user,
            };
            format!("postgres://{auth}@{host}:{port}/{name}")
        }
        (None, None) => format!("sqlite://{}", data_dir.join("vendhub.db").display()),
    };
    let url = match DbUrl::parse(&raw) {
        Ok(u) => u,
        Err(e) => {
            v.problem("DATABASE_URL", e.to_string());
            DbUrl::Sqlite(data_dir.join("vendhub.db"))
        }
    };
    v.show("DATABASE_URL", url.redacted());
    let pool_size = v.parse("DB_POOL_SIZE", 10u32, "a whole number from 1 to 1000");
    if !(1..=1000).contains(&pool_size) {
        v.problem("DB_POOL_SIZE", "must be from 1 to 1000");
    }
    DatabaseConfig {
        url,
        pool_size,
        ssl: v.flag("DB_SSL", false),
        logging: v.flag("DB_LOGGING", false),
        connect_timeout: v.duration("DB_CONNECT_TIMEOUT", "30s"),
    }
}
