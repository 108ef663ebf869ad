//! The stock pages.
