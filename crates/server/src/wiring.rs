//! Wiring: configuration in, a running application's parts out. A URL (or its absence) picks each
//! adapter: SQLite or PostgreSQL, in-process or Redis, local files or S3.

use std::sync::Arc;

use vendhub_app::App;
use vendhub_app::ports::{BlobStore, Cache, EventBus};
use vendhub_app::setup::{CreatedOwner, FirstOwner};
use vendhub_app::state::Settings;
use vendhub_infra::blobs::{Blobs, S3Settings};
use vendhub_infra::memory::{MemoryBus, MemoryCache};
use vendhub_infra::redis_bus::RedisBus;
use vendhub_infra::redis_cache::RedisCache;
use vendhub_store::{Db, DbOptions, migrations};

use crate::config::Config;

/// Why the server could not start: one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigErrors),
    #[error("data folder {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error("DATABASE_URL: {0}")]
    Database(String),
    #[error("migrations failed: {0}")]
    Migrations(String),
    #[error("REDIS_URL: cannot connect to Redis: {0}")]
    Redis(String),
    #[error("STORAGE_ENDPOINT: {0}")]
    Storage(String),
    #[error("{0}")]
    Secrets(String),
    #[error("PORT: cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("first start: {0}")]
    Seed(String),
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("SMTP_HOST: {0}")]
    Mail(String),
    #[error("payment providers: {0}")]
    Payments(String),
}

