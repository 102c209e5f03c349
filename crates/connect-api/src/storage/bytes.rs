//! Converter (being built).
