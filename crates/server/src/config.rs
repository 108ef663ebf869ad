//! Configuration: the environment (and `.env`) read once into typed settings. Every problem is collected
//! and reported together; a misspelt variable with one of our prefixes is an error, not a silent default.
//! Secrets are kept out of `Debug` and printed redacted.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use vendhub_store::DbUrl;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: DbUrl,
    pub pool_size: u32,
    pub ssl: bool,
    pub logging: bool,
    pub connect_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// `None`: files in `<data>/files`.
    pub endpoint: Option<String>,
    pub access_key: String,
    pub secret_key: Secret,
    pub bucket: String,
    pub region: String,
    pub use_ssl: bool,
    pub max_file_size: u64,
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `None` on the embedded default until generated into `<data>/secrets`.
    pub secret: Option<Secret>,
    pub refresh_secret: Option<Secret>,
    pub secret_previous: Option<Secret>,
    pub expires_in: Duration,
    pub refresh_expires_in: Duration,
    /// Encrypts secrets kept in the database (TOTP seeds); generated on the embedded default.
    pub encryption_key: Option<Secret>,
    pub totp_issuer: String,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    /// none, starttls or tls.
    pub tls: String,
}

#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub concurrency: usize,
    pub max_attempts: u32,
    pub poll_interval: Duration,
    pub lease: Duration,
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
    /// What `config check` prints: every variable with its effective value (secrets redacted).
    pub effective: Vec<(String, String)>,
    pub backup: BackupConfig,
}

/// Backups (`BACKUP_*`): where `vendhub backup` writes, and the scheduled daily backup.
#[derive(Debug, Clone)]
pub struct BackupConfig {
    pub dir: PathBuf,
    pub enabled: bool,
    /// The time of day (UTC) of the scheduled backup, from `BACKUP_CRON` (`M H * * *`).
    pub daily_at: Duration,
    pub keep_days: u32,
    /// Also upload each backup to the S3 bucket of `STORAGE_*` (under `backups/`).
    pub s3_upload: bool,
}

/// Reads `BACKUP_CRON`: a daily cron line, `minute hour * * *` (UTC).
pub fn parse_daily_cron(raw: &str) -> Result<Duration, String> {
    let fields: Vec<&str> = raw.split_whitespace().collect();
    let bad =
        || format!("must be a daily cron line \"MINUTE HOUR * * *\" such as \"0 3 * * *\" (got {raw:?})");
    let [minute, hour, "*", "*", "*"] = fields.as_slice() else {
        return Err(bad());
    };
    let minute: u64 = minute.parse().ok().filter(|m| *m < 60).ok_or_else(bad)?;
    let hour: u64 = hour.parse().ok().filter(|h| *h < 24).ok_or_else(bad)?;
    Ok(Duration::from_secs(hour * 3600 + minute * 60))
}

fn backup(v: &mut Vars<'_>) -> BackupConfig {
    let cron = v.string("BACKUP_CRON", "0 3 * * *");
    let daily_at = parse_daily_cron(&cron).unwrap_or_else(|e| {
        v.problem("BACKUP_CRON", e);
        Duration::ZERO
    });
    BackupConfig {
        dir: PathBuf::from(v.string("BACKUP_DIR", "./data/backups")),
        enabled: v.flag("BACKUP_ENABLED", false),
        daily_at,
        keep_days: v.parse("BACKUP_KEEP_DAYS", 14u32, "a whole number of days"),
        s3_upload: v.flag("BACKUP_S3_UPLOAD", false),
    }
}

fn check_backup(v: &mut Vars<'_>, config: &Config) {
    if config.backup.s3_upload && config.storage.endpoint.is_none() {
        v.problem(
            "BACKUP_S3_UPLOAD",
            "needs STORAGE_ENDPOINT (the S3 bucket backups are uploaded to)",
        );
    }
}

/// One problem with one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub var: String,
    pub message: String,
}

