//! payme (being built).
