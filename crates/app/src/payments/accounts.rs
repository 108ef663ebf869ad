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

// ---------------------------------------------------------------------------------------------------
// The organization's own accounts, as its administrators set them (admin panel and
// `/api/v1/payments/accounts/{provider}`): IntegrationsManage, secrets sealed, shown masked, audited.

/// What an administrator sets for one provider. A secret left out (or empty) when an account exists
/// keeps the stored one, so a form showing the masked account can be saved without typing it again.
#[derive(Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// Payme's and Click's merchant id; Uzum's Basic-auth login.
    pub merchant_id: String,
    /// Click's and Uzum's service id (a number).
    pub service_id: Option<String>,
    /// Payme's key, Click's secret key, Uzum's password. Required for a new account.
    pub secret: Option<String>,
    /// Payme's test key.
    pub test_secret: Option<String>,
    /// Payme: authenticate with the test key and send customers to the sandbox checkout.
    #[serde(default)]
    pub test_mode: bool,
    /// Click's Merchant API user id (a number; for reversals).
    pub merchant_user_id: Option<String>,
}

impl std::fmt::Debug for AccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountInput")
            .field("merchant_id", &self.merchant_id)
            .field("service_id", &self.service_id)
            .field("test_mode", &self.test_mode)
            .finish_non_exhaustive()
    }
}

/// An account as it is shown: every secret masked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub provider: crate::orders::ProviderName,
    pub merchant_id: String,
    pub service_id: Option<String>,
    /// `********` when a secret is stored; the secret itself is never shown.
    pub secret: String,
    /// `********` when a test key is stored, else absent.
    pub test_secret: Option<String>,
    pub test_mode: bool,
    pub merchant_user_id: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: Option<String>,
    /// The URLs to register with the provider for this organization's account.
    pub webhook_urls: Vec<String>,
}

pub const MASK: &str = "********";

/// The URLs a provider calls for `slug`'s own account.
pub fn webhook_urls(public_url: &str, provider: Provider, slug: &str) -> Vec<String> {
    let base = format!(
        "{}/api/v1/payments/{}/{slug}",
        public_url.trim_end_matches('/'),
        provider.as_str()
    );
    match provider {
        Provider::Payme => vec![base],
        Provider::Click => vec![format!("{base}/prepare"), format!("{base}/complete")],
        Provider::Uzum => ["check", "create", "confirm", "reverse", "status"]
            .iter()
            .map(|m| format!("{base}/{m}"))
            .collect(),
    }
}

fn masked(row: &PaymentAccountRow, provider: Provider, public_url: &str, slug: &str) -> AccountView {
    AccountView {
        provider: provider.into(),
        merchant_id: row.merchant_id.clone(),
        service_id: row.service_id.clone(),
        secret: MASK.into(),
        test_secret: row.test_secret_sealed.as_ref().map(|_| MASK.to_owned()),
        test_mode: row.test_mode,
        merchant_user_id: row.merchant_user_id.clone(),
        updated_at: row.updated_at.and_utc(),
        updated_by: row.updated_by.clone(),
        webhook_urls: webhook_urls(public_url, provider, slug),
    }
}

/// The same, without secrets, for the audit log.
fn audit_state(row: &PaymentAccountRow) -> serde_json::Value {
    serde_json::json!({
        "provider": row.provider, "merchant_id": row.merchant_id, "service_id": row.service_id,
        "test_mode": row.test_mode, "merchant_user_id": row.merchant_user_id,
        "secret": MASK, "test_secret": row.test_secret_sealed.as_ref().map(|_| MASK),
    })
}

fn field(name: &str, message: &str) -> crate::error::FieldError {
    crate::error::FieldError::new(name, message)
}

