//! The built-in single-message transforms and predicates (being built).
