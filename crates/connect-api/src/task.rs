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
///
/// The runtime provides it through [`SourceTaskContext::offset_storage_reader`]; a task asks it
/// where to resume. Only [`OffsetStorageReader::offset`] needs implementing, for example by a test
/// double:
///
/// ```
/// use async_trait::async_trait;
/// use connect_api::error::Result;
/// use connect_api::record::OffsetMap;
/// use connect_api::task::OffsetStorageReader;
/// use serde_json::json;
///
/// /// Offsets kept in memory.
/// struct Committed(Vec<(OffsetMap, OffsetMap)>);
///
/// #[async_trait]
/// impl OffsetStorageReader for Committed {
///     async fn offset(&self, partition: &OffsetMap) -> Result<Option<OffsetMap>> {
///         Ok(self.0.iter().find(|(p, _)| p == partition).map(|(_, o)| o.clone()))
///     }
/// }
///
/// let map = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
/// let reader = Committed(vec![(map(json!({"file": "a.txt"})), map(json!({"position": 42})))]);
/// let found = futures::executor::block_on(
///     reader.offsets(&[map(json!({"file": "a.txt"})), map(json!({"file": "b.txt"}))]),
/// )?;
/// assert_eq!(found[0].1.as_ref().map(|o| o["position"].clone()), Some(json!(42)));
/// assert_eq!(found[1].1, None);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
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
///
/// A task keeps the context it is given in [`SourceTask::initialize`] and reads its committed
/// offset in [`SourceTask::start`], to resume where the last run stopped:
///
/// ```
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use connect_api::config::ConfigMap;
/// use connect_api::error::Result;
/// use connect_api::record::{OffsetMap, SourceRecord};
/// use connect_api::task::{OffsetStorageReader, SourceTask, SourceTaskContext};
///
/// #[derive(Default)]
/// struct FileTask {
///     context: Option<Arc<dyn SourceTaskContext>>,
///     position: i64,
/// }
///
/// #[async_trait]
/// impl SourceTask for FileTask {
///     fn version(&self) -> String { "1.0".into() }
///     fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
///         self.context = Some(context);
///     }
///     async fn start(&mut self, props: &ConfigMap) -> Result<()> {
///         let mut partition = OffsetMap::new();
///         partition.insert("file".into(), props.get("file").cloned().unwrap_or_default().into());
///         if let Some(context) = &self.context
///             && let Some(offset) = context.offset_storage_reader().offset(&partition).await?
///         {
///             self.position = offset.get("position").and_then(|p| p.as_i64()).unwrap_or(0);
///         }
///         Ok(())
///     }
///     async fn poll(&mut self) -> Result<Vec<SourceRecord>> { Ok(Vec::new()) }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
/// # struct Committed;
/// # #[async_trait]
/// # impl OffsetStorageReader for Committed {
/// #     async fn offset(&self, _partition: &OffsetMap) -> Result<Option<OffsetMap>> {
/// #         Ok(serde_json::json!({"position": 42}).as_object().cloned())
/// #     }
/// # }
/// # struct Context;
/// # impl SourceTaskContext for Context {
/// #     fn configs(&self) -> ConfigMap { ConfigMap::new() }
/// #     fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> { Arc::new(Committed) }
/// # }
///
/// let mut task = FileTask::default();
/// task.initialize(Arc::new(Context)); // the runtime's context, with a committed position of 42
/// futures::executor::block_on(task.start(&ConfigMap::from([("file".into(), "a.txt".into())])))?;
/// assert_eq!(task.position, 42);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
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
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::task::{TRANSACTION_BOUNDARY_CONFIG, TransactionBoundary};
///
/// let props = ConfigMap::from([(TRANSACTION_BOUNDARY_CONFIG.to_owned(), "connector".to_owned())]);
/// let boundary = props
///     .get(TRANSACTION_BOUNDARY_CONFIG)
///     .and_then(|value| TransactionBoundary::from_config(value))
///     .unwrap_or_default();
/// assert_eq!(boundary, TransactionBoundary::Connector);
/// assert_eq!(TransactionBoundary::default().name(), "poll");
/// ```
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
///
/// The runtime hands it to [`SourceTask::commit_record`] once a record is written:
///
/// ```
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use connect_api::config::ConfigMap;
/// use connect_api::error::Result;
/// use connect_api::record::{OffsetMap, SourceRecord};
/// use connect_api::task::{RecordMetadata, SourceTask};
///
/// /// Remembers where each record went, e.g. to acknowledge it upstream.
/// #[derive(Default)]
/// struct Acking { written: Vec<String> }
///
/// #[async_trait]
/// impl SourceTask for Acking {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
///     async fn poll(&mut self) -> Result<Vec<SourceRecord>> { Ok(Vec::new()) }
///     async fn commit_record(
///         &mut self,
///         _record: &SourceRecord,
///         metadata: Option<&RecordMetadata>,
///     ) -> Result<()> {
///         if let Some(m) = metadata {
///             self.written.push(format!("{}-{}@{}", m.topic, m.partition, m.offset));
///         }
///         Ok(())
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
///
/// let mut task = Acking::default();
/// let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "lines", None, "a".into());
/// let metadata = RecordMetadata { topic: Arc::from("lines"), partition: 0, offset: 17, timestamp: None };
/// futures::executor::block_on(task.commit_record(&record, Some(&metadata)))?;
/// futures::executor::block_on(task.commit_record(&record, None))?; // dropped by a transform
/// assert_eq!(task.written, ["lines-0@17"]);
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
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
///
/// Each record carries its source partition and offset; the runtime commits the offset once the
/// record is written, and a restarted task resumes from it (see [`SourceTaskContext`]).
///
/// ```
/// use async_trait::async_trait;
/// use connect_api::config::ConfigMap;
/// use connect_api::data::Schema;
/// use connect_api::error::Result;
/// use connect_api::record::{OffsetMap, SourceRecord};
/// use connect_api::task::SourceTask;
/// use serde_json::json;
///
/// /// Emits 0, 1, 2, ... to `topic`, one number per poll.
/// #[derive(Default)]
/// struct Counter { topic: String, next: i64 }
///
/// #[async_trait]
/// impl SourceTask for Counter {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, props: &ConfigMap) -> Result<()> {
///         self.topic = props.get("topic").cloned().unwrap_or_default();
///         Ok(())
///     }
///     async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
///         let partition = json!({"counter": "main"}).as_object().cloned().unwrap_or_default();
///         let offset = json!({"next": self.next + 1}).as_object().cloned().unwrap_or_default();
///         let value = self.next.into();
///         self.next += 1;
///         Ok(vec![SourceRecord::new(partition, offset, self.topic.as_str(), Some(Schema::int64()), value)])
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
///
/// futures::executor::block_on(async {
///     let mut task = Counter::default();
///     task.start(&ConfigMap::from([("topic".into(), "numbers".into())])).await?;
///     let records = task.poll().await?;
///     assert_eq!(&*records[0].topic, "numbers");
///     assert_eq!(records[0].value.as_i64(), Some(0));
///     assert_eq!(records[0].source_offset["next"], 1);
///     task.stop().await
/// })?;
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
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
///
/// A sink task gets it from [`SinkTaskContext::errant_record_reporter`] and reports the records
/// it cannot write instead of failing:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use connect_api::error::{ConnectError, DataError, Result};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::task::ErrantRecordReporter;
/// use futures::future::{BoxFuture, FutureExt};
///
/// /// Part of a sink task's `put`: writes text values, reports the others.
/// async fn write(
///     records: &[SinkRecord],
///     reporter: &dyn ErrantRecordReporter,
///     out: &mut Vec<String>,
/// ) -> Result<()> {
///     for record in records {
///         match record.value.as_str() {
///             Some(text) => out.push(text.to_owned()),
///             None => {
///                 let error = DataError::new(format!("expected a string, got {}", record.value.kind()));
///                 reporter.report(record.clone(), error.into()).await?;
///             }
///         }
///     }
///     Ok(())
/// }
/// # /// The runtime's reporter, standing in for the dead letter queue.
/// # #[derive(Default)]
/// # struct Reported(Mutex<Vec<(i64, String)>>);
/// # impl ErrantRecordReporter for Reported {
/// #     fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>> {
/// #         self.0.lock().unwrap().push((record.kafka_offset, error.to_string()));
/// #         futures::future::ready(Ok(())).boxed()
/// #     }
/// # }
///
/// let record = |offset, value: i32| {
///     SinkRecord::new(ConnectRecord::new("orders", None, value.into()), 0, offset, TimestampType::CreateTime)
/// };
/// let mut text = record(0, 0);
/// text.value = "ok".into();
/// let reporter = Arc::new(Reported::default()); // from the task's context
/// let mut out = Vec::new();
/// futures::executor::block_on(write(&[text, record(1, 7)], reporter.as_ref(), &mut out))?;
/// assert_eq!(out, ["ok"]);
/// assert_eq!(reporter.0.lock().unwrap()[0], (1, "expected a string, got int32".to_owned()));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
pub trait ErrantRecordReporter: Send + Sync {
    /// Queues the report; the returned future completes when it is written to the dead letter
    /// queue and the log. Await it: with `errors.tolerance=none` it is the future that fails,
    /// which fails the put as Kafka's reporter throws, and a future never awaited reports
    /// nothing.
    fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>>;
}

