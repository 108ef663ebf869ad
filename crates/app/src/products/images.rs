//! A product's image: recognised by its content, stored through the files port, replaced whole.

use vendhub_domain::ids::ProductId;
use vendhub_store::audit;
use vendhub_store::products::{self, ProductRow};

use super::{ProductView, conflict, view};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

/// An image format we accept, recognised by its first bytes (never by a name or a header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
}

impl ImageKind {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        match key.rsplit('.').next()? {
            "jpg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }
}

/// Stores a product's image through the files port (local folder or S3), replacing the previous one.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn set_image(
    app: &App,
    who: &Principal,
    id: ProductId,
    bytes: bytes::Bytes,
    meta: &RequestMeta,
) -> Result<ProductView, AppError> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > app.settings().max_file_size {
        return Err(AppError::TooLarge {
            limit: app.settings().max_file_size,
        });
    }
    let kind =
        ImageKind::sniff(&bytes).ok_or(AppError::UnsupportedType("JPEG, PNG or WebP images only".into()))?;
    let org = who.organization_id();
    let id = id.to_string();
    let found = {
        let (scope, id) = (who.scope().clone(), id.clone());
        app.db().run(move |c| products::get(c, &scope, &id)).await?
    };
    let product = found.ok_or(AppError::NotFound)?;
    let key = format!(
        "products/{org}/{}/{}.{}",
        product.id,
        uuid::Uuid::now_v7(),
        kind.extension()
    );
    app.blobs()
        .put(&key, bytes)
        .await
        .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?;
    let (who2, meta, key2) = (who.clone(), meta.clone(), key.clone());
    let saved = app
        .write(move |c| {
            let Some(before) = products::get(c, who2.scope(), &id)? else {
                return Err(AppError::NotFound);
            };
            let after = ProductRow {
                image_key: Some(key2.clone()),
                ..before.clone()
            };
            products::update(c, who2.scope(), &after).map_err(conflict)?;
            audit::append(
                c,
                &Record::new("product.image", "product", &after.id)
                    .by(&who2)
                    .from(&meta)
                    .before(Some(serde_json::json!({ "image": before.image_key })))
                    .after(Some(serde_json::json!({ "image": key2 })))
                    .done(),
            )?;
            Ok((before.image_key, view(after)))
        })
        .await;
    match saved {
        Ok((old, v)) => {
            if let Some(old) = old
                && let Err(e) = app.blobs().delete(&old).await
            {
                tracing::warn!(error = %e, key = %old, "could not delete a replaced product image");
            }
            Ok(v)
        }
        Err(e) => {
            // Nothing points at the new file: remove it again.
            let _ = app.blobs().delete(&key).await;
            Err(e)
        }
    }
}

/// A product's image and its content type.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn image(
    app: &App,
    who: &Principal,
    id: ProductId,
) -> Result<(bytes::Bytes, &'static str), AppError> {
    let scope = who.scope().clone();
    let product = app
        .db()
        .run(move |c| products::get(c, &scope, &id.to_string()))
        .await?
        .ok_or(AppError::NotFound)?;
    let key = product.image_key.ok_or(AppError::NotFound)?;
    let kind = ImageKind::from_key(&key).ok_or(AppError::NotFound)?;
    let data = app
        .blobs()
        .get(&key)
        .await
        .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?;
    Ok((data.ok_or(AppError::NotFound)?, kind.content_type()))
}
