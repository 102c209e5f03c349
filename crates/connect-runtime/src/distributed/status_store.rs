//! The status topic: the states of connectors and tasks, written by the worker running them and read by every worker.
//!
//! [`StatusStore`] is Apache Kafka Connect's `KafkaStatusBackingStore` over a [`Log`]: a
//! compacted topic (`status.storage.topic`, [`DEFAULT_PARTITIONS`] partitions unless
//! `status.storage.partitions` says otherwise) of the records of
//! [`records::StatusRecord`](super::records::StatusRecord), keyed `status-connector-<name>`,
//! `status-task-<connector>-<n>` and `status-topic-<topic>:connector-<connector>`. Each record
//! goes to the partition Kafka's default partitioner picks for its key, so the records of one
//! key stay in order, and a status in the [`StatusState::Destroyed`] state is written as a
//! tombstone, as Kafka does.
//!
//! The store keeps, per key, the latest status read or written and the sequence number of the
//! latest write this store started for that key, which decide:
//!
//! * whether a [`StatusStore::put_safe`] may overwrite the stored status: not when another
//!   worker wrote it in a newer generation (the worker that took the task over);
//! * whether a write that failed with a retriable error is tried again: only while it is still
//!   the latest write for its key, the key was not deleted meanwhile, and the store has not moved
//!   to another generation; at most [`WRITE_ATTEMPTS`] attempts in all.
//!
//! ```
//! use std::sync::Arc;
//!
//! use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
//! use connect_runtime::TaskId;
//! use connect_runtime::distributed::records::{Status, StatusState};
//! use connect_runtime::distributed::status_store::{StatusId, StatusStore};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
//! let a = StatusStore::open(log.clone(), "connect-status", 5, 1, "a:8083").await?;
//! let b = StatusStore::open(log, "connect-status", 5, 1, "b:8083").await?;
//!
//! let task = TaskId { connector: "sink".into(), task: 0 };
//! let running = |worker: &str, generation| Status {
//!     state: StatusState::Running,
//!     trace: None,
//!     worker_id: worker.into(),
//!     generation,
//! };
//! a.put(StatusId::Task(task.clone()), running("a:8083", 3)).await?;
//! b.read_to_end().await?;
//! assert_eq!(b.task(&task).await, Some(running("a:8083", 3)));
//!
//! // Worker B takes the task over in generation 4; A, shutting down, cannot overwrite that.
//! b.put(StatusId::Task(task.clone()), running("b:8083", 4)).await?;
//! let unassigned = Status { state: StatusState::Unassigned, ..running("a:8083", 3) };
//! assert!(!a.put_safe(StatusId::Task(task.clone()), unassigned).await?.is_written());
//! a.read_to_end().await?;
//! assert_eq!(a.task(&task).await, Some(running("b:8083", 4)));
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition, StoredRecord};
use tokio::sync::Mutex;

use super::records::{Status, StatusRecord, StatusState, TopicStatus};
use crate::producer::partition_for_key;
use crate::task::TaskId;
use crate::topic_reader;

/// Kafka Connect's default number of partitions of the status topic
/// (`status.storage.partitions`).
///
/// ```
/// assert_eq!(connect_runtime::distributed::status_store::DEFAULT_PARTITIONS, 5);
/// ```
pub const DEFAULT_PARTITIONS: i32 = 5;

/// How many times a write is attempted in all when the log keeps failing with retriable errors
/// (Kafka retries without bound).
///
/// ```
/// assert!(connect_runtime::distributed::status_store::WRITE_ATTEMPTS > 1);
/// ```
pub const WRITE_ATTEMPTS: u32 = 5;

/// The pause before the second attempt of a write; it grows by this much with each attempt.
const RETRY_BACKOFF: Duration = Duration::from_millis(50);

/// Why the status store could not open, read or write its topic.
///
/// ```
/// use connect_runtime::distributed::status_store::StatusStoreError;
///
/// let error = StatusStoreError::MissingTopic { topic: "connect-status".into() };
/// assert_eq!(error.to_string(), "status topic connect-status does not exist");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StatusStoreError {
    /// The topic could not be created.
    #[error("status topic {topic}: cannot create it: {source}")]
    CreateTopic {
        /// The status topic.
        topic: String,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// The topic's partitions could not be looked up.
    #[error("status topic {topic}: cannot look up its partitions: {source}")]
    Metadata {
        /// The status topic.
        topic: String,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// The topic does not exist, although it was just created.
    #[error("status topic {topic} does not exist")]
    MissingTopic {
        /// The status topic.
        topic: String,
    },
    /// The first or last offset of a partition could not be read.
    #[error("status topic {topic}: cannot read the offsets of partition {partition}: {source}")]
    Offsets {
        /// The status topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// A partition could not be read.
    #[error("status topic {topic}: cannot read partition {partition} at offset {offset}: {source}")]
    Read {
        /// The status topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The offset the read started at.
        offset: i64,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// A record could not be written: the error was not retriable, or it still failed after
    /// [`WRITE_ATTEMPTS`] attempts.
    #[error(
        "status topic {topic}: cannot write key {key:?} to partition {partition} \
         ({attempts} attempt(s)): {source}"
    )]
    Append {
        /// The status topic.
        topic: String,
        /// The partition of the key.
        partition: i32,
        /// The record's key.
        key: String,
        /// How many times the write was attempted.
        attempts: u32,
        /// The log's last error.
        #[source]
        source: LogError,
    },
}

/// Result of a status store operation.
type Result<T, E = StatusStoreError> = std::result::Result<T, E>;

/// Whose status a write is about: a connector's or a task's.
///
/// ```
/// use connect_runtime::TaskId;
/// use connect_runtime::distributed::status_store::StatusId;
///
/// assert_eq!(StatusId::Connector("sink".into()).key(), "status-connector-sink");
/// let task = StatusId::from(TaskId { connector: "my-sink".into(), task: 2 });
/// assert_eq!(task.key(), "status-task-my-sink-2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusId {
    /// A connector, by name.
    Connector(String),
    /// A task.
    Task(TaskId),
}

impl StatusId {
    /// The key of the status records of this connector or task.
    ///
    /// ```
    /// use connect_runtime::distributed::status_store::StatusId;
    ///
    /// assert_eq!(StatusId::Connector("a-b".into()).key(), "status-connector-a-b");
    /// ```
    pub fn key(&self) -> String {
        self.record(None).key()
    }

    fn record(&self, status: Option<Status>) -> StatusRecord {
        match self {
            Self::Connector(name) => StatusRecord::Connector {
                name: name.clone(),
                status,
            },
            Self::Task(id) => StatusRecord::Task {
                connector: id.connector.to_string(),
                task: id.task,
                status,
            },
        }
    }
}

impl From<TaskId> for StatusId {
    /// A task's id.
    ///
    /// ```
    /// use connect_runtime::TaskId;
    /// use connect_runtime::distributed::status_store::StatusId;
    ///
    /// let id = TaskId { connector: "sink".into(), task: 0 };
    /// assert_eq!(StatusId::from(id.clone()), StatusId::Task(id));
    /// ```
    fn from(id: TaskId) -> Self {
        Self::Task(id)
    }
}

