//! Where a state-changing request carries its CSRF token: the `X-CSRF-Token` header (htmx requests), or
//! the `_csrf` field of a url-encoded or multipart form. The body is read (up to the upload limit) to find
//! the field and handed on unchanged.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use super::error::WebError;
use super::session::CSRF_HEADER;
use crate::cookies::CSRF_FIELD;

/// The submitted token (if any) and the request, its body intact.
pub async fn submitted(req: Request, limit: usize) -> Result<(Option<String>, Request), Response> {
    if let Some(token) = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    {
        return Ok((Some(token), req));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        WebError::from(vendhub_app::AppError::TooLarge { limit: limit as u64 }).into_response()
    })?;
    let token = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned())
    } else if content_type.starts_with("multipart/form-data") {
        from_multipart(&content_type, bytes.clone()).await
    } else {
        None
    };
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The `_csrf` field of a multipart body (forms put it first, so only that much is read).
async fn from_multipart(content_type: &str, body: Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}
