//! The records of the config and status topics, in Apache Kafka Connect's formats.
//!
//! Distributed workers keep connector configurations, task configurations, target states and a
//! few other things in the config topic (`config.storage.topic`), and the states of connectors
//! and tasks in the status topic (`status.storage.topic`). This module encodes and decodes those
//! records byte for byte as Apache Kafka Connect's `KafkaConfigBackingStore` and
//! `KafkaStatusBackingStore` do, so that a cluster can move between Apache Kafka Connect and this
//! runtime:
//!
//! * keys are plain UTF-8 strings (`connector-<name>`, `task-<name>-<n>`, `status-task-…`);
//! * values are JSON as Kafka's `JsonConverter` writes it with `schemas.enable=false`: compact,
//!   fields in the order of Kafka's schemas, unset optional fields written as `null`;
//! * a null value (tombstone) is a deletion, and is `None` here.
//!
//! Decoding follows what Kafka's readers accept: keys of kinds this runtime does not know decode
//! to `Ok(None)` (Kafka logs and skips them); records Kafka would log and skip as malformed
//! (including tombstones of kinds that have no deletion meaning) are a [`RecordError`] naming the
//! key, which a reader of the topic should log and skip in the same way.
//!
//! ```
//! use connect_runtime::distributed::records::{ConfigRecord, TargetStateValue};
//!
//! let record = ConfigRecord::TargetState { name: "sink".into(), state: Some(TargetStateValue::Stopped) };
//! assert_eq!(record.key(), "target-state-sink");
//! let value = record.value();
//! assert_eq!(value.as_deref(), Some(&br#"{"state":"PAUSED","state.v2":"STOPPED"}"#[..]));
//! assert_eq!(ConfigRecord::decode(&record.key(), value.as_deref())?, Some(record));
//! # Ok::<(), connect_runtime::distributed::records::RecordError>(())
//! ```

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde_json::{Map, Value};

const TARGET_STATE_PREFIX: &str = "target-state-";
const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_TASKS_PREFIX: &str = "commit-";
const RESTART_PREFIX: &str = "restart-connector-";
const TASK_COUNT_RECORD_PREFIX: &str = "tasks-fencing-";
const SESSION_KEY_KEY: &str = "session-key";
const LOGGER_CLUSTER_PREFIX: &str = "logger-cluster-";

const CONNECTOR_STATUS_PREFIX: &str = "status-connector-";
const TASK_STATUS_PREFIX: &str = "status-task-";
const TOPIC_STATUS_PREFIX: &str = "status-topic-";
const TOPIC_STATUS_SEPARATOR: &str = ":connector-";

/// Java's `Base64.getDecoder()`: the standard alphabet, padding optional.
const JAVA_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A config or status topic record that could not be decoded; Kafka logs and skips such records.
///
/// ```
/// use connect_runtime::distributed::records::{ConfigRecord, RecordError};
///
/// let error = ConfigRecord::decode("commit-sink", Some(b"{\"tasks\":\"two\"}"));
/// assert!(matches!(&error, Err(RecordError::InvalidValue { key, .. }) if key == "commit-sink"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The key has a known prefix but cannot be parsed (an empty name, a bad task number).
    #[error("invalid record key {key:?}: {reason}")]
    InvalidKey {
        /// The record's key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The value is not what records of the key's kind hold.
    #[error("invalid value of record {key:?}: {reason}")]
    InvalidValue {
        /// The record's key.
        key: String,
        /// What is wrong with the value.
        reason: String,
    },
}

fn invalid_key(key: &str, reason: impl Into<String>) -> RecordError {
    RecordError::InvalidKey {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

fn invalid_value(key: &str, reason: impl Into<String>) -> RecordError {
    RecordError::InvalidValue {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

/// The target state of a connector, as the config topic's `target-state-<name>` records hold it
/// (Kafka's `TargetState`).
///
/// ```
/// use connect_runtime::distributed::records::TargetStateValue;
///
/// assert_eq!(TargetStateValue::parse("STOPPED"), Some(TargetStateValue::Stopped));
/// assert_eq!(TargetStateValue::Paused.as_str(), "PAUSED");
/// assert_eq!(TargetStateValue::parse("stopped"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetStateValue {
    /// The connector and its tasks should run.
    Started,
    /// The connector and its tasks should be paused.
    Paused,
    /// The connector should be stopped and its tasks shut down (KIP-875).
    Stopped,
}

impl TargetStateValue {
    /// Kafka's name of the state: `STARTED`, `PAUSED` or `STOPPED`.
    ///
    /// ```
    /// use connect_runtime::distributed::records::TargetStateValue;
    ///
    /// assert_eq!(TargetStateValue::Started.as_str(), "STARTED");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "STARTED",
            Self::Paused => "PAUSED",
            Self::Stopped => "STOPPED",
        }
    }

    /// The state with Kafka's (upper-case, exact) name, if there is one.
    ///
    /// ```
    /// use connect_runtime::distributed::records::TargetStateValue;
    ///
    /// assert_eq!(TargetStateValue::parse("STARTED"), Some(TargetStateValue::Started));
    /// assert_eq!(TargetStateValue::parse("RUNNING"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "STARTED" => Some(Self::Started),
            "PAUSED" => Some(Self::Paused),
            "STOPPED" => Some(Self::Stopped),
            _ => None,
        }
    }
}

/// The runtime's target state as the config topic writes it.
///
/// ```
/// use connect_runtime::TargetState;
/// use connect_runtime::distributed::records::TargetStateValue;
///
/// assert_eq!(TargetStateValue::from(TargetState::Paused), TargetStateValue::Paused);
/// assert_eq!(TargetState::from(TargetStateValue::Stopped), TargetState::Stopped);
/// ```
impl From<crate::worker::TargetState> for TargetStateValue {
    fn from(target: crate::worker::TargetState) -> Self {
        use crate::worker::TargetState;
        match target {
            TargetState::Started => Self::Started,
            TargetState::Paused => Self::Paused,
            TargetState::Stopped => Self::Stopped,
        }
    }
}

impl From<TargetStateValue> for crate::worker::TargetState {
    fn from(value: TargetStateValue) -> Self {
        match value {
            TargetStateValue::Started => Self::Started,
            TargetStateValue::Paused => Self::Paused,
            TargetStateValue::Stopped => Self::Stopped,
        }
    }
}