/// Every problem found, reported together on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration: ")?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", p.var, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Prefixes that belong to us: a variable with one of these that we do not read is a typo.
const OWN_PREFIXES: &[&str] = &[
    "VENDHUB_",
    "DB_",
    "REDIS_",
    "JWT_",
    "TOTP_",
    "PAYME_",
    "CLICK_",
    "UZUM_",
    "STORAGE_",
    "TELEGRAM_",
    "SMS_",
    "SMTP_",
    "OFD_",
    "RATE_LIMIT_",
    "METRICS_",
    "SHUTDOWN_",
    "JOB_",
    "BACKUP_",
    "MACHINE_",
    "HEALTH_",
    "LOG_",
    "SWAGGER_",
    "CORS_",
];

/// Variables that start with an own prefix but are read by someone else (tests, tools), not a typo.
const FOREIGN: &[&str] = &["DB_SYNCHRONIZE", "VENDHUB_GIT_COMMIT", "LOG_FORMAT_FOR_TESTS"];

/// Reads variables from a snapshot of the environment, recording each read and each problem.
struct Vars<'a> {
    env: &'a HashMap<String, String>,
    read: Vec<&'static str>,
    problems: Vec<ConfigProblem>,
    effective: Vec<(String, String)>,
}

impl<'a> Vars<'a> {
    fn new(env: &'a HashMap<String, String>) -> Self {
        Self {
            env,
            read: Vec::new(),
            problems: Vec::new(),
            effective: Vec::new(),
        }
    }

    fn problem(&mut self, var: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            var: var.to_owned(),
            message: message.into(),
        });
    }

    /// The raw value; empty counts as unset.
    fn raw(&mut self, name: &'static str) -> Option<String> {
        self.read.push(name);
        self.env
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn show(&mut self, name: &str, value: impl Into<String>) {
        self.effective.push((name.to_owned(), value.into()));
    }

    fn string(&mut self, name: &'static str, default: &str) -> String {
        let v = self.raw(name).unwrap_or_else(|| default.to_owned());
        self.show(name, v.clone());
        v
    }

    fn opt(&mut self, name: &'static str) -> Option<String> {
        let v = self.raw(name);
        self.show(name, v.clone().unwrap_or_else(|| "(unset)".into()));
        v
    }

    fn secret(&mut self, name: &'static str) -> Option<Secret> {
        let v = self.raw(name);
        self.show(name, if v.is_some() { "***" } else { "(unset)" });
        v.map(Secret)
    }

    fn parse<T: FromStr + fmt::Display>(&mut self, name: &'static str, default: T, what: &str) -> T {
        match self.raw(name) {
            None => {
                self.show(name, default.to_string());
                default
            }
            Some(v) => match v.parse::<T>() {
                Ok(t) => {
                    self.show(name, t.to_string());
                    t
                }
                Err(_) => {
                    self.problem(name, format!("must be {what} (got {v:?})"));
                    default
                }
            },
        }
    }

    fn flag(&mut self, name: &'static str, default: bool) -> bool {
        match self.raw(name).map(|v| v.to_ascii_lowercase()) {
            None => {
                self.show(name, default.to_string());
                default
            }
            Some(v) => {
                let b = match v.as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" => false,
                    _ => {
                        self.problem(name, format!("must be true or false (got {v:?})"));
                        default
                    }
                };
                self.show(name, b.to_string());
                b
            }
        }
    }

    fn duration(&mut self, name: &'static str, default: &str) -> Duration {
        let raw = self.raw(name);
        let text = raw.clone().unwrap_or_else(|| default.to_owned());
        // A bare number is seconds (the runbooks' RATE_LIMIT_TTL=60).
        let parsed = text
            .parse::<u64>()
            .map(Duration::from_secs)
            .or_else(|_| humantime::parse_duration(&text));
        match parsed {
            Ok(d) => {
                self.show(name, text);
                d
            }
            Err(_) => {
                self.problem(
                    name,
                    format!("must be a duration such as 30s, 15m, 7d (got {text:?})"),
                );
                humantime::parse_duration(default).unwrap_or_default()
            }
        }
    }
}

