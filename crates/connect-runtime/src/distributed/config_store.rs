//! The config topic, read into a snapshot of the cluster's connectors and written by the leader.
//!
//! [`ConfigStore`] keeps Kafka Connect's config topic (`config.storage.topic`) as Apache Kafka
//! Connect's `KafkaConfigBackingStore` does: one partition, compacted, records in the formats of
//! [`records`](super::records). Reading the topic to its end gives a [`ClusterConfigState`], an
//! immutable snapshot with Kafka's rules:
//!
//! * a `connector-<name>` record applies at once; its tombstone removes the connector's config,
//!   task count and task configs (not its target state, which has a tombstone of its own);
//! * `task-<name>-<n>` records are held back until the connector's `commit-<name>` record, which
//!   applies them only if they cover tasks `0..count`; otherwise the connector is marked
//!   inconsistent and lists no tasks until a complete set is committed (the leader should
//!   regenerate its task configs);
//! * a connector without a `target-state-<name>` record is `STARTED`;
//! * records with unknown keys, and malformed records, are logged and skipped.
//!
//! # The config offset
//!
//! [`ClusterConfigState::offset`] is the offset of the *next* record after the last one read
//! (the offset of the last record + 1), or [`NO_OFFSET`] (-1) when nothing has been read: this
//! is what Kafka's `ClusterConfigState.offset()` holds (`offset = record.offset() + 1` in
//! `KafkaConfigBackingStore`'s consumer callback, "to match the API used for positions in the
//! consumer") and what a worker sends to the group as its config offset and the leader hands out
//! in assignments. As in Kafka, a record whose value is not JSON at all (Kafka's converter fails
//! on it) does not move the offset; every other record read does, whether it applies or not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition};
use serde::de::IgnoredAny;
use tokio::sync::Mutex;

use super::records::{ConfigRecord, TargetStateValue};
use crate::TaskId;
use crate::topic_reader;

/// The offset of a snapshot that has read no record (Kafka's `ClusterConfigState.NO_OFFSET`).
///
/// ```
/// use connect_runtime::distributed::config_store::{ClusterConfigState, NO_OFFSET};
///
/// assert_eq!(ClusterConfigState::default().offset(), NO_OFFSET);
/// ```
pub const NO_OFFSET: i64 = -1;

/// The worker property naming the config topic, as Kafka's error messages name it.
const CONFIG_TOPIC_CONFIG: &str = "config.storage.topic";

/// A config-topic operation that failed.
///
/// ```
/// use connect_runtime::distributed::config_store::ConfigStoreError;
///
/// let error = ConfigStoreError::TooManyPartitions { topic: "connect-configs".into(), partitions: 3 };
/// assert!(error.to_string().starts_with("Topic 'connect-configs' supplied via the 'config.storage.topic'"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ConfigStoreError {
    /// The topic has more than one partition, so the order of its records is not defined.
    #[error(
        "Topic '{topic}' supplied via the '{CONFIG_TOPIC_CONFIG}' property is required to have a \
         single partition in order to guarantee consistency of connector configurations, but \
         found {partitions} partitions."
    )]
    TooManyPartitions {
        /// The config topic.
        topic: String,
        /// How many partitions it has.
        partitions: i32,
    },
    /// The topic does not exist even after it was created.
    #[error("config topic '{topic}' does not exist")]
    Missing {
        /// The config topic.
        topic: String,
    },
    /// The topic could not be created or described.
    #[error("creating config topic '{topic}': {source}")]
    Create {
        /// The config topic.
        topic: String,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// The topic could not be read.
    #[error("reading config topic '{topic}' at offset {offset}: {source}")]
    Read {
        /// The config topic.
        topic: String,
        /// The offset the read was at.
        offset: i64,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// Records could not be appended to the topic.
    #[error("writing {key} to config topic '{topic}': {source}")]
    Write {
        /// The config topic.
        topic: String,
        /// The key of the (first) record written.
        key: String,
        /// The log's error.
        #[source]
        source: LogError,
    },
    /// The write was refused before anything was appended.
    #[error("cannot write {key} to config topic '{topic}': {reason}")]
    Invalid {
        /// The config topic.
        topic: String,
        /// The key of the record.
        key: String,
        /// Why the write was refused.
        reason: String,
    },
}

/// The key internal REST requests between workers are signed with (KIP-507), as the config
/// topic's `session-key` record holds it. Its `Debug` output hides the key.
///
/// ```
/// use connect_runtime::distributed::config_store::SessionKey;
///
/// let key = SessionKey { key: "c2VjcmV0".into(), algorithm: "HmacSHA256".into(), creation_timestamp: 1 };
/// assert!(!format!("{key:?}").contains("c2VjcmV0"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The key, base64-encoded (as stored).
    pub key: String,
    /// The MAC algorithm, such as `HmacSHA256`.
    pub algorithm: String,
    /// When the key was created, in milliseconds since the epoch.
    pub creation_timestamp: i64,
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKey")
            .field("key", &"[hidden]")
            .field("algorithm", &self.algorithm)
            .field("creation_timestamp", &self.creation_timestamp)
            .finish()
    }
}

/// A request to restart a connector and maybe its tasks, as read from a
/// `restart-connector-<name>` record (Kafka's `RestartRequest`).
///
/// ```
/// use connect_runtime::distributed::config_store::RestartRequest;
///
/// let request = RestartRequest { connector: "sink".into(), include_tasks: true, only_failed: false };
/// assert!(request.include_tasks);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRequest {
    /// The connector's name.
    pub connector: String,
    /// Whether to restart the connector's tasks too.
    pub include_tasks: bool,
    /// Whether to restart only the instances that failed.
    pub only_failed: bool,
}

/// An immutable snapshot of the config topic (Kafka's `ClusterConfigState`).
///
/// ```
/// use connect_runtime::distributed::config_store::ClusterConfigState;
///
/// let empty = ClusterConfigState::default();
/// assert_eq!(empty.offset(), -1);
/// assert_eq!(empty.connectors().count(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfigState {
    offset: i64,
    session_key: Option<SessionKey>,
    connector_configs: BTreeMap<String, BTreeMap<String, String>>,
    target_states: BTreeMap<String, TargetStateValue>,
    task_configs: BTreeMap<TaskId, BTreeMap<String, String>>,
    task_counts: BTreeMap<String, u32>,
    task_count_records: BTreeMap<String, u32>,
    task_config_generations: BTreeMap<String, u32>,
    applied_connector_configs: BTreeMap<String, BTreeMap<String, String>>,
    pending_fencing: BTreeSet<String>,
    inconsistent: BTreeSet<String>,
}