/// A record of the config topic (`config.storage.topic`).
///
/// Connector and task names are kept as they appear in the keys; a `None` config or state is a
/// tombstone.
///
/// ```
/// use std::collections::BTreeMap;
/// use connect_runtime::distributed::records::ConfigRecord;
///
/// let config = BTreeMap::from([("connector.class".to_owned(), "FileStreamSource".to_owned())]);
/// let record = ConfigRecord::Connector { name: "a".into(), config: Some(config) };
/// assert_eq!(record.key(), "connector-a");
/// assert_eq!(
///     record.value().as_deref(),
///     Some(&br#"{"properties":{"connector.class":"FileStreamSource"}}"#[..])
/// );
/// let deleted = ConfigRecord::Connector { name: "a".into(), config: None };
/// assert_eq!(deleted.value(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigRecord {
    /// `connector-<name>` → `{"properties":{…}}`: a connector's configuration; `None` (a
    /// tombstone) deletes the connector.
    Connector {
        /// The connector's name.
        name: String,
        /// The connector's configuration, or `None` when the connector is deleted.
        config: Option<BTreeMap<String, String>>,
    },
    /// `target-state-<name>` → `{"state":…,"state.v2":…}`: the state the connector should be
    /// in; `None` (a tombstone, written when the connector is deleted) removes it.
    TargetState {
        /// The connector's name.
        name: String,
        /// The target state, or `None` when removed.
        state: Option<TargetStateValue>,
    },
    /// `task-<connector>-<n>` → `{"properties":{…}}`: a task's configuration, applied once the
    /// connector's next [`ConfigRecord::Commit`] is read.
    Task {
        /// The connector's name (may contain dashes).
        connector: String,
        /// The task number.
        task: u32,
        /// The task's configuration.
        config: BTreeMap<String, String>,
    },
    /// `commit-<connector>` → `{"tasks":<count>}`: applies the preceding task records of the
    /// connector, which now has `tasks` tasks.
    Commit {
        /// The connector's name.
        connector: String,
        /// How many tasks the connector has.
        tasks: u32,
    },
    /// `restart-connector-<connector>` → `{"include-tasks":…,"only-failed":…}`: a request to
    /// restart a connector and maybe its tasks.
    RestartRequest {
        /// The connector's name.
        connector: String,
        /// Whether to restart the tasks too.
        include_tasks: bool,
        /// Whether to restart only instances that failed.
        only_failed: bool,
    },
    /// `session-key` → `{"key":…,"algorithm":…,"creation-timestamp":…}`: the key workers sign
    /// their internal requests with (KIP-507).
    SessionKey {
        /// The key, base64-encoded as stored.
        key: String,
        /// The MAC algorithm, such as `HmacSHA256`.
        algorithm: String,
        /// When the key was created, in milliseconds since the epoch.
        creation_timestamp: i64,
    },
    /// `tasks-fencing-<connector>` → `{"task-count":<count>}`: the number of tasks whose
    /// zombies were fenced out (exactly-once source support, KIP-618).
    TaskFencing {
        /// The connector's name.
        connector: String,
        /// The task count the fencing was done for.
        task_count: u32,
    },
    /// `logger-cluster-<namespace>` → `{"level":…}`: a cluster-wide log level (KIP-976).
    LoggerLevel {
        /// The logging namespace (a logger name).
        namespace: String,
        /// The level, such as `DEBUG`.
        level: String,
    },
}

impl ConfigRecord {
    /// The record's key.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use connect_runtime::distributed::records::ConfigRecord;
    ///
    /// let record = ConfigRecord::Task { connector: "my-conn".into(), task: 3, config: BTreeMap::new() };
    /// assert_eq!(record.key(), "task-my-conn-3");
    /// ```
    pub fn key(&self) -> String {
        match self {
            Self::Connector { name, .. } => format!("{CONNECTOR_PREFIX}{name}"),
            Self::TargetState { name, .. } => format!("{TARGET_STATE_PREFIX}{name}"),
            Self::Task {
                connector, task, ..
            } => format!("{TASK_PREFIX}{connector}-{task}"),
            Self::Commit { connector, .. } => format!("{COMMIT_TASKS_PREFIX}{connector}"),
            Self::RestartRequest { connector, .. } => format!("{RESTART_PREFIX}{connector}"),
            Self::SessionKey { .. } => SESSION_KEY_KEY.to_owned(),
            Self::TaskFencing { connector, .. } => format!("{TASK_COUNT_RECORD_PREFIX}{connector}"),
            Self::LoggerLevel { namespace, .. } => format!("{LOGGER_CLUSTER_PREFIX}{namespace}"),
        }
    }

    /// The record's value as Apache Kafka Connect writes it, or `None` for a tombstone.
    ///
    /// A [`TargetStateValue::Stopped`] state is written with `"state":"PAUSED"` for workers that
    /// predate the stopped state, and `"state.v2":"STOPPED"`.
    ///
    /// ```
    /// use connect_runtime::distributed::records::ConfigRecord;
    ///
    /// let record = ConfigRecord::Commit { connector: "sink".into(), tasks: 2 };
    /// assert_eq!(record.value().as_deref(), Some(&br#"{"tasks":2}"#[..]));
    /// ```
    pub fn value(&self) -> Option<Vec<u8>> {
        Some(match self {
            Self::Connector { config: None, .. } | Self::TargetState { state: None, .. } => {
                return None;
            }
            Self::Connector {
                config: Some(config),
                ..
            }
            | Self::Task { config, .. } => to_json(&PropertiesJson { properties: config }),
            Self::TargetState {
                state: Some(state), ..
            } => to_json(&TargetStateJson {
                // Workers older than KIP-875 read `state` and know nothing of STOPPED.
                state: match state {
                    TargetStateValue::Stopped => TargetStateValue::Paused.as_str(),
                    other => other.as_str(),
                },
                state_v2: state.as_str(),
            }),
            Self::Commit { tasks, .. } => to_json(&CommitJson { tasks: *tasks }),
            Self::RestartRequest {
                include_tasks,
                only_failed,
                ..
            } => to_json(&RestartJson {
                include_tasks: *include_tasks,
                only_failed: *only_failed,
            }),
            Self::SessionKey {
                key,
                algorithm,
                creation_timestamp,
            } => to_json(&SessionKeyJson {
                key,
                algorithm,
                creation_timestamp: *creation_timestamp,
            }),
            Self::TaskFencing { task_count, .. } => to_json(&TaskCountJson {
                task_count: *task_count,
            }),
            Self::LoggerLevel { level, .. } => to_json(&LevelJson { level }),
        })
    }