/// What became of a write.
///
/// ```
/// use connect_runtime::distributed::status_store::WriteOutcome;
///
/// assert!(WriteOutcome::Written { partition: 3, offset: 0 }.is_written());
/// assert!(!WriteOutcome::Skipped.is_written());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The record was appended at this partition and offset.
    Written {
        /// The partition of the record's key.
        partition: i32,
        /// The record's offset.
        offset: i64,
    },
    /// A [`StatusStore::put_safe`] that was not written: another worker wrote the stored status
    /// in a newer generation.
    Skipped,
    /// A write that failed with a retriable error and was not tried again, because a newer write
    /// for the same key was started, the key was deleted, or the store moved to another
    /// generation meanwhile (Kafka drops such retries too).
    Superseded,
}

impl WriteOutcome {
    /// Whether the record was appended.
    ///
    /// ```
    /// use connect_runtime::distributed::status_store::WriteOutcome;
    ///
    /// assert!(!WriteOutcome::Superseded.is_written());
    /// ```
    pub fn is_written(&self) -> bool {
        matches!(self, Self::Written { .. })
    }
}

/// The latest record of one key, as far as this store knows (Kafka's `CacheEntry`).
#[derive(Debug)]
struct Entry<T> {
    /// The latest value, or `None` once deleted.
    value: Option<T>,
    /// The sequence number of the latest write started for this key, or of its latest deletion.
    sequence: u64,
    /// The offset of the record `value` comes from; older records of the key are ignored.
    offset: Option<i64>,
}

impl<T> Default for Entry<T> {
    fn default() -> Self {
        Self {
            value: None,
            sequence: 0,
            offset: None,
        }
    }
}

impl<T> Entry<T> {
    /// Applies the record at `offset` unless a later record of the key was applied already; a
    /// deletion takes a new sequence number, so that retries of writes started before it stop.
    fn apply(&mut self, offset: i64, value: Option<T>, sequence: &mut u64) {
        if self.offset.is_some_and(|applied| offset <= applied) {
            return;
        }
        self.offset = Some(offset);
        if value.is_none() {
            self.delete(sequence);
        }
        self.value = value;
    }

    fn delete(&mut self, sequence: &mut u64) {
        self.value = None;
        *sequence += 1;
        self.sequence = *sequence;
    }
}

impl Entry<Status> {
    /// Kafka's `canWriteSafely`: there is no status, or this worker wrote it, or it is of this
    /// generation or an older one.
    fn can_write_safely(&self, status: &Status) -> bool {
        self.value.as_ref().is_none_or(|current| {
            current.worker_id == status.worker_id || current.generation <= status.generation
        })
    }
}

/// What the store knows of the topic.
#[derive(Debug, Default)]
struct State {
    connectors: BTreeMap<String, Entry<Status>>,
    tasks: BTreeMap<String, BTreeMap<u32, Entry<Status>>>,
    /// Topic statuses by connector, then topic.
    topics: BTreeMap<String, BTreeMap<String, Entry<TopicStatus>>>,
    /// The generation of the latest status this store was asked to write.
    generation: Option<i32>,
    /// The latest sequence number handed out, for any key.
    sequence: u64,
}

/// The entry of a record's key, in one of the state's maps.
enum EntryRef<'a> {
    Status(&'a mut Entry<Status>),
    Topic(&'a mut Entry<TopicStatus>),
}

impl State {
    fn status_entry(&self, id: &StatusId) -> Option<&Entry<Status>> {
        match id {
            StatusId::Connector(name) => self.connectors.get(name),
            StatusId::Task(task) => self.tasks.get(&*task.connector)?.get(&task.task),
        }
    }

    fn topic_entry(&self, connector: &str, topic: &str) -> Option<&Entry<TopicStatus>> {
        self.topics.get(connector)?.get(topic)
    }

    fn topic_entry_mut(&mut self, connector: &str, topic: &str) -> &mut Entry<TopicStatus> {
        self.topics
            .entry(connector.to_owned())
            .or_default()
            .entry(topic.to_owned())
            .or_default()
    }

    /// The next sequence number of the key of `record`, which makes it the key's latest write.
    fn start_write(&mut self, record: &StatusRecord) -> u64 {
        self.sequence += 1;
        let sequence = self.sequence;
        match self.entry_mut(record) {
            EntryRef::Status(entry) => entry.sequence = sequence,
            EntryRef::Topic(entry) => entry.sequence = sequence,
        }
        sequence
    }

    /// The entry of a connector's or task's status record.
    fn status_entry_of(&self, record: &StatusRecord) -> Option<&Entry<Status>> {
        match record {
            StatusRecord::Connector { name, .. } => self.connectors.get(name),
            StatusRecord::Task {
                connector, task, ..
            } => self.tasks.get(connector)?.get(task),
            StatusRecord::Topic { .. } => None,
        }
    }

    /// Whether `status` may be written safely over the stored status of `record`'s key.
    fn can_write_safely(&self, record: &StatusRecord, status: &Status) -> bool {
        self.status_entry_of(record)
            .is_none_or(|entry| entry.can_write_safely(status))
    }

    /// Whether a failed write of `record`, numbered `sequence`, may be tried again: it is still
    /// the latest write of its key (which was not deleted since), the store is still in the
    /// status's generation, and a safe write is still safe.
    fn may_retry(&self, record: &StatusRecord, sequence: u64, guard: Option<&Guard>) -> bool {
        let current = match record {
            StatusRecord::Topic {
                topic, connector, ..
            } => self.topic_entry(connector, topic).map(|e| e.sequence),
            _ => self.status_entry_of(record).map(|e| e.sequence),
        };
        current == Some(sequence)
            && guard.is_none_or(|guard| {
                self.generation == Some(guard.generation)
                    && guard
                        .safe
                        .as_ref()
                        .is_none_or(|status| self.can_write_safely(record, status))
            })
    }

    fn entry_mut(&mut self, record: &StatusRecord) -> EntryRef<'_> {
        match record {
            StatusRecord::Connector { name, .. } => {
                EntryRef::Status(self.connectors.entry(name.clone()).or_default())
            }
            StatusRecord::Task {
                connector, task, ..
            } => EntryRef::Status(
                self.tasks
                    .entry(connector.clone())
                    .or_default()
                    .entry(*task)
                    .or_default(),
            ),
            StatusRecord::Topic {
                topic, connector, ..
            } => EntryRef::Topic(self.topic_entry_mut(connector, topic)),
        }
    }

    /// Applies a record read from, or just written to, the topic at `offset`.
    ///
    /// As Kafka's reader does, a connector's tombstone removes its tasks' statuses too, and a
    /// status in the [`StatusState::Destroyed`] state counts as a tombstone.
    fn apply(&mut self, record: StatusRecord, offset: i64) {
        let mut sequence = self.sequence;
        match record {
            StatusRecord::Connector { name, status } => {
                let status = status.filter(|s| s.state != StatusState::Destroyed);
                let removed = status.is_none();
                let entry = self.connectors.entry(name.clone()).or_default();
                let before = entry.offset;
                entry.apply(offset, status, &mut sequence);
                if removed && entry.offset != before {
                    for task in self
                        .tasks
                        .get_mut(&name)
                        .into_iter()
                        .flat_map(|t| t.values_mut())
                    {
                        task.delete(&mut sequence);
                    }
                }
            }
            StatusRecord::Task {
                connector,
                task,
                status,
            } => {
                let status = status.filter(|s| s.state != StatusState::Destroyed);
                self.tasks
                    .entry(connector)
                    .or_default()
                    .entry(task)
                    .or_default()
                    .apply(offset, status, &mut sequence);
            }
            StatusRecord::Topic {
                topic,
                connector,
                status,
            } => {
                self.topic_entry_mut(&connector, &topic)
                    .apply(offset, status, &mut sequence);
            }
        }
        self.sequence = sequence;
    }

    /// Applies a record read from the topic; malformed records are logged and skipped.
    fn read(&mut self, topic: &str, partition: i32, stored: &StoredRecord) {
        let offset = stored.offset;
        let Some(raw_key) = stored.record.key.as_deref() else {
            tracing::warn!(
                topic,
                partition,
                offset,
                "discarding a status record with a null key"
            );
            return;
        };
        let Ok(key) = std::str::from_utf8(raw_key) else {
            tracing::warn!(
                topic,
                partition,
                offset,
                key = %String::from_utf8_lossy(raw_key),
                "discarding a status record whose key is not UTF-8"
            );
            return;
        };
        match StatusRecord::decode(key, stored.record.value.as_deref()) {
            Ok(Some(record)) => self.apply(record, offset),
            Ok(None) => tracing::warn!(
                topic,
                partition,
                offset,
                key,
                "discarding a status record with an unknown key"
            ),
            Err(error) => tracing::warn!(
                topic,
                partition,
                offset,
                key,
                %error,
                "discarding a malformed status record"
            ),
        }
    }
}

