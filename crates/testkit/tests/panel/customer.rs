//! The customer's pages: the machine's QR page (`/app/m/{number}?org=…`), ordering from it, the order
//! page with its pay links and status fragment, and the errors a customer can meet, in their language.

use reqwest::Method;
use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{call, demo};
use vendhub_testkit::orders::{Shop, shop_of};
use vendhub_testkit::panel::PanelClient;

/// The demo shop with a Click account of the organization's own, so orders get a pay link.
pub async fn shop_with_click() -> (TestApp, Shop) {
    let (app, owner) = demo().await;
    let shop = shop_of(&app, &owner).await;
    let (status, body) = call(
        &app,
        Method::PUT,
        "/api/v1/payments/accounts/click",
        &owner,
        Some(json!({ "merchant_id": "11111", "service_id": "22222", "secret": "click-secret" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (app, shop)
}

pub fn menu_path(shop: &Shop) -> String {
    format!("/app/m/{}?org={}", shop.number, shop.org_slug)
}

/// Orders the shop's slot through the page's form; the order page's path.
pub async fn order_through_the_page(c: &mut PanelClient, shop: &Shop, lang: &str) -> String {
    let a = c
        .post_raw(
            &format!("/app/m/{}/order", shop.number),
            &[("slot", &shop.slot), ("org", &shop.org_slug), ("lang", lang)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    a.location.unwrap()
}

#[tokio::test]
async fn a_customer_orders_from_the_qr_page_and_sees_the_pay_links() {
    let (app, shop) = shop_with_click().await;
    let mut c = PanelClient::new(&app);
    let menu = c.get(&format!("{}&lang=en", menu_path(&shop))).await;
    assert_eq!(menu.status, StatusCode::OK);
    assert!(menu.html.contains("Pick a product"), "{}", menu.html);
    assert!(
        menu.html.contains(&format!("data-testid=\"buy-{}\"", shop.slot)),
        "{}",
        menu.html
    );
    let raw = app.get(&menu_path(&shop)).await;
    let csp = raw.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let to = order_through_the_page(&mut c, &shop, "ru").await;
    assert!(to.starts_with("/app/o/") && to.ends_with("?lang=ru"), "{to}");
    let id = to
        .trim_start_matches("/app/o/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = c.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Ожидает оплаты",
        "data-testid=\"pay-click\"",
        "https://my.click.uz/services/pay?service_id=22222&#38;merchant_id=11111",
        &format!("data-order-live=\"{id}\""),
        "/assets/web/customer.js",
    ] {
        assert!(page.html.contains(needle), "{needle} in {}", page.html);
    }
    assert!(!page.html.contains("<script>") && !page.html.contains("style=\""));

    // The status fragment the page polls without Socket.IO follows the order.
    vendhub_testkit::orders::mark_paid(&app, &id, vendhub_domain::payments::Provider::Click).await;
    let fragment = c.get(&format!("/app/o/{id}/status?lang=en")).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment.html.contains("data-status=\"paid\"") && fragment.html.contains("Paid"),
        "{}",
        fragment.html
    );
    // Paid: no pay links any more.
    let after = c.get(&format!("/app/o/{id}?lang=en")).await;
    assert!(
        !after.html.contains("data-testid=\"pay-click\""),
        "{}",
        after.html
    );
}

#[tokio::test]
async fn a_customer_meets_errors_as_pages_that_say_what_went_wrong() {
    let (app, shop) = shop_with_click().await;
    let mut c = PanelClient::new(&app);
    let unknown = c
        .get(&format!("/app/m/NO-SUCH?org={}&lang=en", shop.org_slug))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.html.contains("scan the QR code again"),
        "{}",
        unknown.html
    );
    for path in [
        "/app/o/not-a-uuid?lang=en".to_owned(),
        format!("/app/o/{}?lang=en", uuid::Uuid::now_v7()),
    ] {
        let a = c.get(&path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert!(a.html.contains("Not found"), "{}", a.html);
    }
    assert_eq!(
        c.get(&format!("/app/o/{}/status", uuid::Uuid::now_v7()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let no_slot = c
        .post_raw(
            &format!("/app/m/{}/order", shop.number),
            &[("slot", "Z99"), ("org", &shop.org_slug), ("lang", "en")],
        )
        .await;
    assert_eq!(no_slot.status, StatusCode::BAD_REQUEST, "{}", no_slot.html);
    let garbage = c
        .post_raw(&format!("/app/m/{}/order", shop.number), &[("nothing", "x")])
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST, "{}", garbage.html);

    // Two unpaid orders per client and machine; the third is refused with a page saying why.
    order_through_the_page(&mut c, &shop, "en").await;
    order_through_the_page(&mut c, &shop, "en").await;
    let third = c
        .post_raw(
            &format!("/app/m/{}/order", shop.number),
            &[("slot", &shop.slot), ("org", &shop.org_slug), ("lang", "uz")],
        )
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS, "{}", third.html);
    assert!(third.html.contains("Juda ko‘p buyurtma"), "{}", third.html);
    assert!(
        third.html.contains(&format!("/app/m/{}?org=", shop.number)),
        "a way back: {}",
        third.html
    );
}
