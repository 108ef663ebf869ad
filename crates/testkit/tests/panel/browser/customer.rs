//! The customer's phone: the machine's QR page, an order, the order page with its pay buttons, and its
//! status changing live (Socket.IO, the order's room) when the payment arrives, without a reload; then
//! the accountant's orders page on a desktop.

use vendhub_domain::payments::Provider;

use super::Browser;
use crate::customer::{menu_path, shop_with_click};

#[tokio::test]
async fn a_customer_orders_on_a_phone_pays_and_sees_the_status_change_live() {
    let (app, shop) = shop_with_click().await;
    let phone = Browser::start(&app.url(""), 390, 844).await;
    phone.goto(&format!("{}&lang=en", menu_path(&shop))).await;
    phone.find("[data-testid=machine-name]").await;
    phone.screenshot("customer-menu").await;
    phone.click(&format!("[data-testid=buy-{}]", shop.slot)).await;

    phone.find("[data-testid=order]").await;
    let path = phone.path().await;
    let id = path.trim_start_matches("/app/o/").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{path}");
    phone.find("[data-testid=pay-click]").await;
    phone
        .wait_for_text("[data-testid=order-status]", "Waiting for payment")
        .await;
    // Socket.IO admitted the page to its order's room.
    phone.find("body[data-live=connected]").await;
    phone.screenshot("customer-order").await;

    // The payment arrives (as a provider's successful call would make it): the page follows, no reload.
    phone
        .client
        .execute(
            "document.body.setAttribute('data-same-page', '1'); return null;",
            vec![],
        )
        .await
        .unwrap();
    vendhub_testkit::orders::mark_paid(&app, &id, Provider::Click).await;
    phone.wait_for_text("[data-testid=order-status]", "Paid").await;
    phone.find("body[data-same-page='1']").await;
    let pay_shown = phone
        .client
        .execute(
            "var p = document.querySelector('[data-testid=pay]'); return p && p.offsetParent !== null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        pay_shown,
        serde_json::json!(false),
        "the pay buttons are gone once paid"
    );
    phone.screenshot("customer-paid").await;
    phone.close().await;

    // The owner's orders page lists it; its page shows the vend command.
    let desk = Browser::start(&app.url(""), 1280, 900).await;
    desk.sign_in(vendhub_testkit::OWNER_EMAIL, vendhub_testkit::OWNER_PASSWORD)
        .await;
    desk.goto("/admin/orders?lang=en").await;
    desk.find(&format!("tr[data-order='{id}']")).await;
    desk.screenshot("orders").await;
    desk.goto(&format!("/admin/orders/{id}?lang=en")).await;
    desk.find("[data-testid=command]").await;
    desk.find("[data-testid=refund-form]").await;
    desk.screenshot("order").await;
    desk.close().await;
}