/// The status topic of a distributed Kafka Connect cluster (Kafka's `KafkaStatusBackingStore`):
/// each worker writes the statuses of the connectors and tasks it runs, and reads everyone's.
///
/// Unlike Kafka's store, whose consumer tails the topic in the background, this store reads
/// new records when asked to ([`StatusStore::read_to_end`]), and before deciding a
/// [`StatusStore::put_safe`] (the partition of its key only). A record this store writes is
/// applied to its view as soon as the log has acknowledged it, rather than when read back;
/// records of a key older than the one applied are ignored, so reading the topic afterwards
/// never brings an older status back.
///
/// It is safe to share between tasks (`Arc<StatusStore>`): its state is behind Tokio mutexes,
/// which are never held while writing.
///
/// ```
/// use std::sync::Arc;
///
/// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
/// use connect_runtime::distributed::records::{Status, StatusState};
/// use connect_runtime::distributed::status_store::{StatusId, StatusStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
/// let store = StatusStore::open(log, "connect-status", 5, 1, "10.0.0.5:8083").await?;
/// let status = Status {
///     state: StatusState::Running,
///     trace: None,
///     worker_id: store.worker_id().into(),
///     generation: 1,
/// };
/// store.put(StatusId::Connector("sink".into()), status.clone()).await?;
/// assert_eq!(store.connector("sink").await, Some(status));
/// # Ok(())
/// # }
/// ```
pub struct StatusStore {
    log: Arc<dyn Log>,
    topic: Arc<str>,
    partitions: i32,
    worker_id: String,
    /// The next offset to read of each partition; held for a whole read, so reads do not
    /// interleave.
    positions: Mutex<Vec<i64>>,
    state: Mutex<State>,
}

impl fmt::Debug for StatusStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusStore")
            .field("log", &self.log.describe())
            .field("topic", &self.topic)
            .field("partitions", &self.partitions)
            .field("worker_id", &self.worker_id)
            .finish_non_exhaustive()
    }
}

