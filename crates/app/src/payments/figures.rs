//! Order and payment figures for `/metrics`, read from the database at scrape time so they always match
//! it: `vendhub_orders_total{status}` and `vendhub_payments_total{provider,status}` (runbook 6.3). Every
//! status appears, at 0 when nothing has it, so rates and ratios over them exist from the start.

use std::collections::BTreeMap;

use vendhub_domain::orders::OrderStatus;
use vendhub_domain::payments::Provider;

use crate::{App, AppError};

/// The statuses `vendhub_payments_total` counts transactions in, the same words for every provider.
pub const PAYMENT_STATUSES: [&str; 4] = ["created", "performed", "cancelled", "refunded"];

/// A provider's stored transaction state in the common words: started, paid, cancelled before it was
/// paid (or failed), or given back after it was paid. Click has no state of its own for a reversal: a
/// reversed Click payment is stored `cancelled`.
pub fn payment_status(provider: &str, state: &str) -> &'static str {
    match (provider, state) {
        ("payme", "1") | ("click", "prepared") | ("uzum", "created") => "created",
        ("payme", "2") | ("click" | "uzum", "confirmed") => "performed",
        ("payme", "-1") | ("click", "cancelled") | ("uzum", "failed") => "cancelled",
        ("payme", "-2") | ("uzum", "reversed") => "refunded",
        _ => "other",
    }
}

/// What `/metrics` shows about orders and payments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Orders per status (every status).
    pub orders: Vec<(String, i64)>,
    /// (provider, status, transactions) for every provider and status.
    pub payments: Vec<(String, String, i64)>,
}

/// Across organizations: the installation's order and payment counts, for the operator's scrape.
pub async fn figures(app: &App) -> Result<Figures, AppError> {
    let (orders, payments) = app
        .db()
        .run(|c| {
            Ok((
                vendhub_store::orders::count_by_status(c)?,
                vendhub_store::payments::count_by_provider_state(c)?,
            ))
        })
        .await?;
    let mut by_status: BTreeMap<String, i64> = OrderStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    for (s, n) in orders {
        *by_status.entry(s).or_default() += n;
    }
    let mut by_provider: BTreeMap<(String, String), i64> = Provider::ALL
        .iter()
        .flat_map(|p| {
            PAYMENT_STATUSES
                .iter()
                .map(move |s| ((p.as_str().to_owned(), (*s).to_owned()), 0))
        })
        .collect();
    for (provider, state, n) in payments {
        let status = payment_status(&provider, &state).to_owned();
        *by_provider.entry((provider, status)).or_default() += n;
    }
    Ok(Figures {
        orders: by_status.into_iter().collect(),
        payments: by_provider.into_iter().map(|((p, s), n)| (p, s, n)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::payment_status;

    #[test]
    fn each_providers_states_map_to_the_common_statuses() {
        for (p, s, want) in [
            ("payme", "1", "created"),
            ("payme", "2", "performed"),
            ("payme", "-1", "cancelled"),
            ("payme", "-2", "refunded"),
            ("click", "prepared", "created"),
            ("click", "confirmed", "performed"),
            ("click", "cancelled", "cancelled"),
            ("uzum", "created", "created"),
            ("uzum", "confirmed", "performed"),
            ("uzum", "failed", "cancelled"),
            ("uzum", "reversed", "refunded"),
            ("uzum", "2", "other"),
        ] {
            assert_eq!(payment_status(p, s), want, "{p} {s}");
        }
    }
}
