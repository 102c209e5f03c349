//! Derive macros for connect-api (being built).
