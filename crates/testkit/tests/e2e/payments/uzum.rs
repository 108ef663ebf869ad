//! uzum (being built).
