//! The machines pages.
