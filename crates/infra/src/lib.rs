//! Adapters for the app's ports. Which one runs is decided by configuration alone: no URL, the in-process
//! one; `REDIS_URL`, Redis; `STORAGE_ENDPOINT`, S3.

pub mod blobs;
pub mod memory;
pub mod providers;
pub mod redis_bus;
pub mod redis_cache;
pub mod smtp;
