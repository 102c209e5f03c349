//! An HDFS sink connector compatible with Confluent's `io.confluent.connect.hdfs.HdfsSinkConnector`:
//! the same configuration keys, directory layout, file names and write-ahead log, with
//! exactly-once file commits.
//!
//! The pieces, each behind a small interface:
//! - [`storage`]: the file system (HDFS through hdfs-native, or the local file system);
//! - [`format`](mod@format): how record values become Avro, Parquet, JSON or text files;
//! - [`partitioner`]: which directory a record goes to;
//! - [`wal`]: the write-ahead log that makes a commit of several files atomic;
//! - [`compatibility`]: when a schema change rotates the file, and how records are projected.

pub mod compatibility;
pub mod config;
mod connector;
pub mod format;
pub mod naming;
pub mod partitioner;
pub mod storage;
mod task;
pub mod wal;
mod writer;

pub use config::HdfsSinkConfig;
pub use connector::HdfsSinkConnector;
pub use task::HdfsSinkTask;

/// The version of this crate, which the connector and task report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
