//! Backup settings (`BACKUP_*`), and the daily cron line of `BACKUP_CRON`.

use std::path::PathBuf;
use std::time::Duration;

use super::Config;
use super::vars::Vars;

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

pub(super) fn backup(v: &mut Vars<'_>) -> BackupConfig {
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

pub(super) fn check_backup(v: &mut Vars<'_>, config: &Config) {
    if config.backup.s3_upload && config.storage.endpoint.is_none() {
        v.problem(
            "BACKUP_S3_UPLOAD",
            "needs STORAGE_ENDPOINT (the S3 bucket backups are uploaded to)",
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::time::Duration;

    use super::super::Config;
    use super::parse_daily_cron;

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
