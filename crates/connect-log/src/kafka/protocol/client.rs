//! Connections managed for the caller: [`Cluster`] (bootstrap, controller) and
//! [`GroupCoordinator`] (a group's coordinator, found and re-found as needed), with retries.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use bytes::Bytes;
use tokio::sync::Mutex;

use super::connection::{BrokerConnection, ConnectionConfig};
use super::error::{ClientError, ErrorCode};
use super::group::{BrokerAddress, JoinGroup, JoinGroupResult, SyncGroup};
use super::offsets::{CommitAs, TopicPartition};
use crate::NewTopic;

/// How long and how often failed requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Give up (returning the last error) once this much time has passed since the first
    /// attempt (Kafka's `default.api.timeout.ms`).
    pub deadline: Duration,
    /// The first wait between attempts (`retry.backoff.ms`); it doubles after each failure.
    pub initial_backoff: Duration,
    /// The longest wait between attempts (`retry.backoff.max.ms`).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        }
    }
}

/// The retry loop's state for one operation.
struct Backoff {
    policy: RetryPolicy,
    started: Instant,
    next: Duration,
}

impl Backoff {
    fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            started: Instant::now(),
            next: policy.initial_backoff,
        }
    }

    /// Waits before the next attempt, or gives `err` back when it is not retriable or the
    /// deadline would pass.
    async fn retry_after(&mut self, err: ClientError) -> Result<(), ClientError> {
        if !err.is_retriable() || self.started.elapsed() + self.next > self.policy.deadline {
            return Err(err);
        }
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(self.policy.max_backoff);
        Ok(())
    }
}

/// A cached connection that is dropped after a transport failure.
#[derive(Default)]
struct Slot(Mutex<Option<Arc<BrokerConnection>>>);

impl Slot {
    async fn get(&self) -> Option<Arc<BrokerConnection>> {
        self.0.lock().await.clone()
    }

    async fn set(&self, conn: Arc<BrokerConnection>) {
        *self.0.lock().await = Some(conn);
    }

    /// Forgets `conn` if it is still the cached one.
    async fn forget(&self, conn: &Arc<BrokerConnection>) {
        let mut slot = self.0.lock().await;
        if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            *slot = None;
        }
    }
}

