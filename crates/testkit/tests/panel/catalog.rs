//! The catalog pages.