impl Default for ClusterConfigState {
    /// The state of an empty topic (Kafka's `ClusterConfigState.EMPTY`): offset [`NO_OFFSET`].
    fn default() -> Self {
        Self {
            offset: NO_OFFSET,
            session_key: None,
            connector_configs: BTreeMap::new(),
            target_states: BTreeMap::new(),
            task_configs: BTreeMap::new(),
            task_counts: BTreeMap::new(),
            task_count_records: BTreeMap::new(),
            task_config_generations: BTreeMap::new(),
            applied_connector_configs: BTreeMap::new(),
            pending_fencing: BTreeSet::new(),
            inconsistent: BTreeSet::new(),
        }
    }
}

impl ClusterConfigState {
    /// The offset after the last record read, or [`NO_OFFSET`]: the config offset workers send
    /// to the group (see the [module documentation](self)).
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert_eq!(ClusterConfigState::default().offset(), -1);
    /// ```
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// The latest session key read, if any.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().session_key().is_none());
    /// ```
    pub fn session_key(&self) -> Option<&SessionKey> {
        self.session_key.as_ref()
    }

    /// Whether the connector has a configuration.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(!ClusterConfigState::default().contains("sink"));
    /// ```
    pub fn contains(&self, connector: &str) -> bool {
        self.connector_configs.contains_key(connector)
    }

    /// The names of the connectors that have a configuration, in order.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().connectors().next().is_none());
    /// ```
    pub fn connectors(&self) -> impl Iterator<Item = &str> + '_ {
        self.connector_configs.keys().map(String::as_str)
    }

    /// The connector's configuration, if it has one.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().connector_config("sink").is_none());
    /// ```
    pub fn connector_config(&self, connector: &str) -> Option<&BTreeMap<String, String>> {
        self.connector_configs.get(connector)
    }

    /// The connector's configuration as it was when its current task configs were committed
    /// (Kafka's `appliedConnectorConfig`), if they were.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().applied_connector_config("sink").is_none());
    /// ```
    pub fn applied_connector_config(&self, connector: &str) -> Option<&BTreeMap<String, String>> {
        self.applied_connector_configs.get(connector)
    }

    /// The connector's target state: that of its latest `target-state-` record, or
    /// [`TargetStateValue::Started`] when there is none.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    /// use connect_runtime::distributed::records::TargetStateValue;
    ///
    /// assert_eq!(ClusterConfigState::default().target_state("sink"), TargetStateValue::Started);
    /// ```
    pub fn target_state(&self, connector: &str) -> TargetStateValue {
        self.target_states
            .get(connector)
            .copied()
            .unwrap_or(TargetStateValue::Started)
    }

    /// Every target state held, including those of connectors without a configuration (Kafka
    /// keeps a target state written before its connector's config, or left by a deletion).
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().target_states().is_empty());
    /// ```
    pub fn target_states(&self) -> &BTreeMap<String, TargetStateValue> {
        &self.target_states
    }

    /// The connector's tasks, `0..task_count`; none when the connector is inconsistent or has
    /// no committed task count (Kafka's `tasks`).
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().tasks("sink").is_empty());
    /// ```
    pub fn tasks(&self, connector: &str) -> Vec<TaskId> {
        if self.inconsistent.contains(connector) {
            return Vec::new();
        }
        let count = self.task_count(connector);
        let name: Arc<str> = Arc::from(connector);
        (0..count)
            .map(|task| TaskId {
                connector: name.clone(),
                task,
            })
            .collect()
    }

    /// A task's committed configuration, if there is one.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use connect_runtime::TaskId;
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// let task = TaskId { connector: Arc::from("sink"), task: 0 };
    /// assert!(ClusterConfigState::default().task_config(&task).is_none());
    /// ```
    pub fn task_config(&self, task: &TaskId) -> Option<&BTreeMap<String, String>> {
        self.task_configs.get(task)
    }

    /// Every committed task configuration. Like Kafka's, it may hold configs of tasks beyond a
    /// connector's current count; [`tasks`](Self::tasks) lists the current ones.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().task_configs().is_empty());
    /// ```
    pub fn task_configs(&self) -> &BTreeMap<TaskId, BTreeMap<String, String>> {
        &self.task_configs
    }

    /// The connector's task count from its latest commit record, or 0.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert_eq!(ClusterConfigState::default().task_count("sink"), 0);
    /// ```
    pub fn task_count(&self, connector: &str) -> u32 {
        self.task_counts.get(connector).copied().unwrap_or(0)
    }

    /// The task count of the connector's latest `tasks-fencing-` record (KIP-618), if any.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert_eq!(ClusterConfigState::default().task_count_record("src"), None);
    /// ```
    pub fn task_count_record(&self, connector: &str) -> Option<u32> {
        self.task_count_records.get(connector).copied()
    }

    /// The generation of the connector's task configs: 0 for the first set committed, one more
    /// for each later set (Kafka's `taskConfigGeneration`), if any was committed.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert_eq!(ClusterConfigState::default().task_config_generation("src"), None);
    /// ```
    pub fn task_config_generation(&self, connector: &str) -> Option<u32> {
        self.task_config_generations.get(connector).copied()
    }

    /// Whether task configs were committed for the connector after its latest task count
    /// record, so its tasks' zombies must be fenced out before new tasks start (KIP-618).
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(!ClusterConfigState::default().pending_fencing("src"));
    /// ```
    pub fn pending_fencing(&self, connector: &str) -> bool {
        self.pending_fencing.contains(connector)
    }

    /// Whether the connector's latest commit did not find configs for all its tasks (compaction
    /// or a failed write); its task configs must be regenerated.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(!ClusterConfigState::default().is_inconsistent("sink"));
    /// ```
    pub fn is_inconsistent(&self, connector: &str) -> bool {
        self.inconsistent.contains(connector)
    }

    /// The inconsistent connectors (see [`is_inconsistent`](Self::is_inconsistent)). As in
    /// Kafka, deleting a connector does not remove it from this set.
    ///
    /// ```
    /// use connect_runtime::distributed::config_store::ClusterConfigState;
    ///
    /// assert!(ClusterConfigState::default().inconsistent_connectors().is_empty());
    /// ```
    pub fn inconsistent_connectors(&self) -> &BTreeSet<String> {
        &self.inconsistent
    }
}

