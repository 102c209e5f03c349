//! Runnable examples of kconnect live in `examples/examples/`:
//!
//! * `file_pipeline`: Kafka Connect's quickstart in-process, on the embedded log.
//! * `records_to_json`: records with schemas, logical types and headers through the JSON
//!   converter.
//!
//! This crate also compiles the README's examples as doc tests, so that they stay true.

/// The README's examples.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
