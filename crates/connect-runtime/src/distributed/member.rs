//! A worker's membership of the Connect group: joining, syncing, heartbeats, and the rebalances that hand it work.
//!
//! [`WorkerGroupMember`] runs one worker's membership as a tokio task, as Apache Kafka's
//! `WorkerCoordinator` and `WorkerGroupMember` do:
//!
//! 1. it joins the group (protocol type [`PROTOCOL_TYPE`]) offering [`join_protocols`] with its
//!    [`WorkerMetadata`]: its REST URL, the config offset of its [`ConfigSource`], and what it
//!    runs now;
//! 2. when it leads the generation it decodes every member's metadata, runs its
//!    [`IncrementalCooperativeAssignor`] (kept from one generation to the next, so lost work
//!    waits `scheduled.rebalance.max.delay.ms`) and hands each member its [`Assignment`];
//! 3. it decodes its own assignment and reports it as a [`MemberEvent::Rebalance`], keeping
//!    what it runs as `owned - revoked + assigned`;
//! 4. it heartbeats every `heartbeat.interval.ms` and joins again when the coordinator says so,
//!    when the assignment asks for it (`delay_ms`, revocations, `CONFIG_MISMATCH`) and when the
//!    caller asks ([`WorkerGroupMember::request_rejoin`]);
//! 5. [`WorkerGroupMember::shutdown`] leaves the group (LeaveGroup) and stops.
//!
//! # Rejoining
//!
//! * `REBALANCE_IN_PROGRESS` and `ILLEGAL_GENERATION` (heartbeat or SyncGroup): join again at
//!   once with the same member id.
//! * `UNKNOWN_MEMBER_ID`: the coordinator forgot the member (its session expired). It joins again
//!   with an empty member id and reports [`MemberEvent::MemberIdReset`]. As in Kafka's
//!   `WorkerCoordinator.onJoinPrepare`, the eager protocol revokes everything at the start of
//!   every rebalance (so this one too), while the cooperative protocols keep running their work
//!   and report it in their metadata: the leader decides what is revoked.
//! * A cooperative assignment that revokes work: the caller stops that work and then calls
//!   [`RevocationDone::done`] (or drops it); the member then joins again at once, so that the
//!   leader can hand the revoked work to others (Kafka's herder stops revoked work in
//!   `onRevoked` before the member polls again).
//! * An assignment with `delay_ms > 0` (Kafka's scheduled rebalance): join again after that
//!   delay.
//! * [`Assignment::CONFIG_MISMATCH`]: the member asks its source to [`ConfigSource::refresh`]
//!   (read the config topic to its end), reports the failed rebalance and joins again.
//!
//! # Coordinators that answer the leader with the current generation
//!
//! Kafka's coordinator starts a new generation whenever the leader joins again, which is how a
//! scheduled rebalance or a leader's rejoin request reaches the assignor. nisshi 0.6.0 (the test
//! broker) does not when the leader's metadata is unchanged: its JoinGroup answers with the
//! generation already completed, and its SyncGroup returns the assignments stored for that
//! generation, ignoring the leader's. When a JoinGroup answers with the generation this member
//! already completed, the member therefore does not report that assignment again; if it leads,
//! it joins once more at once with one byte appended to its metadata (readers, Kafka's
//! included, ignore bytes after the metadata's fields), which makes the coordinator start a new
//! generation. With Kafka this never happens.
//!
//! # Coordinators that keep naming a departed leader
//!
//! nisshi 0.6.0 keeps a leader that left between its JoinGroup and its SyncGroup as the
//! leader of every later generation, so no SyncGroup completes again. A follower whose
//! SyncGroup failed with REBALANCE_IN_PROGRESS and whose next JoinGroup names the same leader
//! for the same generation joins once under the departed leader's id, completes that
//! generation with an assignment that changes nothing, leaves under that id and joins again as
//! itself. With Kafka this never happens either.
//!
//! # Failures
//!
//! Coordinator and connection failures are retried by the [`GroupCoordinator`] within the
//! cluster's [`RetryPolicy`](connect_log::kafka::protocol::RetryPolicy); what still fails is
//! logged and retried again after a backoff that doubles from `retry.backoff.ms` up to
//! `retry.backoff.max.ms`. From the third consecutive failure on, each one is also reported as
//! [`MemberEvent::Failure`]. The member never gives up on its own: the caller decides.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use connect_log::kafka::protocol::{
    ClientError, Cluster, ErrorCode, GroupCoordinator, GroupProtocol, JoinGroup, JoinGroupResult,
    SyncGroup,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::assignor::{ConfigSnapshot, IncrementalCooperativeAssignor, Member};
use super::config_store::{ClusterConfigState, ConfigStore};
use super::protocol::{
    Assignment, ConnectorsAndTasks, PROTOCOL_TYPE, ProtocolVersion, WorkerMetadata, join_protocols,
};

/// After how many consecutive failures each failure is reported to the caller.
const FAILURES_TO_REPORT: u32 = 3;

/// The connectors and tasks of a config state, as the assignor sees them: every connector with
/// the number of its current tasks (none for an inconsistent connector, as in Kafka).
///
/// ```
/// use connect_runtime::distributed::config_store::ClusterConfigState;
/// use connect_runtime::distributed::member::config_snapshot;
///
/// let snapshot = config_snapshot(&ClusterConfigState::default());
/// assert_eq!(snapshot.offset, -1);
/// assert!(snapshot.connectors.is_empty());
/// ```
pub fn config_snapshot(state: &ClusterConfigState) -> ConfigSnapshot {
    ConfigSnapshot {
        offset: state.offset(),
        connectors: state
            .connectors()
            .map(|c| {
                let tasks = u32::try_from(state.tasks(c).len()).unwrap_or(u32::MAX);
                (Arc::from(c), tasks)
            })
            .collect(),
    }
}

