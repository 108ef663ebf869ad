//! The catalog: locations (`/admin/locations`), products with their images and categories
//! (`/admin/products`), planogram templates (`/admin/planogram-templates`). Lists for everyone who reads
//! the fleet; create and edit forms for those who manage it, calling the API's use cases.

pub mod fields;
mod locations;
mod products;
mod templates;

use axum::Router;
use axum::routing::{get, post};
use vendhub_app::products::Names;

use super::i18n::{Lang, Tr};
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/locations", get(locations::list).post(locations::create))
        .route(
            "/admin/locations/{id}",
            get(locations::edit).post(locations::update),
        )
        .route("/admin/products", get(products::list).post(products::create))
        .route("/admin/products/{id}", get(products::edit).post(products::update))
        .route(
            "/admin/products/{id}/image",
            get(products::image).post(products::upload_image),
        )
        .route("/admin/categories", post(products::create_category))
        .route("/admin/planogram-templates", get(templates::list))
}

/// A product's name in the page's language.
pub fn product_name(t: Tr, names: &Names) -> String {
    match t.lang {
        Lang::Uz => names.uz.clone(),
        Lang::Ru => names.ru.clone(),
        Lang::En => names.en.clone(),
    }
}
