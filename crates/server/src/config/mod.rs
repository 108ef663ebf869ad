//! Configuration: the environment (and `.env`) read once into typed settings. Every problem is collected
//! and reported together; a misspelt variable with one of our prefixes is an error, not a silent default.
//! Secrets are kept out of `Debug` and printed redacted.
//!
//! This file holds [`Config`] and its loading; each settings area reads its variables in a file of its
//! own, all through the reader in `vars.rs`.

mod auth;
mod backup;
mod database;
mod features;
mod http;
mod integrations;
mod jobs;
mod observability;
mod payments;
mod redis;
mod secret;
mod storage;
mod vars;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub use auth::JwtConfig;
pub use backup::{BackupConfig, parse_daily_cron};
pub use database::DatabaseConfig;
pub use integrations::SmtpConfig;
pub use jobs::JobsConfig;
pub use observability::LogFormat;
pub use payments::{AccountConfig, PaymentsConfig};
pub use secret::Secret;
pub use storage::StorageConfig;
pub use vars::{ConfigErrors, ConfigProblem};

use vars::Vars;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Staging,
    Production,
}

impl AppEnv {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }
}

impl fmt::Display for AppEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppEnv {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "development" => Ok(Self::Development),
            "staging" => Ok(Self::Staging),
            "production" => Ok(Self::Production),
            other => Err(format!(
                "must be development, staging or production (got {other:?})"
            )),
        }
    }
}

