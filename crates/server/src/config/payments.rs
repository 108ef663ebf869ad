//! The installation's own merchant accounts (`PAYME_*`, `CLICK_*`, `UZUM_*`), the providers' URLs and the
//! vend command's time to live. An account is on when its id and secret are both set; one half set is a
//! configuration problem.

use std::time::Duration;

use super::Secret;
use super::vars::Vars;

/// One provider account as configured.
#[derive(Debug, Clone)]
pub struct AccountConfig {
    pub merchant_id: String,
    pub service_id: Option<String>,
    pub secret: Secret,
    pub test_secret: Option<Secret>,
    pub test_mode: bool,
    pub merchant_user_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    pub payme: Option<AccountConfig>,
    pub click: Option<AccountConfig>,
    pub uzum: Option<AccountConfig>,
    pub payme_checkout_url: String,
    pub payme_test_checkout_url: String,
    pub payme_api_url: String,
    pub payme_receipt_cancel: bool,
    pub click_pay_url: String,
    pub click_api_url: String,
    pub uzum_api_url: String,
    pub uzum_pay_url: Option<String>,
    pub vend_command_ttl: Duration,
    /// How long a call to a provider's merchant API (refunds) may take before it counts as failed.
    pub provider_api_timeout: Duration,
}

fn url(v: &mut Vars<'_>, name: &'static str, default: &str) -> String {
    let s = v.string(name, default).trim_end_matches('/').to_owned();
    if url::Url::parse(&s).is_err() {
        v.problem(name, format!("is not a URL (got {s:?})"));
    }
    s
}

fn account(
    v: &mut Vars<'_>,
    id_var: &'static str,
    secret_var: &'static str,
    service_var: Option<&'static str>,
) -> Option<(String, Secret, Option<String>)> {
    let id = v.opt(id_var).filter(|s| !s.trim().is_empty());
    let secret = v.secret(secret_var).filter(|s| !s.expose().is_empty());
    let service = service_var.and_then(|n| v.opt(n).filter(|s| !s.trim().is_empty()));
    if let (Some(name), Some(s)) = (service_var, &service)
        && s.trim().parse::<i64>().is_err()
    {
        v.problem(name, format!("must be a number (got {s:?})"));
    }
    match (id, secret) {
        (Some(id), Some(secret)) => {
            if let Some(name) = service_var
                && service.is_none()
            {
                v.problem(name, format!("is needed with {id_var} and {secret_var}"));
            }
            Some((id, secret, service))
        }
        (None, None) => None,
        (Some(_), None) => {
            v.problem(secret_var, format!("is needed with {id_var}"));
            None
        }
        (None, Some(_)) => {
            v.problem(id_var, format!("is needed with {secret_var}"));
            None
        }
    }
}

pub(super) fn payments(v: &mut Vars<'_>) -> PaymentsConfig {
    let payme_test_mode = v.flag("PAYME_TEST_MODE", false);
    let payme_test_key = v.secret("PAYME_TEST_KEY").filter(|s| !s.expose().is_empty());
    let payme =
        account(v, "PAYME_MERCHANT_ID", "PAYME_SECRET_KEY", None).map(|(id, secret, _)| AccountConfig {
            merchant_id: id,
            service_id: None,
            secret,
            test_secret: payme_test_key,
            test_mode: payme_test_mode,
            merchant_user_id: None,
        });
    let click_user = v.opt("CLICK_MERCHANT_USER_ID");
    let click = account(
        v,
        "CLICK_MERCHANT_ID",
        "CLICK_SECRET_KEY",
        Some("CLICK_SERVICE_ID"),
    )
    .map(|(id, secret, service)| AccountConfig {
        merchant_id: id,
        service_id: service,
        secret,
        test_secret: None,
        test_mode: false,
        merchant_user_id: click_user,
    });
    let uzum = account(v, "UZUM_MERCHANT_ID", "UZUM_SECRET_KEY", Some("UZUM_SERVICE_ID")).map(
        |(id, secret, service)| AccountConfig {
            merchant_id: id,
            service_id: service,
            secret,
            test_secret: None,
            test_mode: false,
            merchant_user_id: None,
        },
    );
    let uzum_pay_url = v.opt("UZUM_PAY_URL").filter(|s| !s.trim().is_empty());
    if let Some(u) = &uzum_pay_url
        && url::Url::parse(u).is_err()
    {
        v.problem("UZUM_PAY_URL", format!("is not a URL (got {u:?})"));
    }
    let vend_command_ttl = v.duration("VEND_COMMAND_TTL", "2m");
    if vend_command_ttl < Duration::from_secs(10) {
        v.problem("VEND_COMMAND_TTL", "must be at least 10s");
    }
    let provider_api_timeout = v.duration("PAYMENT_API_TIMEOUT", "15s");
    if provider_api_timeout.is_zero() {
        v.problem("PAYMENT_API_TIMEOUT", "must be more than 0");
    }
    PaymentsConfig {
        payme,
        click,
        uzum,
        payme_checkout_url: url(v, "PAYME_CHECKOUT_URL", "https://checkout.paycom.uz"),
        payme_test_checkout_url: url(v, "PAYME_TEST_CHECKOUT_URL", "https://checkout.test.paycom.uz"),
        payme_api_url: url(v, "PAYME_API_URL", "https://checkout.paycom.uz/api"),
        payme_receipt_cancel: v.flag("PAYME_RECEIPT_CANCEL", false),
        click_pay_url: url(v, "CLICK_PAY_URL", "https://my.click.uz/services/pay"),
        click_api_url: url(v, "CLICK_API_URL", "https://api.click.uz/v2/merchant"),
        uzum_api_url: url(v, "UZUM_API_URL", "https://developer.uzumbank.uz"),
        uzum_pay_url,
        vend_command_ttl,
        provider_api_timeout,
    }
}
