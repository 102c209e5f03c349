//! Tasks: the units that move data (Kafka's `SourceTask`, `SinkTask` and their contexts).
//!
//! Lifecycles, as the runtime drives them:
//! - source: `initialize` → `start` → (`poll` → … → `commit_record` for each written record,
//!   `commit` after each offset commit)* → `stop`;
//! - sink: `initialize` → `start` → `open` → (`put`*, `pre_commit`)* → `close` → `stop`.
//!
//! The runtime stops a task by dropping its in-flight `poll` or `put` future and then calling
//! `stop`, so those futures must be cancel-safe: keep no half-done state across an `.await`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;

use crate::config::ConfigMap;
use crate::error::{ConnectError, Result};
use crate::record::{OffsetAndMetadata, OffsetMap, SinkRecord, SourceRecord, TopicPartition};

/// Reads committed source offsets (Kafka's `OffsetStorageReader`).
#[async_trait]
pub trait OffsetStorageReader: Send + Sync {
    /// The committed offset of one source partition, if any.
    async fn offset(&self, partition: &OffsetMap) -> Result<Option<OffsetMap>>;

    /// The committed offsets of several source partitions.
    async fn offsets(
        &self,
        partitions: &[OffsetMap],
    ) -> Result<Vec<(OffsetMap, Option<OffsetMap>)>> {
        let mut out = Vec::with_capacity(partitions.len());
        for partition in partitions {
            out.push((partition.clone(), self.offset(partition).await?));
        }
        Ok(out)
    }
}

/// What a source task may ask of the runtime.
pub trait SourceTaskContext: Send + Sync {
    /// The task's latest configuration, with config provider references resolved.
    fn configs(&self) -> ConfigMap;

    /// Reads the committed offsets of this connector, to resume where the last run stopped.
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader>;

    /// The transaction context, present only when exactly-once delivery is enabled and the
    /// connector defines its own transaction boundaries (`transaction.boundary=connector`).
    fn transaction_context(&self) -> Option<Arc<dyn TransactionContext>> {
        None
    }
}

/// The configuration key that chooses who defines transaction boundaries (KIP-618).
pub const TRANSACTION_BOUNDARY_CONFIG: &str = "transaction.boundary";

/// Who defines the boundaries of the transactions an exactly-once source task writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransactionBoundary {
    /// One transaction per batch returned by `poll` (the default).
    #[default]
    Poll,
    /// One transaction per `offset.flush.interval.ms` interval.
    Interval,
    /// The connector commits and aborts through its [`TransactionContext`].
    Connector,
}

impl TransactionBoundary {
    /// The configuration value: `poll`, `interval` or `connector`.
    pub fn name(self) -> &'static str {
        match self {
            TransactionBoundary::Poll => "poll",
            TransactionBoundary::Interval => "interval",
            TransactionBoundary::Connector => "connector",
        }
    }

    /// Parses a configuration value, trimmed and case-insensitively, as Kafka does.
    ///
    /// ```
    /// use connect_api::task::TransactionBoundary;
    /// assert_eq!(TransactionBoundary::from_config(" Interval "), Some(TransactionBoundary::Interval));
    /// assert_eq!(TransactionBoundary::from_config("batch"), None);
    /// ```
    pub fn from_config(value: &str) -> Option<Self> {
        [Self::Poll, Self::Interval, Self::Connector]
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(value.trim()))
    }
}

/// Lets a source task commit or abort the transaction it writes in (KIP-618).
pub trait TransactionContext: Send + Sync {
    /// Commits the current transaction after the records returned so far.
    fn commit_transaction(&self);

    /// Commits the transaction right after `record`.
    fn commit_transaction_after(&self, record: &SourceRecord);

    /// Aborts the current transaction.
    fn abort_transaction(&self);

    /// Aborts the transaction right after `record`.
    fn abort_transaction_after(&self, record: &SourceRecord);
}

/// Where a source record was written (Kafka's `RecordMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: i32,
    /// The offset in the partition.
    pub offset: i64,
    /// The record timestamp, milliseconds since the epoch.
    pub timestamp: Option<i64>,
}

/// A task that reads from another system.
#[async_trait]
pub trait SourceTask: Send {
    /// The task's version.
    fn version(&self) -> String;

    /// Hands the task its context before [`SourceTask::start`].
    fn initialize(&mut self, _context: Arc<dyn SourceTaskContext>) {}

