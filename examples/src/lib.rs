//! Runnable examples of kconnect live in `examples/examples/`:
//!
//! * `file_pipeline`: Kafka Connect's quickstart in-process, on the embedded log.
//! * `records_to_json`: records with schemas, logical types and headers through the JSON
//!   converter.
//! * `order_service`: a service with its own `SourceTask`; it resumes from its stored offsets
//!   after a restart and stops cleanly on SIGTERM.
//! * `sqlite_sink`: a custom `SinkTask` writing to SQLite, exactly once, by storing the Kafka
//!   offsets in the same transactions as the rows.
//! * `file_to_hdfs`: a file through transforms into the HDFS sink on `file://`, as Parquet.
//! * `axum_service`: an axum service that serves Kafka Connect's REST API next to its own
//!   routes.
//!
//! The plumbing they share is in this library, re-exported at its root so that an example says
//! `use connect_examples::props;`: [`props`] and [`path_str`] for configurations, [`state_dir`]
//! and [`absolute_state_dir`] for the directory an example keeps its state in, [`init_tracing`]
//! for logging, [`write_generated_input`] for the input lines a batch example generates,
//! [`start_with_file_source`] for the worker and FileStreamSource its pipeline starts with,
//! [`ensure_not_failed`] and [`failure`] to stop when a connector or task is FAILED, and
//! [`interrupted`] and [`Signals`] to stop on Ctrl-C or SIGTERM. What an example teaches (its
//! connector, task, transform and worker settings) stays in the example.
//!
//! This crate also compiles the README's and the guides' examples as doc tests, so that they
//! stay true.

mod support;

pub use support::{
    FileSource, Signals, absolute_state_dir, ensure_not_failed, failure, init_tracing, interrupted,
    path_str, props, start_with_file_source, state_dir, write_generated_input,
};

/// The README's examples.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The examples of `docs/concepts.md`.
#[doc = include_str!("../../docs/concepts.md")]
#[cfg(doctest)]
pub struct ConceptsDoctests;

/// The examples of `docs/quickstart.md`.
#[doc = include_str!("../../docs/quickstart.md")]
#[cfg(doctest)]
pub struct QuickstartDoctests;

/// The examples of `docs/writing-a-source-connector.md`.
#[doc = include_str!("../../docs/writing-a-source-connector.md")]
#[cfg(doctest)]
pub struct SourceConnectorGuideDoctests;

/// The examples of `docs/writing-a-sink-connector.md`.
#[doc = include_str!("../../docs/writing-a-sink-connector.md")]
#[cfg(doctest)]
pub struct SinkConnectorGuideDoctests;

/// The examples of `docs/converters-and-transforms.md`.
#[doc = include_str!("../../docs/converters-and-transforms.md")]
#[cfg(doctest)]
pub struct ConvertersAndTransformsDoctests;
