//! The tasks pages.
