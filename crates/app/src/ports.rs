//! Ports: what the use cases need from the outside, implemented in `vendhub-infra` (memory or Redis,
//! local files or S3). The embedded default and production differ only in which adapter is plugged in.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// A port call that failed (the adapter says why).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct PortError(pub String);

impl PortError {
    pub fn new(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// Something that happened in the domain, for real-time clients and other replicas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// Socket.IO event name, e.g. `machine:status`.
    pub name: String,
    pub organization_id: String,
    pub machine_id: Option<String>,
    pub payload: serde_json::Value,
}

/// Publishes domain events to every replica's subscribers.
#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    async fn publish(&self, event: &DomainEvent) -> Result<(), PortError>;
    /// Events from every replica (this one included), from now on.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<DomainEvent>;
    /// Events published on this replica only, from now on: what a Socket.IO server with a shared
    /// adapter emits, the adapter carrying it to the other replicas' clients.
    fn subscribe_local(&self) -> tokio::sync::broadcast::Receiver<DomainEvent>;
    async fn ping(&self) -> Result<(), PortError>;
    fn backend(&self) -> &'static str;
}

/// A shared key-value cache with expiry and counters (rate limits).
#[async_trait]
pub trait Cache: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError>;
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), PortError>;
    async fn delete(&self, key: &str) -> Result<(), PortError>;
    /// Adds one to a counter that expires `window` after its first increment; returns the new value
    /// and how long until it resets.
    async fn incr(&self, key: &str, window: Duration) -> Result<(u64, Duration), PortError>;
    async fn ping(&self) -> Result<(), PortError>;
    fn backend(&self) -> &'static str;
}

/// Where uploaded files, exports and backups are kept.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    async fn put(&self, key: &str, data: Bytes) -> Result<(), PortError>;
    async fn get(&self, key: &str) -> Result<Option<Bytes>, PortError>;
    async fn delete(&self, key: &str) -> Result<(), PortError>;
    async fn list(&self, prefix: &str) -> Result<Vec<String>, PortError>;
    /// Writes, reads back and deletes a small object.
    async fn ping(&self) -> Result<(), PortError>;
    fn backend(&self) -> &'static str;
}

/// An e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Sends e-mail (SMTP in production). Called from the `mail.send` job, never from a request.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, mail: &Mail) -> Result<(), PortError>;
    /// `false` when no mail server is configured: sending then fails with a clear reason.
    fn configured(&self) -> bool;
}

/// The time the use cases go by: the wall clock in production, one that a test moves by hand (so that
/// expiry is tested without sleeping). UTC, as the database stores it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> chrono::NaiveDateTime;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::NaiveDateTime {
        vendhub_store::now()
    }
}

/// A clock that stands still until it is moved: for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<chrono::NaiveDateTime>>);

impl ManualClock {
    /// Standing at the wall clock's time now.
    pub fn starting_now() -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(vendhub_store::now())))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> chrono::NaiveDateTime {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A refund the merchant asks a payment provider for (the order's money goes back to the customer).
#[derive(Clone, PartialEq, Eq)]
pub enum ProviderRefund {
    /// Click Merchant API payment reversal of a paid Click payment (`click_paydoc_id`).
    ClickReversal {
        api_url: String,
        merchant_user_id: String,
        secret_key: String,
        service_id: String,
        payment_id: i64,
        /// Unix seconds, signed into the `Auth` header.
        timestamp: i64,
    },
    /// Payme Subscribe API `receipts.cancel` of the receipt Payme paid the order with (its transaction id).
    PaymeReceiptCancel {
        api_url: String,
        merchant_id: String,
        key: String,
        receipt_id: String,
    },
}

impl std::fmt::Debug for ProviderRefund {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ClickReversal {
                api_url,
                service_id,
                payment_id,
                ..
            } => f
                .debug_struct("ClickReversal")
                .field("api_url", api_url)
                .field("service_id", service_id)
                .field("payment_id", payment_id)
                .finish_non_exhaustive(),
            Self::PaymeReceiptCancel {
                api_url, receipt_id, ..
            } => f
                .debug_struct("PaymeReceiptCancel")
                .field("api_url", api_url)
                .field("receipt_id", receipt_id)
                .finish_non_exhaustive(),
        }
    }
}

/// What the provider answered a refund with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundReply {
    /// The money is on its way back: the refund is done on the provider's side.
    Done { raw: String },
    /// Accepted, but the provider completes it later (Payme's receipt queued for cancellation; its
    /// `CancelTransaction` finishes the refund).
    Queued { raw: String },
    /// The provider answered and said no (its error code and note).
    Refused { code: String, note: String, raw: String },
}

/// The payment providers' merchant-side APIs (HTTP in production). Called from the refund job, never
/// inside a database transaction; every call has a timeout (a timeout is a `PortError`).
#[async_trait]
pub trait PaymentProviders: Send + Sync + 'static {
    async fn refund(&self, request: &ProviderRefund) -> Result<RefundReply, PortError>;
}

/// No provider API reachable (tests of other parts, tools): every refund call fails with the reason.
pub struct NoPaymentProviders;

#[async_trait]
impl PaymentProviders for NoPaymentProviders {
    async fn refund(&self, _: &ProviderRefund) -> Result<RefundReply, PortError> {
        Err(PortError::new("no payment provider API is configured"))
    }
}
