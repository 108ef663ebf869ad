//! The collections pages.
