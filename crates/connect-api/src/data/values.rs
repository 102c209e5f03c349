//! Parsing and formatting values as text (being built).