/// Everything the binary reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub app_env: AppEnv,
    pub host: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    /// Where people reach this installation (links in e-mails).
    pub public_url: String,
    pub database: DatabaseConfig,
    pub redis_url: Option<Secret>,
    pub jwt: JwtConfig,
    pub storage: StorageConfig,
    pub jobs: JobsConfig,
    pub log_level: String,
    pub log_format: LogFormat,
    pub cors_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` name the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The admin panel's map tiles (`MAP_TILE_URL`).
    pub map_tile_url: Option<String>,
    /// How long the dashboard's figures are reused (`DASHBOARD_CACHE_TTL`).
    pub dashboard_cache_ttl: Duration,
    pub rate_limit_ttl: Duration,
    pub rate_limit_limit: u32,
    pub rate_limit_auth_limit: u32,
    pub swagger_enabled: bool,
    pub metrics_token: Option<Secret>,
    pub metrics_port: Option<u16>,
    pub shutdown_timeout: Duration,
    pub shutdown_delay: Duration,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub admin_email: String,
    pub admin_password: Option<Secret>,
    pub machine_offline_after: Duration,
    pub memory_heap_limit: u64,
    pub memory_rss_limit: u64,
    pub disk_threshold_percent: u8,
    pub features: BTreeMap<String, bool>,
    /// Integration settings not used by this build's areas yet, kept validated and redacted.
    pub integrations: BTreeMap<&'static str, Option<Secret>>,
    /// `None` without `SMTP_HOST`: e-mail jobs fail with that reason.
    pub smtp: Option<SmtpConfig>,
    /// The installation's merchant accounts and the providers' URLs.
    pub payments: PaymentsConfig,
    /// What `config check` prints: every variable with its effective value (secrets redacted).
    pub effective: Vec<(String, String)>,
    pub backup: BackupConfig,
}

impl Config {
    /// Reads the process environment (after `.env`, which never overrides what is set).
    pub fn from_env() -> Result<Self, ConfigErrors> {
        let _ = dotenvy::dotenv();
        Self::from_map(&std::env::vars().collect())
    }

    /// Reads a given environment, for tests and `config check`.
    pub fn from_map(env: &HashMap<String, String>) -> Result<Self, ConfigErrors> {
        let mut v = Vars::new(env);
        let config = Self::read(&mut v);
        let effective = v.finish()?;
        Ok(Config { effective, ..config })
    }

    /// Every read and every check, in the order problems are reported. Each variable is read through
    /// `v`, which is how [`known_variables`] and the unknown-variable check learn its name.
    fn read(v: &mut Vars<'_>) -> Config {
        let app_env = v.parse(
            "APP_ENV",
            AppEnv::Development,
            "development, staging or production",
        );
        let data_dir = PathBuf::from(v.string("VENDHUB_DATA_DIR", "./data"));
        let production = app_env == AppEnv::Production;
        let database = database::database(v, &data_dir);
        let redis_url = redis::redis(v);
        let jwt = auth::jwt(v, app_env);
        let storage = storage::storage(v);
        let (log_level, log_format) = observability::logging(v, production);
        let cors_origins = http::cors_origins(v);
        let metrics_port = observability::metrics_port(v);
        let (admin_email, admin_password) = auth::admin(v);
        let port = v.parse("PORT", 4000u16, "a port number");
        let public_url = http::public_url(v, port);
        let disk_threshold_percent = v.parse(
            "HEALTH_DISK_THRESHOLD_PERCENT",
            90u8,
            "a percentage from 1 to 100",
        );
        let mb = |v: &mut Vars<'_>, name, default: u64| v.parse(name, default, "a size in MiB") * 1024 * 1024;
        let config = Config {
            app_env,
            host: v.parse("HOST", IpAddr::from([0, 0, 0, 0]), "an IP address"),
            port,
            public_url,
            data_dir,
            database,
            redis_url,
            jwt,
            storage,
            jobs: jobs::jobs(v),
            log_level,
            log_format,
            cors_origins,
            trusted_proxies: http::trusted_proxies(v),
            map_tile_url: http::map_tile_url(v),
            dashboard_cache_ttl: v.duration("DASHBOARD_CACHE_TTL", "15s"),
            rate_limit_ttl: v.duration("RATE_LIMIT_TTL", "60s"),
            rate_limit_limit: v.parse("RATE_LIMIT_LIMIT", 120u32, "a whole number"),
            rate_limit_auth_limit: v.parse("RATE_LIMIT_AUTH_LIMIT", 10u32, "a whole number"),
            swagger_enabled: v.flag("SWAGGER_ENABLED", !production),
            metrics_token: v.secret("METRICS_TOKEN"),
            metrics_port,
            shutdown_timeout: v.duration("SHUTDOWN_TIMEOUT", "15s"),
            shutdown_delay: v.duration("SHUTDOWN_DELAY", "0s"),
            body_limit: v.parse("VENDHUB_BODY_LIMIT", 1_048_576usize, "a size in bytes"),
            request_timeout: v.duration("VENDHUB_REQUEST_TIMEOUT", "30s"),
            admin_email,
            admin_password,
            machine_offline_after: v.duration("MACHINE_OFFLINE_AFTER", "15m"),
            memory_heap_limit: mb(v, "HEALTH_MEMORY_HEAP_MB", 1024),
            memory_rss_limit: mb(v, "HEALTH_MEMORY_RSS_MB", 1536),
            disk_threshold_percent,
            features: features::features(v),
            integrations: integrations::integrations(v),
            smtp: integrations::smtp(v),
            payments: payments::payments(v),
            effective: Vec::new(),
            backup: backup::backup(v),
        };
        backup::check_backup(v, &config);
        jobs::check_jobs(v, &config.jobs);
        if !(1..=100).contains(&config.disk_threshold_percent) {
            v.problem("HEALTH_DISK_THRESHOLD_PERCENT", "must be from 1 to 100");
        }
        config
    }

    pub fn production(&self) -> bool {
        self.app_env == AppEnv::Production
    }
}

/// Every variable the configuration reads, for `.env.example` checks: the names a load over an empty
/// environment asks for. There is no second list to keep; every read is unconditional (see `Vars`).
pub fn known_variables() -> Vec<&'static str> {
    let env = HashMap::new();
    let mut v = Vars::new(&env);
    let _ = Config::read(&mut v);
    v.read_names()
}

#[cfg(test)]
mod tests {
    use vendhub_store::DbUrl;

    use super::*;

    pub(super) fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn no_configuration_is_the_embedded_default() {
        let c = Config::from_map(&HashMap::new()).unwrap();
        assert_eq!(c.app_env, AppEnv::Development);
        assert_eq!(c.port, 4000);
        assert_eq!(c.database.url, DbUrl::Sqlite(PathBuf::from("./data/vendhub.db")));
        assert!(c.redis_url.is_none() && c.storage.endpoint.is_none());
        assert_eq!(c.jwt.expires_in, Duration::from_secs(15 * 60));
        assert_eq!(c.jwt.refresh_expires_in, Duration::from_secs(7 * 24 * 3600));
        assert_eq!(
            (c.rate_limit_limit, c.rate_limit_ttl),
            (120, Duration::from_secs(60))
        );
        assert_eq!(c.shutdown_timeout, Duration::from_secs(15));
        assert!(c.swagger_enabled);
    }

    #[test]
    fn the_runbooks_db_and_redis_parts_build_urls() {
        let c = Config::from_map(&env(&[
            ("DB_HOST", "postgres"),
            ("DB_PASSWORD", "p@ss word"),
            ("REDIS_HOST", "redis"),
            ("REDIS_PASSWORD", "rp"),
        ]))
        .unwrap();
        assert_eq!(
            c.database.url,
            DbUrl::Postgres("postgres://vendhub:p%40ss+word@postgres:5432/vendhub".into())
        );
        assert_eq!(c.redis_url.unwrap().expose(), "redis://:rp@redis:6379/");
    }

    #[test]
    fn every_problem_is_reported_together() {
        let err = Config::from_map(&env(&[
            ("APP_ENV", "prod"),
            ("DB_POOL_SIZE", "ten"),
            ("REDIS_URL", "http://x"),
            ("JWT_EXPIRES_IN", "soon"),
        ]))
        .unwrap_err();
        let vars: Vec<&str> = err.0.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(vars, ["APP_ENV", "DB_POOL_SIZE", "REDIS_URL", "JWT_EXPIRES_IN"]);
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn production_wants_distinct_long_secrets_and_hides_swagger() {
        let err = Config::from_map(&env(&[("APP_ENV", "production")])).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET: is required in production"));
        let same = "a".repeat(32);
        let err = Config::from_map(&env(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", &same),
            ("JWT_REFRESH_SECRET", &same),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("must differ"));
        let c = Config::from_map(&env(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", &"a".repeat(32)),
            ("JWT_REFRESH_SECRET", &"b".repeat(32)),
            ("VENDHUB_ENCRYPTION_KEY", &"c".repeat(32)),
        ]))
        .unwrap();
        assert!(!c.swagger_enabled);
        assert_eq!(c.log_level, "info");
    }

    #[test]
    fn secrets_never_appear_in_debug_or_effective_output() {
        let c = Config::from_map(&env(&[
            ("JWT_SECRET", &"q".repeat(40)),
            ("DATABASE_URL", "postgres://u:topsecret@h/d"),
            ("REDIS_URL", "redis://:redispass@h:6379/"),
        ]))
        .unwrap();
        let shown = format!("{c:?} {:?}", c.effective);
        for leaked in ["qqqqqqqq", "topsecret", "redispass"] {
            assert!(!shown.contains(leaked), "{leaked} leaked");
        }
        assert!(c.effective.contains(&("JWT_SECRET".into(), "***".into())));
        assert!(
            c.effective
                .contains(&("REDIS_URL".into(), "redis://:***@h:6379/".into()))
        );
    }

    /// Environments that take the reads down different paths: none set, every known variable set to
    /// junk, the `.env.example` values, production with the runbook's DB_*/REDIS_* parts.
    fn varied_environments() -> Vec<HashMap<String, String>> {
        let junk = known_variables()
            .into_iter()
            .map(|k| (k.to_owned(), "x".to_owned()))
            .collect();
        let example = include_str!("../../../../.env.example")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, x)| (k.to_owned(), x.to_owned()))
            .collect();
        let production = env(&[
            ("APP_ENV", "production"),
            ("DB_HOST", "postgres"),
            ("REDIS_HOST", "redis"),
            ("SMTP_HOST", "mail"),
            ("FEATURE_EXTRA", "on"),
        ]);
        vec![HashMap::new(), junk, example, production]
    }

    #[test]
    fn known_variables_are_what_every_load_reads() {
        let known = known_variables();
        assert!(known.len() > 90, "{known:?}");
        for env in varied_environments() {
            let mut v = Vars::new(&env);
            let _ = Config::read(&mut v);
            assert_eq!(v.read_names(), known, "in {env:?}");
        }
    }

    #[test]
    fn no_known_variable_is_reported_unknown() {
        for env in varied_environments() {
            let problems = match Config::from_map(&env) {
                Ok(_) => Vec::new(),
                Err(e) => e.0,
            };
            for p in problems {
                assert!(
                    !p.message.starts_with("unknown variable"),
                    "{}: {}",
                    p.var,
                    p.message
                );
            }
        }
    }

    #[test]
    fn env_example_lists_exactly_the_variables_we_read() {
        let text = include_str!("../../../../.env.example");
        let listed: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
            .filter_map(|l| l.split('=').next())
            .collect();
        let known = known_variables();
        for name in &known {
            assert!(listed.contains(name), ".env.example misses {name}");
        }
        for name in &listed {
            assert!(
                known.contains(name),
                ".env.example lists {name}, which nothing reads"
            );
        }
    }
}
