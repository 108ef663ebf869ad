//! The panel's static files, embedded in the binary (no CDN, no Node build): our stylesheet and script,
//! and the vendored htmx, Socket.IO client and Leaflet (`assets/web/vendor/README.md`).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

macro_rules! asset {
    ($path:literal, $kind:literal) => {
        (
            $path,
            $kind,
            include_bytes!(concat!("../../assets/web/", $path)).as_slice(),
        )
    };
}

/// Every file under `/assets/web/`, with its content type.
const FILES: &[(&str, &str, &[u8])] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("machines.css", "text/css; charset=utf-8"),
    asset!("customer.css", "text/css; charset=utf-8"),
    asset!("customer.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/socket.io.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/images/marker-icon.png", "image/png"),
    asset!("vendor/images/marker-icon-2x.png", "image/png"),
    asset!("vendor/images/marker-shadow.png", "image/png"),
];

/// `GET /assets/web/{*path}`.
pub async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, kind, body)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
