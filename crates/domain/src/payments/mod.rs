//! Payment providers' merchant protocols (DOMAIN.md "Payments", PROTOCOLS.md §1–§3): each provider's
//! request and reply types, error codes and a pure decision function per call. The caller loads the stored
//! provider transaction and the order's facts, calls the decision, and writes the change and the answer in
//! one database transaction.

pub mod basic_auth;
pub mod click;
pub mod payme;
pub mod uzum;

/// The payment providers a customer order can be paid with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Payme,
    Click,
    Uzum,
}

impl Provider {
    pub const ALL: [Self; 3] = [Self::Payme, Self::Click, Self::Uzum];

    /// The name in URLs, stored rows, metrics and a sale's payment method.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Payme => "payme",
            Self::Click => "click",
            Self::Uzum => "uzum",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
