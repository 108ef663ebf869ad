//! The audit pages.
