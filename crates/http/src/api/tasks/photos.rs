//! Photo proof: the multipart upload of a photo bound to a task.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use uuid::Uuid;
use vendhub_app::AppError;
use vendhub_app::tasks::{self, NewPhoto, PhotoView};
use vendhub_domain::tasks::PhotoCategory;

use super::bad;
use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::TaskId;

/// Multipart form of a photo upload.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the multipart form for the OpenAPI document")]
pub struct PhotoForm {
    /// before, after or during.
    category: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// The image: JPEG, PNG or WebP (checked by content), at most `MAX_FILE_SIZE` bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn multipart_error(e: &axum::extract::multipart::MultipartError, limit: usize) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge {
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    } else {
        bad("file", &format!("malformed multipart form: {}", e.body_text()))
    }
}

/// Parses the form into a photo (fields `category`, `latitude`, `longitude`, `file`; others, such as the
/// panel's `_csrf`, are ignored). The API's upload and the panel's share it.
pub(crate) async fn read_form(mut form: Multipart, limit: usize) -> Result<NewPhoto, AppError> {
    let (mut category, mut lat, mut lon, mut file) = (None, None, None, None);
    let number = |field: &str, text: &str| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(field, "must be a number"))
    };
    while let Some(field) = form.next_field().await.map_err(|e| multipart_error(&e, limit))? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.map_err(|e| multipart_error(&e, limit))?;
        let text = || String::from_utf8_lossy(&data).into_owned();
        match name.as_str() {
            "category" => {
                category = Some(
                    PhotoCategory::parse(text().trim())
                        .ok_or_else(|| bad("category", "must be before, after or during"))?,
                );
            }
            "latitude" => lat = Some(number("latitude", &text())?),
            "longitude" => lon = Some(number("longitude", &text())?),
            "file" | "photo" => file = Some(data),
            _ => {}
        }
    }
    Ok(NewPhoto {
        category: category.ok_or_else(|| bad("category", "is required"))?,
        latitude: lat,
        longitude: lon,
        bytes: file.ok_or_else(|| bad("file", "is required"))?,
    })
}

/// Upload a photo (multipart: `category` before|after|during, optional `latitude`/`longitude`, `file`),
/// bound to the task with the server's time.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/photos", tag = "tasks", params(("id" = String, Path)),
    request_body(content = PhotoForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 201, body = PhotoView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn add_photo(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<TaskId>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, axum::Json<PhotoView>), ApiError> {
    let form = form.map_err(|_| AppError::UnsupportedType("send the photo as multipart/form-data".into()))?;
    let photo = read_form(form, s.config.upload_limit).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(tasks::add_photo(&s.app, &who, id, photo).await?),
    ))
}

/// The stored file of a task's photo, with its content type (JPEG, PNG or WebP).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/photos/{photo_id}/file", tag = "tasks",
    params(("id" = String, Path), ("photo_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "image/jpeg, image/png or image/webp"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn photo_file(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path((id, photo)): Path<(TaskId, Uuid)>,
) -> Result<Response, ApiError> {
    Ok(file_response(tasks::photo_file(&s.app, &who, id, photo).await?))
}

/// A stored photo as a response: its bytes, content type, kept privately for a while, never sniffed.
pub(crate) fn file_response((bytes, content_type): (bytes::Bytes, String)) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
