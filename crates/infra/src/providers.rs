//! The payment providers' merchant-side APIs over HTTP: Click's Merchant API payment reversal and Payme's
//! Subscribe API `receipts.cancel`. Each call has a timeout; a timeout, a refused connection or an answer
//! that is not the provider's JSON is a `PortError` (the refund job tries again later).

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use sha1::{Digest, Sha1};
use vendhub_app::ports::{PaymentProviders, PortError, ProviderRefund, RefundReply};

/// Click's `Auth` header: `<merchant_user_id>:<sha1(timestamp + secret_key)>:<timestamp>`, the timestamp in
/// Unix seconds (<https://docs.click.uz/en/merchant-api-request/>, "Authentication"; PROTOCOLS.md §2.6).
pub fn click_auth(merchant_user_id: &str, secret_key: &str, timestamp: i64) -> String {
    let digest = Sha1::digest(format!("{timestamp}{secret_key}").as_bytes());
    format!("{merchant_user_id}:{}:{timestamp}", hex::encode(digest))
}

/// Payme's Subscribe API `X-Auth` header for a merchant's server calls: `<merchant_id>:<key>`.
pub fn payme_auth(merchant_id: &str, key: &str) -> String {
    format!("{merchant_id}:{key}")
}

/// The HTTP client of the providers' APIs.
pub struct HttpPaymentProviders {
    client: reqwest::Client,
}

impl HttpPaymentProviders {
    /// Every call gives up after `timeout` (connect included).
    pub fn new(timeout: Duration) -> Result<Self, PortError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(PortError::new)?;
        Ok(Self { client })
    }

    async fn body(res: reqwest::Response, what: &str) -> Result<(String, Value), PortError> {
        let status = res.status();
        let raw = res
            .text()
            .await
            .map_err(|e| PortError::new(format!("{what}: {e}")))?;
        let json: Value = serde_json::from_str(&raw).map_err(|_| {
            PortError::new(format!(
                "{what}: HTTP {status}, not JSON: {}",
                raw.chars().take(200).collect::<String>()
            ))
        })?;
        Ok((raw, json))
    }

    /// Click Merchant API, "Payment reversal (cancel)": `DELETE {base}/payment/reversal/{service_id}/{payment_id}`
    /// with the `Auth` header; the answer is `{error_code, error_note, payment_id}`, `error_code` 0 when
    /// the payment was reversed (<https://docs.click.uz/en/merchant-api-request/>, the "Payment reversal"
    /// section; the same route in the OpenAPI-generated client `iota-uz/click:docs/PaymentAPI.md`).
    async fn click_reversal(
        &self,
        api_url: &str,
        merchant_user_id: &str,
        secret_key: &str,
        service_id: &str,
        payment_id: i64,
        timestamp: i64,
    ) -> Result<RefundReply, PortError> {
        let url = format!(
            "{}/payment/reversal/{service_id}/{payment_id}",
            api_url.trim_end_matches('/')
        );
        let res = self
            .client
            .delete(&url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Auth", click_auth(merchant_user_id, secret_key, timestamp))
            .send()
            .await
            .map_err(|e| PortError::new(format!("Click payment reversal: {e}")))?;
        let (raw, json) = Self::body(res, "Click payment reversal").await?;
        let code = match &json["error_code"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match code {
            Some(0) => Ok(RefundReply::Done { raw }),
            Some(code) => Ok(RefundReply::Refused {
                code: code.to_string(),
                note: json["error_note"].as_str().unwrap_or_default().to_owned(),
                raw,
            }),
            None => Err(PortError::new(format!(
                "Click payment reversal: no error_code in {}",
                raw.chars().take(200).collect::<String>()
            ))),
        }
    }

    /// Payme Subscribe API `receipts.cancel` (JSON-RPC over `POST {PAYME_API_URL}`, header `X-Auth:
    /// <merchant_id>:<key>`, params `{id: <receipt id>}`): a paid receipt is queued for cancellation (state
    /// 21) and becomes cancelled (state 50). PROTOCOLS.md §1.7 marks this flow unconfirmed; the request
    /// shape follows the Subscribe API transcriptions (`PayTechUz/paytech-guides:docs/src/ru/payme-pkg/
    /// subscribe-api.md`, "`receipts_cancel`").
    async fn payme_receipt_cancel(
        &self,
        api_url: &str,
        merchant_id: &str,
        key: &str,
        receipt_id: &str,
    ) -> Result<RefundReply, PortError> {
        let body = serde_json::json!({
            "id": uuid::Uuid::now_v7().as_u128() % 1_000_000_000,
            "method": "receipts.cancel",
            "params": { "id": receipt_id },
        });
        let res = self
            .client
            .post(api_url)
            .header("X-Auth", payme_auth(merchant_id, key))
            .json(&body)
            .send()
            .await
            .map_err(|e| PortError::new(format!("Payme receipts.cancel: {e}")))?;
        let (raw, json) = Self::body(res, "Payme receipts.cancel").await?;
        if let Some(err) = json.get("error").filter(|e| !e.is_null()) {
            let note = match &err["message"] {
                Value::String(s) => s.clone(),
                m => m["en"]
                    .as_str()
                    .or_else(|| m["ru"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            };
            return Ok(RefundReply::Refused {
                code: err["code"].to_string(),
                note,
                raw,
            });
        }
        match json["result"]["receipt"]["state"].as_i64() {
            Some(50) => Ok(RefundReply::Done { raw }),
            Some(_) => Ok(RefundReply::Queued { raw }),
            None => Err(PortError::new(format!(
                "Payme receipts.cancel: no receipt in {}",
                raw.chars().take(200).collect::<String>()
            ))),
        }
    }
}

#[async_trait]
impl PaymentProviders for HttpPaymentProviders {
    async fn refund(&self, request: &ProviderRefund) -> Result<RefundReply, PortError> {
        match request {
            ProviderRefund::ClickReversal {
                api_url,
                merchant_user_id,
                secret_key,
                service_id,
                payment_id,
                timestamp,
            } => {
                self.click_reversal(
                    api_url,
                    merchant_user_id,
                    secret_key,
                    service_id,
                    *payment_id,
                    *timestamp,
                )
                .await
            }
            ProviderRefund::PaymeReceiptCancel {
                api_url,
                merchant_id,
                key,
                receipt_id,
            } => {
                self.payme_receipt_cancel(api_url, merchant_id, key, receipt_id)
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_auth_is_user_sha1_of_time_and_secret_and_time() {
        // sha1("1700000000secret") computed independently (`printf 1700000000secret | sha1sum`).
        assert_eq!(
            click_auth("42", "secret", 1_700_000_000),
            "42:62590f31dce93245f2fe7e821ac3bab9a6ef85ff:1700000000"
        );
    }

    #[test]
    fn payme_auth_is_merchant_and_key() {
        assert_eq!(payme_auth("m1", "k:2"), "m1:k:2");
    }
}
