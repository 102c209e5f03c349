//! The embeddable runtime: a worker with its plugins, log and offset store, and the operations
//! on connectors that Kafka Connect's herders offer.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use connect_api::config::{ConfigDef, ConfigMap, ConfigValueInfo};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::OffsetMap;
use connect_log::Log;
use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
use connect_log::kafka::protocol::Cluster;
use connect_log::kafka::{KafkaConfig, KafkaLog};
use tokio::sync::{Mutex, mpsc};

use super::connector::ManagedConnector;
use super::guard::guarded_sync;
use super::offsets::committed_sink_offsets;
use super::{
    ActiveTopics, ConnectorInfo, ConnectorStatus, State, StateInfo, TargetState, TaskInfo,
    TaskStatus,
};
use crate::config::{ConfigProviders, ConnectorConfig, ConnectorType, WorkerConfig, has_reference};
use crate::convert::validate_converter_classes;
use crate::distributed::herder::Herder;
use crate::distributed::signature::Signature;
use crate::metrics::Metrics;
use crate::offsets::{FileOffsetStore, OffsetStore, TopicOffsetStore};
use crate::plugins::{ConnectorFactory, Plugins};
use crate::transforms::{chain_defs, validate_chain};
use connect_api::record::{SinkRecord, SourceRecord};

/// What connectors and tasks share of the worker.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) worker: Arc<WorkerConfig>,
    pub(crate) plugins: Arc<Plugins>,
    pub(crate) log: Arc<dyn Log>,
    pub(crate) offsets: Arc<dyn OffsetStore>,
    pub(crate) reconfigure: mpsc::UnboundedSender<String>,
    pub(crate) worker_id: String,
    pub(crate) topics: ActiveTopics,
    /// The worker's metrics.
    pub(crate) metrics: Arc<Metrics>,
}

pub(super) struct Inner {
    pub(super) shared: Shared,
    /// The connectors of a standalone worker (a distributed one keeps its own).
    pub(super) connectors: Mutex<BTreeMap<String, ManagedConnector>>,
    /// The worker's part in a Connect cluster, when it is distributed.
    pub(super) cluster: Option<Arc<Herder>>,
}

/// Builds a [`Runtime`].
///
/// By default the runtime has the built-in plugins, and the log and offset store its worker
/// config chooses; each can be replaced.
///
/// ```
/// use std::sync::Arc;
/// use connect_api::config::ConfigMap;
/// use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions};
/// use connect_runtime::config::WorkerConfig;
/// use connect_runtime::offsets::FileOffsetStore;
/// use connect_runtime::plugins::Plugins;
/// use connect_runtime::Runtime;
/// # use async_trait::async_trait;
/// # use connect_api::config::ConfigDef;
/// # use connect_api::connector::{Connector, SourceConnector, SourceConnectorContext};
/// # use connect_api::record::SourceRecord;
/// # use connect_api::task::SourceTask;
/// # struct MySource;
/// # #[async_trait]
/// # impl Connector for MySource {
/// #     fn version(&self) -> String { "1.0".into() }
/// #     async fn start(&mut self, _props: &ConfigMap) -> connect_api::error::Result<()> { Ok(()) }
/// #     fn task_configs(&self, _max: usize) -> connect_api::error::Result<Vec<ConfigMap>> { Ok(Vec::new()) }
/// #     async fn stop(&mut self) -> connect_api::error::Result<()> { Ok(()) }
/// #     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// # }
/// # struct MyTask;
/// # #[async_trait]
/// # impl SourceTask for MyTask {
/// #     fn version(&self) -> String { "1.0".into() }
/// #     async fn start(&mut self, _props: &ConfigMap) -> connect_api::error::Result<()> { Ok(()) }
/// #     async fn poll(&mut self) -> connect_api::error::Result<Vec<SourceRecord>> { Ok(Vec::new()) }
/// #     async fn stop(&mut self) -> connect_api::error::Result<()> { Ok(()) }
/// # }
/// # impl SourceConnector for MySource {
/// #     fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}
/// #     fn create_task(&self) -> Box<dyn SourceTask> { Box::new(MyTask) }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let offsets = dir.path().join("connect.offsets");
/// let worker = WorkerConfig::standalone(ConfigMap::from([
///     ("key.converter".into(), "StringConverter".into()),
///     ("value.converter".into(), "StringConverter".into()),
///     ("offset.storage.file.filename".into(), offsets.display().to_string()),
/// ]))?;
/// let log = EmbeddedLog::open(dir.path().join("log"), EmbeddedLogOptions::default()).await?;
/// let runtime = Runtime::builder(worker)
///     .plugins(Plugins::builtin().with_source_connector("com.example.MySourceConnector", || Box::new(MySource)))
///     .log(Arc::new(log))
///     .offset_store(Arc::new(FileOffsetStore::open(offsets).await?))
///     .build()
///     .await?;
/// assert!(runtime.plugins().connector("MySource").is_ok());
/// assert!(runtime.connectors().await.is_empty());
/// runtime.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct RuntimeBuilder {
    worker: WorkerConfig,
    plugins: Plugins,
    log: Option<Arc<dyn Log>>,
    offsets: Option<Arc<dyn OffsetStore>>,
}

