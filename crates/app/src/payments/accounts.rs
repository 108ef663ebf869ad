//! Merchant accounts: the installation's own (the runbook's `PAYME_*`, `CLICK_*`, `UZUM_*` variables,
//! served at `/api/v1/payments/{provider}/…`) and each organization's (set in the admin panel, secrets
//! sealed with `VENDHUB_ENCRYPTION_KEY`, served at `/api/v1/payments/{provider}/{organization_slug}/…`).

use std::time::Duration;

use vendhub_domain::payments::Provider;
use vendhub_store::payments::{self as store, PaymentAccountRow};
use vendhub_store::{DbConn, TenantScope, organizations};

use crate::auth::secrets_at_rest;
use crate::{App, AppError};

/// One merchant account with one provider, secrets in the clear (in memory only).
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantAccount {
    pub provider: Provider,
    /// The organization whose account it is; `None` for the installation's own.
    pub owner: Option<String>,
    /// Payme's and Click's merchant id; Uzum's Basic-auth login.
    pub merchant_id: String,
    /// Click's and Uzum's service id.
    pub service_id: Option<String>,
    /// Payme's production key, Click's secret key, Uzum's Basic-auth password.
    pub secret: String,
    /// Payme's sandbox key (`PAYME_TEST_KEY`).
    pub test_secret: Option<String>,
    /// Payme's sandbox: the test key authenticates and the checkout link is the sandbox's.
    pub test_mode: bool,
    /// Click's Merchant API user id (reversals).
    pub merchant_user_id: Option<String>,
}

impl std::fmt::Debug for MerchantAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantAccount")
            .field("provider", &self.provider)
            .field("owner", &self.owner)
            .field("merchant_id", &self.merchant_id)
            .field("service_id", &self.service_id)
            .field("test_mode", &self.test_mode)
            .finish_non_exhaustive()
    }
}

impl MerchantAccount {
    /// The key that authenticates the provider's calls: Payme's test key in test mode (when one is set),
    /// else the secret.
    pub fn key(&self) -> &str {
        match (&self.test_secret, self.test_mode) {
            (Some(k), true) if !k.is_empty() => k,
            _ => &self.secret,
        }
    }

    /// The service id as a number (Click and Uzum send it as one); `None` when missing or not a number.
    pub fn service_id_number(&self) -> Option<i64> {
        self.service_id.as_deref().and_then(|s| s.trim().parse().ok())
    }
}

/// Settings of the payment side of the installation.
#[derive(Debug, Clone)]
pub struct PaymentSettings {
    pub payme: Option<MerchantAccount>,
    pub click: Option<MerchantAccount>,
    pub uzum: Option<MerchantAccount>,
    /// Payme's checkout (`https://checkout.paycom.uz`; the sandbox's is `https://checkout.test.paycom.uz`).
    pub payme_checkout_url: String,
    pub payme_test_checkout_url: String,
    /// Click's payment page (`https://my.click.uz/services/pay`).
    pub click_pay_url: String,
    /// Where an Uzum Bank customer pays, with `{service_id}`, `{order_id}` and `{amount}` filled in; `None`
    /// when the installation has none (the customer page then names the service and order to enter in the
    /// Uzum Bank app).
    pub uzum_pay_url: Option<String>,
    /// Payme Subscribe API (receipt cancel for refunds).
    pub payme_api_url: String,
    /// Whether refunds call Payme's Subscribe API `receipts.cancel` (PROTOCOLS §1.7: unconfirmed flow,
    /// off unless the merchant has that API).
    pub payme_receipt_cancel: bool,
    /// Click Merchant API (payment reversal).
    pub click_api_url: String,
    pub uzum_api_url: String,
    /// How long a machine has to take and answer a vend command before the order is refunded.
    pub vend_command_ttl: Duration,
    /// Where the customer's browser returns after paying: `{public_url}/app/o/{order_id}` is appended by
    /// the caller.
    pub public_url: String,
}

impl PaymentSettings {
    /// Nothing configured: orders can be made but not paid; links are empty.
    pub fn unconfigured(public_url: &str) -> Self {
        Self {
            payme: None,
            click: None,
            uzum: None,
            payme_checkout_url: "https://checkout.paycom.uz".into(),
            payme_test_checkout_url: "https://checkout.test.paycom.uz".into(),
            click_pay_url: "https://my.click.uz/services/pay".into(),
            uzum_pay_url: None,
            payme_api_url: "https://checkout.paycom.uz/api".into(),
            payme_receipt_cancel: false,
            click_api_url: "https://api.click.uz/v2/merchant".into(),
            uzum_api_url: "https://developer.uzumbank.uz".into(),
            vend_command_ttl: Duration::from_secs(120),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The installation's own account with `provider`.
    pub fn installation(&self, provider: Provider) -> Option<&MerchantAccount> {
        match provider {
            Provider::Payme => self.payme.as_ref(),
            Provider::Click => self.click.as_ref(),
            Provider::Uzum => self.uzum.as_ref(),
        }
    }
}

/// Which URL a provider called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `/api/v1/payments/{provider}/…`: the installation's account.
    Installation,
    /// `/api/v1/payments/{provider}/{organization_slug}/…`: that organization's own account.
    Organization(String),
}

/// Opens a stored account row.
pub fn open_row(app: &App, row: &PaymentAccountRow) -> Result<MerchantAccount, AppError> {
    let provider = Provider::parse(&row.provider)
        .ok_or_else(|| AppError::internal(format!("payment account for {:?}", row.provider)))?;
    let key = &app.auth().encryption_key;
    let open = |sealed: &str| -> Result<String, AppError> {
        String::from_utf8(secrets_at_rest::open(key, sealed)?)
            .map_err(|_| AppError::internal("a sealed payment secret is not text"))
    };
    Ok(MerchantAccount {
        provider,
        owner: Some(row.organization_id.clone()),
        merchant_id: row.merchant_id.clone(),
        service_id: row.service_id.clone(),
        secret: open(&row.secret_sealed)?,
        test_secret: row.test_secret_sealed.as_deref().map(open).transpose()?,
        test_mode: row.test_mode,
        merchant_user_id: row.merchant_user_id.clone(),
    })
}

/// The account a provider's call to `endpoint` speaks for, or `None` when that URL has no account (an
/// unknown organization, or none configured): the call is then refused in the provider's protocol as
/// unauthenticated.
pub fn resolve(
    app: &App,
    c: &mut DbConn,
    provider: Provider,
    endpoint: &Endpoint,
) -> Result<Option<MerchantAccount>, AppError> {
    match endpoint {
        Endpoint::Installation => Ok(app.settings().payments.installation(provider).cloned()),
        Endpoint::Organization(slug) => {
            let Some(org) = organizations::find_by_slug(c, slug)? else {
                return Ok(None);
            };
            let scope = super::order_scope_of(&org.id)?;
            store::account(c, &scope, provider.as_str())?
                .map(|row| open_row(app, &row))
                .transpose()
        }
    }
}

/// The account that takes an organization's payments with `provider`: its own when it has one, else the
/// installation's.
pub fn for_organization(
    app: &App,
    c: &mut DbConn,
    scope: &TenantScope,
    provider: Provider,
) -> Result<Option<MerchantAccount>, AppError> {
    match store::account(c, scope, provider.as_str())? {
        Some(row) => Ok(Some(open_row(app, &row)?)),
        None => Ok(app.settings().payments.installation(provider).cloned()),
    }
}
