//! Products: unique SKU and barcode, VAT, categories, and images in local files or S3.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{TINY_PNG, call, demo, demo_on, get, post, send_bytes};

#[tokio::test]
async fn products_keep_sku_and_barcode_unique_and_show_their_vat() {
    let (app, t) = demo().await;
    let body = |sku: &str, barcode: &str| {
        json!({ "sku": sku, "barcode": barcode, "name_uz": "Choy", "name_ru": "Чай",
        "name_en": "Tea", "price": 1_120_000, "cost": 600_000, "ikpu_code": "00902300001000009", "package_code": "1501491" })
    };
    let (status, p) = post(&app, "/api/v1/products", &t, body("TEA-GREEN", "4780000009999")).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["vat_amount"], 120_000, "12% included in 11 200 so'm");
    let (status, dup) = post(&app, "/api/v1/products", &t, body("COLA-05", "4780000008888")).await;
    assert_eq!(
        (
            status.as_u16(),
            dup["detail"].as_str().map(|d| d.starts_with("sku"))
        ),
        (409, Some(true))
    );
    let (status, dup) = post(&app, "/api/v1/products", &t, body("TEA-BLACK-2", "4780000009999")).await;
    assert_eq!(
        (
            status.as_u16(),
            dup["detail"].as_str().map(|d| d.starts_with("barcode"))
        ),
        (409, Some(true))
    );
    let (status, bad) = post(
        &app,
        "/api/v1/products",
        &t,
        json!({ "sku": "bad sku", "name_uz": "", "name_ru": "x",
        "name_en": "x", "price": -1, "ikpu_code": "123" }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["sku", "name_uz", "price", "ikpu_code"]);
    let (_, search) = get(&app, "/api/v1/products?q=tea", &t).await;
    assert!(
        search["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["sku"] == "TEA-GREEN")
    );
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/products/{id}"), &t, None)
            .await
            .0,
        204
    );
    assert_eq!(
        post(&app, "/api/v1/products", &t, body("TEA-GREEN", "4780000009999"))
            .await
            .0,
        201,
        "freed"
    );
}

#[tokio::test]
async fn categories_group_products_within_the_organization() {
    let (app, t) = demo().await;
    let (status, cat) = post(&app, "/api/v1/categories", &t, json!({ "name": "Drinks" })).await;
    assert_eq!(status, 201, "{cat}");
    assert_eq!(
        post(&app, "/api/v1/categories", &t, json!({ "name": "Drinks" }))
            .await
            .0,
        409
    );
    let body = |category: Value| {
        json!({ "sku": "KVASS", "name_uz": "Kvas", "name_ru": "Квас", "name_en": "Kvass",
        "price": 700_000, "category_id": category })
    };
    let (status, bad) = post(&app, "/api/v1/products", &t, body(json!(uuid::Uuid::now_v7()))).await;
    assert_eq!(
        (status.as_u16(), bad["errors"][0]["field"].as_str()),
        (400, Some("category_id"))
    );
    let (status, p) = post(&app, "/api/v1/products", &t, body(cat["id"].clone())).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["category_id"], cat["id"]);
    let (_, list) = get(&app, "/api/v1/categories", &t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Updating to another organization's category answers exactly like a category that does not exist,
    // and changes nothing.
    let (_, other) = vendhub_testkit::api::other_organization(&app, "cat-other", "cat-other-pass-2026").await;
    let (status, foreign) = post(&app, "/api/v1/categories", &other, json!({ "name": "Theirs" })).await;
    assert_eq!(status, 201, "{foreign}");
    let path = format!("/api/v1/products/{}", p["id"].as_str().unwrap());
    let (s1, by_foreign) = call(&app, Method::PUT, &path, &t, Some(body(foreign["id"].clone()))).await;
    let (s2, by_random) = call(
        &app,
        Method::PUT,
        &path,
        &t,
        Some(body(json!(uuid::Uuid::now_v7()))),
    )
    .await;
    assert_eq!(
        (s1.as_u16(), by_foreign["errors"][0]["field"].as_str()),
        (400, Some("category_id"))
    );
    assert_eq!(
        (s1, &by_foreign["code"], &by_foreign["errors"]),
        (s2, &by_random["code"], &by_random["errors"])
    );
    let (_, unchanged) = get(&app, &path, &t).await;
    assert_eq!(unchanged["category_id"], cat["id"]);
}

/// Puts a product's image: the raw bytes, with `content_type`.
async fn put_image(
    app: &TestApp,
    t: &str,
    id: &str,
    body: Vec<u8>,
    content_type: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/products/{id}/image");
    send_bytes(app, Method::PUT, &path, t, content_type, body).await
}

#[tokio::test]
async fn a_product_image_is_checked_by_content_and_size_and_kept_in_local_files() {
    let (app, t) = demo_on(TestApp::builder().env("MAX_FILE_SIZE", "4096").spawn().await).await;
    let (_, list) = get(&app, "/api/v1/products?limit=1", &t).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();

    let (status, body) = put_image(&app, &t, &id, b"<svg onload=alert(1)>".to_vec(), "image/png").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "the name or header does not decide"
    );
    let mut big = TINY_PNG.to_vec();
    big.resize(5000, 0);
    let (status, body) = put_image(&app, &t, &id, big, "image/png").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert_eq!(
        get(&app, &format!("/api/v1/products/{id}/image"), &t).await.0,
        404,
        "nothing stored"
    );

    let (status, body) = put_image(&app, &t, &id, TINY_PNG.to_vec(), "application/octet-stream").await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/products/{id}/image")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    let stored: Vec<_> = walk(&app.data_dir().join("files/products"));
    assert_eq!(stored.len(), 1, "one file in the local store: {stored:?}");
    // A replacement removes the old file.
    assert_eq!(
        put_image(&app, &t, &id, TINY_PNG.to_vec(), "image/png").await.0,
        200
    );
    assert_eq!(walk(&app.data_dir().join("files/products")).len(), 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

struct Moto(std::process::Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A local S3-compatible server (`moto`, from `PyPI`; `.ci/run` installs it).
async fn moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server must be installed (pip install 'moto[server]'); .ci/run installs it");
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "moto did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Moto(child, port)
}

#[tokio::test]
async fn with_storage_endpoint_files_go_to_s3() {
    let s3 = moto().await;
    // CreateBucket.
    let res = reqwest::Client::new()
        .put(format!("http://127.0.0.1:{}/vendhub-test", s3.1))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let app = TestApp::builder()
        .env("STORAGE_ENDPOINT", format!("127.0.0.1:{}", s3.1))
        .env("STORAGE_ACCESS_KEY", "test")
        .env("STORAGE_SECRET_KEY", "test")
        .env("STORAGE_BUCKET", "vendhub-test")
        .env("STORAGE_REGION", "us-east-1")
        .spawn()
        .await;
    let detailed: Value = app.get("/health/detailed").await.json().await.unwrap();
    assert_eq!(detailed["info"]["storage"]["backend"], "s3", "{detailed}");
    let (app, t) = demo_on(app).await;
    let (_, list) = get(&app, "/api/v1/products?limit=1", &t).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        put_image(&app, &t, &id, TINY_PNG.to_vec(), "image/png").await.0,
        200
    );
    let res = app
        .client
        .get(app.url(&format!("/api/v1/products/{id}/image")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    assert!(
        walk(&app.data_dir().join("files")).is_empty(),
        "nothing in local files"
    );
    let listing = reqwest::get(format!("http://127.0.0.1:{}/vendhub-test?list-type=2", s3.1))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains("products/") && listing.contains(".png"),
        "{listing}"
    );
}