/// Where a member reads the cluster's config: the offset it reports when joining, and, when it
/// leads, the connectors and tasks to assign.
///
/// Implemented by [`ConfigStore`] (its snapshot; [`refresh`](Self::refresh) reads the topic to
/// its end), by a fixed [`ConfigSnapshot`], and by a [`watch::Receiver`] of snapshots.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use connect_runtime::distributed::assignor::ConfigSnapshot;
/// use connect_runtime::distributed::member::ConfigSource;
///
/// # async fn demo() {
/// let fixed = ConfigSnapshot { offset: 4, connectors: BTreeMap::from([(Arc::from("orders"), 3)]) };
/// assert_eq!(fixed.snapshot().await.offset, 4);
/// # }
/// ```
#[async_trait]
pub trait ConfigSource: Send + Sync {
    /// The config as this worker has read it so far.
    async fn snapshot(&self) -> ConfigSnapshot;

    /// Reads the config as far as possible (after a [`Assignment::CONFIG_MISMATCH`]) and returns
    /// it. By default the same as [`snapshot`](Self::snapshot).
    async fn refresh(&self) -> ConfigSnapshot {
        self.snapshot().await
    }
}

#[async_trait]
impl ConfigSource for ConfigSnapshot {
    async fn snapshot(&self) -> ConfigSnapshot {
        self.clone()
    }
}

#[async_trait]
impl ConfigSource for watch::Receiver<ConfigSnapshot> {
    async fn snapshot(&self) -> ConfigSnapshot {
        self.borrow().clone()
    }
}

#[async_trait]
impl ConfigSource for ConfigStore {
    async fn snapshot(&self) -> ConfigSnapshot {
        config_snapshot(&ConfigStore::snapshot(self).await)
    }

    async fn refresh(&self) -> ConfigSnapshot {
        match self.read_to_end().await {
            Ok(state) => config_snapshot(&state),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the config topic to its end");
                config_snapshot(&ConfigStore::snapshot(self).await)
            }
        }
    }
}

/// A worker setting that could not be read.
///
/// ```
/// use std::collections::BTreeMap;
/// use connect_runtime::distributed::member::MemberConfig;
///
/// let props = BTreeMap::from([("group.id".to_string(), "connect".to_string()),
///                             ("heartbeat.interval.ms".to_string(), "soon".to_string())]);
/// let err = MemberConfig::from_properties(&props, "http://w1:8083/").unwrap_err();
/// assert!(err.to_string().contains("heartbeat.interval.ms"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for {key}: {reason}")]
pub struct MemberConfigError {
    /// The setting.
    pub key: &'static str,
    /// Its value.
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A member's settings, with Kafka's worker config names and defaults.
///
/// ```
/// use std::time::Duration;
/// use connect_runtime::distributed::member::MemberConfig;
/// use connect_runtime::distributed::protocol::ProtocolVersion;
///
/// let config = MemberConfig::new("connect-cluster", "http://w1:8083/");
/// assert_eq!(config.session_timeout, Duration::from_secs(10));
/// assert_eq!(config.heartbeat_interval, Duration::from_secs(3));
/// assert_eq!(config.protocol, ProtocolVersion::Sessioned);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberConfig {
    /// `group.id`: the Connect cluster's group.
    pub group_id: String,
    /// The worker's advertised REST URL, sent in its metadata.
    pub url: String,
    /// `session.timeout.ms` (10 s): the coordinator drops a member silent for this long.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms` (3 s).
    pub heartbeat_interval: Duration,
    /// `rebalance.timeout.ms` (60 s): how long the coordinator waits for members to join.
    pub rebalance_timeout: Duration,
    /// `connect.protocol` (`sessioned`): the preferred sub-protocol.
    pub protocol: ProtocolVersion,
    /// `scheduled.rebalance.max.delay.ms` (300 s): how long a leader keeps lost work for a
    /// vanished worker.
    pub scheduled_rebalance_max_delay: Duration,
    /// `retry.backoff.ms` (100 ms): the first wait after a failure.
    pub retry_backoff: Duration,
    /// `retry.backoff.max.ms` (1 s): the longest wait after failures.
    pub retry_backoff_max: Duration,
}

impl MemberConfig {
    /// The `group.id` setting.
    pub const GROUP_ID: &'static str = "group.id";
    /// The `session.timeout.ms` setting.
    pub const SESSION_TIMEOUT_MS: &'static str = "session.timeout.ms";
    /// The `heartbeat.interval.ms` setting.
    pub const HEARTBEAT_INTERVAL_MS: &'static str = "heartbeat.interval.ms";
    /// The `rebalance.timeout.ms` setting.
    pub const REBALANCE_TIMEOUT_MS: &'static str = "rebalance.timeout.ms";
    /// The `connect.protocol` setting.
    pub const CONNECT_PROTOCOL: &'static str = "connect.protocol";
    /// The `scheduled.rebalance.max.delay.ms` setting.
    pub const SCHEDULED_REBALANCE_MAX_DELAY_MS: &'static str = "scheduled.rebalance.max.delay.ms";
    /// The `retry.backoff.ms` setting.
    pub const RETRY_BACKOFF_MS: &'static str = "retry.backoff.ms";
    /// The `retry.backoff.max.ms` setting.
    pub const RETRY_BACKOFF_MAX_MS: &'static str = "retry.backoff.max.ms";

    /// The settings of a worker of group `group_id` advertising `url`, with Kafka's defaults.
    ///
    /// ```
    /// use std::time::Duration;
    /// use connect_runtime::distributed::member::MemberConfig;
    ///
    /// let config = MemberConfig::new("connect-cluster", "http://w1:8083/");
    /// assert_eq!(config.scheduled_rebalance_max_delay, Duration::from_secs(300));
    /// ```
    pub fn new(group_id: impl Into<String>, url: impl Into<String>) -> Self {
        MemberConfig {
            group_id: group_id.into(),
            url: url.into(),
            session_timeout: Duration::from_secs(10),
            heartbeat_interval: Duration::from_secs(3),
            rebalance_timeout: Duration::from_secs(60),
            protocol: ProtocolVersion::Sessioned,
            scheduled_rebalance_max_delay: Duration::from_secs(300),
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(1),
        }
    }