fn trimmed(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The checks of an account's fields for its provider (pure): what each provider needs, numbers where
/// the provider sends numbers, no field the provider does not use.
pub fn check_input(
    provider: Provider,
    input: &AccountInput,
    has_secret: bool,
) -> Vec<crate::error::FieldError> {
    let mut errors = Vec::new();
    let merchant = input.merchant_id.trim();
    if merchant.is_empty() || merchant.chars().count() > 100 {
        errors.push(field("merchant_id", "required, at most 100 characters"));
    }
    let number =
        |v: &Option<String>| trimmed(v.as_ref()).is_some_and(|s| s.parse::<i64>().is_ok_and(|n| n > 0));
    match provider {
        Provider::Payme => {
            if trimmed(input.service_id.as_ref()).is_some() {
                errors.push(field("service_id", "Payme has no service id"));
            }
            if trimmed(input.merchant_user_id.as_ref()).is_some() {
                errors.push(field("merchant_user_id", "Payme has no merchant user id"));
            }
        }
        Provider::Click | Provider::Uzum => {
            if !number(&input.service_id) {
                errors.push(field("service_id", "required, a positive number"));
            }
            if trimmed(input.test_secret.as_ref()).is_some() {
                errors.push(field("test_secret", "only Payme has a test key"));
            }
            if input.test_mode {
                errors.push(field("test_mode", "only Payme has a test mode"));
            }
        }
    }
    if provider == Provider::Uzum && trimmed(input.merchant_user_id.as_ref()).is_some() {
        errors.push(field("merchant_user_id", "Uzum Bank has no merchant user id"));
    }
    if provider == Provider::Click
        && trimmed(input.merchant_user_id.as_ref()).is_some()
        && !number(&input.merchant_user_id)
    {
        errors.push(field("merchant_user_id", "a positive number"));
    }
    let secret = trimmed(input.secret.as_ref());
    if secret.is_none() && !has_secret {
        errors.push(field("secret", "required for a new account"));
    }
    if secret.as_ref().is_some_and(|s| s.chars().count() > 500) {
        errors.push(field("secret", "at most 500 characters"));
    }
    if input.test_mode && trimmed(input.test_secret.as_ref()).is_none() && !has_secret {
        errors.push(field("test_secret", "test mode needs the test key"));
    }
    errors
}

fn slug_of(c: &mut DbConn, scope: &TenantScope) -> Result<String, AppError> {
    Ok(organizations::get(c, scope)?.ok_or(AppError::NotFound)?.slug)
}

/// The organization's own accounts (masked), and the webhook URLs of every provider.
pub async fn list_own(app: &App, who: &crate::auth::Principal) -> Result<Vec<AccountView>, AppError> {
    who.require(vendhub_domain::roles::Permission::IntegrationsManage)?;
    let scope = who.scope().clone();
    let public = app.settings().payments.public_url.clone();
    app.read(move |c| {
        let slug = slug_of(c, &scope)?;
        let rows = store::accounts(c, &scope)?;
        Ok(rows
            .iter()
            .filter_map(|r| Provider::parse(&r.provider).map(|p| masked(r, p, &public, &slug)))
            .collect())
    })
    .await
}

/// The organization's slug and the URLs each provider is to call for it.
pub async fn own_webhooks(
    app: &App,
    who: &crate::auth::Principal,
) -> Result<(String, Vec<(Provider, Vec<String>)>), AppError> {
    who.require(vendhub_domain::roles::Permission::IntegrationsManage)?;
    let scope = who.scope().clone();
    let public = app.settings().payments.public_url.clone();
    app.read(move |c| {
        let slug = slug_of(c, &scope)?;
        let urls = Provider::ALL
            .iter()
            .map(|p| (*p, webhook_urls(&public, *p, &slug)))
            .collect();
        Ok((slug, urls))
    })
    .await
}

/// One of the organization's own accounts (masked); 404 when it has none with `provider`.
pub async fn get_own(
    app: &App,
    who: &crate::auth::Principal,
    provider: Provider,
) -> Result<AccountView, AppError> {
    list_own(app, who)
        .await?
        .into_iter()
        .find(|a| a.provider == provider.into())
        .ok_or(AppError::NotFound)
}

/// Sets or replaces the organization's account with `provider` (secrets sealed), audited as
/// `payment_account.set` with the state before and after (secrets masked).
pub async fn save_own(
    app: &App,
    who: &crate::auth::Principal,
    provider: Provider,
    input: AccountInput,
    meta: &crate::auth::RequestMeta,
) -> Result<AccountView, AppError> {
    who.require(vendhub_domain::roles::Permission::IntegrationsManage)?;
    let key = app.auth().encryption_key;
    let public = app.settings().payments.public_url.clone();
    let (who2, meta, now) = (who.clone(), meta.clone(), app.now());
    app.write(move |c| {
        let scope = who2.scope();
        let before = store::account(c, scope, provider.as_str())?;
        let errors = check_input(provider, &input, before.is_some());
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let seal = |s: &str| secrets_at_rest::seal(&key, s.as_bytes());
        let secret_sealed = match trimmed(input.secret.as_ref()) {
            Some(s) => seal(&s)?,
            None => before
                .as_ref()
                .map(|b| b.secret_sealed.clone())
                .ok_or_else(|| AppError::Validation(vec![field("secret", "required for a new account")]))?,
        };
        let test_secret_sealed = match trimmed(input.test_secret.as_ref()) {
            Some(s) => Some(seal(&s)?),
            None => before.as_ref().and_then(|b| b.test_secret_sealed.clone()),
        };
        if input.test_mode && test_secret_sealed.is_none() {
            return Err(AppError::Validation(vec![field(
                "test_secret",
                "test mode needs the test key",
            )]));
        }
        let row = PaymentAccountRow {
            organization_id: scope.org().to_owned(),
            provider: provider.as_str().to_owned(),
            merchant_id: input.merchant_id.trim().to_owned(),
            service_id: trimmed(input.service_id.as_ref()),
            secret_sealed,
            test_secret_sealed,
            merchant_user_id: trimmed(input.merchant_user_id.as_ref()),
            test_mode: input.test_mode,
            updated_by: Some(who2.user_id().to_string()),
            updated_at: now,
        };
        store::save_account(c, scope, &row)?;
        vendhub_store::audit::append(
            c,
            &crate::audit_record::Record::new("payment_account.set", "payment_account", &provider.as_str())
                .by(&who2)
                .from(&meta)
                .before(before.as_ref().map(audit_state))
                .after(Some(audit_state(&row)))
                .done(),
        )?;
        let slug = slug_of(c, scope)?;
        Ok(masked(&row, provider, &public, &slug))
    })
    .await
}

/// Removes the organization's account with `provider` (its payments then go to the installation's
/// account, if any), audited as `payment_account.delete`; 404 when there was none.
pub async fn delete_own(
    app: &App,
    who: &crate::auth::Principal,
    provider: Provider,
    meta: &crate::auth::RequestMeta,
) -> Result<(), AppError> {
    who.require(vendhub_domain::roles::Permission::IntegrationsManage)?;
    let (who2, meta) = (who.clone(), meta.clone());
    app.write(move |c| {
        let scope = who2.scope();
        let before = store::account(c, scope, provider.as_str())?.ok_or(AppError::NotFound)?;
        store::delete_account(c, scope, provider.as_str())?;
        vendhub_store::audit::append(
            c,
            &crate::audit_record::Record::new(
                "payment_account.delete",
                "payment_account",
                &provider.as_str(),
            )
            .by(&who2)
            .from(&meta)
            .before(Some(audit_state(&before)))
            .done(),
        )?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(merchant: &str, service: Option<&str>, secret: Option<&str>) -> AccountInput {
        AccountInput {
            merchant_id: merchant.into(),
            service_id: service.map(Into::into),
            secret: secret.map(Into::into),
            ..AccountInput::default()
        }
    }

    #[test]
    fn each_provider_needs_its_own_fields() {
        assert!(check_input(Provider::Payme, &input("m1", None, Some("k")), false).is_empty());
        let e = check_input(Provider::Payme, &input("m1", Some("5"), None), false);
        let names: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["service_id", "secret"]);
        assert!(check_input(Provider::Click, &input("m", Some("77"), Some("s")), false).is_empty());
        assert!(!check_input(Provider::Click, &input("m", Some("x"), Some("s")), false).is_empty());
        assert!(!check_input(Provider::Uzum, &input("m", None, Some("s")), false).is_empty());
        let mut tm = input("m", Some("1"), Some("s"));
        tm.test_mode = true;
        assert_eq!(check_input(Provider::Uzum, &tm, false)[0].field, "test_mode");
    }

    #[test]
    fn a_replaced_account_may_keep_its_secret() {
        assert!(check_input(Provider::Uzum, &input("login", Some("9"), None), true).is_empty());
        assert!(!check_input(Provider::Uzum, &input(" ", Some("9"), None), true).is_empty());
    }

    #[test]
    fn webhook_urls_name_the_organization() {
        let u = webhook_urls("https://x.uz/", Provider::Click, "acme");
        assert_eq!(
            u,
            [
                "https://x.uz/api/v1/payments/click/acme/prepare",
                "https://x.uz/api/v1/payments/click/acme/complete"
            ]
        );
        assert_eq!(webhook_urls("https://x.uz", Provider::Uzum, "a").len(), 5);
        assert_eq!(
            webhook_urls("https://x.uz", Provider::Payme, "a"),
            ["https://x.uz/api/v1/payments/payme/a"]
        );
    }
}
