//! The group protocol Kafka Connect workers speak, byte-compatible with Apache Kafka's
//! `ConnectProtocol` (version 0) and `IncrementalCooperativeConnectProtocol` (versions 1 and 2).
//!
//! Workers join a Kafka consumer group of protocol type [`PROTOCOL_TYPE`] (`connect`). Each
//! offers, in [`join_protocols`], one [`WorkerMetadata`] per sub-protocol it supports; the group
//! coordinator picks the sub-protocol every member supports, and the leader answers each member
//! with an [`Assignment`].
//!
//! The sub-protocols ([`ProtocolVersion`]):
//!
//! | JoinGroup name | `connect.protocol` | version | rebalancing                                  |
//! |----------------|--------------------|---------|----------------------------------------------|
//! | `default`      | `eager`            | 0       | eager: everything is revoked on a rebalance  |
//! | `compatible`   | `compatible`       | 1       | incremental cooperative (KIP-415)            |
//! | `sessioned`    | `sessioned`        | 2       | as version 1, plus request signing (KIP-507) |
//!
//! Every field is big-endian, with Kafka's protocol types: `STRING` is an `INT16` length and as
//! many UTF-8 bytes, `NULLABLE_BYTES` an `INT32` length (-1 for null) and as many bytes, an array
//! an `INT32` count (-1 for null where the array is nullable) and as many items.
//!
//! ```
//! use connect_runtime::distributed::protocol::{Assignment, ProtocolVersion, WorkerMetadata};
//!
//! let metadata = WorkerMetadata { url: "http://w1:8083/".into(), config_offset: 42, assignment: None };
//! let bytes = metadata.encode(ProtocolVersion::Sessioned)?;
//! let (version, decoded) = WorkerMetadata::decode(&bytes)?;
//! assert_eq!((version, decoded), (2, metadata));
//! # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};

use crate::TaskId;

/// The protocol type Kafka Connect workers join their group with.
///
/// ```
/// assert_eq!(connect_runtime::distributed::protocol::PROTOCOL_TYPE, "connect");
/// ```
pub const PROTOCOL_TYPE: &str = "connect";

/// The task id that stands for the connector instance itself (Kafka's `CONNECTOR_TASK`).
const CONNECTOR_TASK: i32 = -1;

/// A sub-protocol of the worker group protocol, oldest first.
///
/// ```
/// use connect_runtime::distributed::protocol::ProtocolVersion;
///
/// let version = ProtocolVersion::from_config("Sessioned");
/// assert_eq!(version, Some(ProtocolVersion::Sessioned));
/// assert!(ProtocolVersion::Eager < ProtocolVersion::Compatible);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtocolVersion {
    /// Version 0, JoinGroup name `default`, `connect.protocol=eager`: every rebalance revokes
    /// all connectors and tasks.
    Eager,
    /// Version 1, JoinGroup name `compatible`: incremental cooperative rebalancing (KIP-415).
    Compatible,
    /// Version 2, JoinGroup name `sessioned`: version 1 plus inter-worker request signing
    /// (KIP-507); same bytes as version 1 apart from the version number.
    Sessioned,
}

impl ProtocolVersion {
    /// Every sub-protocol, oldest first.
    const ALL: [ProtocolVersion; 3] = [Self::Eager, Self::Compatible, Self::Sessioned];

    /// The version number written in the protocol header.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::Compatible.version(), 1);
    /// ```
    pub fn version(self) -> i16 {
        match self {
            Self::Eager => 0,
            Self::Compatible => 1,
            Self::Sessioned => 2,
        }
    }

    /// The JoinGroup protocol name: `default`, `compatible` or `sessioned`.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::Eager.name(), "default");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Eager => "default",
            Self::Compatible => "compatible",
            Self::Sessioned => "sessioned",
        }
    }

    /// The `connect.protocol` configuration value: `eager`, `compatible` or `sessioned`.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::Eager.config_value(), "eager");
    /// ```
    pub fn config_value(self) -> &'static str {
        match self {
            Self::Eager => "eager",
            Self::Compatible => "compatible",
            Self::Sessioned => "sessioned",
        }
    }

    /// The sub-protocol a `connect.protocol` value names (`eager`, `compatible` or `sessioned`,
    /// any case).
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::from_config("EAGER"), Some(ProtocolVersion::Eager));
    /// assert_eq!(ProtocolVersion::from_config("default"), None);
    /// ```
    pub fn from_config(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.config_value().eq_ignore_ascii_case(value))
    }

    /// The sub-protocol a JoinGroup protocol name names (`default`, `compatible` or
    /// `sessioned`, any case).
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::from_protocol_name("default"), Some(ProtocolVersion::Eager));
    /// assert_eq!(ProtocolVersion::from_protocol_name("eager"), None);
    /// ```
    pub fn from_protocol_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(name))
    }

    /// The sub-protocol with this version number, if it is one of 0, 1 and 2.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// assert_eq!(ProtocolVersion::from_version(2), Some(ProtocolVersion::Sessioned));
    /// assert_eq!(ProtocolVersion::from_version(3), None);
    /// ```
    pub fn from_version(version: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.version() == version)
    }
}

/// What went wrong encoding or decoding the group protocol.
///
/// ```
/// use connect_runtime::distributed::protocol::{Assignment, ProtocolError};
///
/// let err = Assignment::decode(&[0xff, 0xff]).err();
/// assert_eq!(err, Some(ProtocolError::UnsupportedVersion(-1)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The buffer ended in the middle of a field.
    #[error(
        "buffer truncated reading {field} at byte offset {offset}: {needed} bytes needed, \
         {available} left"
    )]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// The byte offset, from the start of the buffer, where the failed read began.
        offset: usize,
        /// How many bytes the read needed (for an array, at least its item count).
        needed: usize,
        /// How many bytes were left.
        available: usize,
    },
    /// The protocol header holds a negative version.
    #[error("Unsupported subscription version: {0}")]
    UnsupportedVersion(i16),
    /// A string is not valid UTF-8.
    #[error("invalid UTF-8 in {field} at byte offset {offset}")]
    InvalidUtf8 {
        /// The field being read.
        field: &'static str,
        /// The byte offset of the string's length prefix.
        offset: usize,
    },
    /// A task id below -1 (-1 stands for the connector itself).
    #[error("invalid task id {task} of connector {connector} at byte offset {offset}")]
    InvalidTaskId {
        /// The connector the task was assigned with.
        connector: String,
        /// The task id read.
        task: i32,
        /// The byte offset of the task id.
        offset: usize,
    },
    /// A length or count is negative where null is not allowed.
    #[error("negative length {length} reading {field} at byte offset {offset}")]
    NegativeLength {
        /// The field being read.
        field: &'static str,
        /// The length read.
        length: i32,
        /// The byte offset of the length.
        offset: usize,
    },
    /// A version 0 (eager) assignment was asked to carry revoked work or a scheduled delay,
    /// which only versions 1 and above can write.
    #[error(
        "a version 0 (eager) assignment cannot carry revoked connectors or tasks or a scheduled \
         delay"
    )]
    EagerCannotRevoke,
    /// A string or array is longer than its length prefix can say.
    #[error("{field} is too long to encode: {length}")]
    TooLong {
        /// The field being written.
        field: &'static str,
        /// Its length in bytes (strings) or items (arrays).
        length: usize,
    },
    /// A task number does not fit the protocol's `INT32`.
    #[error("task {0} does not fit in an INT32 task id")]
    TaskOutOfRange(TaskId),
}

