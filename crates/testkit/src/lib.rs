//! Test support for the kconnect workspace.
//!
//! * [`Broker`] starts a private, Kafka-compatible broker (nisshi 0.6.0) on a loopback port for
//!   one test and kills it when the value is dropped.
//! * [`kafka_python`] reads and writes topics with kafka-python, a client that shares no code
//!   with this project, so tests can check from outside what the project wrote.
//! * [`schema_registry::TestRegistry`] serves Confluent's Schema Registry REST API in process,
//!   for converter tests.
//!
//! `./scripts/test.sh` installs both (into `~/.cache/kconnect-ci`) and runs the whole suite.
//!
//! # Writing a broker test
//!
//! ```no_run
//! use connect_testkit::kafka_python::{self, Expect};
//! use connect_testkit::{require_broker, Storage};
//!
//! // In a test: `#[tokio::test] async fn writes_to_kafka() { ... }`
//! async fn writes_to_kafka() {
//!     let broker = require_broker!(); // memory:// storage; or require_broker!(Storage::Sqlite)
//!     broker.create_topic("events", 3).await.unwrap();
//!     // ... run the code under test against broker.bootstrap() ...
//!     let records = kafka_python::consume_all(&broker.bootstrap(), "events", Expect::Count(10))
//!         .await
//!         .unwrap();
//!     assert_eq!(records.len(), 10);
//! }
//! # let _ = Storage::Sqlite;
//! ```
//!
//! # When the broker is not installed
//!
//! A broker test fails with a message saying how to install nisshi. Set
//! `KCONNECT_SKIP_BROKER_TESTS=1` to have such tests print `SKIPPED <test>: ...` and pass
//! instead; that variable is ignored when `CI` is set, so CI never skips them silently.

#![warn(missing_docs)]

mod broker;
pub mod file_readers;
pub mod kafka_python;
pub mod schema_registry;

pub use broker::{
    Broker, BrokerError, CACHE_ENV, NISSHI_BIN_ENV, NISSHI_VERSION, SKIP_ENV, Storage, find_nisshi,
};

/// Starts a [`Broker`] for the current test, or returns from the test when broker tests are
/// skipped.
///
/// `require_broker!()` uses [`Storage::Memory`]; `require_broker!(storage)` takes a
/// [`Storage`]. It expands to [`Broker::start_with`] and a `return` from the enclosing
/// function when that gives `None`, so it fits tests that return `()`. Tests that return a
/// `Result` can write `let Some(broker) = Broker::start().await else { return Ok(()) };`.
///
/// # Panics
///
/// Panics, naming the binary and its log, when the broker cannot be found or started and
/// skipping is not allowed (see the crate documentation).
#[macro_export]
macro_rules! require_broker {
    () => {
        $crate::require_broker!($crate::Storage::Memory)
    };
    ($storage:expr) => {
        match $crate::Broker::start_with($storage).await {
            ::std::option::Option::Some(broker) => broker,
            ::std::option::Option::None => return,
        }
    };
}