    /// Reads the settings from worker properties (`group.id` is required, the others take
    /// Kafka's defaults); `url` is the worker's advertised REST URL.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use std::time::Duration;
    /// use connect_runtime::distributed::member::MemberConfig;
    /// use connect_runtime::distributed::protocol::ProtocolVersion;
    ///
    /// let props: BTreeMap<String, String> = [
    ///     ("group.id", "connect-cluster"),
    ///     ("session.timeout.ms", "6000"),
    ///     ("connect.protocol", "eager"),
    /// ]
    /// .into_iter()
    /// .map(|(k, v)| (k.to_string(), v.to_string()))
    /// .collect();
    /// let config = MemberConfig::from_properties(&props, "http://w1:8083/")?;
    /// assert_eq!(config.session_timeout, Duration::from_secs(6));
    /// assert_eq!(config.protocol, ProtocolVersion::Eager);
    /// # Ok::<(), connect_runtime::distributed::member::MemberConfigError>(())
    /// ```
    pub fn from_properties(
        props: &BTreeMap<String, String>,
        url: impl Into<String>,
    ) -> Result<Self, MemberConfigError> {
        let group_id = props
            .get(Self::GROUP_ID)
            .filter(|g| !g.trim().is_empty())
            .ok_or(MemberConfigError {
                key: Self::GROUP_ID,
                value: String::new(),
                reason: "a group id is required",
            })?;
        let mut config = MemberConfig::new(group_id.trim(), url);
        let millis =
            |key: &'static str, default: Duration| -> Result<Duration, MemberConfigError> {
                match props.get(key) {
                    None => Ok(default),
                    Some(value) => value
                        .trim()
                        .parse::<u64>()
                        .map(Duration::from_millis)
                        .map_err(|_| MemberConfigError {
                            key,
                            value: value.clone(),
                            reason: "not a number of milliseconds",
                        }),
                }
            };
        config.session_timeout = millis(Self::SESSION_TIMEOUT_MS, config.session_timeout)?;
        config.heartbeat_interval = millis(Self::HEARTBEAT_INTERVAL_MS, config.heartbeat_interval)?;
        config.rebalance_timeout = millis(Self::REBALANCE_TIMEOUT_MS, config.rebalance_timeout)?;
        config.scheduled_rebalance_max_delay = millis(
            Self::SCHEDULED_REBALANCE_MAX_DELAY_MS,
            config.scheduled_rebalance_max_delay,
        )?;
        config.retry_backoff = millis(Self::RETRY_BACKOFF_MS, config.retry_backoff)?;
        config.retry_backoff_max = millis(Self::RETRY_BACKOFF_MAX_MS, config.retry_backoff_max)?;
        if let Some(value) = props.get(Self::CONNECT_PROTOCOL) {
            config.protocol =
                ProtocolVersion::from_config(value.trim()).ok_or(MemberConfigError {
                    key: Self::CONNECT_PROTOCOL,
                    value: value.clone(),
                    reason: "not one of eager, compatible, sessioned",
                })?;
        }
        if config.heartbeat_interval.is_zero()
            || config.heartbeat_interval >= config.session_timeout
        {
            return Err(MemberConfigError {
                key: Self::HEARTBEAT_INTERVAL_MS,
                value: config.heartbeat_interval.as_millis().to_string(),
                reason: "must be above 0 and below session.timeout.ms",
            });
        }
        Ok(config)
    }
}

/// Tells the member that revoked work has stopped, so that it can join again and the leader can
/// hand that work to others. Dropping it says the same.
#[derive(Debug)]
pub struct RevocationDone(Option<oneshot::Sender<()>>);