impl RuntimeBuilder {
    /// Uses these plugins instead of [`Plugins::builtin`].
    #[must_use]
    pub fn plugins(mut self, plugins: Plugins) -> Self {
        self.plugins = plugins;
        self
    }

    /// Runs on this log instead of the one `bootstrap.servers` chooses.
    #[must_use]
    pub fn log(mut self, log: Arc<dyn Log>) -> Self {
        self.log = Some(log);
        self
    }

    /// Keeps source offsets in this store instead of the one the worker config chooses.
    #[must_use]
    pub fn offset_store(mut self, offsets: Arc<dyn OffsetStore>) -> Self {
        self.offsets = Some(offsets);
        self
    }

    /// Connects to the log and opens the offset store.
    ///
    /// # Errors
    ///
    /// When the log cannot be reached or opened, or the offset store cannot be read.
    pub async fn build(self) -> Result<Runtime> {
        let worker = Arc::new(self.worker);
        let (log, cluster): (Arc<dyn Log>, Option<Arc<Cluster>>) = match (
            self.log,
            worker.is_distributed(),
        ) {
            (Some(_), true) => {
                return Err(ConnectError::other(
                    "a distributed worker runs on the Kafka cluster of bootstrap.servers: RuntimeBuilder::log does not apply",
                ));
            }
            (Some(log), false) => (log, None),
            (None, true) => {
                let log = open_kafka(&worker).await?;
                let cluster = log.cluster().clone();
                (Arc::new(log), Some(cluster))
            }
            (None, false) => (open_log(&worker).await?, None),
        };
        let offsets: Arc<dyn OffsetStore> = match self.offsets {
            Some(offsets) => offsets,
            None => open_offsets(&worker, &log).await?,
        };
        let (reconfigure, requests) = mpsc::unbounded_channel();
        let worker_id = worker.worker_id();
        let shared = Shared {
            worker,
            plugins: Arc::new(self.plugins),
            log,
            offsets,
            reconfigure,
            worker_id,
            topics: ActiveTopics::default(),
            metrics: Arc::new(Metrics::new()),
        };
        let (cluster, requests) = match cluster {
            Some(cluster) => (
                Some(Herder::start(shared.clone(), cluster, requests).await?),
                None,
            ),
            None => (None, Some(requests)),
        };
        let inner = Arc::new(Inner {
            shared,
            connectors: Mutex::new(BTreeMap::new()),
            cluster,
        });
        if let Some(requests) = requests {
            tokio::spawn(reconfigure_on_request(Arc::downgrade(&inner), requests));
        }
        tracing::info!(log = %inner.shared.log.describe(), "worker started");
        Ok(Runtime { inner })
    }
}

async fn open_kafka(worker: &WorkerConfig) -> Result<KafkaLog> {
    // The client reads the properties as given: add the worker's defaults it would not know.
    let mut props = worker.originals().clone();
    if let Some(servers) = worker.bootstrap_servers() {
        props
            .entry("bootstrap.servers".to_owned())
            .or_insert_with(|| servers.join(","));
    }
    if let Ok(Some(timeout)) = worker.parsed().get_opt_int("request.timeout.ms") {
        props
            .entry("request.timeout.ms".to_owned())
            .or_insert_with(|| timeout.to_string());
    }
    let config = KafkaConfig::from_properties(&props)
        .map_err(|e| ConnectError::other_from(format!("Kafka client settings: {e}"), e))?;
    KafkaLog::connect(config)
        .await
        .map_err(|e| ConnectError::other_from(format!("could not connect to Kafka: {e}"), e))
}