impl StatusStore {
    /// Creates the topic when missing (compacted, with `partitions` partitions and
    /// `replication_factor` replicas, -1 for the broker's defaults) and reads it to its end.
    ///
    /// An existing topic is used as it is: records are partitioned by its own partition count.
    /// `worker_id` is this worker's id (`host:port`), as the statuses it writes carry it.
    ///
    /// # Errors
    ///
    /// When the topic cannot be created or read.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use connect_log::Log;
    /// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// use connect_runtime::distributed::status_store::{DEFAULT_PARTITIONS, StatusStore};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store =
    ///     StatusStore::open(log.clone(), "connect-status", DEFAULT_PARTITIONS, 1, "w:8083").await?;
    /// assert_eq!(log.partition_count("connect-status").await?, Some(5));
    /// assert_eq!(store.partitions(), 5);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open(
        log: Arc<dyn Log>,
        topic: &str,
        partitions: i32,
        replication_factor: i16,
        worker_id: &str,
    ) -> Result<Self> {
        let new = NewTopic::new(topic, partitions)
            .compacted()
            .with_replication_factor(replication_factor);
        log.create_topic(&new)
            .await
            .map_err(|source| StatusStoreError::CreateTopic {
                topic: topic.to_owned(),
                source,
            })?;
        let count = log
            .partition_count(topic)
            .await
            .map_err(|source| StatusStoreError::Metadata {
                topic: topic.to_owned(),
                source,
            })?
            .ok_or_else(|| StatusStoreError::MissingTopic {
                topic: topic.to_owned(),
            })?;
        let mut positions = Vec::new();
        for number in 0..count {
            let partition = Partition::new(topic, number);
            let earliest =
                log.offset(&partition, OffsetSpec::Earliest)
                    .await
                    .map_err(|source| StatusStoreError::Offsets {
                        topic: topic.to_owned(),
                        partition: number,
                        source,
                    })?;
            positions.push(earliest);
        }
        let store = Self {
            log,
            topic: topic.into(),
            partitions: count,
            worker_id: worker_id.to_owned(),
            positions: Mutex::new(positions),
            state: Mutex::new(State::default()),
        };
        store.read_to_end().await?;
        Ok(store)
    }

    /// The status topic's name.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// assert_eq!(store.topic(), "connect-status");
    /// # Ok(())
    /// # }
    /// ```
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The number of partitions of the topic, which records are partitioned by.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// StatusStore::open(log.clone(), "connect-status", 3, 1, "a:8083").await?;
    /// // The topic exists already: its partition count wins.
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "b:8083").await?;
    /// assert_eq!(store.partitions(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn partitions(&self) -> i32 {
        self.partitions
    }

    /// This worker's id, as given to [`StatusStore::open`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "10.0.0.5:8083").await?;
    /// assert_eq!(store.worker_id(), "10.0.0.5:8083");
    /// # Ok(())
    /// # }
    /// ```
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Reads the records appended to every partition since the last read, up to the end each
    /// partition had when its read began, and applies them: a status replaces the key's
    /// previous one, a tombstone removes it. Malformed records and records with unknown keys are
    /// logged and skipped.
    ///
    /// # Errors
    ///
    /// When a partition cannot be read; the records read before the failure stay applied.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let a = StatusStore::open(log.clone(), "connect-status", 5, 1, "a:8083").await?;
    /// let b = StatusStore::open(log, "connect-status", 5, 1, "b:8083").await?;
    /// let status = Status { state: StatusState::Paused, trace: None, worker_id: "a:8083".into(), generation: 2 };
    /// a.put(StatusId::Connector("sink".into()), status.clone()).await?;
    /// assert_eq!(b.connector("sink").await, None);
    /// b.read_to_end().await?;
    /// assert_eq!(b.connector("sink").await, Some(status));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read_to_end(&self) -> Result<()> {
        let mut positions = self.positions.lock().await;
        for number in 0..self.partitions {
            self.read_partition(&mut positions, number).await?;
        }
        Ok(())
    }

    /// Reads one partition from its position to its current end.
    async fn read_partition(&self, positions: &mut [i64], number: i32) -> Result<()> {
        let Some(position) = usize::try_from(number)
            .ok()
            .and_then(|index| positions.get_mut(index))
        else {
            return Ok(());
        };
        let partition = Partition::new(self.topic.clone(), number);
        let mut state = self.state.lock().await;
        *position = topic_reader::read_to_end(&*self.log, &partition, *position, |stored| {
            state.read(&self.topic, number, stored);
        })
        .await
        .map_err(|failure| StatusStoreError::Read {
            topic: self.topic.to_string(),
            partition: number,
            offset: failure.offset,
            source: failure.source,
        })?;
        Ok(())
    }

    /// The partition of a record key: Kafka's default partitioner (murmur2), as Kafka's status
    /// store writes with it.
    fn partition_of(&self, key: &str) -> i32 {
        partition_for_key(key.as_bytes(), self.partitions)
    }

    /// The status of a connector, if one is known.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// assert_eq!(store.connector("unknown").await, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connector(&self, name: &str) -> Option<Status> {
        self.state.lock().await.connectors.get(name)?.value.clone()
    }

    /// The status of a task, if one is known.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::TaskId;
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let id = TaskId { connector: "sink".into(), task: 1 };
    /// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// store.put(StatusId::Task(id.clone()), status.clone()).await?;
    /// assert_eq!(store.task(&id).await, Some(status));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn task(&self, id: &TaskId) -> Option<Status> {
        self.state
            .lock()
            .await
            .status_entry(&StatusId::Task(id.clone()))?
            .value
            .clone()
    }

    /// The known statuses of a connector's tasks, by task number.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::TaskId;
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// for task in [1, 0] {
    ///     let id = TaskId { connector: "my-sink".into(), task };
    ///     store.put(StatusId::Task(id), status.clone()).await?;
    /// }
    /// let tasks = store.connector_tasks("my-sink").await;
    /// assert_eq!(tasks, vec![(0, status.clone()), (1, status)]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connector_tasks(&self, name: &str) -> Vec<(u32, Status)> {
        let state = self.state.lock().await;
        state
            .tasks
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|(task, entry)| Some((*task, entry.value.clone()?)))
            .collect()
    }

    /// The names of the connectors whose status is known, sorted.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// store.put(StatusId::Connector("b".into()), status.clone()).await?;
    /// store.put(StatusId::Connector("a".into()), status).await?;
    /// assert_eq!(store.connectors().await, ["a", "b"]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connectors(&self) -> Vec<String> {
        let state = self.state.lock().await;
        state
            .connectors
            .iter()
            .filter(|(_, entry)| entry.value.is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The topics a connector has used (KIP-558), sorted by topic.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::TopicStatus;
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let orders = TopicStatus { topic: "orders".into(), connector: "sink".into(), task: 0, discover_timestamp: 1 };
    /// store.put_topic(orders.clone()).await?;
    /// assert_eq!(store.topics("sink").await, vec![orders]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn topics(&self, connector: &str) -> Vec<TopicStatus> {
        let state = self.state.lock().await;
        state
            .topics
            .get(connector)
            .into_iter()
            .flat_map(|topics| topics.values())
            .filter_map(|entry| entry.value.clone())
            .collect()
    }

    /// Whether, and when, a connector has used a topic.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::TopicStatus;
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let orders = TopicStatus { topic: "orders".into(), connector: "sink".into(), task: 0, discover_timestamp: 1 };
    /// store.put_topic(orders.clone()).await?;
    /// assert_eq!(store.topic_status("sink", "orders").await, Some(orders));
    /// assert_eq!(store.topic_status("sink", "other").await, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn topic_status(&self, connector: &str, topic: &str) -> Option<TopicStatus> {
        self.state
            .lock()
            .await
            .topic_entry(connector, topic)?
            .value
            .clone()
    }

    /// Writes a status (Kafka's `put`): appends it to its key's partition, then applies it. A
    /// status in the [`StatusState::Destroyed`] state is written as a tombstone and removes the
    /// connector or task.
    ///
    /// A write that fails with a retriable error is tried again, up to [`WRITE_ATTEMPTS`]
    /// attempts in all, while it is still the latest write of its key, the key was not deleted
    /// meanwhile and no status of another generation was written since; otherwise it is given
    /// up as [`WriteOutcome::Superseded`].
    ///
    /// # Errors
    ///
    /// [`StatusStoreError::Append`] when the error is not retriable, or the attempts ran out.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore, WriteOutcome};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let failed = Status {
    ///     state: StatusState::Failed,
    ///     trace: Some("java.lang.RuntimeException: boom".into()),
    ///     worker_id: "w:8083".into(),
    ///     generation: 4,
    /// };
    /// let outcome = store.put(StatusId::Connector("sink".into()), failed.clone()).await?;
    /// assert!(matches!(outcome, WriteOutcome::Written { offset: 0, .. }));
    /// assert_eq!(store.connector("sink").await, Some(failed));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put(&self, id: StatusId, status: Status) -> Result<WriteOutcome> {
        self.write_status(id, status, false).await
    }

    /// Writes a status unless another worker wrote the stored one in a newer generation
    /// (Kafka's `putSafe`), so that a worker letting a connector or task go cannot overwrite the
    /// status written by the worker that took it over.
    ///
    /// The stored status may be overwritten when there is none, when it was written by the same
    /// worker (`worker_id`), or when its generation is not newer than `status`'s. The partition
    /// of the key is read to its end first, so the decision takes the latest status into
    /// account. Retries are as for [`StatusStore::put`], and are also given up when the
    /// condition no longer holds.
    ///
    /// # Errors
    ///
    /// As for [`StatusStore::put`], and when the key's partition cannot be read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::TaskId;
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore, WriteOutcome};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let a = StatusStore::open(log.clone(), "connect-status", 5, 1, "a:8083").await?;
    /// let b = StatusStore::open(log, "connect-status", 5, 1, "b:8083").await?;
    /// let id = StatusId::Task(TaskId { connector: "sink".into(), task: 0 });
    /// let status = |state, worker: &str, generation| Status { state, trace: None, worker_id: worker.into(), generation };
    /// b.put(id.clone(), status(StatusState::Running, "b:8083", 8)).await?;
    /// let outcome = a.put_safe(id.clone(), status(StatusState::Unassigned, "a:8083", 7)).await?;
    /// assert_eq!(outcome, WriteOutcome::Skipped);
    /// assert_eq!(a.task(&TaskId { connector: "sink".into(), task: 0 }).await.map(|s| s.generation), Some(8));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_safe(&self, id: StatusId, status: Status) -> Result<WriteOutcome> {
        self.write_status(id, status, true).await
    }

    /// Removes a connector's status with a tombstone.
    ///
    /// Like Kafka's, readers of the tombstone also drop the statuses of the connector's tasks
    /// they have read so far; since tasks' records may be in other partitions, read before or
    /// after, delete the tasks' statuses too ([`StatusStore::delete_task`], or a status in the
    /// [`StatusState::Destroyed`] state), as Kafka's herder does.
    ///
    /// # Errors
    ///
    /// As for [`StatusStore::put`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// store.put(StatusId::Connector("sink".into()), status).await?;
    /// store.delete_connector("sink").await?;
    /// assert_eq!(store.connector("sink").await, None);
    /// assert!(store.connectors().await.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_connector(&self, name: &str) -> Result<WriteOutcome> {
        self.write(
            StatusRecord::Connector {
                name: name.to_owned(),
                status: None,
            },
            None,
        )
        .await
    }

    /// Removes a task's status with a tombstone.
    ///
    /// # Errors
    ///
    /// As for [`StatusStore::put`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::TaskId;
    /// # use connect_runtime::distributed::records::{Status, StatusState};
    /// # use connect_runtime::distributed::status_store::{StatusId, StatusStore};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let id = TaskId { connector: "sink".into(), task: 0 };
    /// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// store.put(StatusId::Task(id.clone()), status).await?;
    /// store.delete_task(&id).await?;
    /// assert_eq!(store.task(&id).await, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_task(&self, id: &TaskId) -> Result<WriteOutcome> {
        self.write(StatusId::Task(id.clone()).record(None), None)
            .await
    }

    /// Notes that a connector uses a topic (Kafka's `put(TopicStatus)`), under the key of the
    /// status's topic and connector.
    ///
    /// # Errors
    ///
    /// As for [`StatusStore::put`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::TopicStatus;
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let status = TopicStatus { topic: "orders".into(), connector: "sink".into(), task: 2, discover_timestamp: 1_700_000_000_000 };
    /// assert!(store.put_topic(status).await?.is_written());
    /// assert_eq!(store.topics("sink").await.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_topic(&self, status: TopicStatus) -> Result<WriteOutcome> {
        self.write(
            StatusRecord::Topic {
                topic: status.topic.clone(),
                connector: status.connector.clone(),
                status: Some(status),
            },
            None,
        )
        .await
    }

    /// Forgets that a connector used a topic, with a tombstone (Kafka's `deleteTopic`, used when
    /// a connector's active topics are reset).
    ///
    /// # Errors
    ///
    /// As for [`StatusStore::put`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::records::TopicStatus;
    /// # use connect_runtime::distributed::status_store::StatusStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = StatusStore::open(log, "connect-status", 5, 1, "w:8083").await?;
    /// let status = TopicStatus { topic: "orders".into(), connector: "sink".into(), task: 0, discover_timestamp: 1 };
    /// store.put_topic(status).await?;
    /// store.delete_topic("orders", "sink").await?;
    /// assert!(store.topics("sink").await.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_topic(&self, topic: &str, connector: &str) -> Result<WriteOutcome> {
        self.write(
            StatusRecord::Topic {
                topic: topic.to_owned(),
                connector: connector.to_owned(),
                status: None,
            },
            None,
        )
        .await
    }

    /// Kafka's `send` of a connector or task status, safe or not.
    async fn write_status(&self, id: StatusId, status: Status, safe: bool) -> Result<WriteOutcome> {
        if safe {
            // Kafka's consumer tails the topic all along; this store catches up on the key's
            // partition before deciding.
            let number = self.partition_of(&id.key());
            let mut positions = self.positions.lock().await;
            self.read_partition(&mut positions, number).await?;
        }
        let guard = Guard {
            generation: status.generation,
            safe: safe.then(|| status.clone()),
        };
        self.write(id.record(Some(status)), Some(guard)).await
    }

    /// Appends a record to its key's partition, retrying retriable failures while the write is
    /// still the latest of its key (and, for a status, while the store is in the status's
    /// generation and a safe write is still safe), then applies it.
    async fn write(&self, record: StatusRecord, guard: Option<Guard>) -> Result<WriteOutcome> {
        let key = record.key();
        let number = self.partition_of(&key);
        let sequence = {
            let mut state = self.state.lock().await;
            if let Some(guard) = &guard {
                // Kafka notes the generation of every status it is asked to write, even of one
                // it then skips; the check and the new sequence number are taken under one lock.
                state.generation = Some(guard.generation);
                if let Some(status) = &guard.safe
                    && !state.can_write_safely(&record, status)
                {
                    tracing::debug!(
                        topic = %self.topic,
                        key = %key,
                        worker_id = %status.worker_id,
                        generation = status.generation,
                        "not writing a status over another worker's of a newer generation"
                    );
                    return Ok(WriteOutcome::Skipped);
                }
            }
            state.start_write(&record)
        };
        let value = record.value().map(Bytes::from);
        let partition = Partition::new(self.topic.clone(), number);
        let mut attempts = 0;
        let offset = loop {
            attempts += 1;
            let appended = LogRecord {
                key: Some(Bytes::from(key.clone())),
                value: value.clone(),
                headers: Vec::new(),
                timestamp: crate::errors::now_millis(),
            };
            let error = match self.log.append(&partition, vec![appended]).await {
                Ok(offsets) => match offsets.first() {
                    Some(offset) => break *offset,
                    None => LogError::Other("the log returned no offset for the record".into()),
                },
                Err(error) => error,
            };
            if !error.is_retriable() || attempts >= WRITE_ATTEMPTS {
                return Err(StatusStoreError::Append {
                    topic: self.topic.to_string(),
                    partition: number,
                    key,
                    attempts,
                    source: error,
                });
            }
            tracing::warn!(
                topic = %self.topic,
                partition = number,
                key = %key,
                attempts,
                %error,
                "writing a status record failed; retrying"
            );
            tokio::time::sleep(RETRY_BACKOFF * attempts).await;
            if !self
                .state
                .lock()
                .await
                .may_retry(&record, sequence, guard.as_ref())
            {
                tracing::debug!(
                    topic = %self.topic,
                    partition = number,
                    key = %key,
                    "not retrying a status write superseded by a newer one"
                );
                return Ok(WriteOutcome::Superseded);
            }
        };
        self.state.lock().await.apply(record, offset);
        Ok(WriteOutcome::Written {
            partition: number,
            offset,
        })
    }
}