fn database(v: &mut Vars<'_>, data_dir: &std::path::Path) -> DatabaseConfig {
    let explicit = v.raw("DATABASE_URL");
    // The runbook's DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD build a PostgreSQL URL when DB_HOST is set.
    let host = v.raw("DB_HOST");
    let port = port_var(v, "DB_PORT", "5432");
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

/// A port number part (`DB_PORT`, `REDIS_PORT`). Kubernetes sets `REDIS_PORT=tcp://…` for a Service
/// named `redis`; that is reported with the way out.
fn port_var(v: &mut Vars<'_>, name: &'static str, default: &str) -> String {
    match v.raw(name) {
        None => default.to_owned(),
        Some(p) if p.parse::<u16>().is_ok() => p,
        Some(p) => {
            v.problem(
                name,
                format!("must be a port number (got {p:?}; in Kubernetes set enableServiceLinks: false)"),
            );
            default.to_owned()
        }
    }
}

fn redis(v: &mut Vars<'_>) -> Option<Secret> {
    let url = v.raw("REDIS_URL");
    let host = v.raw("REDIS_HOST");
    let port = port_var(v, "REDIS_PORT", "6379");
    let password = v.raw("REDIS_PASSWORD");
    let url = url.or_else(|| {
        host.map(|h| match &password {
            Some(p) => format!("redis://:{p}@{h}:{port}/"),
            None => format!("redis://{h}:{port}/"),
        })
    });
    if let Some(u) = &url {
        match url::Url::parse(u) {
            Ok(parsed) if matches!(parsed.scheme(), "redis" | "rediss") => {
                let mut shown = parsed.clone();
                if shown.password().is_some() {
                    let _ = shown.set_password(Some("***"));
                }
                v.show("REDIS_URL", shown.to_string());
            }
            Ok(parsed) => v.problem(
                "REDIS_URL",
                format!(
                    "unsupported scheme {:?}: use redis:// or rediss://",
                    parsed.scheme()
                ),
            ),
            Err(e) => v.problem("REDIS_URL", format!("malformed URL: {e}")),
        }
    } else {
        v.show("REDIS_URL", "(unset: in-process cache and event bus)");
    }
    url.map(Secret)
}

fn jwt(v: &mut Vars<'_>, env: AppEnv) -> JwtConfig {
    let secret = v.secret("JWT_SECRET");
    let refresh_secret = v.secret("JWT_REFRESH_SECRET");
    for (name, value) in [("JWT_SECRET", &secret), ("JWT_REFRESH_SECRET", &refresh_secret)] {
        match value {
            Some(s) if s.expose().chars().count() < 32 => v.problem(name, "must be at least 32 characters"),
            None if env == AppEnv::Production => {
                v.problem(
                    name,
                    "is required in production (at least 32 characters: openssl rand -base64 48)",
                );
            }
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (&secret, &refresh_secret)
        && a == b
    {
        v.problem("JWT_REFRESH_SECRET", "must differ from JWT_SECRET");
    }
    let encryption_key = v.secret("VENDHUB_ENCRYPTION_KEY");
    match &encryption_key {
        Some(k) if k.expose().chars().count() < 32 => {
            v.problem("VENDHUB_ENCRYPTION_KEY", "must be at least 32 characters");
        }
        None if env == AppEnv::Production => v.problem(
            "VENDHUB_ENCRYPTION_KEY",
            "is required in production (at least 32 characters; keep it: it decrypts stored 2FA secrets)",
        ),
        _ => {}
    }
    JwtConfig {
        secret,
        refresh_secret,
        secret_previous: v.secret("JWT_SECRET_PREVIOUS"),
        expires_in: v.duration("JWT_EXPIRES_IN", "15m"),
        refresh_expires_in: v.duration("JWT_REFRESH_EXPIRES_IN", "7d"),
        encryption_key,
        totp_issuer: v.string("TOTP_ISSUER", "VendHub"),
    }
}

fn storage(v: &mut Vars<'_>) -> StorageConfig {
    StorageConfig {
        endpoint: v.opt("STORAGE_ENDPOINT"),
        access_key: v.string("STORAGE_ACCESS_KEY", "minioadmin"),
        secret_key: v
            .secret("STORAGE_SECRET_KEY")
            .unwrap_or_else(|| Secret::new("minioadmin")),
        bucket: v.string("STORAGE_BUCKET", "vendhub"),
        region: v.string("STORAGE_REGION", "uz-tashkent-1"),
        use_ssl: v.flag("STORAGE_USE_SSL", false),
        max_file_size: v.parse("MAX_FILE_SIZE", 10_485_760u64, "a size in bytes"),
    }
}

fn smtp(v: &mut Vars<'_>) -> Option<SmtpConfig> {
    let host = v.opt("SMTP_HOST");
    let port = v.parse("SMTP_PORT", 587u16, "a port number");
    let user = v.opt("SMTP_USER");
    let password = v.secret("SMTP_PASSWORD");
    let from = v.string("SMTP_FROM", "noreply@vendhub.uz");
    let default_tls = match port {
        465 => "tls",
        587 => "starttls",
        _ => "none",
    };
    let tls = v.string("SMTP_TLS", default_tls).to_ascii_lowercase();
    if !matches!(tls.as_str(), "none" | "starttls" | "tls") {
        v.problem("SMTP_TLS", format!("must be none, starttls or tls (got {tls:?})"));
    }
    if !from.contains('@') {
        v.problem("SMTP_FROM", "is not an e-mail address");
    }
    host.map(|host| SmtpConfig {
        host,
        port,
        user,
        password,
        from,
        tls,
    })
}

/// Integration variables of later areas: read (so they are known, not typos) and kept redacted.
fn integrations(v: &mut Vars<'_>) -> BTreeMap<&'static str, Option<Secret>> {
    const PLAIN: &[&str] = &[
        "PAYME_MERCHANT_ID",
        "PAYME_TEST_MODE",
        "CLICK_MERCHANT_ID",
        "CLICK_SERVICE_ID",
        "UZUM_MERCHANT_ID",
        "UZUM_SERVICE_ID",
        "TELEGRAM_WEBHOOK_URL",
        "SMS_PROVIDER",
        "SMS_SENDER_ID",
        "OFD_ENABLED",
        "OFD_PROVIDER",
        "OFD_API_URL",
        "OFD_INN",
        "SENTRY_DSN",
        "BACKUP_ENABLED",
        "BACKUP_CRON",
        "BACKUP_KEEP_DAYS",
        "BACKUP_DIR",
    ];
    const SECRET: &[&str] = &[
        "PAYME_SECRET_KEY",
        "CLICK_SECRET_KEY",
        "UZUM_SECRET_KEY",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "SMS_API_KEY",
        "OFD_API_KEY",
    ];
    let mut out = BTreeMap::new();
    for name in PLAIN {
        out.insert(*name, v.opt(name).map(Secret));
    }
    for name in SECRET {
        out.insert(*name, v.secret(name));
    }
    out
}

fn logging(v: &mut Vars<'_>, production: bool) -> (String, LogFormat) {
    let log_level = v
        .string("LOG_LEVEL", if production { "info" } else { "debug" })
        .to_ascii_lowercase();
    if !matches!(log_level.as_str(), "trace" | "debug" | "info" | "warn" | "error") {
        v.problem(
            "LOG_LEVEL",
            format!("must be trace, debug, info, warn or error (got {log_level:?})"),
        );
    }
    let log_format = match v.string("LOG_FORMAT", "json").as_str() {
        "json" => LogFormat::Json,
        "pretty" | "text" => LogFormat::Pretty,
        other => {
            v.problem("LOG_FORMAT", format!("must be json or pretty (got {other:?})"));
            LogFormat::Json
        }
    };
    (log_level, log_format)
}

/// `TRUSTED_PROXIES`: CIDR blocks or single addresses, separated by commas or spaces.
fn trusted_proxies(v: &mut Vars<'_>) -> Vec<ipnet::IpNet> {
    let raw = v.string("TRUSTED_PROXIES", "");
    let mut nets = Vec::new();
    for entry in raw.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
        match entry
            .parse::<ipnet::IpNet>()
            .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
        {
            Ok(net) => nets.push(net),
            Err(_) => v.problem(
                "TRUSTED_PROXIES",
                format!("{entry:?} is not an address or CIDR block such as 10.0.0.0/8"),
            ),
        }
    }
    nets
}

fn cors_origins(v: &mut Vars<'_>) -> Vec<String> {
    let cors_origins: Vec<String> = v
        .string("CORS_ORIGINS", "")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for origin in &cors_origins {
        if url::Url::parse(origin).is_err() {
            v.problem(
                "CORS_ORIGINS",
                format!("{origin:?} is not an origin such as https://admin.example.uz"),
            );
        }
    }
    cors_origins
}

/// The first owner's credentials (`VENDHUB_ADMIN_EMAIL`, `VENDHUB_ADMIN_PASSWORD`).
fn admin(v: &mut Vars<'_>) -> (String, Option<Secret>) {
    let admin_email = v.string("VENDHUB_ADMIN_EMAIL", "admin@vendhub.local");
    if !admin_email.contains('@') {
        v.problem("VENDHUB_ADMIN_EMAIL", "is not an e-mail address");
    }
    let admin_password = v.secret("VENDHUB_ADMIN_PASSWORD");
    if admin_password
        .as_ref()
        .is_some_and(|p| p.expose().chars().count() < 10)
    {
        v.problem("VENDHUB_ADMIN_PASSWORD", "must be at least 10 characters");
    }
    (admin_email, admin_password)
}

/// The runbook's feature flags with their defaults; any other `FEATURE_*` is accepted as a flag too.
const FEATURES: &[(&str, bool)] = &[
    ("FEATURE_TELEGRAM_BOT", true),
    ("FEATURE_SMS_NOTIFICATIONS", true),
    ("FEATURE_EMAIL_NOTIFICATIONS", true),
    ("FEATURE_PUSH_NOTIFICATIONS", false),
    ("FEATURE_OFD_INTEGRATION", false),
    ("FEATURE_PAYMENT_INTEGRATION", true),
    ("FEATURE_AI_IMPORT", true),
    ("FEATURE_AI_ANALYSIS", true),
    ("FEATURE_TASK_AUTOMATION", true),
];

fn features(v: &mut Vars<'_>) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for (name, default) in FEATURES {
        out.insert((*name).to_owned(), v.flag(name, *default));
    }
    let mut extra: Vec<(String, String)> = v
        .env
        .iter()
        .filter(|(k, _)| k.starts_with("FEATURE_") && !out.contains_key(*k))
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    extra.sort();
    for (name, raw) in extra {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => {
                out.insert(name.clone(), true);
            }
            "false" | "0" | "no" | "off" | "" => {
                out.insert(name.clone(), false);
            }
            _ => v.problem(&name, format!("must be true or false (got {raw:?})")),
        }
        v.show(&name, out.get(&name).copied().unwrap_or(false).to_string());
    }
    out
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
        let app_env = v.parse(
            "APP_ENV",
            AppEnv::Development,
            "development, staging or production",
        );
        let data_dir = PathBuf::from(v.string("VENDHUB_DATA_DIR", "./data"));
        let production = app_env == AppEnv::Production;
        let database = database(&mut v, &data_dir);
        let redis_url = redis(&mut v);
        let jwt = jwt(&mut v, app_env);
        let storage = storage(&mut v);
        let (log_level, log_format) = logging(&mut v, production);
        let cors_origins = cors_origins(&mut v);
        let metrics_port = v.opt("METRICS_PORT").and_then(|p| match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                v.problem("METRICS_PORT", format!("must be a port number (got {p:?})"));
                None
            }
        });
        let (admin_email, admin_password) = admin(&mut v);
        let port = v.parse("PORT", 4000u16, "a port number");
        let public_url = v
            .string("VENDHUB_PUBLIC_URL", &format!("http://localhost:{port}"))
            .trim_end_matches('/')
            .to_owned();
        if url::Url::parse(&public_url).is_err() {
            v.problem(
                "VENDHUB_PUBLIC_URL",
                format!("{public_url:?} is not a URL such as https://admin.vendhub.uz"),
            );
        }
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
            jobs: JobsConfig {
                concurrency: v.parse("JOB_CONCURRENCY", 4usize, "a whole number"),
                max_attempts: v.parse("JOB_MAX_ATTEMPTS", 5u32, "a whole number"),
                poll_interval: v.duration("JOB_POLL_INTERVAL", "500ms"),
                lease: v.duration("JOB_LEASE", "60s"),
            },
            log_level,
            log_format,
            cors_origins,
            trusted_proxies: trusted_proxies(&mut v),
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
            memory_heap_limit: mb(&mut v, "HEALTH_MEMORY_HEAP_MB", 1024),
            memory_rss_limit: mb(&mut v, "HEALTH_MEMORY_RSS_MB", 1536),
            disk_threshold_percent,
            features: features(&mut v),
            integrations: integrations(&mut v),
            smtp: smtp(&mut v),
            effective: Vec::new(),
            backup: backup(&mut v),
        };
        check_backup(&mut v, &config);
        if config.jobs.concurrency == 0 {
            v.problem("JOB_CONCURRENCY", "must be at least 1");
        }
        if config.jobs.max_attempts == 0 {
            v.problem("JOB_MAX_ATTEMPTS", "must be at least 1");
        }
        if !(1..=100).contains(&config.disk_threshold_percent) {
            v.problem("HEALTH_DISK_THRESHOLD_PERCENT", "must be from 1 to 100");
        }
        unknown_variables(&mut v);
        if v.problems.is_empty() {
            let mut effective = std::mem::take(&mut v.effective);
            effective.sort();
            effective.dedup_by(|a, b| a.0 == b.0);
            Ok(Config { effective, ..config })
        } else {
            Err(ConfigErrors(v.problems))
        }
    }

    pub fn production(&self) -> bool {
        self.app_env == AppEnv::Production
    }
}