/// What a sink task may ask of the runtime.
///
/// A task keeps the context it is given in [`SinkTask::initialize`], for example to back off
/// when the system it writes to is unavailable:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use async_trait::async_trait;
/// use connect_api::config::ConfigMap;
/// use connect_api::error::{ConnectError, Result};
/// use connect_api::record::{SinkRecord, TopicPartition};
/// use connect_api::task::{ErrantRecordReporter, SinkTask, SinkTaskContext};
///
/// #[derive(Default)]
/// struct DbSink { context: Option<Arc<dyn SinkTaskContext>>, db_up: bool }
///
/// #[async_trait]
/// impl SinkTask for DbSink {
///     fn version(&self) -> String { "1.0".into() }
///     fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
///         self.context = Some(context);
///     }
///     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
///     async fn put(&mut self, _records: &[SinkRecord]) -> Result<()> {
///         if !self.db_up {
///             if let Some(context) = &self.context {
///                 context.timeout(Duration::from_secs(5)); // the batch comes back in 5 s
///             }
///             return Err(ConnectError::retriable("database unavailable"));
///         }
///         Ok(())
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
/// # #[derive(Default)]
/// # struct Context(Mutex<Option<Duration>>);
/// # impl SinkTaskContext for Context {
/// #     fn configs(&self) -> ConfigMap { ConfigMap::new() }
/// #     fn offsets(&self, _offsets: std::collections::HashMap<TopicPartition, i64>) {}
/// #     fn timeout(&self, timeout: Duration) { *self.0.lock().unwrap() = Some(timeout); }
/// #     fn assignment(&self) -> Vec<TopicPartition> { Vec::new() }
/// #     fn pause(&self, _partitions: &[TopicPartition]) -> Result<()> { Ok(()) }
/// #     fn resume(&self, _partitions: &[TopicPartition]) -> Result<()> { Ok(()) }
/// #     fn request_commit(&self) {}
/// #     fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> { None }
/// # }
///
/// let context = Arc::new(Context::default()); // the runtime's context
/// let mut task = DbSink::default();
/// task.initialize(context.clone());
/// let error = futures::executor::block_on(task.put(&[])).unwrap_err();
/// assert!(error.is_retriable());
/// assert_eq!(*context.0.lock().unwrap(), Some(Duration::from_secs(5)));
/// ```
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

    /// The reporter for errant records. The runtime always gives one: it writes to the dead
    /// letter queue and the log as the connector's `errors.*` keys say, and fails under
    /// `errors.tolerance=none`. `None` comes from contexts without one (test doubles, other
    /// runtimes), where a task should fail the record instead.
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>>;
}

