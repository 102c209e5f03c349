//! The distributed herder: what a worker of a Connect cluster runs and how it answers the
//! runtime's operations (Kafka's `DistributedHerder`).
//!
//! * The config topic is the source of truth. Every worker reads it to its end every
//!   [`TICK`]; only the leader writes connector configs, task configs, deletions, stops and
//!   restart requests (any worker writes pause and resume, as in Kafka). An operation that needs
//!   the leader fails on another worker with [`ClusterRedirect::Forward`], which the REST layer
//!   turns into a forwarded request.
//! * What runs here follows the group: after each rebalance the worker stops what it no longer
//!   owns (before it tells the member the revocation is done, so that no task ever runs on two
//!   workers across a rebalance) and starts what it was given, from the config as of the
//!   assignment's config offset.
//! * A connector running here generates its task configs; when they differ from the config
//!   topic's, the leader writes them (a non-leader sends them with `POST
//!   /connectors/{name}/tasks`), and the change of task count makes the leader rebalance.
//! * The status of everything running here is written to the status topic when it changes; all
//!   workers read the status topic, so a status reads the same on every worker.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex as StdMutex, Weak};
use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_log::kafka::protocol::Cluster;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config_store::{ClusterConfigState, ConfigStore, RestartRequest};
use super::member::{MemberConfig, MemberEvent, Rebalance, WorkerGroupMember, config_snapshot};
use super::protocol::{ConnectorsAndTasks, ProtocolVersion};
use super::records::{Status, StatusState, TargetStateValue, TopicStatus};
use super::signature::{self, ALGORITHM_HEADER, SIGNATURE_HEADER, Signature, SignatureError};
use super::status_store::{StatusId, StatusStore};
use crate::config::{ConnectorConfig, resolve_connector_config};
use crate::errors::error_trace;
use crate::plugins::ConnectorFactory;
use crate::task::TaskId;
use crate::worker::{
    ConnectorInfo, ConnectorStatus, ManagedConnector, Shared, State, StateInfo, TargetState,
    TaskHandle, TaskInfo, TaskSpec, TaskStatus, read_task_state, spawn_task,
};

/// How often the config and status topics are read and local statuses written.
const TICK: Duration = Duration::from_millis(500);

/// Why an operation cannot be completed on this worker (Kafka's `NotLeaderException`,
/// `NotAssignedException` and `RebalanceNeededException`). The REST layer forwards the request
/// on [`Forward`](Self::Forward) and answers the others with 409.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterRedirect {
    /// Another worker (the leader, or the one running a task) completes the request.
    #[error("The request must be handled by the worker at {url}")]
    Forward {
        /// That worker's REST URL, ending in `/`.
        url: String,
    },
    /// No rebalance has completed yet, so the leader is not known.
    #[error(
        "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
    )]
    NoLeader,
    /// The leader changed or has not caught up with the config topic.
    #[error(
        "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
    )]
    StaleConfig,
}

impl From<ClusterRedirect> for ConnectError {
    fn from(redirect: ClusterRedirect) -> Self {
        ConnectError::other_from(redirect.to_string(), redirect)
    }
}

/// The group as of the last rebalance.
#[derive(Debug, Clone, Default)]
struct GroupView {
    /// The sub-protocol the group chose: `sessioned` signs requests between workers.
    protocol: Option<ProtocolVersion>,
    generation: i32,
    leader: bool,
    /// The leader's REST URL; `None` until a rebalance has completed.
    leader_url: Option<String>,
}

/// A task running on this worker.
struct RunningTask {
    handle: TaskHandle,
    /// The task config it was started with.
    task_config: ConfigMap,
    /// The connector config it was started with.
    connector_config: ConfigMap,
    target: TargetState,
}

/// What runs on this worker.
#[derive(Default)]
struct Work {
    /// The config as last read and applied.
    applied: ClusterConfigState,
    connectors: BTreeMap<String, ManagedConnector>,
    tasks: BTreeMap<TaskId, RunningTask>,
    /// Assigned work that could not be started, with the reason (reported FAILED).
    failed: HashMap<StatusId, String>,
    /// The last status written for each item.
    written: HashMap<StatusId, (State, Option<String>)>,
    /// Task configs generated here that the config topic does not have yet.
    pending: BTreeMap<String, Vec<ConfigMap>>,
    /// The topics of each connector whose status records this worker has written.
    topics_written: BTreeMap<String, BTreeSet<String>>,
}

/// A worker of a Connect cluster.
pub(crate) struct Herder {
    shared: Shared,
    config: Arc<ConfigStore>,
    status: Arc<StatusStore>,
    sync_timeout: Duration,
    view: StdMutex<GroupView>,
    work: Mutex<Work>,
    /// Serializes the leader's check-then-write operations.
    writes: Mutex<()>,
    member: StdMutex<Option<WorkerGroupMember>>,
    stop: watch::Sender<bool>,
    driver: StdMutex<Option<JoinHandle<()>>>,
    http: reqwest::Client,
}

fn lock<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn not_found(name: &str) -> ConnectError {
    ConnectError::NotFound(format!("Connector {name} not found"))
}

/// The task configs the config topic holds for `connector`, in task order.
fn committed_task_configs(state: &ClusterConfigState, connector: &str) -> Vec<ConfigMap> {
    state
        .tasks(connector)
        .iter()
        .filter_map(|id| state.task_config(id).cloned())
        .collect()
}

fn store_error(error: impl std::error::Error + Send + Sync + 'static) -> ConnectError {
    ConnectError::other_from(error.to_string(), error)
}