/// The conditions of a connector or task status write.
struct Guard {
    /// The status's generation: a retry stops once the store writes a status of another one.
    generation: i32,
    /// The status of a safe write: it is written only while [`Entry::can_write_safely`].
    safe: Option<Status>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashMap;

    use super::*;
    use crate::test_support::FaultyLog;

    const TOPIC: &str = "connect-status";

    async fn open(log: Arc<dyn Log>, worker: &str) -> StatusStore {
        StatusStore::open(log, TOPIC, DEFAULT_PARTITIONS, 1, worker)
            .await
            .unwrap()
    }

    fn status(state: StatusState, worker: &str, generation: i32) -> Status {
        Status {
            state,
            trace: None,
            worker_id: worker.into(),
            generation,
        }
    }

    fn task(connector: &str, task: u32) -> TaskId {
        TaskId {
            connector: connector.into(),
            task,
        }
    }

    /// Every record of a partition, as (key, value).
    async fn raw(log: &dyn Log, partition: i32) -> Vec<(String, Option<Vec<u8>>)> {
        let partition = Partition::new(TOPIC, partition);
        let end = log.offset(&partition, OffsetSpec::Latest).await.unwrap();
        if end == 0 {
            return Vec::new();
        }
        let fetched = log
            .fetch(&partition, 0, 1 << 20, Duration::from_millis(1))
            .await
            .unwrap();
        fetched
            .records
            .into_iter()
            .map(|stored| {
                (
                    String::from_utf8(stored.record.key.unwrap().to_vec()).unwrap(),
                    stored.record.value.map(|v| v.to_vec()),
                )
            })
            .collect()
    }