async fn open_log(worker: &WorkerConfig) -> Result<Arc<dyn Log>> {
    if worker.bootstrap_servers().is_some() {
        return Ok(Arc::new(open_kafka(worker).await?));
    }
    let dir = worker.embedded_log_dir();
    let options = EmbeddedLogOptions {
        retention: worker.embedded_log_retention(),
        retention_bytes: worker.embedded_log_retention_bytes(),
        ..EmbeddedLogOptions::default()
    };
    let log = EmbeddedLog::open(dir.clone(), options).await.map_err(|e| {
        ConnectError::other_from(
            format!("could not open the embedded log in {}: {e}", dir.display()),
            e,
        )
    })?;
    Ok(Arc::new(log))
}

async fn open_offsets(worker: &WorkerConfig, log: &Arc<dyn Log>) -> Result<Arc<dyn OffsetStore>> {
    if let Some(topic) = worker.offset_storage_topic() {
        return Ok(Arc::new(
            TopicOffsetStore::open(
                log.clone(),
                topic,
                worker.offset_storage_partitions(),
                worker.offset_storage_replication_factor(),
            )
            .await?,
        ));
    }
    let Some(path) = worker.offset_storage_file() else {
        return Err(ConnectError::Config(ConfigError::missing(
            "offset.storage.file.filename",
        )));
    };
    Ok(Arc::new(FileOffsetStore::open(path).await?))
}

/// Recomputes task configs when a connector asks (`request_task_reconfiguration`).
async fn reconfigure_on_request(inner: Weak<Inner>, mut requests: mpsc::UnboundedReceiver<String>) {
    while let Some(name) = requests.recv().await {
        let Some(inner) = inner.upgrade() else { return };
        let mut connectors = inner.connectors.lock().await;
        let Some(connector) = connectors.get_mut(&name) else {
            continue;
        };
        if connector.target != TargetState::Started || connector.instance.is_none() {
            continue;
        }
        match connector.generate_task_configs() {
            Ok(configs) if configs != connector.task_configs => {
                tracing::info!(connector = %name, tasks = configs.len(), "task configs changed; restarting tasks");
                connector.stop_tasks(&inner.shared).await;
                connector.task_configs = configs;
                connector.start_tasks(&inner.shared);
            }
            Ok(_) => {}
            Err(error) => tracing::error!(connector = %name, %error, "task reconfiguration failed"),
        }
    }
}

/// A Kafka Connect worker inside your process: create connectors from their configs, and the
/// runtime runs their tasks with offset commits, retries, error tolerance and dead letter queues.
///
/// ```no_run
/// use connect_api::config::ConfigMap;
/// use connect_runtime::{Runtime, config::WorkerConfig};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let props = |pairs: &[(&str, &str)]| -> ConfigMap {
///     pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
/// };
/// let worker = WorkerConfig::standalone(props(&[
///     ("key.converter", "StringConverter"),
///     ("value.converter", "StringConverter"),
///     ("offset.storage.file.filename", "/tmp/connect.offsets"),
/// ]))?;
/// let runtime = Runtime::builder(worker).build().await?; // the embedded log: no broker
/// runtime
///     .create_connector(props(&[
///         ("name", "local-file-source"),
///         ("connector.class", "FileStreamSource"),
///         ("file", "/tmp/test.txt"),
///         ("topic", "lines"),
///     ]), None)
///     .await?;
/// println!("{:?}", runtime.connector_status("local-file-source").await?);
/// runtime.shutdown().await; // stops tasks, flushes sinks, commits offsets
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Runtime {
    pub(super) inner: Arc<Inner>,
}

impl Runtime {
    /// A builder for a runtime with this worker configuration and the built-in plugins.
    pub fn builder(worker: WorkerConfig) -> RuntimeBuilder {
        RuntimeBuilder {
            worker,
            plugins: Plugins::builtin(),
            log: None,
            offsets: None,
        }
    }