impl Herder {
    /// Opens the config and status topics, joins the group and starts following it.
    pub(crate) async fn start(
        shared: Shared,
        cluster: Arc<Cluster>,
        reconfigure: mpsc::UnboundedReceiver<String>,
    ) -> Result<Arc<Herder>> {
        let worker = shared.worker.clone();
        let required = |key: &str, value: Option<&str>| -> Result<String> {
            value
                .map(str::to_owned)
                .ok_or_else(|| ConnectError::Config(ConfigError::missing(key)))
        };
        let config_topic = required("config.storage.topic", worker.config_storage_topic())?;
        let status_topic = required("status.storage.topic", worker.status_storage_topic())?;
        let config = ConfigStore::open(
            shared.log.clone(),
            &config_topic,
            worker.config_storage_replication_factor(),
        )
        .await
        .map_err(store_error)?;
        let status = StatusStore::open(
            shared.log.clone(),
            &status_topic,
            worker.status_storage_partitions(),
            worker.status_storage_replication_factor(),
            &shared.worker_id,
        )
        .await
        .map_err(store_error)?;
        let member_config =
            MemberConfig::from_properties(worker.originals(), worker.rest_advertised_url())
                .map_err(|e| {
                    ConnectError::Config(ConfigError::invalid(e.key, e.value, e.reason))
                })?;
        let config = Arc::new(config);
        let applied = config.snapshot().await;
        let (member, events) = WorkerGroupMember::start(cluster, member_config, config.clone());
        let (stop, stopping) = watch::channel(false);
        let herder = Arc::new(Herder {
            sync_timeout: worker.worker_sync_timeout(),
            shared,
            config,
            status: Arc::new(status),
            view: StdMutex::new(GroupView::default()),
            work: Mutex::new(Work {
                applied,
                ..Work::default()
            }),
            writes: Mutex::new(()),
            member: StdMutex::new(Some(member)),
            stop,
            driver: StdMutex::new(None),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(90))
                .build()
                .map_err(|e| ConnectError::other_from(format!("HTTP client: {e}"), e))?,
        });
        let driver = tokio::spawn(drive(
            Arc::downgrade(&herder),
            events,
            reconfigure,
            stopping,
        ));
        *lock(&herder.driver) = Some(driver);
        tracing::info!(
            group = worker.group_id().unwrap_or_default(),
            config_topic,
            status_topic,
            url = worker.rest_advertised_url(),
            "joining the Connect cluster"
        );
        Ok(herder)
    }

    /// The REST URL of the worker with this id (`host:port`), with this worker's scheme.
    fn url_of(&self, worker_id: &str) -> String {
        let own = self.shared.worker.rest_advertised_url();
        let scheme = own.split_once("://").map_or("http", |(scheme, _)| scheme);
        format!("{scheme}://{worker_id}/")
    }

    fn view(&self) -> GroupView {
        lock(&self.view).clone()
    }

    fn request_rejoin(&self, reason: &str) {
        if let Some(member) = lock(&self.member).as_ref() {
            member.request_rejoin(reason);
        }
    }

    /// Fails unless this worker leads the group: with the leader's URL to forward to.
    pub(crate) fn ensure_leader(&self) -> Result<()> {
        let view = self.view();
        match view.leader_url {
            None => Err(ClusterRedirect::NoLeader.into()),
            Some(_) if view.leader => Ok(()),
            Some(url) => Err(ClusterRedirect::Forward { url }.into()),
        }
    }

    /// The config topic read to its end (or as far as it could be read).
    async fn fresh_config(&self) -> ClusterConfigState {
        match self.config.read_to_end().await {
            Ok(state) => state,
            Err(error) => {
                tracing::warn!(%error, "could not read the config topic to its end");
                self.config.snapshot().await
            }
        }
    }

    // ----- following the group -----

    async fn on_member_event(&self, event: MemberEvent) {
        match event {
            MemberEvent::Revoked { work, done } => {
                let mut local = self.work.lock().await;
                self.stop_work(&mut local, &work).await;
                done.done();
            }
            MemberEvent::Rebalance(rebalance) => self.on_rebalance(rebalance).await,
            MemberEvent::MemberIdReset { member_id, cause } => {
                // The group may have given this worker's work to others meanwhile: stop it all
                // (Kafka's herder does the same); the next assignment says what to run.
                tracing::warn!(
                    member_id,
                    cause,
                    "the group coordinator forgot this worker; stopping its work and joining again"
                );
                let mut local = self.work.lock().await;
                let all = everything(&local);
                self.stop_work(&mut local, &all).await;
            }
            MemberEvent::Failure { error, consecutive } => {
                tracing::error!(
                    error,
                    consecutive,
                    "the worker cannot reach its group; retrying"
                );
            }
        }
    }

    async fn on_rebalance(&self, rebalance: Rebalance) {
        let mut local = self.work.lock().await;
        *lock(&self.view) = GroupView {
            protocol: Some(rebalance.protocol),
            generation: rebalance.generation,
            leader: rebalance.is_leader(),
            leader_url: Some(rebalance.leader_url.clone()),
        };
        if rebalance.is_config_mismatch() {
            tracing::info!(
                generation = rebalance.generation,
                "the leader has read less of the config topic than this worker; rebalancing again"
            );
            return;
        }
        tracing::info!(
            generation = rebalance.generation,
            leader = rebalance.is_leader(),
            leader_url = rebalance.leader_url,
            connectors = ?rebalance.owned.connectors,
            tasks = ?rebalance.owned.tasks.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "rebalance completed"
        );
        // Stop what this worker no longer owns before the member rejoins to hand it on.
        let unowned = ConnectorsAndTasks {
            connectors: local
                .connectors
                .keys()
                .filter(|c| {
                    !rebalance
                        .owned
                        .connectors
                        .iter()
                        .any(|o| &**o == c.as_str())
                })
                .map(|c| Arc::from(c.as_str()))
                .collect(),
            tasks: local
                .tasks
                .keys()
                .filter(|t| !rebalance.owned.tasks.contains(t))
                .cloned()
                .collect(),
        };
        self.stop_work(&mut local, &unowned).await;
        local.failed.retain(|id, _| owns(&rebalance.owned, id));
        drop(rebalance.revocation);
        if !self.catch_up(rebalance.config_offset).await {
            tracing::error!(
                offset = rebalance.config_offset,
                timeout_ms = self.sync_timeout.as_millis(),
                "could not read the config topic up to the assignment's offset within worker.sync.timeout.ms; rejoining"
            );
            self.request_rejoin("config topic not read up to the assignment");
            return;
        }
        let state = self.config.snapshot().await;
        self.apply_config(&mut local, state).await;
        for connector in &rebalance.owned.connectors {
            if !local.connectors.contains_key(&**connector) {
                self.start_connector(&mut local, connector).await;
            }
        }
        for task in &rebalance.owned.tasks {
            if !local.tasks.contains_key(task) {
                self.start_task(&mut local, task).await;
            }
        }
        drop(local);
        self.ensure_session_key().await;
        let mut local = self.work.lock().await;
        self.publish_task_configs(&mut local).await;
        self.write_statuses(&mut local).await;
    }

    fn signs_requests(&self) -> bool {
        self.view().protocol == Some(ProtocolVersion::Sessioned)
    }

    /// The leader of a `sessioned` group writes a new session key when there is none or it is
    /// older than `inter.worker.key.ttl.ms`.
    async fn ensure_session_key(&self) {
        if !self.view().leader || !self.signs_requests() {
            return;
        }
        let worker = &self.shared.worker;
        let ttl = worker
            .parsed()
            .get_opt_int("inter.worker.key.ttl.ms")
            .ok()
            .flatten()
            .unwrap_or(3_600_000);
        let now = crate::errors::now_millis();
        let _guard = self.writes.lock().await;
        let current = self.config.snapshot().await;
        if current
            .session_key()
            .is_some_and(|key| key.creation_timestamp.saturating_add(i64::from(ttl)) > now)
        {
            return;
        }
        let bits = worker
            .parsed()
            .get_opt_int("inter.worker.key.size")
            .ok()
            .flatten()
            .and_then(|bits| u32::try_from(bits).ok())
            .unwrap_or(256);
        let written = match signature::new_session_key(bits, now) {
            Ok(key) => self
                .config
                .put_session_key(&key)
                .await
                .map(drop)
                .map_err(store_error),
            Err(error) => Err(ConnectError::other_from(error.to_string(), error)),
        };
        match written {
            Ok(()) => tracing::info!("wrote a new session key for requests between workers"),
            Err(error) => tracing::error!(%error, "could not write a new session key; will retry"),
        }
    }

    /// Reads the config topic until it reaches `offset`, for at most `worker.sync.timeout.ms`.
    async fn catch_up(&self, offset: i64) -> bool {
        let deadline = Instant::now() + self.sync_timeout;
        loop {
            if self.fresh_config().await.offset() >= offset {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn tick(&self) {
        let state = self.fresh_config().await;
        let restarts = self.config.take_restart_requests().await;
        let mut local = self.work.lock().await;
        self.apply_config(&mut local, state).await;
        for request in restarts {
            self.restart(&mut local, &request).await;
        }
        self.publish_task_configs(&mut local).await;
        self.write_statuses(&mut local).await;
        drop(local);
        self.ensure_session_key().await;
        if let Err(error) = self.status.read_to_end().await {
            tracing::warn!(%error, "could not read the status topic to its end");
        }
    }

    /// Brings what runs here in line with a newer config: deleted connectors stop, changed
    /// configs restart, target states apply; the leader rebalances when connectors or task
    /// counts changed.
    async fn apply_config(&self, local: &mut Work, state: ClusterConfigState) {
        let old = std::mem::replace(&mut local.applied, state);
        if self.view().leader
            && config_snapshot(&local.applied).connectors != config_snapshot(&old).connectors
        {
            self.request_rejoin("connectors or task counts changed");
        }
        // Work that could not start is tried again when its config changes.
        let failed: Vec<StatusId> = local.failed.keys().cloned().collect();
        for id in failed {
            let (connector, task) = match &id {
                StatusId::Connector(name) => (name.as_str(), None),
                StatusId::Task(task) => (&*task.connector, Some(task)),
            };
            let changed = old.connector_config(connector)
                != local.applied.connector_config(connector)
                || task.is_some_and(|t| old.task_config(t) != local.applied.task_config(t));
            if !changed {
                continue;
            }
            local.failed.remove(&id);
            local.written.remove(&id);
            match (&id, task) {
                (_, Some(task)) if local.applied.task_config(task).is_some() => {
                    self.start_task(local, task).await;
                }
                (StatusId::Connector(name), None) if local.applied.contains(name) => {
                    self.start_connector(local, name).await;
                }
                _ => self.delete_status(id).await,
            }
        }
        let names: Vec<String> = local.connectors.keys().cloned().collect();
        for name in names {
            let Some(props) = local.applied.connector_config(&name).cloned() else {
                self.stop_connector(local, &name).await;
                self.delete_status(StatusId::Connector(name.clone())).await;
                continue;
            };
            let target = TargetState::from(local.applied.target_state(&name));
            let Some((changed, retarget)) = local
                .connectors
                .get(&name)
                .map(|c| (c.config.originals() != &props, c.target != target))
            else {
                continue;
            };
            if changed {
                tracing::info!(connector = %name, "connector config changed; restarting the connector");
                self.stop_connector(local, &name).await;
                self.start_connector(local, &name).await;
            } else if retarget {
                self.retarget_connector(local, &name, target).await;
            }
        }
        let ids: Vec<TaskId> = local.tasks.keys().cloned().collect();
        for id in ids {
            let task_config = local.applied.task_config(&id).cloned();
            let connector_config = local.applied.connector_config(&id.connector).cloned();
            let target = TargetState::from(local.applied.target_state(&id.connector));
            let Some(running) = local.tasks.get(&id) else {
                continue;
            };
            match (task_config, connector_config) {
                (Some(task), Some(connector))
                    if task == running.task_config && connector == running.connector_config =>
                {
                    if target != running.target {
                        if target == TargetState::Stopped {
                            self.stop_task(local, &id).await;
                        } else if let Some(running) = local.tasks.get_mut(&id) {
                            running.target = target;
                            running.handle.control.send_modify(|c| c.target = target);
                        }
                    }
                }
                (Some(_), Some(_)) => {
                    tracing::info!(task = %id, "task config changed; restarting the task");
                    self.stop_task(local, &id).await;
                    self.start_task(local, &id).await;
                }
                _ => {
                    self.stop_task(local, &id).await;
                    self.delete_status(StatusId::Task(id.clone())).await;
                }
            }
        }
    }

    async fn delete_status(&self, id: StatusId) {
        let outcome = match &id {
            StatusId::Connector(name) => self.status.delete_connector(name).await,
            StatusId::Task(task) => self.status.delete_task(task).await,
        };
        if let Err(error) = outcome {
            tracing::warn!(key = id.key(), %error, "could not delete a status");
        }
    }

    /// A connector of this worker moved to another target state.
    async fn retarget_connector(&self, local: &mut Work, name: &str, target: TargetState) {
        let Some(connector) = local.connectors.get_mut(name) else {
            return;
        };
        let was = connector.target;
        connector.target = target;
        match (was, target) {
            (_, TargetState::Stopped) => {
                connector.stop(&self.shared).await;
                connector.task_configs.clear();
                connector.prepare(&self.shared).await;
            }
            (TargetState::Stopped, _) => {
                if connector.prepare(&self.shared).await {
                    queue_task_configs(local, name);
                }
            }
            _ => connector.set_target(target),
        }
        tracing::info!(connector = %name, ?target, "target state changed");
    }

    /// Starts a connector assigned to this worker, from the applied config.
    async fn start_connector(&self, local: &mut Work, name: &str) {
        let id = StatusId::Connector(name.to_owned());
        let Some(props) = local.applied.connector_config(name).cloned() else {
            tracing::warn!(
                connector = name,
                "assigned a connector the config topic does not have"
            );
            return;
        };
        let target = TargetState::from(local.applied.target_state(name));
        let mut connector = match self.managed(&props, target) {
            Ok(connector) => connector,
            Err(error) => {
                tracing::error!(connector = name, %error, "the connector's config is invalid");
                local.failed.insert(id, error_trace(&error));
                return;
            }
        };
        local.failed.remove(&id);
        tracing::info!(connector = name, "starting connector");
        let ready = connector.prepare(&self.shared).await;
        local.connectors.insert(name.to_owned(), connector);
        if ready {
            queue_task_configs(local, name);
        }
    }

    fn managed(&self, props: &ConfigMap, target: TargetState) -> Result<ManagedConnector> {
        let (config, class, factory) = self.parse(props)?;
        Ok(ManagedConnector::new(config, class, factory, target))
    }

    fn parse(&self, props: &ConfigMap) -> Result<(ConnectorConfig, String, ConnectorFactory)> {
        let (desc, factory) = self.shared.plugins.connector_of(props)?;
        let config = ConnectorConfig::parse(props, factory.kind())?;
        Ok((config, desc.class, factory))
    }

    async fn stop_connector(&self, local: &mut Work, name: &str) {
        local.pending.remove(name);
        local.written.remove(&StatusId::Connector(name.to_owned()));
        if let Some(mut connector) = local.connectors.remove(name) {
            connector.stop(&self.shared).await;
            tracing::info!(connector = name, "connector stopped");
        }
    }

    /// Starts a task assigned to this worker, from the applied config.
    async fn start_task(&self, local: &mut Work, id: &TaskId) {
        let status = StatusId::Task(id.clone());
        let (Some(task_config), Some(props)) = (
            local.applied.task_config(id).cloned(),
            local.applied.connector_config(&id.connector).cloned(),
        ) else {
            tracing::warn!(task = %id, "assigned a task the config topic does not have");
            return;
        };
        let target = TargetState::from(local.applied.target_state(&id.connector));
        let parsed = match self.parse(&props) {
            Ok(parsed) => parsed,
            Err(error) => {
                local.failed.insert(status, error_trace(&error));
                return;
            }
        };
        let (config, _, factory) = parsed;
        let resolved = match resolve_connector_config(&self.shared.worker, &config).await {
            Ok(resolved) => resolved,
            Err(error) => {
                local
                    .failed
                    .insert(status, error_trace(&ConnectError::Config(error)));
                return;
            }
        };
        local.failed.remove(&status);
        tracing::info!(task = %id, "starting task");
        let handle = spawn_task(
            &self.shared,
            TaskSpec {
                id: id.clone(),
                config: &config,
                resolved: Some(&resolved),
                task_config: task_config.clone(),
                task_count: usize::try_from(local.applied.task_count(&id.connector))
                    .unwrap_or(usize::MAX),
                factory,
                target,
            },
            None,
        );
        local.tasks.insert(
            id.clone(),
            RunningTask {
                handle,
                task_config,
                connector_config: props,
                target,
            },
        );
    }

    async fn stop_task(&self, local: &mut Work, id: &TaskId) {
        local.written.remove(&StatusId::Task(id.clone()));
        if let Some(mut running) = local.tasks.remove(id) {
            running
                .handle
                .stop(self.shared.worker.task_shutdown_graceful_timeout())
                .await;
            tracing::info!(task = %id, "task stopped");
        }
    }

    /// Stops the listed work (tasks together, then connectors) and marks it UNASSIGNED unless
    /// another worker has written its status since.
    async fn stop_work(&self, local: &mut Work, work: &ConnectorsAndTasks) {
        let timeout = self.shared.worker.task_shutdown_graceful_timeout();
        let mut stopping = Vec::new();
        for id in &work.tasks {
            local.written.remove(&StatusId::Task(id.clone()));
            local.failed.remove(&StatusId::Task(id.clone()));
            if let Some(running) = local.tasks.remove(id) {
                running.handle.control.send_modify(|c| c.stop = true);
                stopping.push((id.clone(), running));
            }
        }
        futures::future::join_all(stopping.into_iter().map(|(id, mut running)| async move {
            running.handle.stop(timeout).await;
            tracing::info!(task = %id, "task stopped");
            id
        }))
        .await
        .into_iter()
        .for_each(drop);
        for name in &work.connectors {
            local.failed.remove(&StatusId::Connector(name.to_string()));
            self.stop_connector(local, name).await;
        }
        let generation = self.view().generation;
        let ids = work
            .connectors
            .iter()
            .map(|c| StatusId::Connector(c.to_string()))
            .chain(work.tasks.iter().cloned().map(StatusId::Task));
        for id in ids {
            let unassigned = Status {
                state: StatusState::Unassigned,
                trace: None,
                worker_id: self.shared.worker_id.clone(),
                generation,
            };
            if let Err(error) = self.status.put_safe(id.clone(), unassigned).await {
                tracing::warn!(key = id.key(), %error, "could not write an UNASSIGNED status");
            }
        }
    }

    /// Restarts what this worker runs of a restart request read from the config topic.
    async fn restart(&self, local: &mut Work, request: &RestartRequest) {
        let failed = |local: &Work, id: &StatusId| {
            local
                .written
                .get(id)
                .is_some_and(|(state, _)| *state == State::Failed)
                || local.failed.contains_key(id)
        };
        let connector_id = StatusId::Connector(request.connector.clone());
        let runs = local.connectors.contains_key(&request.connector)
            || local.failed.contains_key(&connector_id);
        if runs && (!request.only_failed || failed(local, &connector_id)) {
            tracing::info!(connector = request.connector, "restarting connector");
            self.stop_connector(local, &request.connector).await;
            self.start_connector(local, &request.connector).await;
        }
        if !request.include_tasks {
            return;
        }
        let tasks: Vec<TaskId> = local
            .tasks
            .keys()
            .chain(local.failed.keys().filter_map(|id| match id {
                StatusId::Task(task) => Some(task),
                StatusId::Connector(_) => None,
            }))
            .filter(|t| *t.connector == *request.connector)
            .cloned()
            .collect();
        for id in tasks {
            if !request.only_failed || failed(local, &StatusId::Task(id.clone())) {
                self.stop_task(local, &id).await;
                self.start_task(local, &id).await;
            }
        }
    }

    /// A connector running here asked for its task configs to be generated again.
    async fn reconfigure(&self, name: &str) {
        let mut local = self.work.lock().await;
        let Some(connector) = local.connectors.get(name) else {
            return;
        };
        if connector.target == TargetState::Stopped || connector.instance.is_none() {
            return;
        }
        match connector.generate_task_configs() {
            Ok(configs) => {
                if let Some(connector) = local.connectors.get_mut(name) {
                    connector.task_configs = configs;
                }
                queue_task_configs(&mut local, name);
                self.publish_task_configs(&mut local).await;
            }
            Err(error) => {
                tracing::error!(connector = name, %error, "task reconfiguration failed");
            }
        }
    }

    /// Sends the task configs generated here that the config topic does not have to the
    /// leader; what fails is tried again on the next tick.
    async fn publish_task_configs(&self, local: &mut Work) {
        for (name, configs) in std::mem::take(&mut local.pending) {
            if !local.connectors.contains_key(&name)
                || committed_task_configs(&local.applied, &name) == configs
            {
                continue;
            }
            match self.send_task_configs(&name, &configs).await {
                Ok(()) => {
                    tracing::info!(
                        connector = name,
                        tasks = configs.len(),
                        "task configs sent to the leader"
                    );
                }
                Err(error) => {
                    tracing::warn!(connector = name, %error, "could not send task configs to the leader; will retry");
                    local.pending.insert(name, configs);
                }
            }
        }
    }

    async fn send_task_configs(&self, name: &str, configs: &[ConfigMap]) -> Result<()> {
        match self.ensure_leader() {
            Ok(()) => self.write_task_configs(name, configs.to_vec()).await,
            Err(error) => {
                let view = self.view();
                let Some(url) = view.leader_url.filter(|_| !view.leader) else {
                    return Err(error);
                };
                let endpoint = format!(
                    "{url}connectors/{}/tasks",
                    crate::rest::encode_path_segment(name)
                );
                let body = serde_json::to_vec(configs).map_err(|e| {
                    ConnectError::other_from(format!("task configs of {name}: {e}"), e)
                })?;
                let mut request = self
                    .http
                    .post(format!("{endpoint}?forward=true"))
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                if self.signs_requests() {
                    let key = self
                        .config
                        .snapshot()
                        .await
                        .session_key()
                        .cloned()
                        .ok_or_else(|| {
                            ConnectError::retriable("no session key read from the config topic yet")
                        })?;
                    let signed = signature::sign(&key, &body)
                        .map_err(|e| ConnectError::other_from(e.to_string(), e))?;
                    request = request
                        .header(SIGNATURE_HEADER, signed.signature)
                        .header(ALGORITHM_HEADER, signed.algorithm);
                }
                let response = request.body(body).send().await.map_err(|e| {
                    ConnectError::retriable_from(format!("POST {endpoint}: {e}"), e)
                })?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    Err(ConnectError::retriable(format!(
                        "POST {endpoint} answered {status}: {body}"
                    )))
                }
            }
        }
    }

    /// The leader writes a connector's task configs (and their commit).
    async fn write_task_configs(&self, name: &str, configs: Vec<ConfigMap>) -> Result<()> {
        let _guard = self.writes.lock().await;
        let state = self.fresh_config().await;
        if !state.contains(name) {
            return Err(not_found(name));
        }
        if committed_task_configs(&state, name) == configs {
            return Ok(());
        }
        self.config
            .put_task_configs(name, configs)
            .await
            .map_err(store_error)?;
        tracing::info!(connector = name, "task configs written");
        self.request_rejoin("task configs changed");
        Ok(())
    }

    /// Writes the status of everything running here that changed since it was last written.
    async fn write_statuses(&self, local: &mut Work) {
        let mut current: Vec<(StatusId, State, Option<String>)> = Vec::new();
        for (name, connector) in &local.connectors {
            let state = connector.state();
            current.push((StatusId::Connector(name.clone()), state.state, state.trace));
        }
        for (id, running) in &local.tasks {
            let mut state = read_task_state(&running.handle);
            if state.state == State::Running && running.target == TargetState::Paused {
                state.state = State::Paused;
            }
            current.push((StatusId::Task(id.clone()), state.state, state.trace));
        }
        for (id, trace) in &local.failed {
            current.push((id.clone(), State::Failed, Some(trace.clone())));
        }
        let generation = self.view().generation;
        for (id, state, trace) in current {
            let now = (state, trace);
            if local.written.get(&id) == Some(&now) {
                continue;
            }
            let status = Status {
                state: now.0.into(),
                trace: now.1.clone(),
                worker_id: self.shared.worker_id.clone(),
                generation,
            };
            match self.status.put(id.clone(), status).await {
                Ok(_) => {
                    local.written.insert(id, now);
                }
                Err(error) => tracing::warn!(key = id.key(), %error, "could not write a status"),
            }
        }
        self.write_topic_statuses(local).await;
    }

    /// Records the topics the tasks running here have started to use (KIP-558's
    /// `status-topic-` records), once per connector and topic.
    async fn write_topic_statuses(&self, local: &mut Work) {
        let mut used: BTreeMap<String, (u32, BTreeSet<String>)> = BTreeMap::new();
        for id in local.tasks.keys() {
            used.entry(id.connector.to_string())
                .or_insert_with(|| (id.task, self.shared.topics.of(&id.connector)));
        }
        for (connector, (task, topics)) in used {
            for topic in topics {
                let written = local.topics_written.entry(connector.clone()).or_default();
                if written.contains(&topic) {
                    continue;
                }
                let status = TopicStatus {
                    topic: topic.clone(),
                    connector: connector.clone(),
                    task: i32::try_from(task).unwrap_or(i32::MAX),
                    discover_timestamp: crate::errors::now_millis(),
                };
                match self.status.put_topic(status).await {
                    Ok(_) => {
                        written.insert(topic);
                    }
                    Err(error) => {
                        tracing::warn!(connector, topic, %error, "could not write a topic status");
                    }
                }
            }
        }
    }

    // ----- the runtime's operations -----

    /// Names of the cluster's connectors, sorted.
    pub(crate) async fn connectors(&self) -> Vec<String> {
        self.config
            .snapshot()
            .await
            .connectors()
            .map(str::to_owned)
            .collect()
    }

    fn kind_name(&self, props: &ConfigMap) -> String {
        self.shared
            .plugins
            .connector_of(props)
            .ok()
            .map_or_else(|| "unknown".to_owned(), |(_, f)| f.kind().name().to_owned())
    }

    /// A connector's configuration, tasks and type.
    pub(crate) async fn connector_info(&self, name: &str) -> Result<ConnectorInfo> {
        let state = self.config.snapshot().await;
        let config = state
            .connector_config(name)
            .cloned()
            .ok_or_else(|| not_found(name))?;
        Ok(ConnectorInfo {
            name: name.to_owned(),
            kind: self.kind_name(&config),
            tasks: state
                .tasks(name)
                .iter()
                .map(|id| TaskInfo {
                    connector: name.to_owned(),
                    task: id.task,
                })
                .collect(),
            config,
        })
    }

    /// A connector's parsed configuration, plugin and target state, for the offsets
    /// operations.
    pub(crate) async fn connector_parts(
        &self,
        name: &str,
    ) -> Result<(ConnectorConfig, ConnectorFactory, TargetState)> {
        let state = self.config.snapshot().await;
        let props = state
            .connector_config(name)
            .ok_or_else(|| not_found(name))?;
        let (config, _, factory) = self.parse(props)?;
        Ok((config, factory, TargetState::from(state.target_state(name))))
    }

    /// The topics a connector's tasks have used, as the status topic records them.
    pub(crate) async fn connector_topics(&self, name: &str) -> Result<BTreeSet<String>> {
        if !self.config.snapshot().await.contains(name) {
            return Err(not_found(name));
        }
        if let Err(error) = self.status.read_to_end().await {
            tracing::warn!(%error, "could not read the status topic to its end");
        }
        Ok(self
            .status
            .topics(name)
            .await
            .into_iter()
            .map(|t| t.topic)
            .collect())
    }

    /// Forgets the topics a connector has used: their status records are deleted, and the
    /// workers running its tasks record them again as they use them.
    pub(crate) async fn reset_connector_topics(&self, name: &str) -> Result<()> {
        let topics = self.connector_topics(name).await?;
        for topic in &topics {
            self.status
                .delete_topic(topic, name)
                .await
                .map_err(store_error)?;
        }
        self.shared.topics.reset(name);
        self.work.lock().await.topics_written.remove(name);
        Ok(())
    }

    /// A connector's and its tasks' states as the status topic has them.
    pub(crate) async fn connector_status(&self, name: &str) -> Result<ConnectorStatus> {
        let state = self.config.snapshot().await;
        let config = state
            .connector_config(name)
            .ok_or_else(|| not_found(name))?;
        if let Err(error) = self.status.read_to_end().await {
            tracing::warn!(%error, "could not read the status topic to its end");
        }
        let connector = self.status.connector(name).await.ok_or_else(|| {
            ConnectError::NotFound(format!("No status found for connector {name}"))
        })?;
        let state_of =
            |status: &Status| status.state.to_worker_state().unwrap_or(State::Unassigned);
        let tasks = self
            .status
            .connector_tasks(name)
            .await
            .into_iter()
            .filter(|(task, _)| *task < state.task_count(name))
            .map(|(id, status)| TaskStatus {
                id,
                state: state_of(&status),
                worker_id: status.worker_id.clone(),
                trace: status.trace.clone(),
            })
            .collect();
        Ok(ConnectorStatus {
            name: name.to_owned(),
            connector: StateInfo {
                state: state_of(&connector),
                worker_id: connector.worker_id.clone(),
                trace: connector.trace.clone(),
            },
            tasks,
            kind: self.kind_name(config),
        })
    }

    /// The task configs of a connector.
    pub(crate) async fn task_configs(&self, name: &str) -> Result<Vec<ConfigMap>> {
        let state = self.config.snapshot().await;
        if !state.contains(name) {
            return Err(not_found(name));
        }
        Ok(committed_task_configs(&state, name))
    }

    /// The leader writes a new connector's config (checked by the caller).
    pub(crate) async fn create_connector(
        &self,
        config: ConfigMap,
        initial_state: Option<TargetState>,
    ) -> Result<ConnectorInfo> {
        self.ensure_leader()?;
        let name = config.get("name").cloned().unwrap_or_default();
        let _guard = self.writes.lock().await;
        if self.fresh_config().await.contains(&name) {
            return Err(ConnectError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        self.config
            .put_connector_config(
                &name,
                config.clone(),
                initial_state.map(TargetStateValue::from),
            )
            .await
            .map_err(store_error)?;
        tracing::info!(connector = name, "created connector");
        Ok(ConnectorInfo {
            name,
            kind: self.kind_name(&config),
            tasks: Vec::new(),
            config,
        })
    }

    /// The leader writes a connector's config (checked by the caller); `true` when created.
    pub(crate) async fn put_connector_config(
        &self,
        name: &str,
        config: ConfigMap,
    ) -> Result<(bool, ConnectorInfo)> {
        self.ensure_leader()?;
        let _guard = self.writes.lock().await;
        let state = self.fresh_config().await;
        let created = !state.contains(name);
        self.config
            .put_connector_config(name, config.clone(), None)
            .await
            .map_err(store_error)?;
        let tasks = state
            .tasks(name)
            .iter()
            .map(|id| TaskInfo {
                connector: name.to_owned(),
                task: id.task,
            })
            .collect();
        Ok((
            created,
            ConnectorInfo {
                name: name.to_owned(),
                kind: self.kind_name(&config),
                tasks,
                config,
            },
        ))
    }

    /// The leader deletes a connector.
    pub(crate) async fn delete_connector(&self, name: &str) -> Result<()> {
        self.ensure_leader()?;
        let _guard = self.writes.lock().await;
        if !self.fresh_config().await.contains(name) {
            return Err(not_found(name));
        }
        self.config
            .remove_connector(name)
            .await
            .map_err(store_error)?;
        tracing::info!(connector = name, "deleted connector");
        Ok(())
    }

    /// Pauses, resumes or stops a connector. Any worker writes pause and resume; stopping
    /// (which also empties the task configs) is the leader's.
    pub(crate) async fn set_target(&self, name: &str, target: TargetState) -> Result<()> {
        if target == TargetState::Stopped {
            self.ensure_leader()?;
        }
        let _guard = self.writes.lock().await;
        if !self.fresh_config().await.contains(name) {
            return Err(not_found(name));
        }
        self.config
            .put_target_state(name, TargetStateValue::from(target))
            .await
            .map_err(store_error)?;
        if target == TargetState::Stopped {
            self.config
                .put_task_configs(name, Vec::new())
                .await
                .map_err(store_error)?;
        }
        tracing::info!(connector = name, ?target, "target state written");
        Ok(())
    }

    /// The leader writes a restart request; the workers running the connector and its tasks
    /// restart them when they read it. Returns the status with what will restart as
    /// RESTARTING.
    pub(crate) async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus> {
        self.ensure_leader()?;
        let mut status = self.connector_status(name).await?;
        self.config
            .put_restart_request(name, include_tasks, only_failed)
            .await
            .map_err(store_error)?;
        if !only_failed || status.connector.state == State::Failed {
            status.connector.state = State::Restarting;
        }
        for task in &mut status.tasks {
            if include_tasks && (!only_failed || task.state == State::Failed) {
                task.state = State::Restarting;
            }
        }
        Ok(status)
    }

    /// Restarts a task here when it runs here; otherwise the request goes to the worker whose
    /// status says it runs it.
    pub(crate) async fn restart_task(&self, name: &str, task: u32) -> Result<()> {
        let id = TaskId {
            connector: Arc::from(name),
            task,
        };
        let state = self.config.snapshot().await;
        if !state.contains(name) {
            return Err(not_found(name));
        }
        if state.task_config(&id).is_none() {
            return Err(ConnectError::NotFound(format!("Task {id} not found")));
        }
        let mut local = self.work.lock().await;
        if local.tasks.contains_key(&id) || local.failed.contains_key(&StatusId::Task(id.clone())) {
            tracing::info!(task = %id, "restarting task");
            self.stop_task(&mut local, &id).await;
            self.start_task(&mut local, &id).await;
            return Ok(());
        }
        drop(local);
        let _ = self.status.read_to_end().await;
        match self.status.task(&id).await {
            Some(status) if status.worker_id != self.shared.worker_id => {
                Err(ClusterRedirect::Forward {
                    url: self.url_of(&status.worker_id),
                }
                .into())
            }
            _ => Err(ClusterRedirect::StaleConfig.into()),
        }
    }

    /// Task configs sent by the worker running a connector: the leader writes them. In a
    /// `sessioned` group the request must be signed with the session key.
    pub(crate) async fn accept_task_configs(
        &self,
        name: &str,
        configs: Vec<ConfigMap>,
        signature: Option<&Signature>,
        body: &[u8],
    ) -> Result<()> {
        if self.signs_requests() {
            let key = self.config.snapshot().await.session_key().cloned();
            let verified = match key {
                Some(key) => signature::verify(&key, signature, body),
                None => Err(SignatureError::NoKey),
            };
            if let Err(error) = verified {
                tracing::warn!(connector = name, %error, "refused task configs from another worker");
                return Err(ConnectError::other_from(error.to_string(), error));
            }
        }
        self.ensure_leader()?;
        self.write_task_configs(name, configs).await
    }

    /// The states of the tasks running here, for the metrics.
    pub(crate) async fn local_task_states(&self) -> (Vec<(String, u32, State)>, usize) {
        let local = self.work.lock().await;
        let tasks = local
            .tasks
            .iter()
            .map(|(id, running)| {
                (
                    id.connector.to_string(),
                    id.task,
                    read_task_state(&running.handle).state,
                )
            })
            .collect();
        (tasks, local.connectors.len())
    }

    /// Stops following the group, stops everything running here (marking it UNASSIGNED) and
    /// leaves the group.
    pub(crate) async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let driver = lock(&self.driver).take();
        if let Some(driver) = driver {
            let _ = driver.await;
        }
        let mut local = self.work.lock().await;
        let all = everything(&local);
        self.stop_work(&mut local, &all).await;
        drop(local);
        let member = lock(&self.member).take();
        if let Some(member) = member {
            member.shutdown().await;
        }
        tracing::info!("left the Connect cluster");
    }
}

/// Everything running (or failed to start) on this worker.
fn everything(local: &Work) -> ConnectorsAndTasks {
    let mut all = ConnectorsAndTasks {
        connectors: local
            .connectors
            .keys()
            .map(|c| Arc::from(c.as_str()))
            .collect(),
        tasks: local.tasks.keys().cloned().collect(),
    };
    for id in local.failed.keys() {
        match id {
            StatusId::Connector(name) => all.connectors.push(Arc::from(name.as_str())),
            StatusId::Task(task) => all.tasks.push(task.clone()),
        }
    }
    all
}

/// Whether `work` includes the connector or task of `id`.
fn owns(work: &ConnectorsAndTasks, id: &StatusId) -> bool {
    match id {
        StatusId::Connector(name) => work.connectors.iter().any(|c| **c == **name),
        StatusId::Task(task) => work.tasks.contains(task),
    }
}

/// Notes a connector's generated task configs for the leader when the config topic differs.
fn queue_task_configs(local: &mut Work, name: &str) {
    let Some(connector) = local.connectors.get(name) else {
        return;
    };
    if committed_task_configs(&local.applied, name) != connector.task_configs {
        local
            .pending
            .insert(name.to_owned(), connector.task_configs.clone());
    }
}

enum Wake {
    Member(Option<Box<MemberEvent>>),
    Reconfigure(String),
    Tick,
}

/// Follows the group's events, connectors' reconfiguration requests and the tick until told to
/// stop or the herder is dropped.
async fn drive(
    herder: Weak<Herder>,
    mut events: mpsc::UnboundedReceiver<MemberEvent>,
    mut reconfigure: mpsc::UnboundedReceiver<String>,
    mut stopping: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let wake = tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => return,
            event = events.recv() => Wake::Member(event.map(Box::new)),
            Some(name) = reconfigure.recv() => Wake::Reconfigure(name),
            _ = tick.tick() => Wake::Tick,
        };
        let Some(herder) = herder.upgrade() else {
            return;
        };
        match wake {
            Wake::Member(Some(event)) => herder.on_member_event(*event).await,
            Wake::Member(None) => {
                tracing::error!("the worker's group membership ended");
                return;
            }
            Wake::Reconfigure(name) => herder.reconfigure(&name).await,
            Wake::Tick => herder.tick().await,
        }
    }
}