/// A Kafka cluster reached through its bootstrap brokers: connections, the controller, topic
/// administration, and [`GroupCoordinator`]s.
pub struct Cluster {
    bootstrap: Vec<String>,
    config: ConnectionConfig,
    retry: RetryPolicy,
    any: Slot,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("bootstrap", &self.bootstrap)
            .field("config", &self.config)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// A cluster reached through `bootstrap` (`host:port` each). Connects lazily.
    pub fn new(bootstrap: Vec<String>, config: ConnectionConfig, retry: RetryPolicy) -> Self {
        Self {
            bootstrap,
            config,
            retry,
            any: Slot::default(),
        }
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The retry policy of the managed calls.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Opens a new connection to `addr` with this cluster's settings.
    ///
    /// # Errors
    ///
    /// See [`BrokerConnection::connect`].
    pub async fn connect_to(&self, addr: &str) -> Result<Arc<BrokerConnection>, ClientError> {
        Ok(Arc::new(
            BrokerConnection::connect(addr, &self.config).await?,
        ))
    }

    /// A (cached) connection to one of the bootstrap brokers, tried in order.
    ///
    /// # Errors
    ///
    /// The last bootstrap broker's error when none can be reached.
    pub async fn any_broker(&self) -> Result<Arc<BrokerConnection>, ClientError> {
        if let Some(conn) = self.any.get().await {
            return Ok(conn);
        }
        let mut last = ClientError::Protocol("no bootstrap servers".to_owned());
        for addr in &self.bootstrap {
            match self.connect_to(addr).await {
                Ok(conn) => {
                    self.any.set(Arc::clone(&conn)).await;
                    return Ok(conn);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Runs `op` on a bootstrap connection, dropping that connection when it fails.
    async fn on_any<T, Fut>(
        &self,
        op: impl FnOnce(Arc<BrokerConnection>) -> Fut,
    ) -> Result<T, ClientError>
    where
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let conn = self.any_broker().await?;
        let result = op(Arc::clone(&conn)).await;
        if let Err(e) = &result
            && e.is_connection_error()
        {
            self.any.forget(&conn).await;
        }
        result
    }

    /// Finds the coordinator of `group_id` (one attempt).
    ///
    /// # Errors
    ///
    /// See [`BrokerConnection::find_coordinator`].
    pub async fn find_coordinator(&self, group_id: &str) -> Result<BrokerAddress, ClientError> {
        self.on_any(move |conn| async move { conn.find_coordinator(group_id).await })
            .await
    }

    /// Creates a topic with its configs on the controller, retrying retriable failures.
    /// `Ok(false)` when it already existed (it is left unchanged).
    ///
    /// # Errors
    ///
    /// See [`BrokerConnection::create_topic`].
    pub async fn create_topic(
        &self,
        topic: &NewTopic,
        timeout: Duration,
    ) -> Result<bool, ClientError> {
        let mut backoff = Backoff::new(self.retry);
        loop {
            let attempt = async {
                let controller = self
                    .on_any(move |conn| async move { conn.controller().await })
                    .await?;
                let any = self.any_broker().await?;
                match controller {
                    Some(c) if c.addr() != any.addr() => {
                        self.connect_to(&c.addr())
                            .await?
                            .create_topic(topic, timeout)
                            .await
                    }
                    _ => {
                        self.on_any(
                            move |conn| async move { conn.create_topic(topic, timeout).await },
                        )
                        .await
                    }
                }
            };
            match attempt.await {
                Ok(created) => return Ok(created),
                Err(e) => backoff.retry_after(e).await?,
            }
        }
    }

    /// A topic's configs (defaults included), retrying retriable failures.
    ///
    /// # Errors
    ///
    /// See [`BrokerConnection::describe_topic_configs`].
    pub async fn describe_topic_configs(
        &self,
        topic: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        let mut backoff = Backoff::new(self.retry);
        loop {
            match self
                .on_any(move |conn| async move { conn.describe_topic_configs(topic).await })
                .await
            {
                Err(e) if e.code() == Some(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) => {
                    return Err(e);
                }
                Ok(configs) => return Ok(configs),
                Err(e) => backoff.retry_after(e).await?,
            }
        }
    }

    /// The coordinator helper for `group_id`.
    pub fn group(self: &Arc<Self>, group_id: impl Into<String>) -> GroupCoordinator {
        GroupCoordinator {
            cluster: Arc::clone(self),
            group_id: group_id.into(),
            coordinator: Slot::default(),
        }
    }
}

/// The coordinator of one group: every call finds the coordinator when needed, and retries
/// with backoff (within the cluster's [`RetryPolicy`]) when the coordinator moved, is not
/// available yet or is loading (`NOT_COORDINATOR`, `COORDINATOR_NOT_AVAILABLE`,
/// `COORDINATOR_LOAD_IN_PROGRESS`), and when the connection fails.
///
/// Group errors that need the member to act (`REBALANCE_IN_PROGRESS`,
/// `ILLEGAL_GENERATION`, `UNKNOWN_MEMBER_ID`, ...) are returned at once as
/// [`ClientError::Broker`]. Calls on one `GroupCoordinator` share one connection and run one
/// at a time; a member that must heartbeat while another call of its waits (a JoinGroup
/// blocks up to the rebalance timeout) uses a second `GroupCoordinator`.
///
/// A typical member (distributed Connect workers use protocol type `connect`):
///
/// ```no_run
/// # async fn member(group: &connect_log::kafka::protocol::GroupCoordinator)
/// #     -> Result<(), connect_log::kafka::protocol::ClientError> {
/// use std::time::Duration;
/// use connect_log::kafka::protocol::{GroupProtocol, JoinGroup, SyncGroup};
///
/// let joined = group
///     .join_group(&JoinGroup {
///         group_id: group.group_id().to_owned(),
///         member_id: String::new(),
///         group_instance_id: None,
///         protocol_type: "connect".into(),
///         protocols: vec![GroupProtocol { name: "sessioned".into(), metadata: "worker-1".into() }],
///         session_timeout: Duration::from_secs(10),
///         rebalance_timeout: Duration::from_secs(60),
///         reason: None,
///     })
///     .await?;
/// let assignments = if joined.is_leader() {
///     // Compute one assignment per member from `joined.members[..].metadata`.
///     joined.members.iter().map(|m| (m.member_id.clone(), bytes::Bytes::new())).collect()
/// } else {
///     Vec::new()
/// };
/// let mine = group
///     .sync_group(&SyncGroup {
///         group_id: group.group_id().to_owned(),
///         generation_id: joined.generation_id,
///         member_id: joined.member_id.clone(),
///         group_instance_id: None,
///         protocol_type: "connect".into(),
///         protocol_name: joined.protocol_name.clone(),
///         assignments,
///     })
///     .await?;
/// // ... work on `mine`, heartbeat every `heartbeat.interval.ms` ...
/// group.heartbeat(joined.generation_id, &joined.member_id, None).await?;
/// group.leave_group(&joined.member_id, None).await?;
/// # let _ = mine; Ok(()) }
/// ```
pub struct GroupCoordinator {
    cluster: Arc<Cluster>,
    group_id: String,
    coordinator: Slot,
}

impl std::fmt::Debug for GroupCoordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCoordinator")
            .field("group_id", &self.group_id)
            .finish_non_exhaustive()
    }
}

impl GroupCoordinator {
    /// The group.
    pub fn group_id(&self) -> &str {
        &self.group_id
    }

    /// The (cached) connection to the coordinator, found through a bootstrap broker.
    ///
    /// # Errors
    ///
    /// FindCoordinator's errors, or the coordinator's connection error.
    pub async fn connection(&self) -> Result<Arc<BrokerConnection>, ClientError> {
        if let Some(conn) = self.coordinator.get().await {
            return Ok(conn);
        }
        let address = self.cluster.find_coordinator(&self.group_id).await?;
        let conn = self.cluster.connect_to(&address.addr()).await?;
        self.coordinator.set(Arc::clone(&conn)).await;
        Ok(conn)
    }

    /// Runs `op` on the coordinator, finding it again and retrying as described on the type.
    async fn call<T, Fut>(
        &self,
        op: impl Fn(Arc<BrokerConnection>) -> Fut,
    ) -> Result<T, ClientError>
    where
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let mut backoff = Backoff::new(self.cluster.retry);
        loop {
            let (conn, result) = match self.connection().await {
                Ok(conn) => {
                    let result = op(Arc::clone(&conn)).await;
                    (Some(conn), result)
                }
                Err(e) => (None, Err(e)),
            };
            match result {
                Ok(value) => return Ok(value),
                Err(e) => {
                    let moved = e.is_connection_error()
                        || e.code().is_some_and(|c| {
                            c.is_coordinator_error() && c != ErrorCode::COORDINATOR_LOAD_IN_PROGRESS
                        });
                    if moved && let Some(conn) = &conn {
                        self.coordinator.forget(conn).await;
                    }
                    let retry = e.is_connection_error()
                        || e.code().is_some_and(|c| c.is_coordinator_error());
                    if !retry {
                        return Err(e);
                    }
                    backoff.retry_after(e).await?;
                }
            }
        }
    }

    /// JoinGroup (see [`BrokerConnection::join_group`]).
    ///
    /// # Errors
    ///
    /// Group errors as [`ClientError::Broker`]; the last error once retries are exhausted.
    pub async fn join_group(&self, join: &JoinGroup) -> Result<JoinGroupResult, ClientError> {
        self.call(move |conn| async move { conn.join_group(join).await })
            .await
    }

    /// SyncGroup (see [`BrokerConnection::sync_group`]); returns this member's assignment.
    ///
    /// # Errors
    ///
    /// Group errors as [`ClientError::Broker`]; the last error once retries are exhausted.
    pub async fn sync_group(&self, sync: &SyncGroup) -> Result<Bytes, ClientError> {
        self.call(move |conn| async move { conn.sync_group(sync).await })
            .await
    }

    /// Heartbeat for a member of generation `generation_id`.
    ///
    /// # Errors
    ///
    /// `REBALANCE_IN_PROGRESS` and other group errors as [`ClientError::Broker`].
    pub async fn heartbeat(
        &self,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), ClientError> {
        self.call(move |conn| async move {
            conn.heartbeat(&self.group_id, generation_id, member_id, group_instance_id)
                .await
        })
        .await
    }

    /// LeaveGroup for `member_id`.
    ///
    /// # Errors
    ///
    /// Group errors as [`ClientError::Broker`].
    pub async fn leave_group(
        &self,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), ClientError> {
        self.call(move |conn| async move {
            conn.leave_group(&self.group_id, member_id, group_instance_id)
                .await
        })
        .await
    }

    /// OffsetCommit of `offsets` (next offset to read) as `who`.
    ///
    /// # Errors
    ///
    /// The first partition error as [`ClientError::Broker`].
    pub async fn commit_offsets(
        &self,
        who: &CommitAs,
        offsets: &[(TopicPartition, i64)],
    ) -> Result<(), ClientError> {
        if offsets.is_empty() {
            return Ok(());
        }
        self.call(move |conn| async move { conn.offset_commit(&self.group_id, who, offsets).await })
            .await
    }

    /// OffsetFetch: the group's committed offsets for `partitions`; partitions without one
    /// are absent.
    ///
    /// # Errors
    ///
    /// The group's or a partition's error as [`ClientError::Broker`].
    pub async fn fetch_offsets(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, i64>, ClientError> {
        if partitions.is_empty() {
            return Ok(HashMap::new());
        }
        self.call(move |conn| async move { conn.offset_fetch(&self.group_id, partitions).await })
            .await
    }

    /// Whether the coordinator supports OffsetDelete (Kafka 2.4+; not nisshi 0.6.0).
    ///
    /// # Errors
    ///
    /// FindCoordinator's or the connection's errors once retries are exhausted.
    pub async fn supports_offset_delete(&self) -> Result<bool, ClientError> {
        self.call(|conn| async move { Ok(conn.supports_offset_delete()) })
            .await
    }

    /// OffsetDelete: removes the group's committed offsets for `partitions` (see
    /// [`BrokerConnection::offset_delete`]).
    ///
    /// # Errors
    ///
    /// The group's or a partition's error as [`ClientError::Broker`] (`GROUP_ID_NOT_FOUND`,
    /// `NON_EMPTY_GROUP`, `GROUP_SUBSCRIBED_TO_TOPIC`, ...); [`ClientError::Protocol`] when the
    /// coordinator does not support OffsetDelete.
    pub async fn delete_offsets(&self, partitions: &[TopicPartition]) -> Result<(), ClientError> {
        if partitions.is_empty() {
            return Ok(());
        }
        self.call(move |conn| async move { conn.offset_delete(&self.group_id, partitions).await })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_until_the_deadline() {
        let policy = RetryPolicy {
            deadline: Duration::from_millis(1000),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
        };
        let retriable = || ClientError::Broker {
            api: "Heartbeat",
            code: ErrorCode::NOT_COORDINATOR,
            message: None,
        };
        let start = tokio::time::Instant::now();
        let mut backoff = Backoff::new(policy);
        let mut waits = 0;
        while backoff.retry_after(retriable()).await.is_ok() {
            waits += 1;
        }
        // 100 + 200 + 400 = 700 ms; a further 400 would pass the 1 s deadline.
        assert_eq!(waits, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(700));
    }

    #[tokio::test]
    async fn non_retriable_errors_are_returned_at_once() {
        let mut backoff = Backoff::new(RetryPolicy::default());
        let err = backoff
            .retry_after(ClientError::Broker {
                api: "SyncGroup",
                code: ErrorCode::REBALANCE_IN_PROGRESS,
                message: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::REBALANCE_IN_PROGRESS));
    }

    #[tokio::test]
    async fn unreachable_bootstrap_brokers_fail_with_the_last_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        drop(listener);
        let cluster = Cluster::new(
            vec![addr.clone()],
            ConnectionConfig::new("t", Duration::from_secs(1)),
            RetryPolicy::default(),
        );
        let err = cluster.any_broker().await.unwrap_err();
        assert!(
            matches!(&err, ClientError::Connect { broker, .. } if *broker == addr),
            "{err}"
        );
    }
}