    /// Whether this worker is part of a Connect cluster (built from
    /// [`WorkerConfig::distributed`]).
    pub(crate) fn is_distributed(&self) -> bool {
        self.inner.cluster.is_some()
    }

    /// The log the runtime runs on.
    pub fn log(&self) -> Arc<dyn Log> {
        self.inner.shared.log.clone()
    }

    /// The plugins.
    pub fn plugins(&self) -> &Plugins {
        &self.inner.shared.plugins
    }

    /// The worker's metrics as OpenMetrics text ([`crate::metrics::CONTENT_TYPE`]): record and
    /// commit counters per connector and task, and the tasks' states as of now.
    ///
    /// # Errors
    ///
    /// When a metric cannot be encoded.
    pub async fn metrics(&self) -> Result<String> {
        if let Some(cluster) = &self.inner.cluster {
            let (tasks, count) = cluster.local_task_states().await;
            return self
                .inner
                .shared
                .metrics
                .encode(&tasks, count)
                .map_err(|e| ConnectError::other(format!("could not encode the metrics: {e}")));
        }
        let connectors = self.inner.connectors.lock().await;
        let tasks: Vec<(String, u32, State)> = connectors
            .values()
            .flat_map(|c| {
                c.task_states()
                    .into_iter()
                    .map(|(task, s)| (c.name.to_string(), task, s.state))
            })
            .collect();
        let count = connectors.len();
        drop(connectors);
        self.inner
            .shared
            .metrics
            .encode(&tasks, count)
            .map_err(|e| ConnectError::other(format!("could not encode the metrics: {e}")))
    }

    /// The worker configuration.
    pub fn worker_config(&self) -> &WorkerConfig {
        &self.inner.shared.worker
    }

    /// The full definition of a connector configuration: the common keys, the connector's own,
    /// and those of its transformations and predicates under their prefixes (Kafka's enriched
    /// `ConnectorConfig`), for `PUT /connector-plugins/{plugin}/config/validate`.
    ///
    /// # Errors
    ///
    /// When `connector.class` is missing or names no known connector.
    pub fn connector_config_def(&self, props: &ConfigMap) -> Result<(ConnectorType, ConfigDef)> {
        let plugins = &self.inner.shared.plugins;
        let (_, factory) = plugins.connector_of(props)?;
        let kind = factory.kind();
        let own = guarded_sync("the connector's config()", || {
            Ok(match &factory {
                ConnectorFactory::Source(make) => make().config(),
                ConnectorFactory::Sink(make) => make().config(),
            })
        })?;
        let chain = guarded_sync("a transformation's config()", || {
            Ok(match kind {
                ConnectorType::Source => chain_defs::<SourceRecord>(plugins, props),
                ConnectorType::Sink => chain_defs::<SinkRecord>(plugins, props),
            })
        })?;
        let mut def = ConnectorConfig::def(kind, props);
        for key in own.keys().chain(chain.keys()) {
            if !def.contains(key.name()) {
                def.add(key.clone());
            }
        }
        Ok((kind, def))
    }

    /// Validates a connector configuration: the kind of connector and every key's value and
    /// errors (Kafka's `PUT /connector-plugins/{plugin}/config/validate`).
    ///
    /// # Errors
    ///
    /// When `connector.class` is missing or names no known connector.
    pub async fn validate_connector_config(
        &self,
        props: &ConfigMap,
    ) -> Result<(ConnectorType, Vec<ConfigValueInfo>)> {
        // As Kafka does, the values are checked as the connector will get them, with their
        // config provider references resolved.
        let resolved;
        let props = if props.values().any(|value| has_reference(value)) {
            let providers = ConfigProviders::from_worker(&self.inner.shared.worker)?;
            resolved = providers.resolve_async(props).await?;
            &resolved
        } else {
            props
        };
        let (_, factory) = self.inner.shared.plugins.connector_of(props)?;
        let kind = factory.kind();
        let mut infos = ConnectorConfig::validate(props, kind);
        let own = guarded_sync("the connector's validate()", || {
            Ok(match &factory {
                ConnectorFactory::Source(make) => make().validate(props),
                ConnectorFactory::Sink(make) => make().validate(props),
            })
        })?;
        let plugins = &self.inner.shared.plugins;
        let chain = guarded_sync("a transformation's config()", || {
            Ok(match kind {
                ConnectorType::Source => validate_chain::<SourceRecord>(plugins, props),
                ConnectorType::Sink => validate_chain::<SinkRecord>(plugins, props),
            })
        })?;
        let converters = validate_converter_classes(plugins, props);
        for info in own.into_iter().chain(chain).chain(converters) {
            match infos.iter_mut().find(|i| i.name == info.name) {
                Some(existing) => existing.errors.extend(info.errors),
                None => infos.push(info),
            }
        }
        Ok((kind, infos))
    }