impl RevocationDone {
    /// The revoked work has stopped.
    pub fn done(mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// The outcome of one rebalance, for the worker to act on.
#[derive(Debug)]
pub struct Rebalance {
    /// The generation joined.
    pub generation: i32,
    /// This member's id in it.
    pub member_id: String,
    /// The leader's member id.
    pub leader: String,
    /// The leader's REST URL.
    pub leader_url: String,
    /// The sub-protocol the group chose.
    pub protocol: ProtocolVersion,
    /// Work to start.
    pub assigned: ConnectorsAndTasks,
    /// Work to stop (cooperative protocols only).
    pub revoked: ConnectorsAndTasks,
    /// Everything this member runs once it has applied the rebalance.
    pub owned: ConnectorsAndTasks,
    /// When the member will join again, in milliseconds (0: no rebalance scheduled).
    pub delay_ms: i32,
    /// The config offset the assignment was computed at: read the config topic up to it first.
    pub config_offset: i64,
    /// [`Assignment::NO_ERROR`] or [`Assignment::CONFIG_MISMATCH`] (read the config topic to its
    /// end; the member joins again by itself).
    pub error: i16,
    /// Present when work was revoked: say when it has stopped (the member joins again then).
    pub revocation: Option<RevocationDone>,
}

impl Rebalance {
    /// Whether this member leads the generation.
    pub fn is_leader(&self) -> bool {
        self.leader == self.member_id
    }

    /// Whether the leader could not assign because a member had read more of the config topic.
    pub fn is_config_mismatch(&self) -> bool {
        self.error == Assignment::CONFIG_MISMATCH
    }
}

/// What a member tells its worker.
#[derive(Debug)]
pub enum MemberEvent {
    /// The eager protocol revokes everything at the start of every rebalance (Kafka's
    /// `onRevoked` in `onJoinPrepare`): stop it, then drop or call `done` (the member waits for
    /// that, at most `rebalance.timeout.ms`, before it joins).
    Revoked {
        /// Everything the member ran.
        work: ConnectorsAndTasks,
        /// Say when it has stopped.
        done: RevocationDone,
    },
    /// A rebalance completed.
    Rebalance(Rebalance),
    /// The coordinator did not know the member any more (`UNKNOWN_MEMBER_ID`, e.g. after its
    /// session expired): it joins again as a new member. With the eager protocol its work is
    /// revoked ([`MemberEvent::Revoked`]); with the cooperative ones it keeps it.
    MemberIdReset {
        /// The member id that was lost.
        member_id: String,
        /// The error that said so.
        cause: String,
    },
    /// A failure that persists (reported from the third consecutive one); the member keeps
    /// retrying.
    Failure {
        /// What failed.
        error: String,
        /// How many consecutive failures.
        consecutive: u32,
    },
}

enum Command {
    Rejoin(String),
    Shutdown(oneshot::Sender<()>),
}

/// One worker's membership of the Connect group, running as a tokio task.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
/// use connect_log::kafka::protocol::{Cluster, ConnectionConfig, RetryPolicy};
/// use connect_runtime::distributed::assignor::ConfigSnapshot;
/// use connect_runtime::distributed::member::{MemberConfig, MemberEvent, WorkerGroupMember};
///
/// # async fn demo() {
/// let cluster = Arc::new(Cluster::new(
///     vec!["localhost:9092".into()],
///     ConnectionConfig::new("worker-1", Duration::from_secs(30)),
///     RetryPolicy::default(),
/// ));
/// let config = MemberConfig::new("connect-cluster", "http://w1:8083/");
/// let (member, mut events) =
///     WorkerGroupMember::start(cluster, config, Arc::new(ConfigSnapshot::default()));
/// while let Some(event) = events.recv().await {
///     if let MemberEvent::Rebalance(rebalance) = event {
///         println!("generation {}: running {:?}", rebalance.generation, rebalance.owned);
///         break;
///     }
/// }
/// member.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct WorkerGroupMember {
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
}

impl WorkerGroupMember {
    /// Starts the membership on `cluster` (the member joins at once), reading the config from
    /// `source`. Returns the handle and the member's events; the member never waits for the
    /// events to be read.
    pub fn start(
        cluster: Arc<Cluster>,
        config: MemberConfig,
        source: Arc<dyn ConfigSource>,
    ) -> (Self, mpsc::UnboundedReceiver<MemberEvent>) {
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let runner = Runner {
            group: cluster.group(config.group_id.clone()),
            cluster,
            assignor: IncrementalCooperativeAssignor::new(
                u64::try_from(config.scheduled_rebalance_max_delay.as_millis()).unwrap_or(u64::MAX),
            ),
            config,
            source,
            events: events_tx,
            commands: commands_rx,
            member_id: String::new(),
            owned: ConnectorsAndTasks::default(),
            last: None,
            protocol: None,
            generation: None,
            nudge: None,
            revoked_all: false,
            failed_sync: None,
            failures: 0,
            epoch: Instant::now(),
        };
        let task = tokio::spawn(runner.run());
        (WorkerGroupMember { commands, task }, events)
    }

    /// Asks the member to join the group again (Kafka's `requestRejoin`), e.g. after a config
    /// change; `reason` goes to the coordinator's log.
    pub fn request_rejoin(&self, reason: impl Into<String>) {
        let _ = self.commands.send(Command::Rejoin(reason.into()));
    }

    /// Whether the member's task has stopped.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Leaves the group (LeaveGroup) and stops.
    pub async fn shutdown(self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
        let _ = self.task.await;
    }

    /// Stops at once, without leaving the group: the coordinator drops the member when its
    /// session times out, as after a crash of the worker.
    pub fn abort(self) {
        self.task.abort();
    }
}

/// A generation joined: its id, when to join again by schedule, and the revocation to wait for.
type Joined = (i32, Option<Duration>, Option<oneshot::Receiver<()>>);

/// What to do next.
enum Flow {
    /// Join (again).
    Rejoin(String),
    /// The member stopped.
    Stop,
}

struct Runner {
    cluster: Arc<Cluster>,
    group: GroupCoordinator,
    config: MemberConfig,
    source: Arc<dyn ConfigSource>,
    events: mpsc::UnboundedSender<MemberEvent>,
    commands: mpsc::UnboundedReceiver<Command>,
    assignor: IncrementalCooperativeAssignor,
    member_id: String,
    owned: ConnectorsAndTasks,
    /// The last assignment received, for the leader fields of the metadata.
    last: Option<Assignment>,
    /// The sub-protocol of the last generation joined.
    protocol: Option<ProtocolVersion>,
    /// The last generation completed.
    generation: Option<i32>,
    /// A byte appended to the metadata of the next JoinGroup, to make a coordinator that
    /// answered the leader with its current generation start a new one (see
    /// [`Runner::join`]).
    nudge: Option<u8>,
    /// Whether the eager protocol revoked everything since the last assignment applied.
    revoked_all: bool,
    /// The generation and leader of the last JoinGroup whose SyncGroup failed with
    /// REBALANCE_IN_PROGRESS while this member followed (see [`Runner::adopt_departed_leader`]).
    failed_sync: Option<(i32, String)>,
    failures: u32,
    epoch: Instant,
}

/// A rebalance step that failed.
enum StepError {
    Client(ClientError),
    Other(String),
    /// The coordinator answered the leader's JoinGroup with the generation already completed:
    /// join again at once, with changed metadata.
    StaleGeneration(i32),
    /// The coordinator keeps naming, generation after generation, a leader that left before it
    /// assigned: complete one generation under its id.
    DepartedLeader {
        /// The generation named again.
        generation: i32,
        /// The departed leader's member id.
        leader: String,
    },
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Client(e) => e.fmt(f),
            StepError::Other(e) => f.write_str(e),
            StepError::StaleGeneration(g) => write!(
                f,
                "the coordinator answered the leader's JoinGroup with generation {g}, \
                 already completed, instead of starting a new one"
            ),
            StepError::DepartedLeader { generation, leader } => write!(
                f,
                "the coordinator names {leader} as the leader of generation {generation} again, \
                 a member that left without assigning"
            ),
        }
    }
}