/// Connectors and tasks: the work assigned to a worker, or revoked from it.
///
/// ```
/// use std::sync::Arc;
/// use connect_runtime::TaskId;
/// use connect_runtime::distributed::protocol::ConnectorsAndTasks;
///
/// let work = ConnectorsAndTasks {
///     connectors: vec![Arc::from("orders")],
///     tasks: vec![TaskId { connector: Arc::from("orders"), task: 0 }],
/// };
/// assert!(!work.is_empty());
/// assert!(ConnectorsAndTasks::default().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorsAndTasks {
    /// Connector instances, by connector name.
    pub connectors: Vec<Arc<str>>,
    /// Tasks.
    pub tasks: Vec<TaskId>,
}

impl ConnectorsAndTasks {
    /// Whether there are neither connectors nor tasks.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::ConnectorsAndTasks;
    ///
    /// assert!(ConnectorsAndTasks::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.tasks.is_empty()
    }
}

/// What a worker tells the group when it joins (Kafka's `WorkerState` and
/// `ExtendedWorkerState`).
///
/// Version 0: `Version INT16, Url STRING, ConfigOffset INT64`. Versions 1 and 2 add
/// `Allocation NULLABLE_BYTES`: the worker's current assignment, written as a full assignment of
/// the same version, or null when it has none.
///
/// ```
/// use connect_runtime::distributed::protocol::{ProtocolVersion, WorkerMetadata};
///
/// let metadata = WorkerMetadata { url: "http://w1:8083/".into(), config_offset: 42, assignment: None };
/// let bytes = metadata.encode(ProtocolVersion::Eager)?;
/// assert_eq!(bytes.len(), 2 + 2 + 15 + 8);
/// assert_eq!(WorkerMetadata::decode(&bytes)?, (0, metadata));
/// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    /// The worker's REST URL, which other workers forward requests to.
    pub url: String,
    /// The offset in the config topic the worker has read up to.
    pub config_offset: i64,
    /// The worker's current assignment (versions 1 and 2 only). An assignment with neither
    /// assigned nor revoked work is written as null and so decodes as `None`.
    pub assignment: Option<Assignment>,
}

impl WorkerMetadata {
    /// Writes the metadata in `version`'s format. Version 0 leaves out the assignment; versions
    /// 1 and 2 write it with their own version number, whatever its `version` field says.
    ///
    /// Fails when a string or array is too long for its length prefix or a task number does not
    /// fit an `INT32`.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::{ProtocolVersion, WorkerMetadata};
    ///
    /// let metadata = WorkerMetadata { url: "http://w1:8083/".into(), config_offset: 42, assignment: None };
    /// let bytes = metadata.encode(ProtocolVersion::Compatible)?;
    /// assert_eq!(&bytes[bytes.len() - 4..], &[0xff; 4], "a null allocation");
    /// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
    /// ```
    pub fn encode(&self, version: ProtocolVersion) -> Result<Bytes, ProtocolError> {
        let mut buf = BytesMut::new();
        buf.put_i16(version.version());
        put_string(&mut buf, "Url", &self.url)?;
        buf.put_i64(self.config_offset);
        if version != ProtocolVersion::Eager {
            let allocation = self
                .assignment
                .as_ref()
                .filter(|a| !(a.assigned.is_empty() && a.revoked.is_empty()));
            match allocation {
                None => buf.put_i32(-1),
                Some(assignment) => {
                    let bytes = assignment.encode_as(version.version())?;
                    put_len(&mut buf, "Allocation", bytes.len())?;
                    buf.put_slice(&bytes);
                }
            }
        }
        Ok(buf.freeze())
    }

    /// Reads metadata, returning the version from its header with it.
    ///
    /// As Kafka does, versions above 2 are read with the version 2 layout and bytes after it are
    /// ignored, and a missing allocation at the end of a version 1+ buffer reads as null.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::WorkerMetadata;
    ///
    /// // Version 0, Url "w", ConfigOffset 7.
    /// let bytes = [0, 0, 0, 1, b'w', 0, 0, 0, 0, 0, 0, 0, 7];
    /// let (version, metadata) = WorkerMetadata::decode(&bytes)?;
    /// assert_eq!((version, metadata.url.as_str(), metadata.config_offset), (0, "w", 7));
    /// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<(i16, WorkerMetadata), ProtocolError> {
        let mut r = Reader::new(bytes, 0);
        let version = read_version(&mut r)?;
        let url = r.string("Url")?;
        let config_offset = r.i64("ConfigOffset")?;
        let assignment = if version == 0 || r.is_empty() {
            None
        } else {
            match r.nullable_bytes("Allocation")? {
                None => None,
                Some((allocation, offset)) => {
                    Some(decode_assignment(&mut Reader::new(allocation, offset))?)
                }
            }
        };
        Ok((
            version,
            WorkerMetadata {
                url,
                config_offset,
                assignment,
            },
        ))
    }
}

