//! Outside services: e-mail over SMTP (`SMTP_*`), and the providers of later areas (Telegram, SMS/Eskiz, OFD, Sentry), whose settings are read so they are known, not typos, and kept
//! redacted.

use std::collections::BTreeMap;

use super::Secret;
use super::vars::Vars;

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

pub(super) fn smtp(v: &mut Vars<'_>) -> Option<SmtpConfig> {
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
pub(super) fn integrations(v: &mut Vars<'_>) -> BTreeMap<&'static str, Option<Secret>> {
    const PLAIN: &[&str] = &[
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
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "SMS_API_KEY",
        "OFD_API_KEY",
    ];
    let mut out = BTreeMap::new();
    for name in PLAIN {
        out.insert(*name, v.opt(name).map(Secret::new));
    }
    for name in SECRET {
        out.insert(*name, v.secret(name));
    }
    out
}