/// Checks that the data folder exists (creating it) and can be written to.
pub fn ensure_data_dir(config: &Config) -> Result<(), StartError> {
    let dir = &config.data_dir;
    let fail = |reason: String| StartError::DataDir {
        path: dir.display().to_string(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(|e| fail(format!("not writable ({e})")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Connects to the configured database (retrying until `DB_CONNECT_TIMEOUT`).
/// Opens the pool. `min_idle` is 1 for the server and 0 for one-shot CLI commands (see
/// [`DbOptions::min_idle`]).
pub async fn connect_db(config: &Config, min_idle: u32) -> Result<Db, StartError> {
    let opts = DbOptions {
        url: config.database.url.clone(),
        pool_size: config.database.pool_size,
        ssl: config.database.ssl,
        log_statements: config.database.logging,
        connect_timeout: config.database.connect_timeout,
        min_idle,
    };
    tokio::task::spawn_blocking(move || Db::connect(&opts))
        .await
        .map_err(|e| StartError::Database(e.to_string()))?
        .map_err(|e| StartError::Database(e.to_string()))
}

/// Applies pending migrations; returns the versions applied now.
pub async fn migrate(db: &Db) -> Result<Vec<String>, StartError> {
    db.run(migrations::run_pending)
        .await
        .map_err(|e| StartError::Migrations(e.to_string()))
}

async fn cache_and_bus(config: &Config) -> Result<(Arc<dyn Cache>, Arc<dyn EventBus>), StartError> {
    let Some(url) = &config.redis_url else {
        return Ok((Arc::new(MemoryCache::new()), Arc::new(MemoryBus::new())));
    };
    let client = redis::Client::open(url.expose()).map_err(|e| StartError::Redis(e.to_string()))?;
    let connect = async {
        let cache = RedisCache::connect(client.clone(), "vendhub:").await?;
        let bus = RedisBus::connect(client, "vendhub:events").await?;
        Ok::<_, vendhub_app::ports::PortError>((cache, bus))
    };
    let (cache, bus) = tokio::time::timeout(config.database.connect_timeout, connect)
        .await
        .map_err(|_| StartError::Redis("no answer".into()))?
        .map_err(|e| StartError::Redis(e.to_string()))?;
    Ok((Arc::new(cache), Arc::new(bus)))
}

pub fn blobs(config: &Config) -> Result<Arc<dyn BlobStore>, StartError> {
    let s = &config.storage;
    let store = match &s.endpoint {
        None => {
            Blobs::local(&config.data_dir.join("files")).map_err(|e| StartError::Storage(e.to_string()))?
        }
        Some(endpoint) => Blobs::s3(&S3Settings {
            endpoint: endpoint.clone(),
            access_key: s.access_key.clone(),
            secret_key: s.secret_key.expose().to_owned(),
            bucket: s.bucket.clone(),
            region: s.region.clone(),
            use_ssl: s.use_ssl,
        })
        .map_err(|e| StartError::Storage(e.to_string()))?,
    };
    Ok(Arc::new(store))
}

fn mailer(config: &Config) -> Result<Arc<dyn vendhub_app::ports::Mailer>, StartError> {
    use vendhub_infra::smtp::{NoMailer, SmtpMailer, SmtpSettings, SmtpTls};
    let Some(s) = &config.smtp else {
        return Ok(Arc::new(NoMailer));
    };
    let tls = match s.tls.as_str() {
        "tls" => SmtpTls::Tls,
        "starttls" => SmtpTls::StartTls,
        _ => SmtpTls::None,
    };
    let mailer = SmtpMailer::new(&SmtpSettings {
        host: s.host.clone(),
        port: s.port,
        user: s.user.clone(),
        password: s.password.as_ref().map(|p| p.expose().to_owned()),
        from: s.from.clone(),
        tls,
    })
    .map_err(|e| StartError::Mail(e.to_string()))?;
    Ok(Arc::new(mailer))
}

/// The installation's merchant accounts and provider URLs, for the use cases.
fn payment_settings(config: &Config) -> vendhub_app::payments::PaymentSettings {
    use vendhub_app::payments::{MerchantAccount, PaymentSettings};
    use vendhub_domain::payments::Provider;
    let p = &config.payments;
    let account = |provider: Provider, a: &Option<crate::config::AccountConfig>| {
        a.as_ref().map(|a| MerchantAccount {
            provider,
            owner: None,
            merchant_id: a.merchant_id.clone(),
            service_id: a.service_id.clone(),
            secret: a.secret.expose().to_owned(),
            test_secret: a.test_secret.as_ref().map(|s| s.expose().to_owned()),
            test_mode: a.test_mode,
            merchant_user_id: a.merchant_user_id.clone(),
        })
    };
    PaymentSettings {
        payme: account(Provider::Payme, &p.payme),
        click: account(Provider::Click, &p.click),
        uzum: account(Provider::Uzum, &p.uzum),
        payme_checkout_url: p.payme_checkout_url.clone(),
        payme_test_checkout_url: p.payme_test_checkout_url.clone(),
        click_pay_url: p.click_pay_url.clone(),
        uzum_pay_url: p.uzum_pay_url.clone(),
        payme_api_url: p.payme_api_url.clone(),
        payme_receipt_cancel: p.payme_receipt_cancel,
        click_api_url: p.click_api_url.clone(),
        uzum_api_url: p.uzum_api_url.clone(),
        vend_command_ttl: p.vend_command_ttl,
        public_url: config.public_url.trim_end_matches('/').to_owned(),
    }
}

/// Builds the application over an already connected database.
pub async fn build_app(config: &Config, db: Db) -> Result<App, StartError> {
    build_app_with_clock(config, db, Arc::new(vendhub_app::ports::SystemClock)).await
}

/// [`build_app`] with a given clock (tests move one by hand).
pub async fn build_app_with_clock(
    config: &Config,
    db: Db,
    clock: Arc<dyn vendhub_app::ports::Clock>,
) -> Result<App, StartError> {
    let (cache, bus) = cache_and_bus(config).await?;
    let settings = Settings {
        environment: config.app_env.as_str().to_owned(),
        public_url: config.public_url.clone(),
        auth: auth_settings(config)?,
        data_dir: config.data_dir.clone(),
        memory_heap_limit: config.memory_heap_limit,
        memory_rss_limit: config.memory_rss_limit,
        disk_threshold_percent: config.disk_threshold_percent,
        max_file_size: config.storage.max_file_size,
        dashboard_cache_ttl: config.dashboard_cache_ttl,
        payments: payment_settings(config),
    };
    let ports = vendhub_app::state::Ports {
        bus,
        cache,
        blobs: blobs(config)?,
        mailer: mailer(config)?,
        clock,
        providers: Arc::new(
            vendhub_infra::providers::HttpPaymentProviders::new(config.payments.provider_api_timeout)
                .map_err(|e| StartError::Payments(e.to_string()))?,
        ),
    };
    Ok(App::new(db, ports, settings))
}

/// Signing keys and lifetimes; the secrets must have been filled (`secrets::ensure`) before.
fn auth_settings(config: &Config) -> Result<vendhub_app::auth::AuthSettings, StartError> {
    use sha2::Digest;
    let need = |s: &Option<crate::config::Secret>, name: &str| {
        s.as_ref()
            .map(|v| v.expose().to_owned())
            .ok_or_else(|| StartError::Secrets(format!("{name} is not set")))
    };
    let key = need(&config.jwt.encryption_key, "VENDHUB_ENCRYPTION_KEY")?;
    Ok(vendhub_app::auth::AuthSettings {
        jwt_secret: need(&config.jwt.secret, "JWT_SECRET")?,
        jwt_secret_previous: config.jwt.secret_previous.as_ref().map(|s| s.expose().to_owned()),
        refresh_secret: need(&config.jwt.refresh_secret, "JWT_REFRESH_SECRET")?,
        access_ttl: config.jwt.expires_in,
        refresh_ttl: config.jwt.refresh_expires_in,
        totp_issuer: config.jwt.totp_issuer.clone(),
        encryption_key: sha2::Sha256::digest(key.as_bytes()).into(),
        max_failed_logins: 5,
        lockout: std::time::Duration::from_secs(15 * 60),
    })
}

/// Creates the first organization and owner on a fresh database (once).
pub async fn first_owner(config: &Config, app: &App) -> Result<Option<CreatedOwner>, StartError> {
    vendhub_app::setup::ensure_first_owner(
        app,
        FirstOwner {
            email: config.admin_email.clone(),
            password: config.admin_password.as_ref().map(|p| p.expose().to_owned()),
            organization_name: "My vending company".into(),
        },
    )
    .await
    .map_err(|e| {
        StartError::Seed(match e {
            vendhub_app::AppError::Validation(errs) => errs
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
    })
}

/// HTTP settings from the configuration.
pub fn http_config(config: &Config) -> vendhub_http::HttpConfig {
    vendhub_http::HttpConfig {
        production: config.production(),
        secure_cookies: config.app_env != crate::config::AppEnv::Development,
        swagger: config.swagger_enabled,
        metrics_token: config.metrics_token.as_ref().map(|s| s.expose().to_owned()),
        metrics_on_main: config.metrics_port.is_none(),
        cors_origins: config.cors_origins.clone(),
        body_limit: config.body_limit,
        upload_limit: usize::try_from(config.storage.max_file_size).unwrap_or(usize::MAX),
        request_timeout: config.request_timeout,
        rate_limits: (config.rate_limit_limit > 0).then_some(vendhub_http::rate_limit::RateLimits {
            window: config.rate_limit_ttl,
            general: u64::from(config.rate_limit_limit),
            auth: u64::from(config.rate_limit_auth_limit.max(1)),
        }),
        trusted_proxies: config.trusted_proxies.clone(),
        map_tile_url: config.map_tile_url.clone(),
        integrations: integration_values(config),
        build: crate::build_info(),
    }
}

/// The integration variables for the settings page, each value masked here: no secret reaches `http`.
fn integration_values(config: &Config) -> Vec<(String, Option<String>)> {
    let smtp = config.smtp.as_ref();
    let mut out: Vec<(String, Option<String>)> = config
        .integrations
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.as_ref().map(|v| mask(v.expose()))))
        .collect();
    let p = &config.payments;
    for (prefix, a) in [("PAYME", &p.payme), ("CLICK", &p.click), ("UZUM", &p.uzum)] {
        out.push((
            format!("{prefix}_MERCHANT_ID"),
            a.as_ref().map(|a| mask(&a.merchant_id)),
        ));
        out.push((
            format!("{prefix}_SECRET_KEY"),
            a.as_ref().map(|a| mask(a.secret.expose())),
        ));
        if prefix != "PAYME" {
            out.push((
                format!("{prefix}_SERVICE_ID"),
                a.as_ref().and_then(|a| a.service_id.as_deref()).map(mask),
            ));
        }
    }
    out.push(("SMTP_HOST".into(), smtp.map(|s| mask(&s.host))));
    out.push(("SMTP_USER".into(), smtp.and_then(|s| s.user.as_deref()).map(mask)));
    out.push((
        "SMTP_PASSWORD".into(),
        smtp.and_then(|s| s.password.as_ref()).map(|p| mask(p.expose())),
    ));
    out.sort();
    out
}

/// `••••1234`: the last four characters of a value long enough that they give nothing away, else dots.
fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let tail: String = if chars.len() >= 12 {
        chars[chars.len() - 4..].iter().collect()
    } else {
        String::new()
    };
    format!("\u{2022}\u{2022}\u{2022}\u{2022}{tail}")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{http_config, mask};
    use crate::config::Config;

    fn config(env: &[(&str, &str)]) -> Config {
        let mut map: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        map.insert("JWT_SECRET".into(), "a".repeat(40));
        map.insert("JWT_REFRESH_SECRET".into(), "b".repeat(40));
        Config::from_map(&map).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn panel_cookies_are_secure_everywhere_but_development() {
        assert!(!http_config(&config(&[("APP_ENV", "development")])).secure_cookies);
        assert!(http_config(&config(&[("APP_ENV", "staging")])).secure_cookies);
        let production = config(&[
            ("APP_ENV", "production"),
            ("VENDHUB_ENCRYPTION_KEY", &"c".repeat(64)),
        ]);
        assert!(http_config(&production).secure_cookies);
    }

    #[test]
    fn a_map_tile_url_must_be_a_tile_template() {
        let ok = config(&[("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")]);
        assert!(http_config(&ok).map_tile_url.is_some());
        let mut map = HashMap::new();
        map.insert("MAP_TILE_URL".to_owned(), "tiles.example.org".to_owned());
        let err = Config::from_map(&map)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("MAP_TILE_URL"), "{err}");
    }

    #[test]
    fn a_masked_value_shows_at_most_its_last_four_characters() {
        assert_eq!(
            mask("sk_live_0123456789abcd"),
            "\u{2022}\u{2022}\u{2022}\u{2022}abcd"
        );
        assert_eq!(mask("short-key"), "\u{2022}\u{2022}\u{2022}\u{2022}");
        assert_eq!(mask(""), "\u{2022}\u{2022}\u{2022}\u{2022}");
    }
}
