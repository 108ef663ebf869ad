//! orders (being built).