impl Runner {
    async fn run(mut self) {
        let mut reason = "joining the group".to_string();
        loop {
            let flow = match self.join(&reason).await {
                Ok(Some((generation, rejoin_after, revocation))) => {
                    self.failures = 0;
                    self.steady(generation, rejoin_after, revocation).await
                }
                Ok(None) => Flow::Stop,
                Err(e) => self.on_error(e).await,
            };
            match flow {
                Flow::Rejoin(next) => reason = next,
                Flow::Stop => return,
            }
        }
    }

    fn emit(&self, event: MemberEvent) {
        let _ = self.events.send(event);
    }

    /// Joins and syncs one generation. `Ok(None)`: shut down meanwhile.
    async fn join(&mut self, reason: &str) -> Result<Option<Joined>, StepError> {
        tracing::info!(group = %self.config.group_id, member = %self.member_id, reason, "rebalance started");
        if self.protocol == Some(ProtocolVersion::Eager) && !self.owned.is_empty() {
            self.revoked_all = true;
            let (tx, rx) = oneshot::channel();
            let work = std::mem::take(&mut self.owned);
            self.emit(MemberEvent::Revoked {
                work,
                done: RevocationDone(Some(tx)),
            });
            let _ = tokio::time::timeout(self.config.rebalance_timeout, rx).await;
        }
        let snapshot = self.source.snapshot().await;
        let request = self.join_request(&self.member_id, snapshot.offset, reason)?;
        let joined = match self.interruptible_join(&request).await {
            None => return Ok(None),
            Some(joined) => joined.map_err(StepError::Client)?,
        };
        tracing::debug!(
            group = %self.config.group_id,
            generation = joined.generation_id,
            member = %joined.member_id,
            leader = %joined.leader,
            members = joined.members.len(),
            "joined"
        );
        if !joined.is_leader()
            && self.failed_sync.as_ref() == Some(&(joined.generation_id, joined.leader.clone()))
        {
            return Err(StepError::DepartedLeader {
                generation: joined.generation_id,
                leader: joined.leader.clone(),
            });
        }
        let same_generation = self.generation == Some(joined.generation_id)
            && self.member_id == joined.member_id
            && self.protocol.is_some();
        self.member_id = joined.member_id.clone();
        if same_generation && joined.is_leader() && self.nudge.is_none() {
            // Kafka starts a new generation when the leader joins again, which is how scheduled
            // rebalances and rejoin requests reach the assignor; nisshi 0.6.0 answers with the
            // current generation (and its SyncGroup with the assignments stored for it) unless
            // the metadata changed. Join again with a marked metadata.
            self.nudge = Some(joined.generation_id.to_be_bytes()[3]);
            return Err(StepError::StaleGeneration(joined.generation_id));
        }
        self.nudge = None;
        // The assignment of the generation already completed stands, unless the eager protocol
        // just revoked it: then it is applied again.
        let stale = same_generation && !self.revoked_all;
        let protocol = joined
            .protocol_name
            .as_deref()
            .and_then(ProtocolVersion::from_protocol_name)
            .ok_or_else(|| {
                StepError::Other(format!(
                    "the coordinator chose an unknown protocol {:?}",
                    joined.protocol_name
                ))
            })?;
        let assignments = if joined.is_leader() && !same_generation {
            self.perform_assignment(&joined, protocol, snapshot).await?
        } else {
            Vec::new()
        };
        let sync = SyncGroup {
            group_id: self.config.group_id.clone(),
            generation_id: joined.generation_id,
            member_id: joined.member_id.clone(),
            group_instance_id: None,
            protocol_type: PROTOCOL_TYPE.to_string(),
            protocol_name: joined.protocol_name.clone(),
            assignments,
        };
        let bytes = match self.group.sync_group(&sync).await {
            Ok(bytes) => {
                self.failed_sync = None;
                bytes
            }
            Err(e) => {
                self.failed_sync = (!joined.is_leader()
                    && e.code() == Some(ErrorCode::REBALANCE_IN_PROGRESS))
                .then(|| (joined.generation_id, joined.leader.clone()));
                return Err(StepError::Client(e));
            }
        };
        if bytes.is_empty() {
            return Err(StepError::Other(format!(
                "the leader {} sent no assignment for generation {}",
                joined.leader, joined.generation_id
            )));
        }
        if stale {
            // The generation this member already completed: nothing changed.
            tracing::debug!(
                group = %self.config.group_id,
                generation = joined.generation_id,
                "joined the current generation again; the assignment stands"
            );
            return Ok(Some((joined.generation_id, None, None)));
        }
        let assignment = Assignment::decode(&bytes).map_err(|e| {
            StepError::Other(format!(
                "cannot decode the assignment of generation {}: {e}",
                joined.generation_id
            ))
        })?;
        Ok(Some(
            self.apply(joined.generation_id, protocol, assignment).await,
        ))
    }

    /// A JoinGroup of `member_id` with this worker's metadata (marked when a nudge is pending).
    fn join_request(
        &self,
        member_id: &str,
        config_offset: i64,
        reason: &str,
    ) -> Result<JoinGroup, StepError> {
        let metadata = WorkerMetadata {
            url: self.config.url.clone(),
            config_offset,
            assignment: Some(self.current_assignment()),
        };
        let mut protocols = join_protocols(self.config.protocol, &metadata)
            .map_err(|e| StepError::Other(format!("cannot encode the worker metadata: {e}")))?;
        if let Some(nudge) = self.nudge {
            // Readers (this one and Kafka's) ignore bytes after the metadata's fields.
            for (_, bytes) in &mut protocols {
                let mut nudged = bytes.to_vec();
                nudged.push(nudge);
                *bytes = Bytes::from(nudged);
            }
        }
        Ok(JoinGroup {
            group_id: self.config.group_id.clone(),
            member_id: member_id.to_owned(),
            group_instance_id: None,
            protocol_type: PROTOCOL_TYPE.to_string(),
            protocols: protocols
                .into_iter()
                .map(|(name, metadata)| GroupProtocol {
                    name: name.to_string(),
                    metadata,
                })
                .collect(),
            session_timeout: self.config.session_timeout,
            rebalance_timeout: self.config.rebalance_timeout,
            reason: Some(reason.to_string()),
        })
    }