    /// Decodes a record read from the config topic; `value` is `None` for a tombstone.
    ///
    /// Returns `Ok(None)` for a key of a kind this runtime does not know (Kafka logs and skips
    /// those), and an error for a known key that cannot be parsed or whose value is malformed,
    /// including a tombstone of a kind other than `connector-` and `target-state-` (Kafka logs
    /// and skips those too). Like Kafka, it reads `state.v2` of a target state and falls back on
    /// `state` when `state.v2` is missing or not a string, and takes a missing or non-boolean
    /// field of a restart request as `false`. A value of JSON `null` is a tombstone, as Kafka's
    /// `JsonConverter` reads it.
    ///
    /// ```
    /// use connect_runtime::distributed::records::{ConfigRecord, TargetStateValue};
    ///
    /// // A record written by a worker that predates `state.v2`.
    /// let record = ConfigRecord::decode("target-state-sink", Some(br#"{"state":"PAUSED"}"#))?;
    /// let expected = ConfigRecord::TargetState { name: "sink".into(), state: Some(TargetStateValue::Paused) };
    /// assert_eq!(record, Some(expected));
    /// assert_eq!(ConfigRecord::decode("something-else", Some(b"{}"))?, None);
    /// # Ok::<(), connect_runtime::distributed::records::RecordError>(())
    /// ```
    pub fn decode(key: &str, value: Option<&[u8]>) -> Result<Option<Self>, RecordError> {
        // The same prefixes, tested in the same order, as KafkaConfigBackingStore's reader.
        if let Some(name) = key.strip_prefix(TARGET_STATE_PREFIX) {
            let name = name_in(key, name)?;
            let state = match parse_object(key, value)? {
                None => None,
                Some(map) => Some(decode_target_state(&Fields { key, map: &map })?),
            };
            Ok(Some(Self::TargetState { name, state }))
        } else if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            let name = name_in(key, name)?;
            let config = match parse_object(key, value)? {
                None => None,
                Some(map) => Some(Fields { key, map: &map }.properties()?),
            };
            Ok(Some(Self::Connector { name, config }))
        } else if let Some(rest) = key.strip_prefix(TASK_PREFIX) {
            let (connector, task) = task_id_in(key, rest)?;
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            Ok(Some(Self::Task {
                connector,
                task,
                config: fields.properties()?,
            }))
        } else if let Some(name) = key.strip_prefix(COMMIT_TASKS_PREFIX) {
            let connector = name_in(key, name)?;
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            Ok(Some(Self::Commit {
                connector,
                tasks: fields.count("tasks")?,
            }))
        } else if let Some(name) = key.strip_prefix(RESTART_PREFIX) {
            let connector = name_in(key, name)?;
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            Ok(Some(Self::RestartRequest {
                connector,
                include_tasks: fields.boolean_or_false("include-tasks"),
                only_failed: fields.boolean_or_false("only-failed"),
            }))
        } else if let Some(name) = key.strip_prefix(TASK_COUNT_RECORD_PREFIX) {
            let connector = name_in(key, name)?;
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            Ok(Some(Self::TaskFencing {
                connector,
                task_count: fields.count("task-count")?,
            }))
        } else if key == SESSION_KEY_KEY {
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            let session_key = fields.string("key")?;
            if JAVA_BASE64.decode(session_key).is_err() {
                return Err(invalid_value(key, "field \"key\" is not base64"));
            }
            Ok(Some(Self::SessionKey {
                key: session_key.to_owned(),
                algorithm: fields.string("algorithm")?.to_owned(),
                creation_timestamp: fields.int64("creation-timestamp")?,
            }))
        } else if let Some(namespace) = key.strip_prefix(LOGGER_CLUSTER_PREFIX) {
            let namespace = name_in(key, namespace)?;
            let map = required_object(key, value)?;
            let fields = Fields { key, map: &map };
            Ok(Some(Self::LoggerLevel {
                namespace,
                level: fields.string("level")?.to_owned(),
            }))
        } else {
            Ok(None)
        }
    }
}

fn decode_target_state(fields: &Fields<'_>) -> Result<TargetStateValue, RecordError> {
    // Kafka prefers `state.v2`; one that is not a string is ignored, but one that is a string
    // naming no state makes the record invalid (no fall back on `state`).
    let name = match fields.map.get("state.v2") {
        Some(Value::String(name)) => ("state.v2", name.as_str()),
        _ => ("state", fields.string("state")?),
    };
    TargetStateValue::parse(name.1).ok_or_else(|| {
        invalid_value(
            fields.key,
            format!("unknown target state {:?} in field {:?}", name.1, name.0),
        )
    })
}

/// The state of a connector or task in the status topic (Kafka's `AbstractStatus.State`).
///
/// ```
/// use connect_runtime::distributed::records::StatusState;
///
/// assert_eq!(StatusState::parse("RESTARTING"), Some(StatusState::Restarting));
/// assert_eq!(StatusState::Destroyed.as_str(), "DESTROYED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusState {
    /// Not running anywhere.
    Unassigned,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Failed; the status carries the trace.
    Failed,
    /// Being restarted.
    Restarting,
    /// Stopped (connectors only).
    Stopped,
    /// Deleted; Kafka writes a tombstone instead of a status in this state.
    Destroyed,
}

impl StatusState {
    /// Kafka's name of the state, such as `RUNNING`.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusState;
    ///
    /// assert_eq!(StatusState::Unassigned.as_str(), "UNASSIGNED");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unassigned => "UNASSIGNED",
            Self::Running => "RUNNING",
            Self::Paused => "PAUSED",
            Self::Failed => "FAILED",
            Self::Restarting => "RESTARTING",
            Self::Stopped => "STOPPED",
            Self::Destroyed => "DESTROYED",
        }
    }

    /// The state with Kafka's (upper-case, exact) name, if there is one.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusState;
    ///
    /// assert_eq!(StatusState::parse("FAILED"), Some(StatusState::Failed));
    /// assert_eq!(StatusState::parse("Failed"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "UNASSIGNED" => Self::Unassigned,
            "RUNNING" => Self::Running,
            "PAUSED" => Self::Paused,
            "FAILED" => Self::Failed,
            "RESTARTING" => Self::Restarting,
            "STOPPED" => Self::Stopped,
            "DESTROYED" => Self::Destroyed,
            _ => return None,
        })
    }

    /// The state as the REST API shows it, or `None` for [`StatusState::Destroyed`], which it
    /// never shows.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusState;
    /// use connect_runtime::worker::State;
    ///
    /// assert_eq!(StatusState::Running.to_worker_state(), Some(State::Running));
    /// assert_eq!(StatusState::Destroyed.to_worker_state(), None);
    /// ```
    pub fn to_worker_state(self) -> Option<crate::worker::State> {
        use crate::worker::State;
        Some(match self {
            Self::Unassigned => State::Unassigned,
            Self::Running => State::Running,
            Self::Paused => State::Paused,
            Self::Failed => State::Failed,
            Self::Restarting => State::Restarting,
            Self::Stopped => State::Stopped,
            Self::Destroyed => return None,
        })
    }
}

impl From<crate::worker::State> for StatusState {
    /// The status-topic state of a REST-facing state.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusState;
    /// use connect_runtime::worker::State;
    ///
    /// assert_eq!(StatusState::from(State::Paused), StatusState::Paused);
    /// ```
    fn from(state: crate::worker::State) -> Self {
        use crate::worker::State;
        match state {
            State::Unassigned => Self::Unassigned,
            State::Running => Self::Running,
            State::Paused => Self::Paused,
            State::Failed => Self::Failed,
            State::Restarting => Self::Restarting,
            State::Stopped => Self::Stopped,
        }
    }
}

/// The status of a connector or task, as `status-connector-` and `status-task-` records hold it.
///
/// ```
/// use connect_runtime::distributed::records::{Status, StatusState};
///
/// let status = Status { state: StatusState::Running, trace: None, worker_id: "10.0.0.5:8083".into(), generation: 7 };
/// assert!(status.trace.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The state.
    pub state: StatusState,
    /// The stack trace of a failure, if any.
    pub trace: Option<String>,
    /// The worker that reported the status (`host:port`).
    pub worker_id: String,
    /// The group generation the worker was in when it reported the status.
    pub generation: i32,
}

