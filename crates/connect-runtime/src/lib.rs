//! The in-process runtime of kconnect: it runs Kafka Connect connectors and their tasks with
//! offset commits, retries, error tolerance and dead letter queues, on Kafka or on an embedded
//! log, and is what `connect-standalone` is made of.
//!
//! * [`Runtime`] is the worker a service embeds: create, pause, resume, stop, restart and delete
//!   connectors, read their statuses, shut down cleanly.
//! * [`config`] holds the worker and connector configurations with Kafka Connect's keys.
//! * [`distributed`] holds the parts of Kafka Connect's distributed mode built so far: the worker
//!   group protocol, the leader's assignor and the config and status topic records.
//! * [`plugins::Plugins`] resolves connector, converter, transform and predicate names, Java class
//!   names included.
//! * [`offsets`] stores source offsets in Kafka Connect's formats.
//!
//! See [`Runtime`] for an example.

#![deny(missing_docs)]

pub mod config;
mod convert;
pub mod distributed;
#[macro_use]
pub mod errors;
pub mod metrics;
pub mod offsets;
pub mod plugins;
mod producer;
pub mod rest;
mod task;
#[cfg(test)]
pub(crate) mod test_support;
mod topic_reader;
mod transforms;
pub mod worker;

pub use task::TaskId;
pub use worker::{Runtime, RuntimeBuilder, TargetState};