    async fn checked_config(
        &self,
        props: &ConfigMap,
    ) -> Result<(ConnectorConfig, String, ConnectorFactory)> {
        let (kind, infos) = self.validate_connector_config(props).await?;
        let errors: Vec<String> = infos
            .iter()
            .flat_map(|i| i.errors.iter().cloned())
            .collect();
        if !errors.is_empty() {
            return Err(ConnectError::Config(ConfigError::other(format!(
                "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
                errors.len(),
                errors.join("\n")
            ))));
        }
        let config = ConnectorConfig::parse(props, kind)?;
        let (desc, factory) = self.inner.shared.plugins.connector_of(props)?;
        Ok((config, desc.class, factory))
    }

    /// Creates and starts a connector (`initial_state` defaults to running).
    ///
    /// # Errors
    ///
    /// [`ConnectError::AlreadyExists`] when the name is taken; a configuration error listing
    /// every invalid key. A connector that fails to start is created and reported FAILED.
    pub async fn create_connector(
        &self,
        props: ConfigMap,
        initial_state: Option<TargetState>,
    ) -> Result<ConnectorInfo> {
        if let Some(cluster) = &self.inner.cluster {
            cluster.ensure_leader()?;
            self.checked_config(&props).await?;
            return cluster.create_connector(props, initial_state).await;
        }
        let name = props.get("name").cloned().unwrap_or_default();
        if self.inner.connectors.lock().await.contains_key(&name) {
            return Err(ConnectError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        let (config, class, factory) = self.checked_config(&props).await?;
        let mut connectors = self.inner.connectors.lock().await;
        if connectors.contains_key(&name) {
            return Err(ConnectError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        let mut connector =
            ManagedConnector::new(config, class, factory, initial_state.unwrap_or_default());
        connector.start(&self.inner.shared).await;
        tracing::info!(connector = %name, "created connector");
        let info = self.info_of(&connector);
        connectors.insert(name, connector);
        Ok(info)
    }

    /// Creates a connector, or replaces the configuration of an existing one and restarts it.
    /// Returns whether it was created, and its description.
    ///
    /// # Errors
    ///
    /// A configuration error listing every invalid key.
    pub async fn put_connector_config(
        &self,
        name: &str,
        mut props: ConfigMap,
    ) -> Result<(bool, ConnectorInfo)> {
        props
            .entry("name".into())
            .or_insert_with(|| name.to_owned());
        if let Some(cluster) = &self.inner.cluster {
            cluster.ensure_leader()?;
            self.checked_config(&props).await?;
            return cluster.put_connector_config(name, props).await;
        }
        let (config, class, factory) = self.checked_config(&props).await?;
        let mut connectors = self.inner.connectors.lock().await;
        let (created, target) = match connectors.remove(name) {
            Some(mut old) => {
                old.stop(&self.inner.shared).await;
                (false, old.target)
            }
            None => (true, TargetState::Started),
        };
        let mut connector = ManagedConnector::new(config, class, factory, target);
        connector.start(&self.inner.shared).await;
        let info = self.info_of(&connector);
        connectors.insert(name.to_owned(), connector);
        Ok((created, info))
    }

    /// Stops and removes a connector. Its source offsets and consumer group stay.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn delete_connector(&self, name: &str) -> Result<()> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.delete_connector(name).await;
        }
        let mut connector = self
            .inner
            .connectors
            .lock()
            .await
            .remove(name)
            .ok_or_else(|| not_found(name))?;
        connector.stop(&self.inner.shared).await;
        tracing::info!(connector = %name, "deleted connector");
        Ok(())
    }

    /// Pauses a connector: its tasks stop polling and consuming but keep their state.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn pause_connector(&self, name: &str) -> Result<()> {
        self.set_target(name, TargetState::Paused).await
    }

    /// Resumes a paused or stopped connector.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn resume_connector(&self, name: &str) -> Result<()> {
        self.set_target(name, TargetState::Started).await
    }

