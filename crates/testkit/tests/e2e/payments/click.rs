//! click (being built).