    async fn append_raw(log: &dyn Log, partition: i32, key: Option<&[u8]>, value: Option<&[u8]>) {
        let record = LogRecord {
            key: key.map(Bytes::copy_from_slice),
            value: value.map(Bytes::copy_from_slice),
            headers: Vec::new(),
            timestamp: 1,
        };
        log.append(&Partition::new(TOPIC, partition), vec![record])
            .await
            .unwrap();
    }

    fn key_partition(key: &str) -> i32 {
        partition_for_key(key.as_bytes(), DEFAULT_PARTITIONS)
    }

    #[tokio::test]
    async fn put_safe_keeps_the_status_of_the_worker_that_took_over() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let a = open(log.clone(), "a:8083").await;
        let b = open(log.clone(), "b:8083").await;
        let t0 = task("conn", 0);
        let id = StatusId::Task(t0.clone());

        let written = a
            .put(id.clone(), status(StatusState::Running, "a:8083", 3))
            .await
            .unwrap();
        assert!(written.is_written());
        b.read_to_end().await.unwrap();
        assert_eq!(
            b.task(&t0).await,
            Some(status(StatusState::Running, "a:8083", 3))
        );

        b.put(id.clone(), status(StatusState::Running, "b:8083", 4))
            .await
            .unwrap();
        a.read_to_end().await.unwrap();
        let outcome = a
            .put_safe(id.clone(), status(StatusState::Unassigned, "a:8083", 3))
            .await
            .unwrap();
        assert_eq!(outcome, WriteOutcome::Skipped);
        assert_eq!(
            a.task(&t0).await,
            Some(status(StatusState::Running, "b:8083", 4))
        );
        // Nothing was appended: the partition holds A's and B's records only.
        assert_eq!(raw(&*log, key_partition(&id.key())).await.len(), 2);
        let fresh = open(log.clone(), "c:8083").await;
        assert_eq!(
            fresh.task(&t0).await,
            Some(status(StatusState::Running, "b:8083", 4))
        );

        // A put_safe of the same generation or a newer one is written.
        let outcome = a
            .put_safe(id.clone(), status(StatusState::Running, "a:8083", 4))
            .await
            .unwrap();
        assert!(outcome.is_written());