    /// Stops a connector and its tasks, keeping its configuration (the state in which offsets
    /// may be altered).
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn stop_connector(&self, name: &str) -> Result<()> {
        self.set_target(name, TargetState::Stopped).await
    }

    async fn set_target(&self, name: &str, target: TargetState) -> Result<()> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.set_target(name, target).await;
        }
        let mut connectors = self.inner.connectors.lock().await;
        let connector = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        let was = connector.target;
        match (was, target) {
            (a, b) if a == b => {}
            (_, TargetState::Stopped) => {
                connector.target = TargetState::Stopped;
                connector.stop(&self.inner.shared).await;
                connector.task_configs.clear();
                *connector
                    .state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    super::supervisor::TaskState {
                        state: State::Stopped,
                        trace: None,
                    };
            }
            (TargetState::Stopped, _) => {
                connector.target = target;
                connector.start(&self.inner.shared).await;
            }
            _ => connector.set_target(target),
        }
        tracing::info!(connector = %name, ?target, "target state changed");
        Ok(())
    }

    /// Restarts a connector and, with `include_tasks`, its tasks; with `only_failed`, only those
    /// that failed. Returns the status from before the restart with restarted items shown as
    /// RESTARTING.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster
                .restart_connector(name, include_tasks, only_failed)
                .await;
        }
        let mut connectors = self.inner.connectors.lock().await;
        let connector = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        let mut status = self.status_of(connector);
        let restart_connector = !only_failed || status.connector.state == State::Failed;
        let restart_tasks: Vec<u32> = status
            .tasks
            .iter()
            .filter(|t| include_tasks && (!only_failed || t.state == State::Failed))
            .map(|t| t.id)
            .collect();
        if restart_connector {
            status.connector.state = State::Restarting;
        }
        for task in &mut status.tasks {
            if restart_tasks.contains(&task.id) {
                task.state = State::Restarting;
            }
        }
        if restart_connector && connector.target != TargetState::Stopped {
            connector.restart_instance(&self.inner.shared).await;
        }
        for id in restart_tasks {
            connector.restart_task(id as usize, &self.inner.shared);
        }
        Ok(status)
    }

    /// Restarts one task.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector or task.
    pub async fn restart_task(&self, name: &str, task: u32) -> Result<()> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.restart_task(name, task).await;
        }
        let mut connectors = self.inner.connectors.lock().await;
        let connector = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        if task as usize >= connector.tasks.len() {
            return Err(ConnectError::NotFound(format!(
                "Task {name}-{task} not found"
            )));
        }
        connector.restart_task(task as usize, &self.inner.shared);
        Ok(())
    }

    /// Names of all connectors, sorted.
    pub async fn connectors(&self) -> Vec<String> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.connectors().await;
        }
        self.inner.connectors.lock().await.keys().cloned().collect()
    }

    /// A connector's configuration, tasks and type.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn connector_info(&self, name: &str) -> Result<ConnectorInfo> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.connector_info(name).await;
        }
        let connectors = self.inner.connectors.lock().await;
        connectors
            .get(name)
            .map(|c| self.info_of(c))
            .ok_or_else(|| not_found(name))
    }

    /// A connector's and its tasks' states.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn connector_status(&self, name: &str) -> Result<ConnectorStatus> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.connector_status(name).await;
        }
        let connectors = self.inner.connectors.lock().await;
        connectors
            .get(name)
            .map(|c| self.status_of(c))
            .ok_or_else(|| not_found(name))
    }

    /// The task configs of a connector.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector.
    pub async fn task_configs(&self, name: &str) -> Result<Vec<ConfigMap>> {
        if let Some(cluster) = &self.inner.cluster {
            return cluster.task_configs(name).await;
        }
        let connectors = self.inner.connectors.lock().await;
        connectors
            .get(name)
            .map(|c| c.task_configs.clone())
            .ok_or_else(|| not_found(name))
    }

    /// A connector's committed offsets: source partitions and offsets, or for a sink connector
    /// `{"kafka_topic", "kafka_partition"}` and `{"kafka_offset"}` of its consumer group.
    ///
    /// # Errors
    ///
    /// [`ConnectError::NotFound`] when there is no such connector; errors of the stores.
    pub async fn connector_offsets(&self, name: &str) -> Result<Vec<(OffsetMap, OffsetMap)>> {
        let (kind, topics) = match &self.inner.cluster {
            Some(cluster) => {
                let (config, factory, _) = cluster.connector_parts(name).await?;
                (factory.kind(), config.sink_topics().ok())
            }
            None => {
                let connectors = self.inner.connectors.lock().await;
                let connector = connectors.get(name).ok_or_else(|| not_found(name))?;
                (connector.kind(), connector.config.sink_topics().ok())
            }
        };
        if kind == ConnectorType::Source {
            return self.inner.shared.offsets.connector_offsets(name).await;
        }
        let Some(topics) = topics else {
            return Ok(Vec::new());
        };
        let log = self.inner.shared.log.as_ref();
        let committed = committed_sink_offsets(log, &format!("connect-{name}"), &topics).await?;
        let mut out: Vec<_> = committed.into_iter().collect();
        out.sort();
        Ok(out
            .into_iter()
            .map(|(p, offset)| {
                let mut partition = OffsetMap::new();
                partition.insert("kafka_topic".into(), p.topic.to_string().into());
                partition.insert("kafka_partition".into(), p.partition.into());
                let mut value = OffsetMap::new();
                value.insert("kafka_offset".into(), offset.into());
                (partition, value)
            })
            .collect())
    }

    /// Stops every connector and task: sinks flush and commit, sources commit their offsets.
    /// Once the last clone of the runtime is dropped after this, nothing holds its log: an
    /// embedded log can be opened again at once in the same process.
    pub async fn shutdown(&self) {
        if let Some(cluster) = &self.inner.cluster {
            cluster.shutdown().await;
            tracing::info!("worker stopped");
            return;
        }
        let mut connectors = self.inner.connectors.lock().await;
        let shared = &self.inner.shared;
        futures::future::join_all(connectors.values_mut().map(|c| c.stop(shared))).await;
        connectors.clear();
        tracing::info!("worker stopped");
    }

    /// Takes the task configs a connector generated on another worker of the cluster
    /// (`POST /connectors/{name}/tasks`, its raw `body` and its signature): the leader writes
    /// them to the config topic.
    pub(crate) async fn accept_task_configs(
        &self,
        name: &str,
        configs: Vec<ConfigMap>,
        signature: Option<&Signature>,
        body: &[u8],
    ) -> Result<()> {
        match &self.inner.cluster {
            Some(cluster) => {
                cluster
                    .accept_task_configs(name, configs, signature, body)
                    .await
            }
            None => Err(ConnectError::other(
                "Kafka Connect in standalone mode does not support externally setting task configurations.",
            )),
        }
    }

    fn info_of(&self, connector: &ManagedConnector) -> ConnectorInfo {
        ConnectorInfo {
            name: connector.name.to_string(),
            config: connector.config.originals().clone(),
            tasks: (0..connector.task_configs.len())
                .map(|task| TaskInfo {
                    connector: connector.name.to_string(),
                    task: u32::try_from(task).unwrap_or(u32::MAX),
                })
                .collect(),
            kind: connector.kind().name().to_owned(),
        }
    }

    fn status_of(&self, connector: &ManagedConnector) -> ConnectorStatus {
        let worker_id = self.inner.shared.worker_id.clone();
        let state = connector.state();
        ConnectorStatus {
            name: connector.name.to_string(),
            connector: StateInfo {
                state: state.state,
                worker_id: worker_id.clone(),
                trace: state.trace,
            },
            tasks: connector
                .task_states()
                .into_iter()
                .map(|(id, s)| TaskStatus {
                    id,
                    state: s.state,
                    worker_id: worker_id.clone(),
                    trace: s.trace,
                })
                .collect(),
            kind: connector.kind().name().to_owned(),
        }
    }
}

fn not_found(name: &str) -> ConnectError {
    ConnectError::NotFound(format!("Connector {name} not found"))
}