/// What the store has read of the topic.
#[derive(Debug)]
struct ReadState {
    /// The state of the records applied so far.
    snapshot: ClusterConfigState,
    /// Task configs read but not yet committed, by connector then task. A connector's entry is
    /// emptied, not removed, by a commit, as Kafka's is (that decides whether a later commit
    /// starts a new task config generation).
    deferred: BTreeMap<String, BTreeMap<u32, BTreeMap<String, String>>>,
    /// The offset of the next record to fetch.
    next: i64,
    /// Whether the first read (in `open`) is done; restart requests and logger levels read
    /// before are not reported, as Kafka's listener is not called before the store started.
    started: bool,
    restart_requests: Vec<RestartRequest>,
    logger_levels: Vec<(String, String)>,
}

impl ReadState {
    fn apply(&mut self, topic: &str, offset: i64, record: &LogRecord) {
        let Some(key) = record.key.as_deref() else {
            self.snapshot.offset = offset + 1;
            tracing::warn!(topic, offset, "skipping a config record without a key");
            return;
        };
        let key = String::from_utf8_lossy(key);
        let value = record.value.as_deref();
        if let Some(value) = value
            && !is_json(value)
        {
            // Kafka's converter fails on it, and Kafka skips it before moving its offset.
            tracing::warn!(topic, offset, key = %key, "skipping a config record whose value is not JSON");
            return;
        }
        self.snapshot.offset = offset + 1;
        match ConfigRecord::decode(&key, value) {
            Ok(Some(record)) => self.apply_record(record),
            Ok(None) => {
                tracing::warn!(topic, offset, key = %key, "discarding a config record with an unknown key");
            }
            Err(error) => {
                tracing::warn!(topic, offset, key = %key, %error, "skipping a malformed config record");
            }
        }
    }

    fn apply_record(&mut self, record: ConfigRecord) {
        let state = &mut self.snapshot;
        match record {
            ConfigRecord::TargetState { name, state: None } => {
                state.target_states.remove(&name);
                // Every connector with a config keeps a target state.
                if state.connector_configs.contains_key(&name) {
                    state.target_states.insert(name, TargetStateValue::Started);
                }
            }
            ConfigRecord::TargetState {
                name,
                state: Some(target),
            } => {
                state.target_states.insert(name, target);
            }
            ConfigRecord::Connector { name, config: None } => self.remove_connector(&name),
            ConfigRecord::Connector {
                name,
                config: Some(config),
            } => {
                state
                    .target_states
                    .entry(name.clone())
                    .or_insert(TargetStateValue::Started);
                state.connector_configs.insert(name, config);
            }
            ConfigRecord::Task {
                connector,
                task,
                config,
            } => {
                self.deferred
                    .entry(connector)
                    .or_default()
                    .insert(task, config);
            }
            ConfigRecord::Commit { connector, tasks } => self.commit(connector, tasks),
            ConfigRecord::RestartRequest {
                connector,
                include_tasks,
                only_failed,
            } => {
                if self.started {
                    self.restart_requests.push(RestartRequest {
                        connector,
                        include_tasks,
                        only_failed,
                    });
                }
            }
            ConfigRecord::SessionKey {
                key,
                algorithm,
                creation_timestamp,
            } => {
                state.session_key = Some(SessionKey {
                    key,
                    algorithm,
                    creation_timestamp,
                });
            }
            ConfigRecord::TaskFencing {
                connector,
                task_count,
            } => {
                // Task configs committed before this record need no new round of fencing.
                state.pending_fencing.remove(&connector);
                state.task_count_records.insert(connector, task_count);
            }
            ConfigRecord::LoggerLevel { namespace, level } => {
                if self.started {
                    self.logger_levels.push((namespace, level));
                }
            }
        }
    }

    /// Kafka's `processConnectorRemoval`.
    fn remove_connector(&mut self, name: &str) {
        let state = &mut self.snapshot;
        state.connector_configs.remove(name);
        state.task_counts.remove(name);
        state
            .task_configs
            .retain(|task, _| task.connector.as_ref() != name);
        state.applied_connector_configs.remove(name);
        self.deferred.remove(name);
    }

    /// Kafka's `processTasksCommitRecord`.
    fn commit(&mut self, connector: String, tasks: u32) {
        let Some(config) = self.snapshot.connector_configs.get(&connector).cloned() else {
            // The connector was deleted, and compaction removed its config and tombstone.
            tracing::debug!(
                connector,
                "ignoring task configs of a connector that no longer exists"
            );
            self.remove_connector(&connector);
            return;
        };
        let state = &mut self.snapshot;
        let deferred = self.deferred.get_mut(&connector);
        // A superset is fine: compaction may leave configs of tasks beyond the count.
        let complete = (0..tasks).all(|task| {
            deferred
                .as_ref()
                .is_some_and(|deferred| deferred.contains_key(&task))
        });
        if complete {
            if let Some(deferred) = &deferred {
                let name: Arc<str> = Arc::from(connector.as_str());
                for (task, task_config) in deferred.iter() {
                    let id = TaskId {
                        connector: name.clone(),
                        task: *task,
                    };
                    state.task_configs.insert(id, task_config.clone());
                }
                state
                    .task_config_generations
                    .entry(connector.clone())
                    .and_modify(|generation| *generation = generation.saturating_add(1))
                    .or_insert(0);
            }
            state.inconsistent.remove(&connector);
            state
                .applied_connector_configs
                .insert(connector.clone(), config);
        } else {
            tracing::debug!(
                connector,
                tasks,
                "incomplete set of task configs, probably due to compaction; marking the \
                 connector inconsistent"
            );
            state.inconsistent.insert(connector.clone());
        }
        // Always cleared: after an inconsistent commit, a complete fresh set is needed.
        if let Some(deferred) = deferred {
            deferred.clear();
        }
        state.task_counts.insert(connector.clone(), tasks);
        state.pending_fencing.insert(connector);
    }
}

/// Whether Kafka's `JsonConverter` can read the value: it holds a JSON value (Jackson ignores
/// what follows the first one).
fn is_json(value: &[u8]) -> bool {
    matches!(
        serde_json::Deserializer::from_slice(value)
            .into_iter::<IgnoredAny>()
            .next(),
        Some(Ok(_))
    )
}

