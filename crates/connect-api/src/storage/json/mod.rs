//! JsonConverter (being built).
