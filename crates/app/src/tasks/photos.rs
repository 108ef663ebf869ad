//! Photo proof: images bound to a task with the server's time, checked by content and size.

use serde::Serialize;
use vendhub_domain::ids::TaskId;
use vendhub_domain::tasks::PhotoCategory;
use vendhub_store::tasks::{self, PhotoRow};

use super::invalid;
use crate::auth::Principal;
use crate::products::ImageKind;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: String,
    /// before, after or during.
    pub category: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub uploaded_by: Option<String>,
    /// Server time when the photo arrived.
    pub taken_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) fn photo_view(p: PhotoRow) -> PhotoView {
    PhotoView {
        id: p.id,
        category: p.category,
        content_type: p.content_type,
        size_bytes: p.size_bytes,
        latitude: p.latitude,
        longitude: p.longitude,
        uploaded_by: p.uploaded_by,
        taken_at: p.taken_at.and_utc(),
    }
}

/// An uploaded photo.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub category: PhotoCategory,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub bytes: bytes::Bytes,
}

/// Stores a photo through the files port and binds it to the task (its assignee's or a manager's).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn add_photo(app: &App, who: &Principal, id: TaskId, p: NewPhoto) -> Result<PhotoView, AppError> {
    let id = id.to_string();
    let limit = app.settings().max_file_size;
    if u64::try_from(p.bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(AppError::TooLarge { limit });
    }
    let kind = ImageKind::sniff(&p.bytes)
        .ok_or(AppError::UnsupportedType("JPEG, PNG or WebP images only".into()))?;
    if p.latitude.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
        return Err(invalid("latitude", "must be from -90 to 90"));
    }
    if p.longitude.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
        return Err(invalid("longitude", "must be from -180 to 180"));
    }
    let org = who.scope().org().to_owned();
    let task = {
        let (scope, id) = (who.scope().clone(), id.clone());
        app.db().run(move |c| tasks::get(c, &scope, &id)).await?
    }
    .ok_or(AppError::NotFound)?;
    let a = super::commands::actor(who, &task);
    if !a.is_assignee && !a.is_manager {
        return Err(AppError::Forbidden);
    }
    let photo_id = uuid::Uuid::now_v7().to_string();
    let key = format!("tasks/{org}/{}/{photo_id}.{}", task.id, kind.extension());
    let size = i64::try_from(p.bytes.len()).unwrap_or(i64::MAX);
    app.blobs()
        .put(&key, p.bytes)
        .await
        .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?;
    let row = PhotoRow {
        id: photo_id,
        organization_id: org,
        task_id: task.id,
        category: p.category.as_str().into(),
        blob_key: key,
        content_type: kind.content_type().into(),
        size_bytes: size,
        latitude: p.latitude,
        longitude: p.longitude,
        uploaded_by: Some(who.user_id().to_string()),
        taken_at: app.now(),
    };
    let stored = row.clone();
    let scope = who.scope().clone();
    app.db()
        .run(move |c| tasks::add_photo(c, &scope, &stored))
        .await?;
    Ok(photo_view(row))
}

/// The stored bytes of a task's photo and their content type. A photo of another task, or a task of
/// another organization, is not found.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn photo_file(
    app: &App,
    who: &Principal,
    id: TaskId,
    photo: uuid::Uuid,
) -> Result<(bytes::Bytes, String), AppError> {
    let (scope, task, photo) = (who.scope().clone(), id.to_string(), photo.to_string());
    let row = app
        .db()
        .run(move |c| {
            Ok(tasks::photos(c, &scope, &task)?
                .into_iter()
                .find(|p| p.id == photo))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let data = app
        .blobs()
        .get(&row.blob_key)
        .await
        .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?
        .ok_or(AppError::NotFound)?;
    Ok((data, row.content_type))
}
