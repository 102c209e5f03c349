//! # connect-api
//!
//! What a connector author depends on: the Connect data model ([`data`]), records and headers
//! ([`record`], [`header`]), the connector, task, converter, transform and predicate traits
//! ([`connector`], [`task`], [`storage`], [`transform`]), configuration definitions
//! ([`config`]) and errors ([`error`]).
//!
//! The names, behaviour and error texts follow Apache Kafka Connect's `connect-api`, so that a
//! connector's configuration and data stay the same when moving between the two.

#![deny(missing_docs)]

extern crate self as connect_api;

pub mod config;
pub mod connector;
pub mod data;
pub mod error;
pub mod header;
mod java;
pub mod record;
pub mod storage;
pub mod task;
pub mod transform;

/// The version of this crate, reported by the built-in plugins.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