/// Variables Kubernetes injects for every Service (`REDIS_SERVICE_HOST`, `REDIS_PORT_6379_TCP_ADDR`…):
/// not ours, even when they share a prefix. (`REDIS_PORT=tcp://…` itself is caught as invalid.)
fn injected_by_kubernetes(name: &str) -> bool {
    name.contains("_SERVICE_HOST")
        || name.contains("_SERVICE_PORT")
        || name.contains("_TCP")
        || name.contains("_UDP")
}

fn unknown_variables(v: &mut Vars<'_>) {
    let mut unknown: Vec<String> = v
        .env
        .keys()
        .filter(|k| OWN_PREFIXES.iter().any(|p| k.starts_with(p)))
        .filter(|k| !injected_by_kubernetes(k))
        .filter(|k| !v.read.contains(&k.as_str()) && !FOREIGN.contains(&k.as_str()))
        .cloned()
        .collect();
    unknown.sort();
    for name in unknown {
        let closest = v
            .read
            .iter()
            .map(|known| (strsim::jaro_winkler(known, &name), *known))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let message = match closest {
            Some((_, known)) => format!("unknown variable (did you mean {known}?)"),
            None => "unknown variable".to_owned(),
        };
        v.problem(&name, message);
    }
}

/// Every variable the configuration reads, for `.env.example` checks.
pub fn known_variables() -> Vec<&'static str> {
    let env = HashMap::new();
    let mut v = Vars::new(&env);
    let _ = database(&mut v, std::path::Path::new("./data"));
    let _ = redis(&mut v);
    let _ = jwt(&mut v, AppEnv::Development);
    let _ = storage(&mut v);
    let _ = features(&mut v);
    let _ = integrations(&mut v);
    let _ = smtp(&mut v);
    let _ = backup(&mut v);
    let mut names = v.read;
    // Read by `from_map` directly.
    names.extend([
        "APP_ENV",
        "VENDHUB_DATA_DIR",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "CORS_ORIGINS",
        "TRUSTED_PROXIES",
        "METRICS_PORT",
        "VENDHUB_ADMIN_EMAIL",
        "VENDHUB_ADMIN_PASSWORD",
        "HEALTH_DISK_THRESHOLD_PERCENT",
        "HOST",
        "PORT",
        "VENDHUB_PUBLIC_URL",
        "JOB_CONCURRENCY",
        "JOB_MAX_ATTEMPTS",
        "JOB_POLL_INTERVAL",
        "JOB_LEASE",
        "RATE_LIMIT_TTL",
        "RATE_LIMIT_LIMIT",
        "RATE_LIMIT_AUTH_LIMIT",
        "SWAGGER_ENABLED",
        "METRICS_TOKEN",
        "SHUTDOWN_TIMEOUT",
        "SHUTDOWN_DELAY",
        "VENDHUB_BODY_LIMIT",
        "VENDHUB_REQUEST_TIMEOUT",
        "MACHINE_OFFLINE_AFTER",
        "HEALTH_MEMORY_HEAP_MB",
        "HEALTH_MEMORY_RSS_MB",
    ]);
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
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
    fn a_misspelt_own_variable_is_an_error_with_a_suggestion() {
        let err = Config::from_map(&env(&[("JWT_EXPIRE_IN", "15m"), ("HOME", "/root")])).unwrap_err();
        assert_eq!(err.0.len(), 1, "foreign variables are ignored: {err}");
        assert_eq!(
            err.0[0].message,
            "unknown variable (did you mean JWT_EXPIRES_IN?)"
        );
    }

    #[test]
    fn kubernetes_service_links_are_not_mistaken_for_typos() {
        let c = Config::from_map(&env(&[
            ("REDIS_SERVICE_HOST", "10.0.0.7"),
            ("REDIS_SERVICE_PORT", "6379"),
            ("REDIS_PORT_6379_TCP_ADDR", "10.0.0.7"),
            ("VENDHUB_API_SERVICE_PORT_HTTP", "4000"),
        ]));
        assert!(c.is_ok(), "{c:?}");
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

    #[test]
    fn env_example_lists_exactly_the_variables_we_read() {
        let text = include_str!("../../../.env.example");
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

#[cfg(test)]
mod backup_tests {
    use super::*;

    #[test]
    fn backup_cron_is_a_daily_time_of_day() {
        assert_eq!(parse_daily_cron("0 3 * * *"), Ok(Duration::from_secs(3 * 3600)));
        assert_eq!(
            parse_daily_cron(" 30  23 * * * "),
            Ok(Duration::from_secs(23 * 3600 + 30 * 60))
        );
        for bad in ["", "0 3 * * 1", "60 3 * * *", "0 24 * * *", "*/5 * * * *", "0 3"] {
            assert!(parse_daily_cron(bad).is_err(), "{bad:?}");
        }
        let env: HashMap<String, String> = [("BACKUP_CRON".to_owned(), "0 3 * * MON".to_owned())].into();
        let e = Config::from_map(&env).unwrap_err().to_string();
        assert!(e.contains("BACKUP_CRON"), "{e}");
        let env: HashMap<String, String> = [
            ("BACKUP_ENABLED".to_owned(), "true".to_owned()),
            ("BACKUP_KEEP_DAYS".to_owned(), "7".to_owned()),
        ]
        .into();
        let c = Config::from_map(&env).unwrap();
        assert!(c.backup.enabled);
        assert_eq!(c.backup.keep_days, 7);
        assert_eq!(c.backup.dir, PathBuf::from("./data/backups"));
    }
}
