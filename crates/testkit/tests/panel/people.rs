//! The people pages.