/// A topic a connector has used (KIP-558), as `status-topic-` records hold it.
///
/// ```
/// use connect_runtime::distributed::records::TopicStatus;
///
/// let status = TopicStatus { topic: "t".into(), connector: "c".into(), task: 0, discover_timestamp: 1_700_000_000_000 };
/// assert_eq!(status.task, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicStatus {
    /// The topic's name.
    pub topic: String,
    /// The connector's name.
    pub connector: String,
    /// The task that first used the topic.
    pub task: i32,
    /// When the topic was first used, in milliseconds since the epoch.
    pub discover_timestamp: i64,
}

/// A record of the status topic (`status.storage.topic`); a `None` status is a tombstone.
///
/// ```
/// use connect_runtime::distributed::records::{Status, StatusRecord, StatusState};
///
/// let status = Status { state: StatusState::Running, trace: None, worker_id: "w:8083".into(), generation: 7 };
/// let record = StatusRecord::Task { connector: "sink".into(), task: 0, status: Some(status) };
/// assert_eq!(record.key(), "status-task-sink-0");
/// assert_eq!(
///     record.value().as_deref(),
///     Some(&br#"{"state":"RUNNING","trace":null,"worker_id":"w:8083","generation":7}"#[..])
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusRecord {
    /// `status-connector-<name>`: a connector's status; `None` when removed.
    Connector {
        /// The connector's name.
        name: String,
        /// The status, or `None` when removed.
        status: Option<Status>,
    },
    /// `status-task-<connector>-<n>`: a task's status; `None` when removed.
    Task {
        /// The connector's name (may contain dashes).
        connector: String,
        /// The task number.
        task: u32,
        /// The status, or `None` when removed.
        status: Option<Status>,
    },
    /// `status-topic-<topic>:connector-<connector>`: a topic the connector has used; `None`
    /// when the connector's active topics are reset.
    Topic {
        /// The topic's name.
        topic: String,
        /// The connector's name.
        connector: String,
        /// The status, or `None` when reset.
        status: Option<TopicStatus>,
    },
}

impl StatusRecord {
    /// The record's key.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusRecord;
    ///
    /// let record = StatusRecord::Topic { topic: "orders".into(), connector: "sink".into(), status: None };
    /// assert_eq!(record.key(), "status-topic-orders:connector-sink");
    /// ```
    pub fn key(&self) -> String {
        match self {
            Self::Connector { name, .. } => format!("{CONNECTOR_STATUS_PREFIX}{name}"),
            Self::Task {
                connector, task, ..
            } => format!("{TASK_STATUS_PREFIX}{connector}-{task}"),
            Self::Topic {
                topic, connector, ..
            } => {
                format!("{TOPIC_STATUS_PREFIX}{topic}{TOPIC_STATUS_SEPARATOR}{connector}")
            }
        }
    }

    /// The record's value as Apache Kafka Connect writes it, or `None` for a tombstone.
    ///
    /// Like Kafka, a status in the [`StatusState::Destroyed`] state is written as a tombstone.
    ///
    /// ```
    /// use connect_runtime::distributed::records::{Status, StatusRecord, StatusState};
    ///
    /// let status = Status { state: StatusState::Destroyed, trace: None, worker_id: "w:8083".into(), generation: 1 };
    /// assert_eq!(StatusRecord::Connector { name: "sink".into(), status: Some(status) }.value(), None);
    /// ```
    pub fn value(&self) -> Option<Vec<u8>> {
        Some(match self {
            Self::Connector {
                status: Some(status),
                ..
            }
            | Self::Task {
                status: Some(status),
                ..
            } if status.state != StatusState::Destroyed => to_json(&StatusJson {
                state: status.state.as_str(),
                trace: status.trace.as_deref(),
                worker_id: &status.worker_id,
                generation: status.generation,
            }),
            Self::Connector { .. } | Self::Task { .. } => return None,
            Self::Topic { status: None, .. } => return None,
            Self::Topic {
                status: Some(status),
                ..
            } => to_json(&TopicStatusJson {
                topic: TopicJson {
                    name: &status.topic,
                    connector: &status.connector,
                    task: status.task,
                    discover_timestamp: status.discover_timestamp,
                },
            }),
        })
    }

    /// Decodes a record read from the status topic; `value` is `None` for a tombstone.
    ///
    /// Returns `Ok(None)` for a key of a kind this runtime does not know, and an error for a
    /// known key that cannot be parsed or whose value is malformed (Kafka logs and skips those).
    /// As in Kafka, `state`, `worker_id` and `generation` are required and a missing `trace` is
    /// none; every field of a topic status is required.
    ///
    /// ```
    /// use connect_runtime::distributed::records::StatusRecord;
    ///
    /// let record = StatusRecord::decode("status-connector-sink", None)?;
    /// assert_eq!(record, Some(StatusRecord::Connector { name: "sink".into(), status: None }));
    /// # Ok::<(), connect_runtime::distributed::records::RecordError>(())
    /// ```
    pub fn decode(key: &str, value: Option<&[u8]>) -> Result<Option<Self>, RecordError> {
        if let Some(name) = key.strip_prefix(CONNECTOR_STATUS_PREFIX) {
            let name = name_in(key, name)?;
            let status = parse_object(key, value)?
                .map(|map| decode_status(&Fields { key, map: &map }))
                .transpose()?;
            Ok(Some(Self::Connector { name, status }))
        } else if let Some(rest) = key.strip_prefix(TASK_STATUS_PREFIX) {
            let (connector, task) = task_id_in(key, rest)?;
            let status = parse_object(key, value)?
                .map(|map| decode_status(&Fields { key, map: &map }))
                .transpose()?;
            Ok(Some(Self::Task {
                connector,
                task,
                status,
            }))
        } else if let Some(rest) = key.strip_prefix(TOPIC_STATUS_PREFIX) {
            // Topic names cannot contain ':', connector names can: split at the first ':'.
            let Some((topic, connector)) = rest.split_once(':') else {
                return Err(invalid_key(key, "no \":connector-\" separator"));
            };
            let Some(connector) = connector.strip_prefix("connector-") else {
                return Err(invalid_key(key, "no \":connector-\" separator"));
            };
            let topic = name_in(key, topic)?;
            let connector = name_in(key, connector)?;
            let status = parse_object(key, value)?
                .map(|map| decode_topic_status(&Fields { key, map: &map }))
                .transpose()?;
            Ok(Some(Self::Topic {
                topic,
                connector,
                status,
            }))
        } else {
            Ok(None)
        }
    }
}