/// The config topic of a distributed cluster (Kafka's `KafkaConfigBackingStore`).
///
/// Reads are serialised; each write appends its records in one call, waits for the log to
/// acknowledge them, then reads the topic to its end and returns the new snapshot.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
///
/// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
/// use connect_runtime::distributed::config_store::ConfigStore;
/// use connect_runtime::distributed::records::TargetStateValue;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
/// let leader = ConfigStore::open(log.clone(), "connect-configs", 3).await?;
/// let config = BTreeMap::from([("connector.class".to_owned(), "FileStreamSink".to_owned())]);
/// leader.put_connector_config("sink", config.clone(), None).await?;
/// leader.put_task_configs("sink", vec![config.clone(), config]).await?;
///
/// // Another worker reads the same state.
/// let follower = ConfigStore::open(log, "connect-configs", 3).await?;
/// let state = follower.snapshot().await;
/// assert_eq!(state.tasks("sink").len(), 2);
/// assert_eq!(state.target_state("sink"), TargetStateValue::Started);
/// assert_eq!(state.offset(), 4); // connector, 2 tasks, commit: the next record is at 4
/// # Ok(())
/// # }
/// ```
pub struct ConfigStore {
    log: Arc<dyn Log>,
    partition: Partition,
    state: Mutex<ReadState>,
    /// Keeps one append in flight, so that writes land in call order.
    writes: Mutex<()>,
}

impl fmt::Debug for ConfigStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigStore")
            .field("log", &self.log.describe())
            .field("topic", &self.partition.topic)
            .finish_non_exhaustive()
    }
}