    /// Starts the task with its configuration.
    async fn start(&mut self, props: &ConfigMap) -> Result<()>;

    /// Returns the records available now; an empty vector when there are none. May wait a
    /// little for data, and must be cancel-safe.
    async fn poll(&mut self) -> Result<Vec<SourceRecord>>;

    /// Called after each successful offset commit, for systems that acknowledge in bulk.
    ///
    /// Like every method here it runs between polls, never during one: a task whose source
    /// waits for acknowledgements should return from [`SourceTask::poll`] within a bounded time
    /// (an empty vector is fine) so that acknowledgements are not delayed.
    async fn commit(&mut self) -> Result<()> {
        Ok(())
    }

    /// Called once `record` has been written to Kafka, or with `None` metadata when it was
    /// dropped by a transform or tolerated as an error. Runs between polls, as
    /// [`SourceTask::commit`] does.
    async fn commit_record(
        &mut self,
        _record: &SourceRecord,
        _metadata: Option<&RecordMetadata>,
    ) -> Result<()> {
        Ok(())
    }

    /// Stops the task and releases its resources.
    async fn stop(&mut self) -> Result<()>;
}

/// Reports a record that a sink task could not process, to the dead letter queue or the error
/// log, as configured with `errors.*` (Kafka's `ErrantRecordReporter`).
pub trait ErrantRecordReporter: Send + Sync {
    /// Queues the report at once; the returned future completes when it is written. The runtime
    /// waits for outstanding reports before it commits offsets, so awaiting is optional. Fails
    /// when `errors.tolerance` is `none`.
    fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>>;
}

/// What a sink task may ask of the runtime.
pub trait SinkTaskContext: Send + Sync {
    /// The task's latest configuration, with config provider references resolved.
    fn configs(&self) -> ConfigMap;

    /// Resets the consumer positions of some partitions; applied before the next fetch.
    fn offsets(&self, offsets: HashMap<TopicPartition, i64>);

    /// Resets the consumer position of one partition.
    fn offset(&self, partition: TopicPartition, offset: i64) {
        self.offsets(HashMap::from([(partition, offset)]));
    }

    /// Limits how long the next fetch waits, e.g. to back off after a retriable error.
    fn timeout(&self, timeout: Duration);

    /// The partitions currently assigned to the task.
    fn assignment(&self) -> Vec<TopicPartition>;

    /// Stops fetching from some assigned partitions.
    fn pause(&self, partitions: &[TopicPartition]) -> Result<()>;

    /// Resumes fetching from some paused partitions.
    fn resume(&self, partitions: &[TopicPartition]) -> Result<()>;

    /// Asks the runtime to commit offsets soon.
    fn request_commit(&self);

    /// The reporter for errant records, when the connector has a dead letter queue or error
    /// logging configured.
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>>;
}

/// A task that writes to another system.
#[async_trait]
pub trait SinkTask: Send {
    /// The task's version.
    fn version(&self) -> String;

    /// Hands the task its context before [`SinkTask::start`].
    fn initialize(&mut self, _context: Arc<dyn SinkTaskContext>) {}

    /// Starts the task with its configuration.
    async fn start(&mut self, props: &ConfigMap) -> Result<()>;

    /// Partitions newly assigned to the task.
    async fn open(&mut self, _partitions: &[TopicPartition]) -> Result<()> {
        Ok(())
    }

    /// Writes records, possibly buffering them until [`SinkTask::flush`]. May be called with an
    /// empty slice. Return a retriable error to have the same batch handed over again (after
    /// the back-off set with [`SinkTaskContext::timeout`]); the runtime keeps the batch, so a
    /// task clones only the records it buffers.
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()>;

    /// Makes everything written up to `offsets` durable.
    async fn flush(&mut self, _offsets: &HashMap<TopicPartition, OffsetAndMetadata>) -> Result<()> {
        Ok(())
    }

    /// Returns the offsets that are safe to commit; by default flushes and returns them all. An
    /// empty map skips this commit.
    async fn pre_commit(
        &mut self,
        current_offsets: HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        self.flush(&current_offsets).await?;
        Ok(current_offsets)
    }

    /// Partitions taken away from the task; called before their final commit.
    async fn close(&mut self, _partitions: &[TopicPartition]) -> Result<()> {
        Ok(())
    }

    /// Stops the task and releases its resources.
    async fn stop(&mut self) -> Result<()>;
}