    /// Gets a group out of a coordinator that keeps naming a departed member as leader.
    ///
    /// nisshi 0.6.0: when the leader of a generation leaves (or dies) after JoinGroup and before
    /// its SyncGroup, every later JoinGroup answers with that member as leader, and every
    /// SyncGroup fails with REBALANCE_IN_PROGRESS once its session is over; nothing else
    /// clears it, not even the group emptying. The coordinator does accept a JoinGroup under
    /// the departed member's id: this member joins once under it, completes that generation
    /// with an assignment that changes nothing for anyone (so that two members doing this at
    /// once cannot give one task to both), leaves under that id, and joins again as itself.
    /// Kafka starts a new generation after a failed SyncGroup, so this never happens there.
    async fn adopt_departed_leader(&mut self, generation: i32, leader: &str) {
        self.failed_sync = None;
        tracing::warn!(group = %self.config.group_id, generation, leader,
            "the group coordinator keeps naming a departed member as leader; completing a generation under its id");
        let snapshot = self.source.snapshot().await;
        let outcome = async {
            let request = self.join_request(
                leader,
                snapshot.offset,
                "completing a departed leader's generation",
            )?;
            let joined = self
                .group
                .join_group(&request)
                .await
                .map_err(StepError::Client)?;
            if joined.is_leader() && joined.member_id == leader {
                let version = joined
                    .protocol_name
                    .as_deref()
                    .and_then(ProtocolVersion::from_protocol_name)
                    .unwrap_or(self.config.protocol);
                let unchanged =
                    Assignment::new(version, leader, self.config.url.clone(), snapshot.offset)
                        .encode()
                        .map_err(|e| {
                            StepError::Other(format!("cannot encode an assignment: {e}"))
                        })?;
                let sync = SyncGroup {
                    group_id: self.config.group_id.clone(),
                    generation_id: joined.generation_id,
                    member_id: leader.to_owned(),
                    group_instance_id: None,
                    protocol_type: PROTOCOL_TYPE.to_string(),
                    protocol_name: joined.protocol_name.clone(),
                    assignments: joined
                        .members
                        .iter()
                        .map(|m| (m.member_id.clone(), unchanged.clone()))
                        .collect(),
                };
                self.group
                    .sync_group(&sync)
                    .await
                    .map_err(StepError::Client)?;
            }
            self.group
                .leave_group(leader, None)
                .await
                .map_err(StepError::Client)
        }
        .await;
        match outcome {
            Ok(()) => tracing::info!(group = %self.config.group_id, leader,
                "completed a generation under the departed leader's id and left under it"),
            Err(error) => tracing::warn!(group = %self.config.group_id, leader, %error,
                "could not complete a generation under the departed leader's id"),
        }
    }

    /// A JoinGroup that a shutdown interrupts (the member then leaves on a new connection).
    async fn interruptible_join(
        &mut self,
        request: &JoinGroup,
    ) -> Option<Result<JoinGroupResult, ClientError>> {
        let mut shutdown_ack = None;
        let result = {
            let join = self.group.join_group(request);
            tokio::pin!(join);
            loop {
                tokio::select! {
                    result = &mut join => break Some(result),
                    command = self.commands.recv() => match command {
                        Some(Command::Rejoin(_)) => {}
                        Some(Command::Shutdown(tx)) => { shutdown_ack = Some(tx); break None; }
                        None => break None,
                    },
                }
            }
        };
        if result.is_none() {
            // The interrupted JoinGroup may still be on the connection: leave on a fresh one.
            self.group = self.cluster.group(self.config.group_id.clone());
            self.stop(shutdown_ack).await;
        }
        result
    }

    /// What this member runs now, as its metadata reports it.
    fn current_assignment(&self) -> Assignment {
        let version = self.protocol.unwrap_or(self.config.protocol);
        let (leader, leader_url, offset) = match &self.last {
            Some(a) => (a.leader.clone(), a.leader_url.clone(), a.config_offset),
            None => (String::new(), String::new(), -1),
        };
        let mut assignment = Assignment::new(version, leader, leader_url, offset);
        assignment.assigned = self.owned.clone();
        assignment
    }

    /// The leader's part: every member's assignment, encoded.
    async fn perform_assignment(
        &mut self,
        joined: &JoinGroupResult,
        protocol: ProtocolVersion,
        mut snapshot: ConfigSnapshot,
    ) -> Result<Vec<(String, Bytes)>, StepError> {
        let mut members = Vec::with_capacity(joined.members.len());
        for m in &joined.members {
            match WorkerMetadata::decode(&m.metadata) {
                Ok((_, metadata)) => members.push(Member {
                    id: m.member_id.clone(),
                    url: metadata.url,
                    config_offset: metadata.config_offset,
                    owned: metadata.assignment.map(|a| a.assigned).unwrap_or_default(),
                }),
                Err(e) => tracing::error!(
                    group = %self.config.group_id,
                    member = %m.member_id,
                    error = %e,
                    "cannot decode the metadata of a group member; it gets no assignment"
                ),
            }
        }
        let leader = members
            .iter()
            .find(|m| m.id == joined.member_id)
            .cloned()
            .ok_or_else(|| {
                StepError::Other(format!(
                    "the leader {} is not among the members it was given",
                    joined.member_id
                ))
            })?;
        let max_offset = members.iter().map(|m| m.config_offset).max();
        if max_offset.is_some_and(|max| max > snapshot.offset) {
            snapshot = self.source.snapshot().await;
        }
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let assignments = if protocol == ProtocolVersion::Eager {
            // Eager: everything is revoked at every rebalance, so nothing is remembered.
            IncrementalCooperativeAssignor::new(0).assign(
                now_ms,
                joined.generation_id,
                &leader,
                &members,
                &snapshot,
                protocol,
            )
        } else {
            self.assignor.assign(
                now_ms,
                joined.generation_id,
                &leader,
                &members,
                &snapshot,
                protocol,
            )
        };
        tracing::debug!(group = %self.config.group_id, generation = joined.generation_id, ?assignments, "leader assigned");
        assignments
            .into_iter()
            .map(|(id, a)| {
                let bytes = a.encode().map_err(|e| {
                    StepError::Other(format!("cannot encode the assignment of {id}: {e}"))
                })?;
                Ok((id, bytes))
            })
            .collect()
    }

