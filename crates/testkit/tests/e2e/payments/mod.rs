//! Customer orders and the payment providers, played the way each provider calls us.

mod click;
mod orders;
mod payme;
mod refunds;
mod replicas;
mod uzum;
