//! File storage through `object_store`: a local folder by default, any S3-compatible service
//! (`MinIO`, AWS) when `STORAGE_ENDPOINT` is set.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use vendhub_app::ports::{BlobStore, PortError};

/// S3 settings (`STORAGE_*`).
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// `host:port` or a full `http(s)://` URL.
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub bucket: String,
    pub region: String,
    pub use_ssl: bool,
}

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    backend: &'static str,
}

impl Blobs {
    /// Files under `dir` (created when missing).
    pub fn local(dir: &Path) -> Result<Self, PortError> {
        std::fs::create_dir_all(dir).map_err(|e| PortError::new(format!("{}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(PortError::new)?
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(store),
            backend: "local",
        })
    }

    pub fn s3(s: &S3Settings) -> Result<Self, PortError> {
        let endpoint = if s.endpoint.starts_with("http://") || s.endpoint.starts_with("https://") {
            s.endpoint.clone()
        } else {
            format!("{}://{}", if s.use_ssl { "https" } else { "http" }, s.endpoint)
        };
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_access_key_id(&s.access_key)
            .with_secret_access_key(&s.secret_key)
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_virtual_hosted_style_request(false)
            .build()
            .map_err(PortError::new)?;
        Ok(Self {
            store: Arc::new(store),
            backend: "s3",
        })
    }
}

fn path(key: &str) -> Result<ObjectPath, PortError> {
    ObjectPath::parse(key).map_err(PortError::new)
}

#[async_trait]
impl BlobStore for Blobs {
    async fn put(&self, key: &str, data: Bytes) -> Result<(), PortError> {
        self.store
            .put(&path(key)?, PutPayload::from(data))
            .await
            .map_err(PortError::new)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, PortError> {
        match self.store.get(&path(key)?).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(PortError::new)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(PortError::new(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(PortError::new(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, PortError> {
        let prefix = if prefix.is_empty() {
            None
        } else {
            Some(path(prefix)?)
        };
        let metas: Vec<_> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(PortError::new)?;
        let mut keys: Vec<String> = metas.into_iter().map(|m| m.location.to_string()).collect();
        keys.sort();
        Ok(keys)
    }

    async fn ping(&self) -> Result<(), PortError> {
        let key = ".health/probe";
        self.put(key, Bytes::from_static(b"ok")).await?;
        let back = self.get(key).await?;
        self.delete(key).await?;
        if back.as_deref() == Some(b"ok".as_slice()) {
            Ok(())
        } else {
            Err(PortError::new("read back differs"))
        }
    }

    fn backend(&self) -> &'static str {
        self.backend
    }
}