    /// Applies a received assignment and reports it. Returns when to join again by schedule,
    /// and the revocation to wait for.
    async fn apply(
        &mut self,
        generation: i32,
        protocol: ProtocolVersion,
        assignment: Assignment,
    ) -> Joined {
        self.protocol = Some(protocol);
        self.generation = Some(generation);
        self.revoked_all = false;
        let mut rejoin_after = None;
        let mut revocation = None;
        let mut done = None;
        if assignment.error == Assignment::CONFIG_MISMATCH {
            tracing::warn!(
                group = %self.config.group_id,
                generation,
                leader_offset = assignment.config_offset,
                "the leader could not assign: config offsets differ; rereading the config"
            );
            rejoin_after = Some(self.config.retry_backoff);
        } else {
            if protocol == ProtocolVersion::Eager {
                self.owned = assignment.assigned.clone();
            } else {
                self.owned = apply_assignment(&self.owned, &assignment);
                if !assignment.revoked.is_empty() {
                    let (tx, rx) = oneshot::channel();
                    revocation = Some(rx);
                    done = Some(RevocationDone(Some(tx)));
                }
            }
            if assignment.delay_ms > 0 {
                rejoin_after = Some(Duration::from_millis(
                    u64::try_from(assignment.delay_ms).unwrap_or(0),
                ));
            }
        }
        tracing::info!(
            group = %self.config.group_id,
            generation,
            member = %self.member_id,
            leader = %assignment.leader,
            assigned = ?assignment.assigned,
            revoked = ?assignment.revoked,
            delay_ms = assignment.delay_ms,
            "rebalance completed"
        );
        self.emit(MemberEvent::Rebalance(Rebalance {
            generation,
            member_id: self.member_id.clone(),
            leader: assignment.leader.clone(),
            leader_url: assignment.leader_url.clone(),
            protocol,
            assigned: assignment.assigned.clone(),
            revoked: assignment.revoked.clone(),
            owned: self.owned.clone(),
            delay_ms: assignment.delay_ms,
            config_offset: assignment.config_offset,
            error: assignment.error,
            revocation: done,
        }));
        if assignment.error == Assignment::CONFIG_MISMATCH {
            self.source.refresh().await;
        } else {
            self.last = Some(assignment);
        }
        (generation, rejoin_after, revocation)
    }

    /// Member of a generation: heartbeats until something asks to join again.
    async fn steady(
        &mut self,
        generation: i32,
        rejoin_after: Option<Duration>,
        mut revocation: Option<oneshot::Receiver<()>>,
    ) -> Flow {
        let rejoin_at = rejoin_after.map(|d| Instant::now() + d);
        let mut next_heartbeat = Instant::now() + self.config.heartbeat_interval;
        let mut last_success = Instant::now();
        let mut failures: u32 = 0;
        loop {
            tokio::select! {
                biased;
                command = self.commands.recv() => match command {
                    Some(Command::Rejoin(reason)) => return Flow::Rejoin(reason),
                    Some(Command::Shutdown(tx)) => return self.stop(Some(tx)).await,
                    None => return self.stop(None).await,
                },
                _ = async { if let Some(rx) = revocation.as_mut() { let _ = rx.await; } },
                    if revocation.is_some() => {
                    return Flow::Rejoin("revoked work stopped".to_string());
                }
                _ = async { if let Some(at) = rejoin_at { tokio::time::sleep_until(at).await } },
                    if rejoin_at.is_some() => {
                    return Flow::Rejoin("scheduled rebalance".to_string());
                }
                _ = tokio::time::sleep_until(next_heartbeat) => {
                    match self.group.heartbeat(generation, &self.member_id, None).await {
                        Ok(()) => {
                            failures = 0;
                            last_success = Instant::now();
                            next_heartbeat = last_success + self.config.heartbeat_interval;
                        }
                        Err(e) => match e.code() {
                            Some(ErrorCode::REBALANCE_IN_PROGRESS | ErrorCode::ILLEGAL_GENERATION) => {
                                tracing::debug!(group = %self.config.group_id, error = %e, "rejoining");
                                return Flow::Rejoin(format!("heartbeat: {e}"));
                            }
                            Some(ErrorCode::UNKNOWN_MEMBER_ID) => {
                                self.reset_member_id(&e);
                                return Flow::Rejoin(format!("heartbeat: {e}"));
                            }
                            _ => {
                                failures = failures.saturating_add(1);
                                tracing::warn!(group = %self.config.group_id, error = %e, failures, "heartbeat failed");
                                if last_success.elapsed() >= self.config.session_timeout {
                                    return self.on_error(StepError::Client(e)).await;
                                }
                                next_heartbeat = Instant::now() + self.backoff(failures);
                            }
                        },
                    }
                }
            }
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(16);
        self.config
            .retry_backoff
            .saturating_mul(1 << exp)
            .min(self.config.retry_backoff_max.max(self.config.retry_backoff))
    }

    fn reset_member_id(&mut self, cause: &ClientError) {
        tracing::warn!(group = %self.config.group_id, member = %self.member_id, error = %cause,
            "the coordinator no longer knows this member; joining as a new member");
        let member_id = std::mem::take(&mut self.member_id);
        self.emit(MemberEvent::MemberIdReset {
            member_id,
            cause: cause.to_string(),
        });
    }

    /// Decides what a failed step leads to; waits out the backoff of persistent failures.
    async fn on_error(&mut self, error: StepError) -> Flow {
        if let StepError::StaleGeneration(_) = &error {
            tracing::warn!(group = %self.config.group_id, error = %error,
                "joining again with marked metadata to start a new generation");
            return Flow::Rejoin(error.to_string());
        }
        if let StepError::DepartedLeader { generation, leader } = &error {
            self.adopt_departed_leader(*generation, leader).await;
            return Flow::Rejoin(error.to_string());
        }
        if let StepError::Client(e) = &error {
            match e.code() {
                Some(ErrorCode::REBALANCE_IN_PROGRESS | ErrorCode::ILLEGAL_GENERATION) => {
                    tracing::debug!(group = %self.config.group_id, error = %e, "rejoining");
                    return Flow::Rejoin(e.to_string());
                }
                Some(ErrorCode::UNKNOWN_MEMBER_ID) => {
                    self.reset_member_id(e);
                    return Flow::Rejoin(e.to_string());
                }
                _ => {}
            }
        }
        self.failures = self.failures.saturating_add(1);
        let wait = self.backoff(self.failures);
        tracing::warn!(group = %self.config.group_id, error = %error, failures = self.failures,
            retry_in = ?wait, "group membership step failed");
        if self.failures >= FAILURES_TO_REPORT {
            self.emit(MemberEvent::Failure {
                error: error.to_string(),
                consecutive: self.failures,
            });
        }
        let deadline = Instant::now() + wait;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return Flow::Rejoin(error.to_string()),
                command = self.commands.recv() => match command {
                    Some(Command::Rejoin(_)) => {}
                    Some(Command::Shutdown(tx)) => return self.stop(Some(tx)).await,
                    None => return self.stop(None).await,
                },
            }
        }
    }

    /// LeaveGroup, when the member has an id; failures are logged.
    /// Leaves the group, then answers a shutdown request if there is one.
    async fn stop(&mut self, ack: Option<oneshot::Sender<()>>) -> Flow {
        self.leave().await;
        if let Some(tx) = ack {
            let _ = tx.send(());
        }
        Flow::Stop
    }

    async fn leave(&mut self) {
        if self.member_id.is_empty() {
            return;
        }
        match self.group.leave_group(&self.member_id, None).await {
            Ok(()) => {
                tracing::info!(group = %self.config.group_id, member = %self.member_id, "left the group")
            }
            Err(e) => {
                tracing::warn!(group = %self.config.group_id, member = %self.member_id, error = %e, "LeaveGroup failed")
            }
        }
    }
}