fn decode_status(fields: &Fields<'_>) -> Result<Status, RecordError> {
    let state = fields.string("state")?;
    let state = StatusState::parse(state)
        .ok_or_else(|| invalid_value(fields.key, format!("unknown state {state:?}")))?;
    Ok(Status {
        state,
        trace: fields.optional_string("trace")?.map(str::to_owned),
        worker_id: fields.string("worker_id")?.to_owned(),
        generation: fields.int32("generation")?,
    })
}

fn decode_topic_status(fields: &Fields<'_>) -> Result<TopicStatus, RecordError> {
    let Some(Value::Object(inner)) = fields.map.get("topic") else {
        return Err(invalid_value(
            fields.key,
            "field \"topic\" is missing or not an object",
        ));
    };
    let inner = Fields {
        key: fields.key,
        map: inner,
    };
    Ok(TopicStatus {
        topic: inner.string("name")?.to_owned(),
        connector: inner.string("connector")?.to_owned(),
        task: inner.int32("task")?,
        discover_timestamp: inner.int64("discoverTimestamp")?,
    })
}

/// The name after a key's prefix, which must not be empty.
fn name_in(key: &str, name: &str) -> Result<String, RecordError> {
    if name.is_empty() {
        return Err(invalid_key(key, "empty name"));
    }
    Ok(name.to_owned())
}

/// The connector and task number of `<connector>-<n>`; the number follows the last dash.
fn task_id_in(key: &str, id: &str) -> Result<(String, u32), RecordError> {
    let Some((connector, number)) = id.rsplit_once('-') else {
        return Err(invalid_key(key, "no task number"));
    };
    let task = Some(number)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<i32>().ok())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| invalid_key(key, format!("invalid task number {number:?}")))?;
    Ok((name_in(key, connector)?, task))
}

/// A JSON object's fields, with the key of the record they belong to for errors.
struct Fields<'a> {
    key: &'a str,
    map: &'a Map<String, Value>,
}

/// Parses a value as a JSON object, Kafka's `JsonConverter` way; `None` for a tombstone (a null
/// value or a JSON `null`).
fn parse_object(
    key: &str,
    value: Option<&[u8]>,
) -> Result<Option<Map<String, Value>>, RecordError> {
    let Some(bytes) = value else {
        return Ok(None);
    };
    match serde_json::from_slice::<Value>(bytes) {
        Err(error) => Err(invalid_value(key, format!("malformed JSON: {error}"))),
        Ok(Value::Null) => Ok(None),
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(other) => Err(invalid_value(
            key,
            format!("not a JSON object: {}", json_kind(&other)),
        )),
    }
}

/// As [`parse_object`], for kinds where a tombstone means nothing (Kafka logs and skips it).
fn required_object(key: &str, value: Option<&[u8]>) -> Result<Map<String, Value>, RecordError> {
    parse_object(key, value)?.ok_or_else(|| {
        invalid_value(
            key,
            "unexpected tombstone: records of this kind are never deleted",
        )
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Fields<'_> {
    fn error(&self, field: &str, expected: &str) -> RecordError {
        let found = self.map.get(field).map_or("missing", json_kind);
        invalid_value(
            self.key,
            format!("field {field:?} should be {expected} but is {found}"),
        )
    }

    fn string(&self, field: &str) -> Result<&str, RecordError> {
        match self.map.get(field) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(self.error(field, "a string")),
        }
    }

    fn optional_string(&self, field: &str) -> Result<Option<&str>, RecordError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            _ => Err(self.error(field, "a string or null")),
        }
    }

    fn int64(&self, field: &str) -> Result<i64, RecordError> {
        self.map
            .get(field)
            .and_then(Value::as_i64)
            .ok_or_else(|| self.error(field, "an integer"))
    }

    fn int32(&self, field: &str) -> Result<i32, RecordError> {
        let value = self.int64(field)?;
        i32::try_from(value).map_err(|_| {
            invalid_value(
                self.key,
                format!("field {field:?} is {value}, out of a 32-bit integer's range"),
            )
        })
    }

    fn count(&self, field: &str) -> Result<u32, RecordError> {
        let value = self.int32(field)?;
        u32::try_from(value)
            .map_err(|_| invalid_value(self.key, format!("field {field:?} is negative: {value}")))
    }

    fn boolean_or_false(&self, field: &str) -> bool {
        matches!(self.map.get(field), Some(Value::Bool(true)))
    }

    fn properties(&self) -> Result<BTreeMap<String, String>, RecordError> {
        let Some(Value::Object(properties)) = self.map.get("properties") else {
            return Err(self.error("properties", "an object"));
        };
        properties
            .iter()
            .map(|(name, value)| match value {
                Value::String(value) => Ok((name.clone(), value.clone())),
                other => Err(invalid_value(
                    self.key,
                    format!(
                        "property {name:?} should be a string but is {}",
                        json_kind(other)
                    ),
                )),
            })
            .collect()
    }
}

/// Record values as Kafka's JsonConverter writes them with `schemas.enable=false`: compact, the
/// fields in the order of Kafka's schemas (the order they are declared in here).
#[derive(Serialize)]
struct PropertiesJson<'a> {
    properties: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct TargetStateJson<'a> {
    state: &'a str,
    #[serde(rename = "state.v2")]
    state_v2: &'a str,
}

#[derive(Serialize)]
struct CommitJson {
    tasks: u32,
}

#[derive(Serialize)]
struct RestartJson {
    #[serde(rename = "include-tasks")]
    include_tasks: bool,
    #[serde(rename = "only-failed")]
    only_failed: bool,
}

#[derive(Serialize)]
struct SessionKeyJson<'a> {
    key: &'a str,
    algorithm: &'a str,
    #[serde(rename = "creation-timestamp")]
    creation_timestamp: i64,
}

#[derive(Serialize)]
struct TaskCountJson {
    #[serde(rename = "task-count")]
    task_count: u32,
}

#[derive(Serialize)]
struct LevelJson<'a> {
    level: &'a str,
}

#[derive(Serialize)]
struct StatusJson<'a> {
    state: &'a str,
    trace: Option<&'a str>,
    worker_id: &'a str,
    generation: i32,
}

#[derive(Serialize)]
struct TopicStatusJson<'a> {
    topic: TopicJson<'a>,
}

#[derive(Serialize)]
struct TopicJson<'a> {
    name: &'a str,
    connector: &'a str,
    task: i32,
    #[serde(rename = "discoverTimestamp")]
    discover_timestamp: i64,
}