impl ConfigStore {
    /// Creates the topic when missing (one partition, compacted, with this replication factor)
    /// and reads it to its end.
    ///
    /// # Errors
    ///
    /// When the topic cannot be created or read, or has more than one partition.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// use connect_log::{Log, NewTopic};
    /// use connect_runtime::distributed::config_store::{ConfigStore, ConfigStoreError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log.clone(), "connect-configs", 1).await?;
    /// assert_eq!(log.partition_count("connect-configs").await?, Some(1));
    ///
    /// log.create_topic(&NewTopic::new("wide", 2)).await?;
    /// let error = ConfigStore::open(log, "wide", 1).await.unwrap_err();
    /// assert!(matches!(error, ConfigStoreError::TooManyPartitions { partitions: 2, .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open(
        log: Arc<dyn Log>,
        topic: &str,
        replication_factor: i16,
    ) -> Result<Self, ConfigStoreError> {
        let create = |source| ConfigStoreError::Create {
            topic: topic.to_owned(),
            source,
        };
        let new = NewTopic::new(topic, 1)
            .compacted()
            .with_replication_factor(replication_factor);
        log.create_topic(&new).await.map_err(create)?;
        let partitions = log
            .partition_count(topic)
            .await
            .map_err(create)?
            .filter(|count| *count > 0)
            .ok_or_else(|| ConfigStoreError::Missing {
                topic: topic.to_owned(),
            })?;
        if partitions > 1 {
            return Err(ConfigStoreError::TooManyPartitions {
                topic: topic.to_owned(),
                partitions,
            });
        }
        let partition = Partition::new(topic, 0);
        let next = log
            .offset(&partition, OffsetSpec::Earliest)
            .await
            .map_err(|source| ConfigStoreError::Read {
                topic: topic.to_owned(),
                offset: 0,
                source,
            })?;
        let store = Self {
            log,
            partition,
            state: Mutex::new(ReadState {
                snapshot: ClusterConfigState::default(),
                deferred: BTreeMap::new(),
                next,
                started: false,
                restart_requests: Vec::new(),
                logger_levels: Vec::new(),
            }),
            writes: Mutex::new(()),
        };
        store.read_to_end().await?;
        store.state.lock().await.started = true;
        Ok(store)
    }

    /// The config topic's name.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// assert_eq!(store.topic(), "connect-configs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn topic(&self) -> &str {
        &self.partition.topic
    }

    /// The state as of the last read, without reading (Kafka's `snapshot`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// assert_eq!(store.snapshot().await.offset(), -1); // an empty topic
    /// # Ok(())
    /// # }
    /// ```
    pub async fn snapshot(&self) -> ClusterConfigState {
        self.state.lock().await.snapshot.clone()
    }

    /// Reads the records appended since the last read, up to the topic's current end, and
    /// returns the new state (Kafka's `refresh` followed by `snapshot`).
    ///
    /// # Errors
    ///
    /// When the topic cannot be read; the records read before the failure stay applied.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let worker = ConfigStore::open(log.clone(), "connect-configs", 1).await?;
    /// let leader = ConfigStore::open(log, "connect-configs", 1).await?;
    /// leader.put_connector_config("sink", BTreeMap::new(), None).await?;
    /// assert!(!worker.snapshot().await.contains("sink"));
    /// assert!(worker.read_to_end().await?.contains("sink"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read_to_end(&self) -> Result<ClusterConfigState, ConfigStoreError> {
        let topic = self.topic();
        let mut guard = self.state.lock().await;
        let state = &mut *guard;
        let next = topic_reader::read_to_end(&*self.log, &self.partition, state.next, |stored| {
            state.apply(topic, stored.offset, &stored.record);
        })
        .await
        .map_err(|failure| ConfigStoreError::Read {
            topic: topic.to_owned(),
            offset: failure.offset,
            source: failure.source,
        })?;
        state.next = next;
        Ok(state.snapshot.clone())
    }

    /// The restart requests read since the last call (only those read after [`open`]
    /// returned: older ones were handled by the workers of the time, as in Kafka).
    ///
    /// [`open`]: Self::open
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// store.put_restart_request("sink", true, false).await?;
    /// let requests = store.take_restart_requests().await;
    /// assert_eq!((requests[0].connector.as_str(), requests[0].include_tasks), ("sink", true));
    /// assert!(store.take_restart_requests().await.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn take_restart_requests(&self) -> Vec<RestartRequest> {
        std::mem::take(&mut self.state.lock().await.restart_requests)
    }

    /// The cluster-wide logger levels (namespace, level) read since the last call (KIP-976);
    /// like restart requests, only those read after [`open`](Self::open) returned.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// store.put_logger_level("org.apache.kafka", "DEBUG").await?;
    /// assert_eq!(store.take_logger_levels().await, [("org.apache.kafka".to_owned(), "DEBUG".to_owned())]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn take_logger_levels(&self) -> Vec<(String, String)> {
        std::mem::take(&mut self.state.lock().await.logger_levels)
    }

    /// Writes a connector's configuration, preceded by its target state when one is given (as
    /// Kafka writes a connector created with an initial state), and reads to the end.
    ///
    /// # Errors
    ///
    /// When the records cannot be written or the topic read.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// use connect_runtime::distributed::records::TargetStateValue;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// let config = BTreeMap::from([("tasks.max".to_owned(), "1".to_owned())]);
    /// let state = store.put_connector_config("sink", config.clone(), Some(TargetStateValue::Paused)).await?;
    /// assert_eq!(state.connector_config("sink"), Some(&config));
    /// assert_eq!(state.target_state("sink"), TargetStateValue::Paused);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_connector_config(
        &self,
        name: &str,
        config: BTreeMap<String, String>,
        target_state: Option<TargetStateValue>,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        let mut records = Vec::with_capacity(2);
        if let Some(state) = target_state {
            records.push(ConfigRecord::TargetState {
                name: name.to_owned(),
                state: Some(state),
            });
        }
        records.push(ConfigRecord::Connector {
            name: name.to_owned(),
            config: Some(config),
        });
        self.write(records).await
    }

    /// Deletes a connector: tombstones for its config, then its target state (Kafka's order),
    /// and reads to the end.
    ///
    /// # Errors
    ///
    /// When the records cannot be written or the topic read.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// store.put_connector_config("sink", BTreeMap::new(), None).await?;
    /// let state = store.remove_connector("sink").await?;
    /// assert!(!state.contains("sink") && state.target_states().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn remove_connector(
        &self,
        name: &str,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![
            ConfigRecord::Connector {
                name: name.to_owned(),
                config: None,
            },
            ConfigRecord::TargetState {
                name: name.to_owned(),
                state: None,
            },
        ])
        .await
    }

    /// Writes a connector's target state (any worker may) and reads to the end.
    ///
    /// # Errors
    ///
    /// When the record cannot be written or the topic read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// use connect_runtime::distributed::records::TargetStateValue;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// let state = store.put_target_state("sink", TargetStateValue::Stopped).await?;
    /// assert_eq!(state.target_state("sink"), TargetStateValue::Stopped);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_target_state(
        &self,
        name: &str,
        state: TargetStateValue,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![ConfigRecord::TargetState {
            name: name.to_owned(),
            state: Some(state),
        }])
        .await
    }

    /// Writes a connector's task configs, `task-<connector>-0` onwards, then the
    /// `commit-<connector>` record with their count, all in one append so that they are
    /// contiguous, and reads to the end.
    ///
    /// # Errors
    ///
    /// When there are more than `i32::MAX` tasks, or the records cannot be written or the topic
    /// read.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// store.put_connector_config("src", BTreeMap::new(), None).await?;
    /// let task = BTreeMap::from([("file".to_owned(), "/tmp/in".to_owned())]);
    /// let state = store.put_task_configs("src", vec![task.clone()]).await?;
    /// let tasks = state.tasks("src");
    /// assert_eq!(state.task_config(&tasks[0]), Some(&task));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_task_configs(
        &self,
        connector: &str,
        configs: Vec<BTreeMap<String, String>>,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        let count = u32::try_from(configs.len())
            .ok()
            .filter(|count| i32::try_from(*count).is_ok())
            .ok_or_else(|| ConfigStoreError::Invalid {
                topic: self.topic().to_owned(),
                key: format!("commit-{connector}"),
                reason: format!(
                    "{} tasks are more than a commit record holds",
                    configs.len()
                ),
            })?;
        let mut records: Vec<ConfigRecord> = (0..count)
            .zip(configs)
            .map(|(task, config)| ConfigRecord::Task {
                connector: connector.to_owned(),
                task,
                config,
            })
            .collect();
        records.push(ConfigRecord::Commit {
            connector: connector.to_owned(),
            tasks: count,
        });
        self.write(records).await
    }

    /// Writes a request to restart a connector (and its tasks, or only the failed ones) and
    /// reads to the end, which queues it for [`take_restart_requests`](Self::take_restart_requests).
    ///
    /// # Errors
    ///
    /// When the record cannot be written or the topic read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// let state = store.put_restart_request("sink", false, true).await?;
    /// assert_eq!(state.offset(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_restart_request(
        &self,
        connector: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![ConfigRecord::RestartRequest {
            connector: connector.to_owned(),
            include_tasks,
            only_failed,
        }])
        .await
    }

    /// Writes a new session key and reads to the end.
    ///
    /// # Errors
    ///
    /// When the record cannot be written or the topic read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// use connect_runtime::distributed::config_store::{ConfigStore, SessionKey};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// let key = SessionKey { key: "c2VjcmV0".into(), algorithm: "HmacSHA256".into(), creation_timestamp: 1 };
    /// let state = store.put_session_key(&key).await?;
    /// assert_eq!(state.session_key(), Some(&key));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_session_key(
        &self,
        key: &SessionKey,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![ConfigRecord::SessionKey {
            key: key.key.clone(),
            algorithm: key.algorithm.clone(),
            creation_timestamp: key.creation_timestamp,
        }])
        .await
    }

    /// Writes the task count a connector's zombies were fenced out for (KIP-618) and reads to
    /// the end.
    ///
    /// # Errors
    ///
    /// When the record cannot be written or the topic read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// let state = store.put_task_count_record("src", 3).await?;
    /// assert_eq!(state.task_count_record("src"), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_task_count_record(
        &self,
        connector: &str,
        task_count: u32,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![ConfigRecord::TaskFencing {
            connector: connector.to_owned(),
            task_count,
        }])
        .await
    }

    /// Writes a cluster-wide logger level (KIP-976) and reads to the end, which queues it for
    /// [`take_logger_levels`](Self::take_logger_levels).
    ///
    /// # Errors
    ///
    /// When the record cannot be written or the topic read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
    /// # use connect_runtime::distributed::config_store::ConfigStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let log = Arc::new(EmbeddedLog::open(dir.path(), EmbeddedLogOptions::default()).await?);
    /// let store = ConfigStore::open(log, "connect-configs", 1).await?;
    /// assert_eq!(store.put_logger_level("root", "WARN").await?.offset(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn put_logger_level(
        &self,
        namespace: &str,
        level: &str,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        self.write(vec![ConfigRecord::LoggerLevel {
            namespace: namespace.to_owned(),
            level: level.to_owned(),
        }])
        .await
    }

    /// Appends the records in one call, waits for the acknowledgement, then reads to the end.
    async fn write(
        &self,
        records: Vec<ConfigRecord>,
    ) -> Result<ClusterConfigState, ConfigStoreError> {
        let first_key = records.first().map(ConfigRecord::key).unwrap_or_default();
        let timestamp = crate::errors::now_millis();
        let records = records
            .iter()
            .map(|record| LogRecord {
                key: Some(Bytes::from(record.key())),
                value: record.value().map(Bytes::from),
                headers: Vec::new(),
                timestamp,
            })
            .collect();
        {
            let _one_at_a_time = self.writes.lock().await;
            self.log
                .append(&self.partition, records)
                .await
                .map_err(|source| ConfigStoreError::Write {
                    topic: self.topic().to_owned(),
                    key: first_key,
                    source,
                })?;
        }
        self.read_to_end().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "connect-configs";

    async fn embedded() -> (tempfile::TempDir, Arc<dyn Log>) {
        let (dir, log) = crate::test_support::embedded_log().await;
        (dir, log)
    }

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn task(connector: &str, task: u32) -> TaskId {
        TaskId {
            connector: Arc::from(connector),
            task,
        }
    }

    async fn append_raw(log: &Arc<dyn Log>, records: &[(&str, Option<&str>)]) -> Vec<i64> {
        let records = records
            .iter()
            .map(|(key, value)| LogRecord {
                key: Some(Bytes::from(key.to_string())),
                value: value.map(|v| Bytes::from(v.to_string())),
                headers: Vec::new(),
                timestamp: 1,
            })
            .collect();
        log.append(&Partition::new(TOPIC, 0), records)
            .await
            .unwrap()
    }

    async fn raw_records(log: &Arc<dyn Log>) -> Vec<(String, Option<String>)> {
        let fetched = log
            .fetch(
                &Partition::new(TOPIC, 0),
                0,
                1 << 20,
                std::time::Duration::from_millis(10),
            )
            .await
            .unwrap();
        fetched
            .records
            .into_iter()
            .map(|stored| {
                let text = |b: Bytes| String::from_utf8(b.to_vec()).unwrap();
                (
                    text(stored.record.key.unwrap()),
                    stored.record.value.map(text),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn open_creates_a_single_partition_compacted_topic() {
        let (dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 3).await.unwrap();
        assert_eq!(log.partition_count(TOPIC).await.unwrap(), Some(1));
        let meta = std::fs::read(dir.path().join("topics").join(format!("{TOPIC}.json"))).unwrap();
        let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap();
        assert_eq!(meta["partitions"], 1);
        assert_eq!(meta["configs"]["cleanup.policy"], "compact");
        assert_eq!(store.snapshot().await, ClusterConfigState::default());
        assert_eq!(store.topic(), TOPIC);
        // Opening again finds the existing topic.
        ConfigStore::open(log, TOPIC, 3).await.unwrap();
    }

    #[tokio::test]
    async fn open_rejects_a_topic_with_several_partitions() {
        let (_dir, log) = embedded().await;
        log.create_topic(&NewTopic::new("wide-configs", 3).compacted())
            .await
            .unwrap();
        let error = ConfigStore::open(log, "wide-configs", 1).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "Topic 'wide-configs' supplied via the 'config.storage.topic' property is required to \
             have a single partition in order to guarantee consistency of connector \
             configurations, but found 3 partitions."
        );
    }

    #[tokio::test]
    async fn a_second_reader_reads_the_same_snapshot_with_kafka_records() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        let config = props(&[("connector.class", "FileStreamSink"), ("tasks.max", "2")]);
        store
            .put_connector_config("sink", config.clone(), Some(TargetStateValue::Paused))
            .await
            .unwrap();
        store
            .put_target_state("sink", TargetStateValue::Stopped)
            .await
            .unwrap();
        let tasks = vec![props(&[("file", "a")]), props(&[("file", "b")])];
        store.put_task_configs("sink", tasks.clone()).await.unwrap();
        let key = SessionKey {
            key: "c2VjcmV0LWtleQ==".into(),
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 1_700_000_000_000,
        };
        store.put_session_key(&key).await.unwrap();
        let written = store.put_task_count_record("sink", 2).await.unwrap();

        assert_eq!(written.offset(), 8, "the offset after the last record");
        assert_eq!(
            log.offset(&Partition::new(TOPIC, 0), OffsetSpec::Latest)
                .await
                .unwrap(),
            8
        );
        assert_eq!(written.connectors().collect::<Vec<_>>(), ["sink"]);
        assert_eq!(written.connector_config("sink"), Some(&config));
        assert_eq!(written.applied_connector_config("sink"), Some(&config));
        assert_eq!(written.target_state("sink"), TargetStateValue::Stopped);
        assert_eq!(written.tasks("sink"), [task("sink", 0), task("sink", 1)]);
        assert_eq!(written.task_config(&task("sink", 1)), Some(&tasks[1]));
        assert_eq!(written.task_count("sink"), 2);
        assert_eq!(written.task_count_record("sink"), Some(2));
        assert_eq!(written.task_config_generation("sink"), Some(0));
        assert!(!written.pending_fencing("sink"));
        assert!(!written.is_inconsistent("sink"));
        assert_eq!(written.session_key(), Some(&key));

        let reader = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        assert_eq!(reader.snapshot().await, written);
        assert_eq!(reader.read_to_end().await.unwrap(), written);

        // Byte for byte what Apache Kafka Connect writes, in its order.
        let expected: Vec<(String, Option<String>)> = [
            ("target-state-sink", r#"{"state":"PAUSED","state.v2":"PAUSED"}"#),
            (
                "connector-sink",
                r#"{"properties":{"connector.class":"FileStreamSink","tasks.max":"2"}}"#,
            ),
            ("target-state-sink", r#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
            ("task-sink-0", r#"{"properties":{"file":"a"}}"#),
            ("task-sink-1", r#"{"properties":{"file":"b"}}"#),
            ("commit-sink", r#"{"tasks":2}"#),
            (
                "session-key",
                r#"{"key":"c2VjcmV0LWtleQ==","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#,
            ),
            ("tasks-fencing-sink", r#"{"task-count":2}"#),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
        .collect();
        assert_eq!(raw_records(&log).await, expected);
    }

    #[tokio::test]
    async fn task_configs_apply_only_on_a_complete_commit() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        store
            .put_connector_config("src", props(&[("a", "1")]), None)
            .await
            .unwrap();
        append_raw(
            &log,
            &[
                ("task-src-0", Some(r#"{"properties":{"n":"0"}}"#)),
                ("task-src-1", Some(r#"{"properties":{"n":"1"}}"#)),
            ],
        )
        .await;
        let state = store.read_to_end().await.unwrap();
        assert!(state.tasks("src").is_empty(), "no commit yet");
        assert!(state.task_configs().is_empty());
        assert_eq!(state.task_count("src"), 0);
        assert_eq!(state.offset(), 3);

        // The commit says 3 tasks, but task 2's config is missing.
        append_raw(&log, &[("commit-src", Some(r#"{"tasks":3}"#))]).await;
        let state = store.read_to_end().await.unwrap();
        assert!(state.is_inconsistent("src"));
        assert_eq!(
            state.inconsistent_connectors().iter().collect::<Vec<_>>(),
            ["src"]
        );
        assert!(state.tasks("src").is_empty());
        assert!(state.task_configs().is_empty());
        assert_eq!(state.task_count("src"), 3);
        assert_eq!(state.task_config_generation("src"), None);
        assert!(state.pending_fencing("src"));

        // The deferred configs were dropped: one more commit does not apply them.
        append_raw(
            &log,
            &[
                ("task-src-2", Some(r#"{"properties":{"n":"2"}}"#)),
                ("commit-src", Some(r#"{"tasks":3}"#)),
            ],
        )
        .await;
        assert!(store.read_to_end().await.unwrap().is_inconsistent("src"));

        // The leader regenerates them.
        let configs = vec![props(&[("n", "0")]), props(&[("n", "1")])];
        let state = store
            .put_task_configs("src", configs.clone())
            .await
            .unwrap();
        assert!(!state.is_inconsistent("src"));
        assert_eq!(state.tasks("src"), [task("src", 0), task("src", 1)]);
        assert_eq!(state.task_config(&task("src", 0)), Some(&configs[0]));
        assert_eq!(state.task_config_generation("src"), Some(0));

        // More deferred configs than the count (compaction can leave some) are fine.
        append_raw(
            &log,
            &[
                ("task-src-1", Some(r#"{"properties":{"n":"one"}}"#)),
                ("task-src-0", Some(r#"{"properties":{"n":"zero"}}"#)),
                ("commit-src", Some(r#"{"tasks":1}"#)),
            ],
        )
        .await;
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.tasks("src"), [task("src", 0)]);
        assert_eq!(
            state.task_config(&task("src", 0)),
            Some(&props(&[("n", "zero")]))
        );
        assert_eq!(state.task_config_generation("src"), Some(1));

        // A fresh reader agrees.
        let reader = ConfigStore::open(log, TOPIC, 1).await.unwrap();
        assert_eq!(reader.snapshot().await, state);
    }

    #[tokio::test]
    async fn removing_a_connector_removes_its_state() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        store
            .put_connector_config("keep", props(&[]), None)
            .await
            .unwrap();
        store
            .put_connector_config("sink", props(&[("x", "y")]), Some(TargetStateValue::Paused))
            .await
            .unwrap();
        store
            .put_task_configs("sink", vec![props(&[]), props(&[])])
            .await
            .unwrap();
        store
            .put_task_configs("keep", vec![props(&[])])
            .await
            .unwrap();
        let state = store.remove_connector("sink").await.unwrap();
        assert!(!state.contains("sink"));

        let reader = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        let fresh = reader.snapshot().await;
        assert_eq!(fresh, state);
        assert_eq!(fresh.connectors().collect::<Vec<_>>(), ["keep"]);
        assert!(!fresh.target_states().contains_key("sink"));
        assert_eq!(fresh.task_count("sink"), 0);
        assert!(fresh.tasks("sink").is_empty());
        assert!(fresh.task_configs().keys().all(|t| &*t.connector == "keep"));
        assert_eq!(fresh.tasks("keep"), [task("keep", 0)]);
        assert_eq!(fresh.offset(), 10);

        let raw = raw_records(&log).await;
        assert_eq!(
            raw[raw.len() - 2..],
            [
                ("connector-sink".to_owned(), None),
                ("target-state-sink".to_owned(), None)
            ]
        );
    }

    #[tokio::test]
    async fn target_states_new_and_old_formats() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        store
            .put_connector_config("a", props(&[]), None)
            .await
            .unwrap();
        assert_eq!(
            store.snapshot().await.target_states().get("a"),
            Some(&TargetStateValue::Started)
        );
        let state = store
            .put_target_state("a", TargetStateValue::Stopped)
            .await
            .unwrap();
        assert_eq!(state.target_state("a"), TargetStateValue::Stopped);
        // Written by a worker older than KIP-875.
        append_raw(
            &log,
            &[
                ("target-state-b", Some(r#"{"state":"PAUSED"}"#)),
                ("connector-b", Some(r#"{"properties":{}}"#)),
                // A target state of a connector that does not exist (yet) is kept.
                (
                    "target-state-later",
                    Some(r#"{"state":"STARTED","state.v2":"STOPPED"}"#),
                ),
            ],
        )
        .await;
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.target_state("b"), TargetStateValue::Paused);
        assert_eq!(state.target_state("later"), TargetStateValue::Stopped);
        assert!(!state.contains("later"));
        assert_eq!(state.target_state("nothing"), TargetStateValue::Started);

        // A target-state tombstone of a connector that still has a config resets it to STARTED.
        append_raw(&log, &[("target-state-a", None)]).await;
        let state = store.read_to_end().await.unwrap();
        assert_eq!(
            state.target_states().get("a"),
            Some(&TargetStateValue::Started)
        );

        let reader = ConfigStore::open(log, TOPIC, 1).await.unwrap();
        assert_eq!(reader.snapshot().await, state);
    }

    #[tokio::test]
    async fn malformed_records_and_unknown_keys_are_skipped() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        append_raw(
            &log,
            &[
                ("connector-a", Some(r#"{"properties":{"k":"v"}}"#)),
                ("connector-b", Some("{not json")),
                ("some-future-record", Some(r#"{"x":1}"#)),
                ("commit-a", Some(r#"{"tasks":"two"}"#)),
                ("target-state-a", Some(r#"{"state":"RUNNING"}"#)),
                ("task-a", Some(r#"{"properties":{}}"#)),
                ("session-key", None),
                ("connector-c", Some(r#"{"properties":{}}"#)),
            ],
        )
        .await;
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.connectors().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(state.connector_config("a"), Some(&props(&[("k", "v")])));
        assert_eq!(state.target_state("a"), TargetStateValue::Started);
        assert_eq!(state.task_count("a"), 0);
        assert!(state.session_key().is_none());
        assert_eq!(state.offset(), 8);

        // A record Kafka's converter cannot read does not move the offset, as in Kafka.
        append_raw(&log, &[("connector-d", Some(""))]).await;
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.offset(), 8);
        assert!(!state.contains("d"));
        // A record without a key is skipped but moves it.
        log.append(
            &Partition::new(TOPIC, 0),
            vec![LogRecord {
                value: Some(Bytes::from_static(b"{}")),
                ..LogRecord::default()
            }],
        )
        .await
        .unwrap();
        assert_eq!(store.read_to_end().await.unwrap().offset(), 10);
    }

    /// Records exactly as Apache Kafka Connect 3.x writes them (`JsonConverter`,
    /// `schemas.enable=false`, string keys), compaction gaps included.
    #[tokio::test]
    async fn reads_records_written_by_apache_kafka_connect() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        let offsets = append_raw(
            &log,
            &[
                (
                    "session-key",
                    Some(r#"{"key":"vIUw9YKKXrt1dWJ0NtsKOLn3nFZ5wUhyEhpI6vNTgL4=","algorithm":"HmacSHA256","creation-timestamp":1700000000123}"#),
                ),
                (
                    "connector-local-file-sink",
                    Some(r#"{"properties":{"connector.class":"FileStreamSink","file":"/tmp/out.txt","name":"local-file-sink","tasks.max":"2","topics":"connect-test"}}"#),
                ),
                ("target-state-local-file-sink", Some(r#"{"state":"STARTED","state.v2":"STARTED"}"#)),
                (
                    "task-local-file-sink-0",
                    Some(r#"{"properties":{"connector.class":"FileStreamSink","file":"/tmp/out.txt","task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","tasks.max":"2","topics":"connect-test"}}"#),
                ),
                (
                    "task-local-file-sink-1",
                    Some(r#"{"properties":{"connector.class":"FileStreamSink","file":"/tmp/out.txt","task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","tasks.max":"2","topics":"connect-test"}}"#),
                ),
                ("commit-local-file-sink", Some(r#"{"tasks":2}"#)),
                ("target-state-local-file-sink", Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#)),
                ("connector-old", Some(r#"{"properties":{"connector.class":"X"}}"#)),
                ("task-old-0", Some(r#"{"properties":{"a":"b"}}"#)),
                ("commit-old", Some(r#"{"tasks":1}"#)),
                ("tasks-fencing-old", Some(r#"{"task-count":1}"#)),
                ("connector-old", None),
                ("target-state-old", None),
                ("restart-connector-local-file-sink", Some(r#"{"only-failed":true,"include-tasks":false}"#)),
            ],
        )
        .await;
        assert_eq!(offsets.len(), 14);
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.offset(), 14);
        assert_eq!(
            state.session_key(),
            Some(&SessionKey {
                key: "vIUw9YKKXrt1dWJ0NtsKOLn3nFZ5wUhyEhpI6vNTgL4=".into(),
                algorithm: "HmacSHA256".into(),
                creation_timestamp: 1_700_000_000_123,
            })
        );
        assert_eq!(state.connectors().collect::<Vec<_>>(), ["local-file-sink"]);
        assert_eq!(
            state.connector_config("local-file-sink").unwrap()["file"],
            "/tmp/out.txt"
        );
        assert_eq!(
            state.target_state("local-file-sink"),
            TargetStateValue::Stopped
        );
        let tasks = state.tasks("local-file-sink");
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[1].to_string(), "local-file-sink-1");
        assert_eq!(
            state.task_config(&tasks[1]).unwrap()["task.class"],
            "org.apache.kafka.connect.file.FileStreamSinkTask"
        );
        assert!(state.pending_fencing("local-file-sink"));
        // The deleted connector: config, tasks and target state gone; its task count record
        // stays, as in Kafka.
        assert!(!state.contains("old"));
        assert!(state.tasks("old").is_empty());
        assert!(!state.target_states().contains_key("old"));
        assert_eq!(state.task_count_record("old"), Some(1));
        assert_eq!(
            store.take_restart_requests().await,
            [RestartRequest {
                connector: "local-file-sink".into(),
                include_tasks: false,
                only_failed: true,
            }]
        );
        // A worker starting now does not act on the old restart request.
        let reader = ConfigStore::open(log, TOPIC, 1).await.unwrap();
        assert_eq!(reader.snapshot().await, state);
        assert!(reader.take_restart_requests().await.is_empty());
    }

    #[tokio::test]
    async fn tasks_of_a_deleted_connector_are_ignored() {
        let (_dir, log) = embedded().await;
        let store = ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap();
        // Compaction removed the connector's config and its tombstone.
        append_raw(
            &log,
            &[
                ("task-gone-0", Some(r#"{"properties":{}}"#)),
                ("commit-gone", Some(r#"{"tasks":1}"#)),
                // A commit with no deferred tasks after the connector appears: zero tasks.
                ("connector-gone", Some(r#"{"properties":{}}"#)),
                ("commit-gone", Some(r#"{"tasks":0}"#)),
            ],
        )
        .await;
        let state = store.read_to_end().await.unwrap();
        assert!(state.contains("gone"));
        assert!(state.task_configs().is_empty());
        assert_eq!(state.task_count("gone"), 0);
        assert!(!state.is_inconsistent("gone"));
        assert_eq!(state.task_config_generation("gone"), None);
        assert_eq!(state.applied_connector_config("gone"), Some(&props(&[])));

        // One task committed with no deferred config for it: inconsistent.
        append_raw(&log, &[("commit-gone", Some(r#"{"tasks":1}"#))]).await;
        let state = store.read_to_end().await.unwrap();
        assert!(state.is_inconsistent("gone"));
        assert!(state.tasks("gone").is_empty());
    }

    #[tokio::test]
    async fn concurrent_writers_and_readers() {
        let (_dir, log) = embedded().await;
        let store = Arc::new(ConfigStore::open(log.clone(), TOPIC, 1).await.unwrap());
        let mut handles = Vec::new();
        for n in 0..8 {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                let name = format!("c{n}");
                store
                    .put_connector_config(&name, props(&[]), None)
                    .await
                    .unwrap();
                store
                    .put_task_configs(&name, vec![props(&[]); 2])
                    .await
                    .unwrap();
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
        let state = store.read_to_end().await.unwrap();
        assert_eq!(state.connectors().count(), 8);
        assert!(state.connectors().all(|c| state.tasks(c).len() == 2));
        assert_eq!(state.offset(), 32);
        let reader = ConfigStore::open(log, TOPIC, 1).await.unwrap();
        assert_eq!(reader.snapshot().await, state);
    }
}