/// A task that writes to another system.
///
/// ```
/// use std::collections::HashMap;
/// use async_trait::async_trait;
/// use connect_api::config::ConfigMap;
/// use connect_api::error::Result;
/// use connect_api::record::{ConnectRecord, OffsetAndMetadata, SinkRecord, TimestampType, TopicPartition};
/// use connect_api::task::SinkTask;
///
/// /// Buffers values in `put` and writes them out in `flush`.
/// #[derive(Default)]
/// struct Buffered { buffer: Vec<String>, written: Vec<String> }
///
/// #[async_trait]
/// impl SinkTask for Buffered {
///     fn version(&self) -> String { "1.0".into() }
///     async fn start(&mut self, _props: &ConfigMap) -> Result<()> { Ok(()) }
///     async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
///         self.buffer.extend(records.iter().map(|r| r.value.to_string()));
///         Ok(())
///     }
///     async fn flush(&mut self, _offsets: &HashMap<TopicPartition, OffsetAndMetadata>) -> Result<()> {
///         self.written.append(&mut self.buffer);
///         Ok(())
///     }
///     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// }
///
/// let record = SinkRecord::new(ConnectRecord::new("orders", None, "o-1".into()), 0, 41, TimestampType::CreateTime);
/// let mut task = Buffered::default();
/// futures::executor::block_on(async {
///     task.put(std::slice::from_ref(&record)).await?;
///     assert!(task.written.is_empty());
///     let next = OffsetAndMetadata::new(record.original_kafka_offset() + 1);
///     let offsets = HashMap::from([(record.original_topic_partition(), next)]);
///     let committable = task.pre_commit(offsets).await?; // by default: flush, then commit all
///     assert_eq!(task.written, ["o-1"]);
///     assert_eq!(committable[&TopicPartition::new("orders", 0)].offset, 42);
///     Ok::<(), connect_api::error::ConnectError>(())
/// })?;
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
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

    /// Partitions taken away from the task (a rebalance or the task stopping); called after the
    /// runtime committed what [`SinkTask::pre_commit`] reported for them, as Kafka does.
    async fn close(&mut self, _partitions: &[TopicPartition]) -> Result<()> {
        Ok(())
    }

    /// Stops the task and releases its resources.
    async fn stop(&mut self) -> Result<()>;
}