/// What the group leader hands each worker (Kafka's `Assignment` and `ExtendedAssignment`).
///
/// Version 0: `Version INT16, Error INT16, Leader STRING, LeaderUrl STRING, ConfigOffset INT64,
/// Assignment [ConnectorAssignment]`. Versions 1 and 2 make `Assignment` nullable and add
/// `Revoked` (nullable `[ConnectorAssignment]`) and `ScheduledDelay INT32`. A
/// `ConnectorAssignment` is `Connector STRING, Tasks [INT32]`, task id -1 standing for the
/// connector instance itself.
///
/// ```
/// use std::sync::Arc;
/// use connect_runtime::TaskId;
/// use connect_runtime::distributed::protocol::{Assignment, ProtocolVersion};
///
/// let mut assignment = Assignment::new(ProtocolVersion::Compatible, "w1", "http://w1:8083/", 42);
/// assignment.assigned.tasks.push(TaskId { connector: Arc::from("orders"), task: 0 });
/// assignment.delay_ms = 5000;
/// let bytes = assignment.encode()?;
/// assert_eq!(Assignment::decode(&bytes)?, assignment);
/// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The protocol version in the header (0, 1, 2, or higher when decoded from a newer worker).
    pub version: i16,
    /// [`Assignment::NO_ERROR`] or [`Assignment::CONFIG_MISMATCH`].
    pub error: i16,
    /// The leader's member id.
    pub leader: String,
    /// The leader's REST URL.
    pub leader_url: String,
    /// The config topic offset the assignment was computed at.
    pub config_offset: i64,
    /// The connectors and tasks the worker is to run.
    pub assigned: ConnectorsAndTasks,
    /// The connectors and tasks the worker is to stop (versions 1 and 2).
    pub revoked: ConnectorsAndTasks,
    /// After how many milliseconds the worker is to rejoin the group (versions 1 and 2).
    pub delay_ms: i32,
}

impl Assignment {
    /// The assignment succeeded.
    pub const NO_ERROR: i16 = 0;
    /// The leader could not resolve the config offsets: workers read the config topic to its
    /// end and rejoin.
    pub const CONFIG_MISMATCH: i16 = 1;

    /// An assignment of no work, without error or delay.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::{Assignment, ProtocolVersion};
    ///
    /// let assignment = Assignment::new(ProtocolVersion::Eager, "w1", "http://w1:8083/", 42);
    /// assert_eq!((assignment.version, assignment.error), (0, Assignment::NO_ERROR));
    /// assert!(assignment.assigned.is_empty());
    /// ```
    pub fn new(
        version: ProtocolVersion,
        leader: impl Into<String>,
        leader_url: impl Into<String>,
        config_offset: i64,
    ) -> Self {
        Assignment {
            version: version.version(),
            error: Self::NO_ERROR,
            leader: leader.into(),
            leader_url: leader_url.into(),
            config_offset,
            assigned: ConnectorsAndTasks::default(),
            revoked: ConnectorsAndTasks::default(),
            delay_ms: 0,
        }
    }

    /// Writes the assignment in the format of its `version` (versions above 2 with the version 2
    /// layout).
    ///
    /// Per connector, the connector instance (-1) comes first if it is assigned, then its tasks
    /// in their given order; connectors come in the order of `connectors` (duplicates dropped),
    /// then those only named by tasks, in the order of their first task.
    ///
    /// Fails with [`ProtocolError::EagerCannotRevoke`] for a version 0 assignment with revoked
    /// work or a delay, with [`ProtocolError::UnsupportedVersion`] for a negative version, and
    /// when a string or array is too long or a task number does not fit an `INT32`.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::{Assignment, ProtocolError, ProtocolVersion};
    ///
    /// let mut assignment = Assignment::new(ProtocolVersion::Eager, "w1", "http://w1:8083/", 42);
    /// assert!(assignment.encode().is_ok());
    /// assignment.delay_ms = 100;
    /// assert_eq!(assignment.encode().err(), Some(ProtocolError::EagerCannotRevoke));
    /// ```
    pub fn encode(&self) -> Result<Bytes, ProtocolError> {
        self.encode_as(self.version)
    }

    /// Writes the assignment with `version` in its header, in that version's layout.
    fn encode_as(&self, version: i16) -> Result<Bytes, ProtocolError> {
        if version < 0 {
            return Err(ProtocolError::UnsupportedVersion(version));
        }
        if version == 0 && (!self.revoked.is_empty() || self.delay_ms != 0) {
            return Err(ProtocolError::EagerCannotRevoke);
        }
        let mut buf = BytesMut::new();
        buf.put_i16(version);
        buf.put_i16(self.error);
        put_string(&mut buf, "Leader", &self.leader)?;
        put_string(&mut buf, "LeaderUrl", &self.leader_url)?;
        buf.put_i64(self.config_offset);
        put_work(&mut buf, &ASSIGNED, &self.assigned)?;
        if version > 0 {
            put_work(&mut buf, &REVOKED, &self.revoked)?;
            buf.put_i32(self.delay_ms);
        }
        Ok(buf.freeze())
    }

    /// Reads an assignment.
    ///
    /// As Kafka does, versions above 2 are read with the version 2 layout and bytes after it are
    /// ignored; in versions 1 and above, fields missing at the end of the buffer take their
    /// defaults (no assigned or revoked work, no delay). A null array reads as empty.
    ///
    /// ```
    /// use connect_runtime::distributed::protocol::Assignment;
    ///
    /// // Version 1, Error 0, Leader "w", LeaderUrl "u", ConfigOffset 7, and nothing more.
    /// let bytes = [0, 1, 0, 0, 0, 1, b'w', 0, 1, b'u', 0, 0, 0, 0, 0, 0, 0, 7];
    /// let assignment = Assignment::decode(&bytes)?;
    /// assert!(assignment.assigned.is_empty() && assignment.revoked.is_empty());
    /// assert_eq!(assignment.delay_ms, 0);
    /// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Assignment, ProtocolError> {
        decode_assignment(&mut Reader::new(bytes, 0))
    }
}

/// The JoinGroup protocols a worker preferring `preferred` offers, most preferred first, each
/// with its name and `metadata` encoded in its version, as Kafka's worker sends them:
/// `eager` offers `default`; `compatible` offers `compatible` and `default`; `sessioned` offers
/// `sessioned`, `compatible` and `default`.
///
/// Fails as [`WorkerMetadata::encode`] does.
///
/// ```
/// use connect_runtime::distributed::protocol::{join_protocols, ProtocolVersion, WorkerMetadata};
///
/// let metadata = WorkerMetadata { url: "http://w1:8083/".into(), config_offset: 42, assignment: None };
/// let protocols = join_protocols(ProtocolVersion::Compatible, &metadata)?;
/// let names: Vec<&str> = protocols.iter().map(|(name, _)| *name).collect();
/// assert_eq!(names, ["compatible", "default"]);
/// # Ok::<(), connect_runtime::distributed::protocol::ProtocolError>(())
/// ```
pub fn join_protocols(
    preferred: ProtocolVersion,
    metadata: &WorkerMetadata,
) -> Result<Vec<(&'static str, Bytes)>, ProtocolError> {
    ProtocolVersion::ALL
        .into_iter()
        .rev()
        .filter(|v| *v <= preferred)
        .map(|v| Ok((v.name(), metadata.encode(v)?)))
        .collect()
}