/// Compact JSON of a record value. These structs hold strings, numbers and booleans only, which
/// serde_json always serializes.
fn to_json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Encodes `record`, checks its key and value bytes, and that they decode back to it.
    fn config_round_trip(record: ConfigRecord, key: &str, value: Option<&str>) {
        assert_eq!(record.key(), key);
        let bytes = record.value();
        assert_eq!(bytes.as_deref(), value.map(str::as_bytes), "value of {key}");
        assert_eq!(
            ConfigRecord::decode(key, bytes.as_deref()).unwrap(),
            Some(record)
        );
    }

    fn status_round_trip(record: StatusRecord, key: &str, value: Option<&str>) {
        assert_eq!(record.key(), key);
        let bytes = record.value();
        assert_eq!(bytes.as_deref(), value.map(str::as_bytes), "value of {key}");
        assert_eq!(
            StatusRecord::decode(key, bytes.as_deref()).unwrap(),
            Some(record)
        );
    }

    fn decode_config_error(key: &str, value: Option<&str>) -> RecordError {
        let error = ConfigRecord::decode(key, value.map(str::as_bytes)).unwrap_err();
        assert!(
            error.to_string().contains(&format!("{key:?}")),
            "{error} should name {key}"
        );
        error
    }

    fn decode_status_error(key: &str, value: Option<&str>) -> RecordError {
        let error = StatusRecord::decode(key, value.map(str::as_bytes)).unwrap_err();
        assert!(
            error.to_string().contains(&format!("{key:?}")),
            "{error} should name {key}"
        );
        error
    }

    fn props(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn running(worker: &str, generation: i32) -> Status {
        Status {
            state: StatusState::Running,
            trace: None,
            worker_id: worker.into(),
            generation,
        }
    }

    // Kafka writes the properties of a connector or task in the order of the Java map it was
    // given (a HashMap's, so no particular order); this module writes them sorted by name, which
    // Kafka reads the same.
    #[test]
    fn connector_config_and_tombstone() {
        config_round_trip(
            ConfigRecord::Connector {
                name: "a".into(),
                config: Some(props(&[
                    ("name", "a"),
                    ("connector.class", "FileStreamSource"),
                ])),
            },
            "connector-a",
            Some(r#"{"properties":{"connector.class":"FileStreamSource","name":"a"}}"#),
        );
        config_round_trip(
            ConfigRecord::Connector {
                name: "my-conn".into(),
                config: Some(BTreeMap::new()),
            },
            "connector-my-conn",
            Some(r#"{"properties":{}}"#),
        );
        config_round_trip(
            ConfigRecord::Connector {
                name: "a".into(),
                config: None,
            },
            "connector-a",
            None,
        );
    }

    #[test]
    fn connector_config_strings_are_escaped() {
        // Quotes, backslashes and control characters escaped, everything else as is (Jackson
        // writes `\u001B` where serde_json writes `\u001b`; JSON readers take either).
        let config = props(&[("query", "SELECT \"x\" FROM t\\u\n\twhere é\u{1b}\u{7f}/")]);
        config_round_trip(
            ConfigRecord::Connector {
                name: "q".into(),
                config: Some(config),
            },
            "connector-q",
            Some(
                "{\"properties\":{\"query\":\"SELECT \\\"x\\\" FROM t\\\\u\\n\\twhere é\\u001b\u{7f}/\"}}",
            ),
        );
    }

    #[test]
    fn connector_config_with_non_string_property_is_an_error() {
        let error = decode_config_error("connector-a", Some(r#"{"properties":{"tasks.max":1}}"#));
        assert!(error.to_string().contains("tasks.max"), "{error}");
        decode_config_error("connector-a", Some(r#"{"props":{}}"#));
        decode_config_error("connector-a", Some(r#"{"properties":null}"#));
    }

    #[test]
    fn target_states_and_tombstone() {
        let state = |state| ConfigRecord::TargetState {
            name: "c".into(),
            state,
        };
        config_round_trip(
            state(Some(TargetStateValue::Started)),
            "target-state-c",
            Some(r#"{"state":"STARTED","state.v2":"STARTED"}"#),
        );
        config_round_trip(
            state(Some(TargetStateValue::Paused)),
            "target-state-c",
            Some(r#"{"state":"PAUSED","state.v2":"PAUSED"}"#),
        );
        config_round_trip(
            state(Some(TargetStateValue::Stopped)),
            "target-state-c",
            Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
        );
        config_round_trip(state(None), "target-state-c", None);
    }

    #[test]
    fn target_state_of_an_old_worker_and_fallbacks() {
        let decode =
            |value: &str| ConfigRecord::decode("target-state-c", Some(value.as_bytes())).unwrap();
        let state = |state| {
            Some(ConfigRecord::TargetState {
                name: "c".into(),
                state: Some(state),
            })
        };
        assert_eq!(
            decode(r#"{"state":"PAUSED"}"#),
            state(TargetStateValue::Paused)
        );
        assert_eq!(
            decode(r#"{"state":"STARTED","state.v2":null}"#),
            state(TargetStateValue::Started)
        );
        // Kafka ignores a `state.v2` that is not a string and falls back on `state`.
        assert_eq!(
            decode(r#"{"state":"PAUSED","state.v2":3}"#),
            state(TargetStateValue::Paused)
        );
        assert_eq!(
            decode(r#"{"state.v2":"STOPPED"}"#),
            state(TargetStateValue::Stopped)
        );
    }

    #[test]
    fn target_state_errors() {
        // An unknown `state.v2` is an error even when `state` is valid, as in Kafka.
        let error = decode_config_error(
            "target-state-c",
            Some(r#"{"state":"PAUSED","state.v2":"ASLEEP"}"#),
        );
        assert!(error.to_string().contains("ASLEEP"), "{error}");
        decode_config_error("target-state-c", Some(r#"{"state":"started"}"#));
        decode_config_error("target-state-c", Some(r#"{}"#));
        decode_config_error("target-state-c", Some(r#"{"state.v2":1}"#));
    }

    #[test]
    fn task_config() {
        config_round_trip(
            ConfigRecord::Task {
                connector: "a".into(),
                task: 0,
                config: props(&[("task.class", "FileStreamSourceTask"), ("file", "/tmp/x")]),
            },
            "task-a-0",
            Some(r#"{"properties":{"file":"/tmp/x","task.class":"FileStreamSourceTask"}}"#),
        );
    }

    #[test]
    fn task_key_of_a_connector_with_dashes() {
        let record =
            ConfigRecord::decode("task-my-conn-12", Some(br#"{"properties":{"k":"v"}}"#)).unwrap();
        assert_eq!(
            record,
            Some(ConfigRecord::Task {
                connector: "my-conn".into(),
                task: 12,
                config: props(&[("k", "v")])
            })
        );
        config_round_trip(
            ConfigRecord::Task {
                connector: "a--b-".into(),
                task: 3,
                config: BTreeMap::new(),
            },
            "task-a--b--3",
            Some(r#"{"properties":{}}"#),
        );
    }

    #[test]
    fn bad_task_keys_and_task_tombstone() {
        let value = Some(r#"{"properties":{}}"#);
        for key in [
            "task-a",
            "task-a-",
            "task-a-x",
            "task--1",
            "task-a-+1",
            "task-a-2147483648",
            "task-5",
        ] {
            let error = decode_config_error(key, value);
            assert!(
                matches!(error, RecordError::InvalidKey { .. }),
                "{key}: {error}"
            );
        }
        let error = decode_config_error("task-a-0", None);
        assert!(error.to_string().contains("tombstone"), "{error}");
    }

    #[test]
    fn commit() {
        config_round_trip(
            ConfigRecord::Commit {
                connector: "my-conn".into(),
                tasks: 3,
            },
            "commit-my-conn",
            Some(r#"{"tasks":3}"#),
        );
        config_round_trip(
            ConfigRecord::Commit {
                connector: "a".into(),
                tasks: 0,
            },
            "commit-a",
            Some(r#"{"tasks":0}"#),
        );
    }

    #[test]
    fn commit_errors() {
        // Kafka logs and skips a commit tombstone; it has no meaning.
        decode_config_error("commit-a", None);
        decode_config_error("commit-a", Some("null"));
        decode_config_error("commit-a", Some(r#"{}"#));
        decode_config_error("commit-a", Some(r#"{"tasks":2.0}"#));
        decode_config_error("commit-a", Some(r#"{"tasks":"2"}"#));
        decode_config_error("commit-a", Some(r#"{"tasks":-1}"#));
        decode_config_error("commit-a", Some(r#"{"tasks":4294967296}"#));
    }

    #[test]
    fn restart_request() {
        config_round_trip(
            ConfigRecord::RestartRequest {
                connector: "c".into(),
                include_tasks: true,
                only_failed: false,
            },
            "restart-connector-c",
            Some(r#"{"include-tasks":true,"only-failed":false}"#),
        );
        config_round_trip(
            ConfigRecord::RestartRequest {
                connector: "c".into(),
                include_tasks: false,
                only_failed: true,
            },
            "restart-connector-c",
            Some(r#"{"include-tasks":false,"only-failed":true}"#),
        );
    }

    #[test]
    fn restart_request_with_missing_or_bad_fields_defaults_to_false() {
        let defaults = Some(ConfigRecord::RestartRequest {
            connector: "c".into(),
            include_tasks: false,
            only_failed: false,
        });
        assert_eq!(
            ConfigRecord::decode("restart-connector-c", Some(b"{}")).unwrap(),
            defaults
        );
        let bad = br#"{"include-tasks":"true","only-failed":1}"#;
        assert_eq!(
            ConfigRecord::decode("restart-connector-c", Some(bad)).unwrap(),
            defaults
        );
        let one =
            ConfigRecord::decode("restart-connector-c", Some(br#"{"only-failed":true}"#)).unwrap();
        assert_eq!(
            one,
            Some(ConfigRecord::RestartRequest {
                connector: "c".into(),
                include_tasks: false,
                only_failed: true
            })
        );
        decode_config_error("restart-connector-c", None);
    }

    #[test]
    fn session_key() {
        config_round_trip(
            ConfigRecord::SessionKey {
                key: "c2VjcmV0LWtleS1ieXRlcw==".into(),
                algorithm: "HmacSHA256".into(),
                creation_timestamp: 1_700_000_000_000,
            },
            "session-key",
            Some(
                r#"{"key":"c2VjcmV0LWtleS1ieXRlcw==","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#,
            ),
        );
        // Java's decoder does not require padding.
        let unpadded = br#"{"key":"c2VjcmV0","algorithm":"HmacSHA256","creation-timestamp":1}"#;
        assert!(
            ConfigRecord::decode("session-key", Some(unpadded))
                .unwrap()
                .is_some()
        );
        decode_config_error(
            "session-key",
            Some(r#"{"key":"not base64!","algorithm":"HmacSHA256","creation-timestamp":1}"#),
        );
        decode_config_error(
            "session-key",
            Some(r#"{"key":"c2VjcmV0","algorithm":"HmacSHA256"}"#),
        );
        decode_config_error("session-key", None);
        // Only the exact key is a session key.
        assert_eq!(
            ConfigRecord::decode("session-key-2", Some(unpadded)).unwrap(),
            None
        );
    }

    #[test]
    fn task_fencing() {
        config_round_trip(
            ConfigRecord::TaskFencing {
                connector: "src".into(),
                task_count: 3,
            },
            "tasks-fencing-src",
            Some(r#"{"task-count":3}"#),
        );
        decode_config_error("tasks-fencing-src", Some(r#"{"tasks":3}"#));
        decode_config_error("tasks-fencing-src", None);
    }

    #[test]
    fn logger_level() {
        config_round_trip(
            ConfigRecord::LoggerLevel {
                namespace: "org.apache.kafka.connect".into(),
                level: "DEBUG".into(),
            },
            "logger-cluster-org.apache.kafka.connect",
            Some(r#"{"level":"DEBUG"}"#),
        );
        decode_config_error("logger-cluster-root", None);
        decode_config_error("logger-cluster-root", Some(r#"{"level":null}"#));
    }

    #[test]
    fn unknown_keys_are_skipped() {
        for key in [
            "",
            "connectors-a",
            "unknown-a",
            "status-connector-a",
            "Connector-a",
            "tasks-a-0",
        ] {
            assert_eq!(
                ConfigRecord::decode(key, Some(b"{}")).unwrap(),
                None,
                "{key}"
            );
            assert_eq!(
                ConfigRecord::decode(key, Some(b"not json")).unwrap(),
                None,
                "{key}"
            );
        }
        for key in [
            "connector-a",
            "status-a",
            "status-connectors-a",
            "status-topic",
        ] {
            assert_eq!(
                StatusRecord::decode(key, Some(b"{}")).unwrap(),
                None,
                "{key}"
            );
        }
    }

    #[test]
    fn malformed_values_are_errors_naming_the_key() {
        for value in [
            "{\"properties\":",
            "",
            "[1]",
            "\"x\"",
            "{\"properties\":{}} x",
        ] {
            let error = decode_config_error("connector-a", Some(value));
            assert!(
                matches!(error, RecordError::InvalidValue { .. }),
                "{value}: {error}"
            );
        }
        decode_status_error("status-connector-a", Some("{"));
        decode_status_error("status-topic-t:connector-c", Some("[]"));
    }

    #[test]
    fn empty_names_are_invalid_keys() {
        for key in [
            "connector-",
            "target-state-",
            "commit-",
            "task--0",
            "restart-connector-",
            "tasks-fencing-",
        ] {
            let error = decode_config_error(key, Some("{}"));
            assert!(
                matches!(error, RecordError::InvalidKey { .. }),
                "{key}: {error}"
            );
        }
        for key in [
            "status-connector-",
            "status-task--0",
            "status-topic-:connector-c",
            "status-topic-t:connector-",
        ] {
            let error = decode_status_error(key, None);
            assert!(
                matches!(error, RecordError::InvalidKey { .. }),
                "{key}: {error}"
            );
        }
    }

    #[test]
    fn json_null_is_a_tombstone() {
        assert_eq!(
            ConfigRecord::decode("connector-a", Some(b"null")).unwrap(),
            Some(ConfigRecord::Connector {
                name: "a".into(),
                config: None
            })
        );
        assert_eq!(
            StatusRecord::decode("status-task-a-1", Some(b" null ")).unwrap(),
            Some(StatusRecord::Task {
                connector: "a".into(),
                task: 1,
                status: None
            })
        );
    }

    #[test]
    fn connector_and_task_status() {
        status_round_trip(
            StatusRecord::Connector {
                name: "c".into(),
                status: Some(running("10.0.0.5:8083", 7)),
            },
            "status-connector-c",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":7}"#),
        );
        status_round_trip(
            StatusRecord::Task {
                connector: "my-conn".into(),
                task: 12,
                status: Some(Status {
                    state: StatusState::Unassigned,
                    trace: None,
                    worker_id: "w:8083".into(),
                    generation: -1,
                }),
            },
            "status-task-my-conn-12",
            Some(r#"{"state":"UNASSIGNED","trace":null,"worker_id":"w:8083","generation":-1}"#),
        );
        status_round_trip(
            StatusRecord::Connector {
                name: "c".into(),
                status: None,
            },
            "status-connector-c",
            None,
        );
        status_round_trip(
            StatusRecord::Task {
                connector: "my-conn".into(),
                task: 0,
                status: None,
            },
            "status-task-my-conn-0",
            None,
        );
    }

    #[test]
    fn failed_status_with_a_multi_line_trace_round_trips_exactly() {
        let trace = "org.apache.kafka.connect.errors.ConnectException: \"boom\"\n\tat Foo.bar(Foo.java:12)\r\n\tat C:\\x\n";
        let status = Status {
            state: StatusState::Failed,
            trace: Some(trace.into()),
            worker_id: "10.0.0.5:8083".into(),
            generation: 7,
        };
        let value = concat!(
            r#"{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: \"boom\"\n\tat "#,
            r#"Foo.bar(Foo.java:12)\r\n\tat C:\\x\n","worker_id":"10.0.0.5:8083","generation":7}"#
        );
        status_round_trip(
            StatusRecord::Task {
                connector: "c".into(),
                task: 1,
                status: Some(status),
            },
            "status-task-c-1",
            Some(value),
        );
    }

    #[test]
    fn every_status_state() {
        for state in [
            StatusState::Unassigned,
            StatusState::Running,
            StatusState::Paused,
            StatusState::Failed,
            StatusState::Restarting,
            StatusState::Stopped,
        ] {
            let status = Status {
                state,
                ..running("w", 1)
            };
            let value = format!(
                r#"{{"state":"{}","trace":null,"worker_id":"w","generation":1}}"#,
                state.as_str()
            );
            status_round_trip(
                StatusRecord::Connector {
                    name: "c".into(),
                    status: Some(status),
                },
                "status-connector-c",
                Some(&value),
            );
            assert_eq!(StatusState::parse(state.as_str()), Some(state));
            assert_eq!(state.to_worker_state().map(StatusState::from), Some(state));
        }
        assert_eq!(
            StatusState::parse("DESTROYED"),
            Some(StatusState::Destroyed)
        );
        assert_eq!(StatusState::Destroyed.to_worker_state(), None);
        for state in [
            TargetStateValue::Started,
            TargetStateValue::Paused,
            TargetStateValue::Stopped,
        ] {
            assert_eq!(TargetStateValue::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn destroyed_is_written_as_a_tombstone_but_read_when_present() {
        let destroyed = Status {
            state: StatusState::Destroyed,
            ..running("w", 2)
        };
        assert_eq!(
            StatusRecord::Connector {
                name: "c".into(),
                status: Some(destroyed.clone())
            }
            .value(),
            None
        );
        assert_eq!(
            StatusRecord::Task {
                connector: "c".into(),
                task: 0,
                status: Some(destroyed.clone())
            }
            .value(),
            None
        );
        let value = br#"{"state":"DESTROYED","trace":null,"worker_id":"w","generation":2}"#;
        assert_eq!(
            StatusRecord::decode("status-connector-c", Some(value)).unwrap(),
            Some(StatusRecord::Connector {
                name: "c".into(),
                status: Some(destroyed)
            })
        );
    }

    #[test]
    fn status_field_rules() {
        // A missing trace is none (Kafka reads a missing field as null).
        let record = StatusRecord::decode(
            "status-connector-c",
            Some(br#"{"state":"RUNNING","worker_id":"w","generation":3}"#),
        );
        assert_eq!(
            record.unwrap(),
            Some(StatusRecord::Connector {
                name: "c".into(),
                status: Some(running("w", 3))
            })
        );
        // Kafka fails to parse (NullPointerException, logged and skipped) a missing generation.
        let error = decode_status_error(
            "status-connector-c",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w"}"#),
        );
        assert!(error.to_string().contains("generation"), "{error}");
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w","generation":1.5}"#),
        );
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w","generation":2147483648}"#),
        );
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"state":"running","trace":null,"worker_id":"w","generation":1}"#),
        );
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"trace":null,"worker_id":"w","generation":1}"#),
        );
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"state":"FAILED","trace":5,"worker_id":"w","generation":1}"#),
        );
        decode_status_error(
            "status-task-c-0",
            Some(r#"{"state":"RUNNING","trace":null,"generation":1}"#),
        );
    }

    #[test]
    fn bad_status_task_keys() {
        for key in [
            "status-task-c",
            "status-task-c-",
            "status-task-c-x",
            "status-task-0",
        ] {
            let error = decode_status_error(key, None);
            assert!(
                matches!(error, RecordError::InvalidKey { .. }),
                "{key}: {error}"
            );
        }
    }

    #[test]
    fn topic_status_and_reset() {
        status_round_trip(
            StatusRecord::Topic {
                topic: "t".into(),
                connector: "c".into(),
                status: Some(TopicStatus {
                    topic: "t".into(),
                    connector: "c".into(),
                    task: 0,
                    discover_timestamp: 1_700_000_000_000,
                }),
            },
            "status-topic-t:connector-c",
            Some(
                r#"{"topic":{"name":"t","connector":"c","task":0,"discoverTimestamp":1700000000000}}"#,
            ),
        );
        // Connector names may contain ':' and "-connector-"; topic names cannot contain ':'.
        status_round_trip(
            StatusRecord::Topic {
                topic: "my.topic-1".into(),
                connector: "a:connector-b".into(),
                status: None,
            },
            "status-topic-my.topic-1:connector-a:connector-b",
            None,
        );
    }

    #[test]
    fn topic_status_errors() {
        for key in [
            "status-topic-t",
            "status-topic-t:conn-c",
            "status-topic-t-connector-c",
        ] {
            let error = decode_status_error(key, None);
            assert!(
                matches!(error, RecordError::InvalidKey { .. }),
                "{key}: {error}"
            );
        }
        // The fields are wrapped in a `topic` object, as Kafka writes them.
        decode_status_error(
            "status-topic-t:connector-c",
            Some(r#"{"name":"t","connector":"c","task":0,"discoverTimestamp":1}"#),
        );
        decode_status_error(
            "status-topic-t:connector-c",
            Some(r#"{"topic":{"name":"t","connector":"c","task":0}}"#),
        );
        decode_status_error(
            "status-topic-t:connector-c",
            Some(r#"{"topic":{"name":"t","connector":null,"task":0,"discoverTimestamp":1}}"#),
        );
    }
}
