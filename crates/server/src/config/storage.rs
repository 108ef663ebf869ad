//! File storage (`STORAGE_*`, `MAX_FILE_SIZE`): an S3 bucket, or files under the data directory.

use super::Secret;
use super::vars::Vars;

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

pub(super) fn storage(v: &mut Vars<'_>) -> StorageConfig {
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
