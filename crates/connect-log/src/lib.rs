//! The logs that Kafka Connect runs on, behind one interface: [`Log`].
//!
//! * [`kafka::KafkaLog`] talks to a Kafka cluster: rskafka for produce, fetch and metadata, and
//!   a small kafka-protocol client for the APIs rskafka lacks (groups, committed offsets, topic
//!   creation with configs).
//! * [`embedded::EmbeddedLog`] keeps partitions in segment files in a local directory, so a
//!   worker runs with no broker at all; acknowledged records survive a crash of the process.
//!
//! The runtime only ever sees [`Log`]: topics of partitions of records with offsets, and
//! consumer-group offsets. Everything Kafka Connect stores (data, offsets, configs, status)
//! fits that model.

#![deny(missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

pub mod embedded;
pub mod kafka;

/// One record as written to, or read from, a partition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogRecord {
    /// The key; `None` is a null key.
    pub key: Option<Bytes>,
    /// The value; `None` is a null value (a tombstone on compacted topics).
    pub value: Option<Bytes>,
    /// The headers in order; a key may repeat and a value may be null.
    pub headers: Vec<(String, Option<Bytes>)>,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
}

/// A record read back with its offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// The record's offset in its partition.
    pub offset: i64,
    /// The record.
    pub record: LogRecord,
}

/// What a fetch returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fetched {
    /// Records at or after the requested offset, in offset order; possibly empty.
    pub records: Vec<StoredRecord>,
    /// The offset the next appended record will get (Kafka's high watermark).
    pub high_watermark: i64,
}

/// A topic and partition, as the log names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Partition {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition number.
    pub partition: i32,
}

impl Partition {
    /// A topic partition.
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    /// The topic name.
    pub name: String,
    /// The number of partitions; -1 for the broker's default.
    pub partitions: i32,
    /// The replication factor; -1 for the broker's default. The embedded log ignores it.
    pub replication_factor: i16,
    /// Topic configs such as `cleanup.policy=compact`, `retention.ms`, `retention.bytes`.
    pub configs: BTreeMap<String, String>,
}

impl NewTopic {
    /// A topic with the broker's default replication and no configs.
    pub fn new(name: impl Into<String>, partitions: i32) -> Self {
        Self {
            name: name.into(),
            partitions,
            replication_factor: -1,
            configs: BTreeMap::new(),
        }
    }

    /// A compacted topic (`cleanup.policy=compact`), as Kafka Connect's internal topics are.
    #[must_use]
    pub fn compacted(mut self) -> Self {
        self.configs
            .insert("cleanup.policy".into(), "compact".into());
        self
    }

    /// Sets the replication factor.
    #[must_use]
    pub fn with_replication_factor(mut self, replication_factor: i16) -> Self {
        self.replication_factor = replication_factor;
        self
    }

    /// Sets one topic config.
    #[must_use]
    pub fn with_config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.configs.insert(key.into(), value.into());
        self
    }
}

/// Why a log operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The topic or partition does not exist.
    #[error("unknown topic or partition {0}")]
    UnknownPartition(String),
    /// The requested offset is before the first or after the last record of the partition.
    #[error("offset {offset} is out of range for {partition} (valid: {earliest}..={latest})")]
    OffsetOutOfRange {
        /// The partition.
        partition: Partition,
        /// The requested offset.
        offset: i64,
        /// The first offset still stored.
        earliest: i64,
        /// The high watermark.
        latest: i64,
    },
    /// The request was invalid (bad topic name, record too large, ...).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A transient failure (connection lost, leader moving, coordinator loading, timeout);
    /// the operation may succeed if retried.
    #[error("{0}")]
    Retriable(String),
    /// A failure of the local storage.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Any other failure reported by the broker or the storage.
    #[error("{0}")]
    Other(String),
}

impl LogError {
    /// Whether retrying the operation may succeed.
    pub fn is_retriable(&self) -> bool {
        matches!(self, LogError::Retriable(_))
    }
}

/// Result of a log operation.
pub type Result<T, E = LogError> = std::result::Result<T, E>;

/// Where a fetch starts when a partition has no committed offset, or when a stored offset is out
/// of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The first record still stored.
    Earliest,
    /// The high watermark: only records appended from now on.
    Latest,
}

/// A partitioned, append-only log of records: Kafka, or the embedded log.
///
/// Appends to one partition are applied in call order when calls do not overlap; callers that
/// need ordering keep one append in flight per partition, as Kafka Connect's producer does
/// (`max.in.flight.requests.per.connection=1`).
#[async_trait]
pub trait Log: Send + Sync + 'static {
    /// A short description for logs and errors, such as `kafka (localhost:9092)` or
    /// `embedded (/var/lib/connect/log)`.
    fn describe(&self) -> String;

    /// Creates a topic. `Ok(false)` when it already existed (its settings are left unchanged).
    async fn create_topic(&self, topic: &NewTopic) -> Result<bool>;

    /// The number of partitions of a topic, or `None` when it does not exist.
    async fn partition_count(&self, topic: &str) -> Result<Option<i32>>;

    /// Every topic and its number of partitions.
    async fn list_topics(&self) -> Result<BTreeMap<String, i32>>;

    /// Appends records to one partition and returns their offsets, once they are durable
    /// (acknowledged by all in-sync replicas on Kafka; written to the segment file on the
    /// embedded log).
    async fn append(&self, partition: &Partition, records: Vec<LogRecord>) -> Result<Vec<i64>>;

    /// Reads records from `offset`. Waits up to `max_wait` when there is nothing yet; returns at
    /// least one record when one is available even if it is larger than `max_bytes`.
    async fn fetch(
        &self,
        partition: &Partition,
        offset: i64,
        max_bytes: usize,
        max_wait: Duration,
    ) -> Result<Fetched>;

    /// The first offset still stored, or the high watermark.
    async fn offset(&self, partition: &Partition, at: OffsetSpec) -> Result<i64>;

    /// Commits offsets (the next offset to read, as Kafka does) for a consumer group, outside any
    /// group generation, as Kafka Connect's sink tasks' commits appear to `kafka-consumer-groups`.
    async fn commit_offsets(&self, group: &str, offsets: &[(Partition, i64)]) -> Result<()>;

    /// The offsets a group committed for these partitions; partitions without one are absent.
    async fn committed_offsets(
        &self,
        group: &str,
        partitions: &[Partition],
    ) -> Result<HashMap<Partition, i64>>;

    /// Removes a group's committed offsets for these partitions (Kafka's OffsetDelete), so that
    /// its consumers start again per their reset policy. The group must have no active members.
    async fn delete_committed_offsets(&self, group: &str, partitions: &[Partition]) -> Result<()>;
}