/// The field names of one array of connector assignments, for errors.
struct WorkNames {
    array: &'static str,
    connector: &'static str,
    tasks: &'static str,
}

const ASSIGNED: WorkNames = WorkNames {
    array: "Assignment",
    connector: "Assignment.Connector",
    tasks: "Assignment.Tasks",
};

const REVOKED: WorkNames = WorkNames {
    array: "Revoked",
    connector: "Revoked.Connector",
    tasks: "Revoked.Tasks",
};

fn put_string(buf: &mut BytesMut, field: &'static str, value: &str) -> Result<(), ProtocolError> {
    let length = i16::try_from(value.len()).map_err(|_| ProtocolError::TooLong {
        field,
        length: value.len(),
    })?;
    buf.put_i16(length);
    buf.put_slice(value.as_bytes());
    Ok(())
}

fn put_len(buf: &mut BytesMut, field: &'static str, length: usize) -> Result<(), ProtocolError> {
    let n = i32::try_from(length).map_err(|_| ProtocolError::TooLong { field, length })?;
    buf.put_i32(n);
    Ok(())
}

/// Writes work as an array of connector assignments, grouped by connector as Kafka does.
fn put_work(
    buf: &mut BytesMut,
    names: &WorkNames,
    work: &ConnectorsAndTasks,
) -> Result<(), ProtocolError> {
    let mut groups: Vec<(&str, Vec<i32>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for connector in &work.connectors {
        if !index.contains_key(&**connector) {
            index.insert(connector, groups.len());
            groups.push((connector, vec![CONNECTOR_TASK]));
        }
    }
    for task in &work.tasks {
        let id =
            i32::try_from(task.task).map_err(|_| ProtocolError::TaskOutOfRange(task.clone()))?;
        match index.get(&*task.connector).and_then(|&i| groups.get_mut(i)) {
            Some((_, ids)) => ids.push(id),
            None => {
                index.insert(&task.connector, groups.len());
                groups.push((&task.connector, vec![id]));
            }
        }
    }
    put_len(buf, names.array, groups.len())?;
    for (connector, ids) in groups {
        put_string(buf, names.connector, connector)?;
        put_len(buf, names.tasks, ids.len())?;
        for id in ids {
            buf.put_i32(id);
        }
    }
    Ok(())
}

fn read_version(r: &mut Reader<'_>) -> Result<i16, ProtocolError> {
    let version = r.i16("Version")?;
    if version < 0 {
        return Err(ProtocolError::UnsupportedVersion(version));
    }
    Ok(version)
}

fn decode_assignment(r: &mut Reader<'_>) -> Result<Assignment, ProtocolError> {
    let version = read_version(r)?;
    let error = r.i16("Error")?;
    let leader = r.string("Leader")?;
    let leader_url = r.string("LeaderUrl")?;
    let config_offset = r.i64("ConfigOffset")?;
    let (assigned, revoked, delay_ms) = if version == 0 {
        let count = r.array_len(ASSIGNED.array)?;
        (
            read_work(r, &ASSIGNED, count)?,
            ConnectorsAndTasks::default(),
            0,
        )
    } else {
        // Kafka's TOLERATE_MISSING_FIELDS_WITH_DEFAULTS: a field is defaulted only when the
        // buffer ends right before it.
        let assigned = read_nullable_work(r, &ASSIGNED)?;
        let revoked = read_nullable_work(r, &REVOKED)?;
        let delay_ms = if r.is_empty() {
            0
        } else {
            r.i32("ScheduledDelay")?
        };
        (assigned, revoked, delay_ms)
    };
    Ok(Assignment {
        version,
        error,
        leader,
        leader_url,
        config_offset,
        assigned,
        revoked,
        delay_ms,
    })
}

fn read_nullable_work(
    r: &mut Reader<'_>,
    names: &WorkNames,
) -> Result<ConnectorsAndTasks, ProtocolError> {
    if r.is_empty() {
        return Ok(ConnectorsAndTasks::default());
    }
    match r.nullable_array_len(names.array)? {
        None => Ok(ConnectorsAndTasks::default()),
        Some(count) => read_work(r, names, count),
    }
}

fn read_work(
    r: &mut Reader<'_>,
    names: &WorkNames,
    count: usize,
) -> Result<ConnectorsAndTasks, ProtocolError> {
    let mut work = ConnectorsAndTasks::default();
    for _ in 0..count {
        let connector: Arc<str> = Arc::from(r.string(names.connector)?);
        let tasks = r.array_len(names.tasks)?;
        for _ in 0..tasks {
            let offset = r.offset();
            let id = r.i32(names.tasks)?;
            if id == CONNECTOR_TASK {
                work.connectors.push(connector.clone());
            } else {
                let task = u32::try_from(id).map_err(|_| ProtocolError::InvalidTaskId {
                    connector: connector.to_string(),
                    task: id,
                    offset,
                })?;
                work.tasks.push(TaskId {
                    connector: connector.clone(),
                    task,
                });
            }
        }
    }
    Ok(work)
}

/// A cursor over a buffer that knows its absolute offset, so that errors in the allocation
/// nested in worker metadata name offsets in the metadata.
struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], base: usize) -> Self {
        Reader {
            rest: buf,
            offset: base,
        }
    }

    fn offset(&self) -> usize {
        self.offset
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn truncated(&self, field: &'static str, needed: usize) -> ProtocolError {
        ProtocolError::Truncated {
            field,
            offset: self.offset,
            needed,
            available: self.rest.len(),
        }
    }

    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], ProtocolError> {
        if n > self.rest.len() {
            return Err(self.truncated(field, n));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        self.offset += n;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ProtocolError> {
        let bytes = self.take(field, N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| self.truncated(field, N))
    }

    fn i16(&mut self, field: &'static str) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.array(field)?))
    }

    fn i32(&mut self, field: &'static str) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.array(field)?))
    }

    fn i64(&mut self, field: &'static str) -> Result<i64, ProtocolError> {
        Ok(i64::from_be_bytes(self.array(field)?))
    }

    /// A non-negative length, read with the given prefix.
    fn length(
        &mut self,
        field: &'static str,
        read: fn(&mut Self, &'static str) -> Result<i32, ProtocolError>,
    ) -> Result<Option<usize>, ProtocolError> {
        let offset = self.offset;
        let length = read(self, field)?;
        match usize::try_from(length) {
            Ok(n) => Ok(Some(n)),
            Err(_) if length == -1 => Ok(None),
            Err(_) => Err(ProtocolError::NegativeLength {
                field,
                length,
                offset,
            }),
        }
    }

    fn string(&mut self, field: &'static str) -> Result<String, ProtocolError> {
        let offset = self.offset;
        let length = self.i16(field)?;
        let n = usize::try_from(length).map_err(|_| ProtocolError::NegativeLength {
            field,
            length: length.into(),
            offset,
        })?;
        let bytes = self.take(field, n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ProtocolError::InvalidUtf8 { field, offset })
    }

    /// Nullable bytes, with the absolute offset of their first byte.
    fn nullable_bytes(
        &mut self,
        field: &'static str,
    ) -> Result<Option<(&'a [u8], usize)>, ProtocolError> {
        match self.length(field, Self::i32)? {
            None => Ok(None),
            Some(n) => {
                let offset = self.offset;
                Ok(Some((self.take(field, n)?, offset)))
            }
        }
    }

    /// An array's item count (-1 for null), checked against the bytes left as Kafka does.
    fn nullable_array_len(&mut self, field: &'static str) -> Result<Option<usize>, ProtocolError> {
        let count = self.length(field, Self::i32)?;
        match count {
            Some(n) if n > self.rest.len() => Err(self.truncated(field, n)),
            _ => Ok(count),
        }
    }

    /// A non-nullable array's item count.
    fn array_len(&mut self, field: &'static str) -> Result<usize, ProtocolError> {
        let offset = self.offset;
        self.nullable_array_len(field)?
            .ok_or(ProtocolError::NegativeLength {
                field,
                length: -1,
                offset,
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const URL: &[u8] = b"http://w1:8083/";

    fn task(connector: &str, task: u32) -> TaskId {
        TaskId {
            connector: Arc::from(connector),
            task,
        }
    }

    fn metadata(assignment: Option<Assignment>) -> WorkerMetadata {
        WorkerMetadata {
            url: "http://w1:8083/".into(),
            config_offset: 42,
            assignment,
        }
    }

    /// Leader "w1" at "http://w1:8083/", config offset 42, connector "c" and task c-0.
    fn small_assignment(version: ProtocolVersion) -> Assignment {
        let mut a = Assignment::new(version, "w1", "http://w1:8083/", 42);
        a.assigned.connectors.push(Arc::from("c"));
        a.assigned.tasks.push(task("c", 0));
        a
    }

    /// The bytes of `small_assignment(Compatible)`.
    fn small_assignment_v1_bytes() -> Vec<u8> {
        [
            &[0x00, 0x01][..],                        // Version 1
            &[0x00, 0x00],                            // Error NO_ERROR
            &[0x00, 0x02],                            // Leader length 2
            b"w1",                                    // Leader
            &[0x00, 0x0f],                            // LeaderUrl length 15
            URL,                                      // LeaderUrl
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
            &[0x00, 0x00, 0x00, 0x01],                // Assignment: 1 connector
            &[0x00, 0x01],                            //   Connector length 1
            b"c",                                     //   Connector "c"
            &[0x00, 0x00, 0x00, 0x02],                //   Tasks: 2
            &[0xff, 0xff, 0xff, 0xff],                //     -1: the connector itself
            &[0x00, 0x00, 0x00, 0x00],                //     task 0
            &[0x00, 0x00, 0x00, 0x00],                // Revoked: 0 connectors
            &[0x00, 0x00, 0x00, 0x00],                // ScheduledDelay 0
        ]
        .concat()
    }

    /// Assigned: connector "a", task a-0. Revoked: connector "c", tasks c-0 and b-1. Delay 5000.
    fn revoking_assignment(version: ProtocolVersion) -> Assignment {
        let mut a = Assignment::new(version, "w1", "http://w1:8083/", 42);
        a.assigned.connectors.push(Arc::from("a"));
        a.assigned.tasks.push(task("a", 0));
        a.revoked.connectors.push(Arc::from("c"));
        a.revoked.tasks.push(task("c", 0));
        a.revoked.tasks.push(task("b", 1));
        a.delay_ms = 5000;
        a
    }

    fn revoking_assignment_bytes(version: u8) -> Vec<u8> {
        [
            &[0x00, version][..],                     // Version
            &[0x00, 0x00],                            // Error NO_ERROR
            &[0x00, 0x02],                            // Leader length 2
            b"w1",                                    // Leader
            &[0x00, 0x0f],                            // LeaderUrl length 15
            URL,                                      // LeaderUrl
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
            &[0x00, 0x00, 0x00, 0x01],                // Assignment: 1 connector
            &[0x00, 0x01],                            //   Connector length 1
            b"a",                                     //   Connector "a"
            &[0x00, 0x00, 0x00, 0x02],                //   Tasks: 2
            &[0xff, 0xff, 0xff, 0xff],                //     -1: the connector itself
            &[0x00, 0x00, 0x00, 0x00],                //     task 0
            &[0x00, 0x00, 0x00, 0x02],                // Revoked: 2 connectors
            &[0x00, 0x01],                            //   Connector length 1
            b"c",                                     //   Connector "c" (revoked connector first)
            &[0x00, 0x00, 0x00, 0x02],                //   Tasks: 2
            &[0xff, 0xff, 0xff, 0xff],                //     -1: the connector itself
            &[0x00, 0x00, 0x00, 0x00],                //     task 0
            &[0x00, 0x01],                            //   Connector length 1
            b"b",                                     //   Connector "b" (only through a task)
            &[0x00, 0x00, 0x00, 0x01],                //   Tasks: 1
            &[0x00, 0x00, 0x00, 0x01],                //     task 1
            &[0x00, 0x00, 0x13, 0x88],                // ScheduledDelay 5000
        ]
        .concat()
    }

    #[test]
    fn v0_metadata_bytes() {
        let expected = [
            &[0x00, 0x00][..],                        // Version 0
            &[0x00, 0x0f],                            // Url length 15
            URL,                                      // Url
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
        ]
        .concat();
        // Version 0 has no allocation, even when the worker has an assignment.
        let m = metadata(Some(small_assignment(ProtocolVersion::Compatible)));
        assert_eq!(m.encode(ProtocolVersion::Eager).unwrap(), expected);
        assert_eq!(
            WorkerMetadata::decode(&expected).unwrap(),
            (0, metadata(None))
        );
    }

    #[test]
    fn v1_metadata_with_null_allocation_bytes() {
        let expected = [
            &[0x00, 0x01][..],                        // Version 1
            &[0x00, 0x0f],                            // Url length 15
            URL,                                      // Url
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
            &[0xff, 0xff, 0xff, 0xff],                // Allocation null
        ]
        .concat();
        assert_eq!(
            metadata(None).encode(ProtocolVersion::Compatible).unwrap(),
            expected
        );
        // An assignment without work is sent as null too.
        let empty = Assignment::new(ProtocolVersion::Compatible, "w1", "http://w1:8083/", 42);
        assert_eq!(
            metadata(Some(empty))
                .encode(ProtocolVersion::Compatible)
                .unwrap(),
            expected
        );
        assert_eq!(
            WorkerMetadata::decode(&expected).unwrap(),
            (1, metadata(None))
        );
    }

    #[test]
    fn v1_metadata_with_allocation_bytes() {
        let allocation = small_assignment_v1_bytes();
        assert_eq!(allocation.len(), 60);
        let expected = [
            &[0x00, 0x01][..],                        // Version 1
            &[0x00, 0x0f],                            // Url length 15
            URL,                                      // Url
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
            &[0x00, 0x00, 0x00, 0x3c],                // Allocation length 60
            &allocation,                              // Allocation: a v1 assignment
        ]
        .concat();
        let m = metadata(Some(small_assignment(ProtocolVersion::Compatible)));
        assert_eq!(m.encode(ProtocolVersion::Compatible).unwrap(), expected);
        assert_eq!(WorkerMetadata::decode(&expected).unwrap(), (1, m));
    }

    #[test]
    fn metadata_allocation_takes_the_metadata_version() {
        // An assignment received under version 1 is re-sent as version 2 in v2 metadata.
        let m = metadata(Some(small_assignment(ProtocolVersion::Compatible)));
        let bytes = m.encode(ProtocolVersion::Sessioned).unwrap();
        let (version, decoded) = WorkerMetadata::decode(&bytes).unwrap();
        assert_eq!(version, 2);
        assert_eq!(
            decoded.assignment,
            Some(small_assignment(ProtocolVersion::Sessioned))
        );
        let mut v1 = m.encode(ProtocolVersion::Compatible).unwrap().to_vec();
        v1[1] = 2; // metadata version
        v1[2 + 17 + 8 + 4 + 1] = 2; // allocation version
        assert_eq!(bytes, v1);
    }

    #[test]
    fn metadata_round_trips() {
        for version in ProtocolVersion::ALL {
            for assignment in [None, Some(revoking_assignment(version))] {
                let m = metadata(assignment);
                let bytes = m.encode(version).unwrap();
                let (v, decoded) = WorkerMetadata::decode(&bytes).unwrap();
                assert_eq!(v, version.version());
                if version == ProtocolVersion::Eager {
                    assert_eq!(decoded, metadata(None));
                } else {
                    assert_eq!(decoded, m);
                }
            }
        }
    }

    #[test]
    fn v1_metadata_without_allocation_field_decodes_as_null() {
        let bytes = metadata(None).encode(ProtocolVersion::Compatible).unwrap();
        let cut = &bytes[..bytes.len() - 4];
        assert_eq!(WorkerMetadata::decode(cut).unwrap(), (1, metadata(None)));
    }

    #[test]
    fn metadata_truncated_inside_url() {
        let bytes = metadata(None).encode(ProtocolVersion::Eager).unwrap();
        assert_eq!(
            WorkerMetadata::decode(&bytes[..10]),
            Err(ProtocolError::Truncated {
                field: "Url",
                offset: 4,
                needed: 15,
                available: 6,
            })
        );
    }

    #[test]
    fn metadata_truncated_inside_allocation_reports_absolute_offset() {
        let m = metadata(Some(small_assignment(ProtocolVersion::Compatible)));
        let bytes = m.encode(ProtocolVersion::Compatible).unwrap();
        // Header 2 + Url 17 + ConfigOffset 8 + Allocation length 4 = 31; the allocation is cut
        // 4 bytes short: its length prefix promises 60 bytes.
        let mut cut = bytes[..bytes.len() - 4].to_vec();
        assert_eq!(
            WorkerMetadata::decode(&cut),
            Err(ProtocolError::Truncated {
                field: "Allocation",
                offset: 31,
                needed: 60,
                available: 56,
            })
        );
        // With the length fixed, the allocation itself ends inside Revoked's count.
        cut[30] = 56;
        assert_eq!(
            WorkerMetadata::decode(&cut[..cut.len() - 2]),
            Err(ProtocolError::Truncated {
                field: "Allocation",
                offset: 31,
                needed: 56,
                available: 54,
            })
        );
        cut.truncate(cut.len() - 2);
        cut[30] = 54;
        assert_eq!(
            WorkerMetadata::decode(&cut),
            Err(ProtocolError::Truncated {
                field: "Revoked",
                offset: 31 + 52,
                needed: 4,
                available: 2,
            })
        );
    }

    #[test]
    fn v0_assignment_bytes() {
        let mut a = Assignment::new(ProtocolVersion::Eager, "w1", "http://w1:8083/", 42);
        a.assigned.connectors.push(Arc::from("a"));
        a.assigned.tasks = vec![task("a", 0), task("a", 1), task("b", 2)];
        let expected = [
            &[0x00, 0x00][..],                        // Version 0
            &[0x00, 0x00],                            // Error NO_ERROR
            &[0x00, 0x02],                            // Leader length 2
            b"w1",                                    // Leader
            &[0x00, 0x0f],                            // LeaderUrl length 15
            URL,                                      // LeaderUrl
            &[0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0x2a], // ConfigOffset 42
            &[0x00, 0x00, 0x00, 0x02],                // Assignment: 2 connectors
            &[0x00, 0x01],                            //   Connector length 1
            b"a",                                     //   Connector "a"
            &[0x00, 0x00, 0x00, 0x03],                //   Tasks: 3
            &[0xff, 0xff, 0xff, 0xff],                //     -1: the connector itself
            &[0x00, 0x00, 0x00, 0x00],                //     task 0
            &[0x00, 0x00, 0x00, 0x01],                //     task 1
            &[0x00, 0x01],                            //   Connector length 1
            b"b",                                     //   Connector "b"
            &[0x00, 0x00, 0x00, 0x01],                //   Tasks: 1
            &[0x00, 0x00, 0x00, 0x02],                //     task 2
        ]
        .concat();
        assert_eq!(a.encode().unwrap(), expected);
        assert_eq!(Assignment::decode(&expected).unwrap(), a);
    }

    #[test]
    fn v1_assignment_with_revocations_bytes() {
        let a = revoking_assignment(ProtocolVersion::Compatible);
        let expected = revoking_assignment_bytes(1);
        assert_eq!(a.encode().unwrap(), expected);
        assert_eq!(Assignment::decode(&expected).unwrap(), a);
        // The revoked connector "c" comes first even when a task of "b" is listed first.
        let mut reordered = a.clone();
        reordered.revoked.tasks.reverse();
        assert_eq!(reordered.encode().unwrap(), expected);
    }

    #[test]
    fn v2_assignment_is_v1_with_version_2() {
        let a = revoking_assignment(ProtocolVersion::Sessioned);
        let expected = revoking_assignment_bytes(2);
        let v1 = revoking_assignment(ProtocolVersion::Compatible)
            .encode()
            .unwrap();
        assert_eq!(expected[2..], v1[2..]);
        assert_eq!(a.encode().unwrap(), expected);
        assert_eq!(Assignment::decode(&expected).unwrap(), a);
    }

    #[test]
    fn assignment_round_trips() {
        for version in ProtocolVersion::ALL {
            let mut a = small_assignment(version);
            a.error = Assignment::CONFIG_MISMATCH;
            a.assigned.tasks.push(task("only-tasks", 7));
            a.assigned.tasks.push(task("c", 3));
            if version != ProtocolVersion::Eager {
                a.revoked.tasks.push(task("old", 2));
                a.delay_ms = -1;
            }
            let decoded = Assignment::decode(&a.encode().unwrap()).unwrap();
            assert_eq!(decoded.version, version.version());
            // Tasks come back grouped by connector.
            assert_eq!(
                decoded.assigned.tasks,
                [task("c", 0), task("c", 3), task("only-tasks", 7)]
            );
            a.assigned.tasks = decoded.assigned.tasks.clone();
            assert_eq!(decoded, a);
        }
    }

    #[test]
    fn duplicate_connectors_are_written_once() {
        let mut a = Assignment::new(ProtocolVersion::Compatible, "w1", "u", 0);
        a.assigned.connectors = vec![Arc::from("a"), Arc::from("a")];
        let decoded = Assignment::decode(&a.encode().unwrap()).unwrap();
        assert_eq!(decoded.assigned.connectors, [Arc::from("a")]);
    }

    #[test]
    fn v1_assignment_cut_after_config_offset_takes_defaults() {
        let bytes = revoking_assignment_bytes(1);
        let decoded = Assignment::decode(&bytes[..33]).unwrap();
        let mut expected =
            Assignment::new(ProtocolVersion::Compatible, "w1", "http://w1:8083/", 42);
        assert_eq!(decoded, expected);
        // Cut after Assignment (33 + count 4 + "a" 3 + tasks 4 + 8): no revoked work, no delay.
        let decoded = Assignment::decode(&bytes[..52]).unwrap();
        expected.assigned = revoking_assignment(ProtocolVersion::Compatible).assigned;
        assert_eq!(decoded, expected);
        // Cut after Revoked: no delay.
        let decoded = Assignment::decode(&bytes[..bytes.len() - 4]).unwrap();
        let mut expected = revoking_assignment(ProtocolVersion::Compatible);
        expected.delay_ms = 0;
        assert_eq!(decoded, expected);
    }

    #[test]
    fn v1_assignment_with_null_arrays_decodes_empty() {
        let bytes = [
            &small_assignment_v1_bytes()[..33], // up to ConfigOffset
            &[0xff, 0xff, 0xff, 0xff],          // Assignment null
            &[0xff, 0xff, 0xff, 0xff],          // Revoked null
            &[0x00, 0x00, 0x00, 0x07],          // ScheduledDelay 7
        ]
        .concat();
        let mut expected =
            Assignment::new(ProtocolVersion::Compatible, "w1", "http://w1:8083/", 42);
        expected.delay_ms = 7;
        assert_eq!(Assignment::decode(&bytes).unwrap(), expected);
    }

    #[test]
    fn v0_assignment_cut_after_config_offset_is_an_error() {
        let mut a = Assignment::new(ProtocolVersion::Eager, "w1", "http://w1:8083/", 42);
        a.assigned.connectors.push(Arc::from("a"));
        let bytes = a.encode().unwrap();
        assert_eq!(
            Assignment::decode(&bytes[..33]),
            Err(ProtocolError::Truncated {
                field: "Assignment",
                offset: 33,
                needed: 4,
                available: 0,
            })
        );
    }

    #[test]
    fn v3_assignment_with_trailing_bytes_decodes() {
        let mut bytes = revoking_assignment_bytes(3);
        bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0x00]);
        let mut expected = revoking_assignment(ProtocolVersion::Sessioned);
        expected.version = 3;
        assert_eq!(Assignment::decode(&bytes).unwrap(), expected);
        // And v3 metadata too.
        let mut m = metadata(None)
            .encode(ProtocolVersion::Compatible)
            .unwrap()
            .to_vec();
        m[1] = 3;
        m.push(0x01);
        assert_eq!(WorkerMetadata::decode(&m).unwrap(), (3, metadata(None)));
    }

    #[test]
    fn truncated_inside_strings_and_arrays() {
        let bytes = revoking_assignment_bytes(1);
        // Inside Leader: its length says 2, 1 byte left.
        assert_eq!(
            Assignment::decode(&bytes[..7]),
            Err(ProtocolError::Truncated {
                field: "Leader",
                offset: 6,
                needed: 2,
                available: 1,
            })
        );
        // Inside the first task id of connector "a": bytes 44..48.
        assert_eq!(
            Assignment::decode(&bytes[..46]),
            Err(ProtocolError::Truncated {
                field: "Assignment.Tasks",
                offset: 44,
                needed: 4,
                available: 2,
            })
        );
        // Inside a revoked connector name: "c" at 58..59.
        assert_eq!(
            Assignment::decode(&bytes[..58]),
            Err(ProtocolError::Truncated {
                field: "Revoked.Connector",
                offset: 58,
                needed: 1,
                available: 0,
            })
        );
        // Inside ScheduledDelay.
        let err = Assignment::decode(&bytes[..bytes.len() - 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "buffer truncated reading ScheduledDelay at byte offset 82: 4 bytes needed, 2 left"
        );
        assert_eq!(bytes.len(), 86);
    }

    #[test]
    fn array_count_beyond_the_buffer_is_truncation() {
        let mut bytes = revoking_assignment_bytes(1);
        bytes.truncate(37);
        bytes[33..37].copy_from_slice(&1000_i32.to_be_bytes());
        bytes.extend_from_slice(&[0; 10]);
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::Truncated {
                field: "Assignment",
                offset: 37,
                needed: 1000,
                available: 10,
            })
        );
    }

    #[test]
    fn negative_version_is_rejected() {
        let bytes = [0xff, 0xff, 0x00, 0x00];
        for err in [
            Assignment::decode(&bytes).unwrap_err(),
            WorkerMetadata::decode(&bytes).unwrap_err(),
        ] {
            assert_eq!(err, ProtocolError::UnsupportedVersion(-1));
            assert_eq!(err.to_string(), "Unsupported subscription version: -1");
        }
        let mut a = Assignment::new(ProtocolVersion::Compatible, "w1", "u", 0);
        a.version = -1;
        assert_eq!(a.encode(), Err(ProtocolError::UnsupportedVersion(-1)));
    }

    #[test]
    fn task_id_below_minus_one_is_rejected() {
        let mut bytes = revoking_assignment_bytes(1);
        bytes[44..48].copy_from_slice(&(-2_i32).to_be_bytes());
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::InvalidTaskId {
                connector: "a".into(),
                task: -2,
                offset: 44,
            })
        );
    }

    #[test]
    fn negative_lengths_are_rejected() {
        let mut bytes = revoking_assignment_bytes(1);
        bytes[4..6].copy_from_slice(&(-1_i16).to_be_bytes());
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::NegativeLength {
                field: "Leader",
                length: -1,
                offset: 4,
            })
        );
        let mut bytes = revoking_assignment_bytes(1);
        bytes[40..44].copy_from_slice(&(-1_i32).to_be_bytes());
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::NegativeLength {
                field: "Assignment.Tasks",
                length: -1,
                offset: 40,
            })
        );
        let mut bytes = revoking_assignment_bytes(1);
        bytes[33..37].copy_from_slice(&(-2_i32).to_be_bytes());
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::NegativeLength {
                field: "Assignment",
                length: -2,
                offset: 33,
            })
        );
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let mut bytes = revoking_assignment_bytes(1);
        bytes[6] = 0xff;
        assert_eq!(
            Assignment::decode(&bytes),
            Err(ProtocolError::InvalidUtf8 {
                field: "Leader",
                offset: 4,
            })
        );
    }

    #[test]
    fn v0_assignment_cannot_carry_revocations() {
        let mut a = revoking_assignment(ProtocolVersion::Eager);
        assert_eq!(a.encode(), Err(ProtocolError::EagerCannotRevoke));
        a.revoked = ConnectorsAndTasks::default();
        assert_eq!(a.encode(), Err(ProtocolError::EagerCannotRevoke), "delay");
        a.delay_ms = 0;
        assert!(a.encode().is_ok());
    }

    #[test]
    fn unencodable_values_are_errors() {
        let mut a = Assignment::new(ProtocolVersion::Compatible, "w1", "u", 0);
        a.assigned.tasks.push(task("big", u32::MAX));
        assert_eq!(
            a.encode(),
            Err(ProtocolError::TaskOutOfRange(task("big", u32::MAX)))
        );
        let long = WorkerMetadata {
            url: "x".repeat(40_000),
            config_offset: 0,
            assignment: None,
        };
        assert_eq!(
            long.encode(ProtocolVersion::Eager),
            Err(ProtocolError::TooLong {
                field: "Url",
                length: 40_000,
            })
        );
    }

    #[test]
    fn join_protocols_in_preference_order() {
        let m = metadata(Some(small_assignment(ProtocolVersion::Compatible)));
        let cases = [
            (ProtocolVersion::Eager, &["default"][..]),
            (ProtocolVersion::Compatible, &["compatible", "default"]),
            (
                ProtocolVersion::Sessioned,
                &["sessioned", "compatible", "default"],
            ),
        ];
        for (preferred, names) in cases {
            let protocols = join_protocols(preferred, &m).unwrap();
            let got: Vec<&str> = protocols.iter().map(|(name, _)| *name).collect();
            assert_eq!(got, names);
            for (name, bytes) in protocols {
                let version = ProtocolVersion::from_protocol_name(name).unwrap();
                let (v, decoded) = WorkerMetadata::decode(&bytes).unwrap();
                assert_eq!(v, version.version(), "{name}");
                assert_eq!(bytes, m.encode(version).unwrap(), "{name}");
                assert_eq!(
                    decoded.assignment.is_some(),
                    version != ProtocolVersion::Eager
                );
            }
        }
    }

    #[test]
    fn protocol_version_names() {
        for (v, name, config, number) in [
            (ProtocolVersion::Eager, "default", "eager", 0),
            (ProtocolVersion::Compatible, "compatible", "compatible", 1),
            (ProtocolVersion::Sessioned, "sessioned", "sessioned", 2),
        ] {
            assert_eq!(
                (v.name(), v.config_value(), v.version()),
                (name, config, number)
            );
            assert_eq!(
                ProtocolVersion::from_protocol_name(&name.to_uppercase()),
                Some(v)
            );
            assert_eq!(
                ProtocolVersion::from_config(&config.to_uppercase()),
                Some(v)
            );
            assert_eq!(ProtocolVersion::from_version(number), Some(v));
        }
        assert_eq!(ProtocolVersion::from_config("default"), None);
        assert_eq!(ProtocolVersion::from_protocol_name("eager"), None);
        assert_eq!(ProtocolVersion::from_version(-1), None);
    }
}