/// What a cooperative member runs after an assignment: `owned - revoked + assigned`.
fn apply_assignment(owned: &ConnectorsAndTasks, assignment: &Assignment) -> ConnectorsAndTasks {
    ConnectorsAndTasks {
        connectors: owned_after(
            &owned.connectors,
            &assignment.revoked.connectors,
            &assignment.assigned.connectors,
        ),
        tasks: owned_after(
            &owned.tasks,
            &assignment.revoked.tasks,
            &assignment.assigned.tasks,
        ),
    }
}

/// `owned - revoked + assigned`, sorted, each item once.
fn owned_after<T: Ord + Clone>(owned: &[T], revoked: &[T], assigned: &[T]) -> Vec<T> {
    let mut items: Vec<T> = owned
        .iter()
        .filter(|item| !revoked.contains(item))
        .chain(assigned)
        .cloned()
        .collect();
    items.sort();
    items.dedup();
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskId;

    fn task(c: &str, n: u32) -> TaskId {
        TaskId {
            connector: Arc::from(c),
            task: n,
        }
    }

    #[test]
    fn owned_is_owned_minus_revoked_plus_assigned() {
        let owned = ConnectorsAndTasks {
            connectors: vec![Arc::from("a"), Arc::from("b")],
            tasks: vec![task("a", 0), task("a", 1)],
        };
        let mut a = Assignment::new(ProtocolVersion::Sessioned, "l", "u", 3);
        a.revoked.connectors.push(Arc::from("b"));
        a.revoked.tasks.push(task("a", 1));
        a.assigned.connectors.push(Arc::from("c"));
        a.assigned.tasks.push(task("c", 0));
        a.assigned.tasks.push(task("a", 0));
        let next = apply_assignment(&owned, &a);
        assert_eq!(next.connectors, [Arc::from("a"), Arc::from("c")]);
        assert_eq!(next.tasks, [task("a", 0), task("c", 0)]);
    }

    #[test]
    fn properties_are_read_with_defaults_and_checked() {
        let props = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let config = MemberConfig::from_properties(
            &props(&[
                ("group.id", "g"),
                ("heartbeat.interval.ms", "1000"),
                ("rebalance.timeout.ms", "10000"),
                ("scheduled.rebalance.max.delay.ms", "3000"),
                ("connect.protocol", "compatible"),
            ]),
            "http://w:8083/",
        )
        .unwrap();
        assert_eq!(config.group_id, "g");
        assert_eq!(config.session_timeout, Duration::from_secs(10));
        assert_eq!(config.heartbeat_interval, Duration::from_secs(1));
        assert_eq!(config.rebalance_timeout, Duration::from_secs(10));
        assert_eq!(config.scheduled_rebalance_max_delay, Duration::from_secs(3));
        assert_eq!(config.protocol, ProtocolVersion::Compatible);
        let err = MemberConfig::from_properties(&props(&[]), "u").unwrap_err();
        assert_eq!(err.key, "group.id");
        let err = MemberConfig::from_properties(
            &props(&[("group.id", "g"), ("connect.protocol", "default")]),
            "u",
        )
        .unwrap_err();
        assert_eq!(err.key, "connect.protocol");
        let err = MemberConfig::from_properties(
            &props(&[("group.id", "g"), ("heartbeat.interval.ms", "10000")]),
            "u",
        )
        .unwrap_err();
        assert_eq!(err.key, "heartbeat.interval.ms");
    }

    #[test]
    fn dropping_a_revocation_says_done() {
        let (tx, mut rx) = oneshot::channel::<()>();
        drop(RevocationDone(Some(tx)));
        assert!(rx.try_recv().is_err());
        let (tx, mut rx) = oneshot::channel::<()>();
        RevocationDone(Some(tx)).done();
        assert!(rx.try_recv().is_ok());
    }
}
