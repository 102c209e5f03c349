//! Kafka Connect's built-in single message transforms and predicates, with Kafka's class names,
//! config keys, defaults and error messages.
//!
//! Every transform implements [`Transform`](connect_api::transform::Transform) for any record
//! type (source and sink records alike); the `$Key` / `$Value` variants are one type built with
//! `::key()` or `::value()`.

#![deny(missing_docs)]

pub mod common;
pub mod predicates;
pub mod transforms;