        // A wrote the newest status: its put_safe is applied, even of an older generation.
        let outcome = a
            .put_safe(id.clone(), status(StatusState::Unassigned, "a:8083", 3))
            .await
            .unwrap();
        assert!(outcome.is_written());
        b.read_to_end().await.unwrap();
        assert_eq!(
            b.task(&t0).await,
            Some(status(StatusState::Unassigned, "a:8083", 3))
        );
    }

    #[tokio::test]
    async fn put_safe_reads_the_key_partition_before_deciding() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let a = open(log.clone(), "a:8083").await;
        let b = open(log.clone(), "b:8083").await;
        let id = StatusId::Connector("conn".into());
        a.put(id.clone(), status(StatusState::Running, "a:8083", 1))
            .await
            .unwrap();
        b.put(id.clone(), status(StatusState::Running, "b:8083", 2))
            .await
            .unwrap();
        // No read_to_end by A: put_safe reads the key's partition itself.
        let outcome = a
            .put_safe(id, status(StatusState::Unassigned, "a:8083", 1))
            .await
            .unwrap();
        assert_eq!(outcome, WriteOutcome::Skipped);
        assert_eq!(
            a.connector("conn").await,
            Some(status(StatusState::Running, "b:8083", 2))
        );
    }

    #[tokio::test]
    async fn records_land_in_the_partition_of_their_key() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let store = open(log.clone(), "w:8083").await;
        let mut keys = Vec::new();
        for name in ["a", "sink", "my-source-connector", "x1"] {
            let id = StatusId::Connector(name.into());
            keys.push(id.key());
            store
                .put(id, status(StatusState::Running, "w:8083", 1))
                .await
                .unwrap();
            for n in 0..4 {
                let id = StatusId::Task(task(name, n));
                keys.push(id.key());
                let outcome = store
                    .put(id.clone(), status(StatusState::Running, "w:8083", 1))
                    .await
                    .unwrap();
                let WriteOutcome::Written { partition, .. } = outcome else {
                    panic!("not written: {outcome:?}");
                };
                assert_eq!(partition, key_partition(&id.key()));
            }
            let topic = TopicStatus {
                topic: format!("topic-{name}"),
                connector: name.into(),
                task: 0,
                discover_timestamp: 5,
            };
            store.put_topic(topic).await.unwrap();
            keys.push(format!("status-topic-topic-{name}:connector-{name}"));
        }
        let mut found: HashMap<String, i32> = HashMap::new();
        let mut used = std::collections::BTreeSet::new();
        for partition in 0..DEFAULT_PARTITIONS {
            for (key, _) in raw(&*log, partition).await {
                assert_eq!(found.insert(key, partition), None);
                used.insert(partition);
            }
        }
        assert_eq!(found.len(), keys.len());
        for key in &keys {
            assert_eq!(found[key], key_partition(key), "{key}");
        }
        assert!(used.len() > 1, "all keys in one partition: {used:?}");
    }

    #[tokio::test]
    async fn tombstones_remove_entries_for_a_fresh_reader() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let store = open(log.clone(), "w:8083").await;
        let running = status(StatusState::Running, "w:8083", 1);
        for name in ["keep", "gone", "destroyed"] {
            store
                .put(StatusId::Connector(name.into()), running.clone())
                .await
                .unwrap();
            for n in 0..2 {
                store
                    .put(StatusId::Task(task(name, n)), running.clone())
                    .await
                    .unwrap();
            }
            for topic in ["t1", "t2"] {
                let topic_status = TopicStatus {
                    topic: topic.into(),
                    connector: name.into(),
                    task: 0,
                    discover_timestamp: 7,
                };
                store.put_topic(topic_status).await.unwrap();
            }
        }
        store.delete_task(&task("keep", 1)).await.unwrap();
        store.delete_topic("t2", "keep").await.unwrap();
        store.delete_connector("gone").await.unwrap();
        let destroyed = status(StatusState::Destroyed, "w:8083", 1);
        let outcome = store
            .put(StatusId::Connector("destroyed".into()), destroyed.clone())
            .await
            .unwrap();
        let WriteOutcome::Written { partition, offset } = outcome else {
            panic!("not written: {outcome:?}");
        };
        // DESTROYED is written as a tombstone.
        let records = raw(&*log, partition).await;
        let (key, value) = &records[usize::try_from(offset).unwrap()];
        assert_eq!(key, "status-connector-destroyed");
        assert_eq!(value, &None);
        // As Kafka's herder does when a connector is deleted: DESTROYED for each task too.
        for n in 0..2 {
            store
                .put(StatusId::Task(task("destroyed", n)), destroyed.clone())
                .await
                .unwrap();
        }
        // A connector's tombstone removes the statuses of its tasks read before it, as in
        // Kafka: here, all of them.
        assert!(store.connector_tasks("gone").await.is_empty());

        for reader in [&store, &open(log.clone(), "r:8083").await] {
            assert_eq!(reader.connectors().await, ["keep"]);
            assert_eq!(reader.connector("gone").await, None);
            assert_eq!(reader.connector("destroyed").await, None);
            assert_eq!(reader.connector_tasks("keep").await, [(0, running.clone())]);
            assert_eq!(reader.task(&task("keep", 1)).await, None);
            assert!(reader.connector_tasks("destroyed").await.is_empty());
            let topics: Vec<_> = reader
                .topics("keep")
                .await
                .into_iter()
                .map(|t| t.topic)
                .collect();
            assert_eq!(topics, ["t1"]);
            assert_eq!(reader.topic_status("keep", "t2").await, None);
            // Topic statuses are only removed by their own tombstones.
            assert_eq!(reader.topics("gone").await.len(), 2);
        }

        // A status written after a tombstone is read again.
        store
            .put(StatusId::Task(task("keep", 1)), running.clone())
            .await
            .unwrap();
        let fresh = open(log.clone(), "r2:8083").await;
        assert_eq!(fresh.task(&task("keep", 1)).await, Some(running));
    }

    #[tokio::test]
    async fn malformed_records_and_unknown_keys_are_skipped() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let valid = br#"{"state":"RUNNING","trace":null,"worker_id":"w:8083","generation":2}"#;
        let key = "status-task-conn-0";
        let partition = key_partition(key);
        // The topic is created by a worker's store.
        drop(open(log.clone(), "w:8083").await);
        let connector_partition = key_partition("status-connector-conn");
        append_raw(
            &*log,
            connector_partition,
            Some(b"status-connector-conn"),
            Some(valid),
        )
        .await;
        append_raw(&*log, partition, Some(key.as_bytes()), Some(b"{not json")).await;
        append_raw(&*log, partition, Some(b"some-other-key"), Some(b"{}")).await;
        append_raw(&*log, partition, None, Some(valid)).await;
        append_raw(&*log, partition, Some(&[0xff, 0xfe]), Some(valid)).await;
        append_raw(&*log, partition, Some(b"status-task-conn-x"), Some(valid)).await;
        append_raw(
            &*log,
            partition,
            Some(b"status-task-conn-1"),
            Some(br#"{"state":"SLEEPING","worker_id":"w:8083","generation":2}"#),
        )
        .await;
        append_raw(
            &*log,
            partition,
            Some(b"status-task-conn-2"),
            Some(br#"{"state":"RUNNING","worker_id":"w:8083"}"#),
        )
        .await;
        append_raw(&*log, partition, Some(b"status-topic-orders"), Some(b"{}")).await;
        append_raw(&*log, partition, Some(key.as_bytes()), Some(valid)).await;

        let store = open(log.clone(), "r:8083").await;
        let running = status(StatusState::Running, "w:8083", 2);
        assert_eq!(store.task(&task("conn", 0)).await, Some(running.clone()));
        assert_eq!(store.connector_tasks("conn").await, [(0, running)]);
        assert_eq!(store.connectors().await, ["conn"]);

        // A malformed record after a good one leaves the good one in place.
        append_raw(&*log, partition, Some(key.as_bytes()), Some(b"[1,2]")).await;
        store.read_to_end().await.unwrap();
        assert!(store.task(&task("conn", 0)).await.is_some());
    }

    #[tokio::test]
    async fn reads_records_as_apache_kafka_connect_writes_them() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let store = open(log.clone(), "w:8083").await;
        let trace = "java.lang.RuntimeException: boom\n\tat org.example.Task.put(Task.java:42)\n";
        let records: Vec<(&str, Option<String>)> = vec![
            (
                "status-task-conn-0",
                Some(format!(
                    r#"{{"state":"FAILED","trace":{},"worker_id":"10.0.0.5:8083","generation":7}}"#,
                    serde_json::to_string(trace).unwrap()
                )),
            ),
            (
                "status-connector-conn",
                Some(
                    r#"{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":7}"#
                        .into(),
                ),
            ),
            (
                "status-task-conn-1",
                Some(
                    r#"{"state":"UNASSIGNED","trace":null,"worker_id":"10.0.0.6:8083","generation":6}"#
                        .into(),
                ),
            ),
            (
                "status-topic-orders:connector-conn",
                Some(
                    r#"{"topic":{"name":"orders","connector":"conn","task":0,"discoverTimestamp":1700000000000}}"#
                        .into(),
                ),
            ),
            (
                "status-topic-refunds:connector-conn",
                Some(
                    r#"{"topic":{"name":"refunds","connector":"conn","task":1,"discoverTimestamp":1700000000001}}"#
                        .into(),
                ),
            ),
            ("status-task-conn-1", None),
            ("status-topic-refunds:connector-conn", None),
            (
                "status-connector-old",
                Some(
                    r#"{"state":"PAUSED","trace":null,"worker_id":"10.0.0.5:8083","generation":1}"#
                        .into(),
                ),
            ),
            ("status-connector-old", None),
        ];
        for (key, value) in &records {
            append_raw(
                &*log,
                key_partition(key),
                Some(key.as_bytes()),
                value.as_deref().map(str::as_bytes),
            )
            .await;
        }

        for reader in [&store, &open(log.clone(), "r:8083").await] {
            reader.read_to_end().await.unwrap();
            assert_eq!(
                reader.task(&task("conn", 0)).await,
                Some(Status {
                    state: StatusState::Failed,
                    trace: Some(trace.into()),
                    worker_id: "10.0.0.5:8083".into(),
                    generation: 7,
                })
            );
            assert_eq!(
                reader.connector("conn").await,
                Some(status(StatusState::Running, "10.0.0.5:8083", 7))
            );
            assert_eq!(reader.task(&task("conn", 1)).await, None);
            assert_eq!(reader.connectors().await, ["conn"]);
            assert_eq!(
                reader.topics("conn").await,
                [TopicStatus {
                    topic: "orders".into(),
                    connector: "conn".into(),
                    task: 0,
                    discover_timestamp: 1_700_000_000_000,
                }]
            );
        }

        // What this store writes is what Kafka writes, in the partition Kafka would pick.
        let failed = Status {
            state: StatusState::Failed,
            trace: Some(trace.into()),
            worker_id: "10.0.0.5:8083".into(),
            generation: 7,
        };
        let outcome = store
            .put(StatusId::Task(task("conn", 0)), failed)
            .await
            .unwrap();
        let WriteOutcome::Written { partition, offset } = outcome else {
            panic!("not written: {outcome:?}");
        };
        assert_eq!(partition, key_partition("status-task-conn-0"));
        let written = raw(&*log, partition).await;
        let (key, value) = &written[usize::try_from(offset).unwrap()];
        assert_eq!(key, records[0].0);
        assert_eq!(value.as_deref(), records[0].1.as_deref().map(str::as_bytes));
    }

    #[tokio::test]
    async fn connector_names_with_dashes() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let store = open(log.clone(), "w:8083").await;
        let running = status(StatusState::Running, "w:8083", 1);
        let paused = status(StatusState::Paused, "w:8083", 1);
        store
            .put(
                StatusId::Task(task("my-sink-connector", 0)),
                running.clone(),
            )
            .await
            .unwrap();
        store
            .put(
                StatusId::Task(task("my-sink-connector", 12)),
                paused.clone(),
            )
            .await
            .unwrap();
        store
            .put(StatusId::Task(task("my-sink", 3)), running.clone())
            .await
            .unwrap();
        let raw_key = "status-task-my-sink-connector-12";
        assert!(
            raw(&*log, key_partition(raw_key))
                .await
                .iter()
                .any(|(key, _)| key == raw_key)
        );

        for reader in [&store, &open(log.clone(), "r:8083").await] {
            assert_eq!(
                reader.connector_tasks("my-sink-connector").await,
                [(0, running.clone()), (12, paused.clone())]
            );
            assert_eq!(
                reader.task(&task("my-sink-connector", 12)).await,
                Some(paused.clone())
            );
            assert_eq!(
                reader.connector_tasks("my-sink").await,
                [(3, running.clone())]
            );
            assert!(reader.connector_tasks("my").await.is_empty());
        }
    }

    #[tokio::test]
    async fn open_creates_the_topic_once() {
        let (_dir, log) = crate::test_support::embedded_log().await;
        let store = StatusStore::open(log.clone(), TOPIC, 3, 1, "w:8083")
            .await
            .unwrap();
        assert_eq!(store.partitions(), 3);
        assert_eq!(log.partition_count(TOPIC).await.unwrap(), Some(3));
        let again = StatusStore::open(log.clone(), TOPIC, 5, 1, "w:8083")
            .await
            .unwrap();
        assert_eq!(again.partitions(), 3);
        assert_eq!(again.topic(), TOPIC);
        assert_eq!(again.worker_id(), "w:8083");
    }

    /// The embedded log, its appends failing when told to; with `hold`, a failing append waits
    /// for a permit before it fails.
    async fn flaky(hold: bool) -> (tempfile::TempDir, Arc<FaultyLog>) {
        let (dir, log) = crate::test_support::embedded_log().await;
        let log = FaultyLog::new(log);
        let log = if hold { log.holding() } else { log };
        (dir, Arc::new(log))
    }

    #[tokio::test]
    async fn retriable_failures_are_retried() {
        let (_dir, log) = flaky(false).await;
        let store = open(log.clone(), "w:8083").await;
        log.fail_appends(WRITE_ATTEMPTS - 1, true);
        let running = status(StatusState::Running, "w:8083", 1);
        let id = StatusId::Connector("conn".into());
        let outcome = store.put(id.clone(), running.clone()).await.unwrap();
        assert!(outcome.is_written());
        assert_eq!(store.connector("conn").await, Some(running.clone()));
        assert_eq!(raw(&*log, key_partition(&id.key())).await.len(), 1);

        // Out of attempts.
        log.fail_appends(WRITE_ATTEMPTS, true);
        let error = store
            .put(id.clone(), status(StatusState::Paused, "w:8083", 1))
            .await
            .unwrap_err();
        let StatusStoreError::Append {
            topic,
            partition,
            key,
            attempts,
            source,
        } = error
        else {
            panic!("unexpected error {error}");
        };
        assert_eq!(topic, TOPIC);
        assert_eq!(partition, key_partition(&id.key()));
        assert_eq!(key, "status-connector-conn");
        assert_eq!(attempts, WRITE_ATTEMPTS);
        assert!(source.is_retriable());
        assert_eq!(store.connector("conn").await, Some(running));
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let (_dir, log) = flaky(false).await;
        let store = open(log.clone(), "w:8083").await;
        log.fail_appends(1, false);
        let topic = TopicStatus {
            topic: "orders".into(),
            connector: "conn".into(),
            task: 0,
            discover_timestamp: 1,
        };
        let error = store.put_topic(topic.clone()).await.unwrap_err();
        assert!(matches!(
            error,
            StatusStoreError::Append { attempts: 1, ref key, .. }
                if key == "status-topic-orders:connector-conn"
        ));
        assert!(store.topics("conn").await.is_empty());
        assert!(store.put_topic(topic).await.unwrap().is_written());
    }

    #[tokio::test]
    async fn a_superseded_write_is_not_retried() {
        let (_dir, log) = flaky(true).await;
        let store = Arc::new(open(log.clone(), "w:8083").await);
        let id = StatusId::Task(task("conn", 0));
        let partition = key_partition(&id.key());
        let (entered, permits) = log.hold();

        // A newer write of the same key is started while the first one is failing.
        log.fail_appends(1, true);
        let first = tokio::spawn({
            let store = store.clone();
            let id = id.clone();
            async move {
                store
                    .put(id, status(StatusState::Running, "w:8083", 1))
                    .await
            }
        });
        entered.notified().await;
        let newer = status(StatusState::Paused, "w:8083", 1);
        assert!(
            store
                .put(id.clone(), newer.clone())
                .await
                .unwrap()
                .is_written()
        );
        permits.add_permits(1);
        assert_eq!(first.await.unwrap().unwrap(), WriteOutcome::Superseded);
        assert_eq!(store.task(&task("conn", 0)).await, Some(newer.clone()));
        assert_eq!(raw(&*log, partition).await.len(), 1);

        // The key is deleted while a write is failing.
        log.fail_appends(1, true);
        let failing = tokio::spawn({
            let store = store.clone();
            let id = id.clone();
            async move {
                store
                    .put(id, status(StatusState::Running, "w:8083", 1))
                    .await
            }
        });
        entered.notified().await;
        store.delete_task(&task("conn", 0)).await.unwrap();
        permits.add_permits(1);
        assert_eq!(failing.await.unwrap().unwrap(), WriteOutcome::Superseded);
        assert_eq!(store.task(&task("conn", 0)).await, None);

        // The store moves to another generation while a write of another key is failing.
        log.fail_appends(1, true);
        let failing = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .put(
                        StatusId::Connector("conn".into()),
                        status(StatusState::Running, "w:8083", 1),
                    )
                    .await
            }
        });
        entered.notified().await;
        store
            .put(
                StatusId::Task(task("other", 0)),
                status(StatusState::Running, "w:8083", 2),
            )
            .await
            .unwrap();
        permits.add_permits(1);
        assert_eq!(failing.await.unwrap().unwrap(), WriteOutcome::Superseded);
        assert_eq!(store.connector("conn").await, None);

        // A failing write that is still the latest is retried.
        log.fail_appends(1, true);
        permits.add_permits(1);
        let running = status(StatusState::Running, "w:8083", 2);
        assert!(
            store
                .put(id.clone(), running.clone())
                .await
                .unwrap()
                .is_written()
        );
        assert_eq!(store.task(&task("conn", 0)).await, Some(running));
    }
}
