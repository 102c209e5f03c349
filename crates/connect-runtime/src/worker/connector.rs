//! One connector as the worker manages it: its instance, target state, task configs and tasks.

use std::sync::{Arc, Mutex};

use connect_api::config::ConfigMap;
use connect_api::connector::{
    ConnectorContext, SinkConnector, SinkConnectorContext, SourceConnector, SourceConnectorContext,
};
use connect_api::error::ConnectError;
use connect_api::task::OffsetStorageReader;
use tokio::sync::{mpsc, watch};

use super::guard::{guarded, guarded_sync};
use super::supervisor::{SharedState, TaskHandle, TaskState, read};
use super::{State, TargetState};
use crate::config::{ConnectorConfig, ConnectorType};
use crate::errors::error_trace;
use crate::offsets::ConnectorOffsetReader;
use crate::plugins::ConnectorFactory;
use crate::task::{Control, TaskEnv, TaskId};

use super::runtime::Shared;

/// A connector instance of either kind.
pub(crate) enum Instance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

/// Every call into the connector is guarded: a panic becomes the connector's error.
impl Instance {
    async fn start(&mut self, props: &ConfigMap) -> Result<(), ConnectError> {
        guarded("the connector's start()", async {
            match self {
                Instance::Source(c) => c.start(props).await,
                Instance::Sink(c) => c.start(props).await,
            }
        })
        .await
    }

    async fn stop(&mut self) -> Result<(), ConnectError> {
        guarded("the connector's stop()", async {
            match self {
                Instance::Source(c) => c.stop().await,
                Instance::Sink(c) => c.stop().await,
            }
        })
        .await
    }

    fn task_configs(&self, max: usize) -> Result<Vec<ConfigMap>, ConnectError> {
        guarded_sync("the connector's task_configs()", || match self {
            Instance::Source(c) => c.task_configs(max),
            Instance::Sink(c) => c.task_configs(max),
        })
    }
}

struct Context {
    name: String,
    state: SharedState,
    reconfigure: mpsc::UnboundedSender<String>,
    reader: Arc<dyn OffsetStorageReader>,
}

impl ConnectorContext for Context {
    fn request_task_reconfiguration(&self) {
        let _ = self.reconfigure.send(self.name.clone());
    }

    fn raise_error(&self, error: ConnectError) {
        tracing::error!(connector = %self.name, %error, "the connector raised an error");
        *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = TaskState {
            state: State::Failed,
            trace: Some(error_trace(&error)),
        };
    }
}

impl SourceConnectorContext for Context {
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.reader.clone()
    }
}

impl SinkConnectorContext for Context {}

/// A connector under the worker's management.
pub(crate) struct ManagedConnector {
    pub(crate) name: Arc<str>,
    /// The resolved class name.
    pub(crate) class: String,
    pub(crate) config: ConnectorConfig,
    pub(crate) factory: ConnectorFactory,
    pub(crate) target: TargetState,
    pub(crate) instance: Option<Instance>,
    pub(crate) state: SharedState,
    pub(crate) task_configs: Vec<ConfigMap>,
    pub(crate) tasks: Vec<TaskHandle>,
    /// `config` with its config provider references resolved, once the instance started.
    pub(crate) resolved: Option<ConnectorConfig>,
}

impl ManagedConnector {
    pub(crate) fn new(
        config: ConnectorConfig,
        class: String,
        factory: ConnectorFactory,
        target: TargetState,
    ) -> Self {
        Self {
            name: config.name().into(),
            class,
            config,
            factory,
            target,
            instance: None,
            state: Arc::new(Mutex::new(TaskState {
                state: State::Unassigned,
                trace: None,
            })),
            task_configs: Vec::new(),
            tasks: Vec::new(),
            resolved: None,
        }
    }

    pub(crate) fn kind(&self) -> ConnectorType {
        self.factory.kind()
    }

    fn set_state(&self, state: State, trace: Option<String>) {
        *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = TaskState { state, trace };
    }

    /// RUNNING, or PAUSED when that is the target.
    fn running_state(&self) -> State {
        if self.target == TargetState::Paused {
            State::Paused
        } else {
            State::Running
        }
    }

    pub(crate) fn state(&self) -> TaskState {
        read(&self.state)
    }

    /// Starts the connector per its target state: its instance, task configs and tasks. A
    /// failure marks the connector FAILED and leaves the worker running.
    pub(crate) async fn start(&mut self, shared: &Shared) {
        if self.prepare(shared).await {
            self.start_tasks(shared);
        }
    }

    /// Starts the instance and generates the task configs, per the target state; `false` when
    /// there are no tasks to start (stopped, or failed: then the connector is FAILED).
    pub(crate) async fn prepare(&mut self, shared: &Shared) -> bool {
        if self.target == TargetState::Stopped {
            self.set_state(State::Stopped, None);
            return false;
        }
        if let Err(error) = self.start_instance(shared).await {
            tracing::error!(connector = %self.name, %error, "the connector failed to start");
            self.set_state(State::Failed, Some(error_trace(&error)));
            return false;
        }
        match self.generate_task_configs() {
            Ok(configs) => self.task_configs = configs,
            Err(error) => {
                tracing::error!(connector = %self.name, %error, "the connector failed to generate task configs");
                self.set_state(State::Failed, Some(error_trace(&error)));
                return false;
            }
        }
        self.set_state(self.running_state(), None);
        true
    }

    async fn start_instance(&mut self, shared: &Shared) -> Result<(), ConnectError> {
        let context = Arc::new(Context {
            name: self.name.to_string(),
            state: self.state.clone(),
            reconfigure: shared.reconfigure.clone(),
            reader: Arc::new(ConnectorOffsetReader {
                connector: self.name.clone(),
                store: shared.offsets.clone(),
            }),
        });
        let mut instance = guarded_sync("the connector's initialize()", || {
            Ok(match &self.factory {
                ConnectorFactory::Source(make) => {
                    let mut connector = make();
                    connector.initialize(context);
                    Instance::Source(connector)
                }
                ConnectorFactory::Sink(make) => {
                    let mut connector = make();
                    connector.initialize(context);
                    Instance::Sink(connector)
                }
            })
        })?;
        let resolved =
            crate::config::resolve_connector_config(&shared.worker, &self.config).await?;
        instance.start(resolved.originals()).await?;
        self.resolved = Some(resolved);
        self.instance = Some(instance);
        Ok(())
    }

    /// Asks the running instance for task configs, with the keys the runtime adds.
    pub(crate) fn generate_task_configs(&self) -> Result<Vec<ConfigMap>, ConnectError> {
        let Some(instance) = &self.instance else {
            return Ok(Vec::new());
        };
        let max = self.config.tasks_max();
        let mut configs = instance.task_configs(max)?;
        if configs.len() > max && self.config.tasks_max_enforce() {
            return Err(ConnectError::other(format!(
                "The connector {} has generated {} tasks, which is greater than {max}, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is no longer supported. You can either update the connector to generate fewer tasks or, temporarily, set the tasks.max.enforce property to false",
                self.name,
                configs.len()
            )));
        }
        let task_class = task_class(&self.class);
        for config in &mut configs {
            config.insert("task.class".into(), task_class.clone());
            if self.kind() == ConnectorType::Sink {
                for key in ["topics", "topics.regex"] {
                    if let Some(value) = self.config.originals().get(key) {
                        config.insert(key.into(), value.clone());
                    }
                }
            }
        }
        Ok(crate::config::reverse_transform(
            self.config.originals(),
            configs,
        ))
    }

    /// Starts one task per task config.
    pub(crate) fn start_tasks(&mut self, shared: &Shared) {
        self.tasks = (0..self.task_configs.len())
            .map(|number| self.spawn_task(number, shared, None))
            .collect();
    }

    fn spawn_task(
        &self,
        number: usize,
        shared: &Shared,
        previous: Option<TaskHandle>,
    ) -> TaskHandle {
        spawn_task(
            shared,
            TaskSpec {
                id: TaskId {
                    connector: self.name.clone(),
                    task: u32::try_from(number).unwrap_or(u32::MAX),
                },
                config: &self.config,
                resolved: self.resolved.as_ref(),
                task_config: self.task_configs.get(number).cloned().unwrap_or_default(),
                task_count: self.task_configs.len(),
                factory: self.factory.clone(),
                target: self.target,
            },
            previous,
        )
    }

    /// Replaces one task by a new copy, which starts once the old one has stopped (committing
    /// what it wrote). Nothing is awaited here, so a caller that gives up cannot leave the task
    /// stopped without a replacement.
    pub(crate) fn restart_task(&mut self, number: usize, shared: &Shared) {
        if number >= self.tasks.len() {
            return;
        }
        let previous = self.tasks.remove(number);
        let fresh = self.spawn_task(number, shared, Some(previous));
        self.tasks.insert(number, fresh);
    }

    /// Stops and starts the connector instance; tasks are restarted only if their configs change.
    pub(crate) async fn restart_instance(&mut self, shared: &Shared) {
        if let Some(mut instance) = self.instance.take()
            && let Err(error) = instance.stop().await
        {
            tracing::warn!(connector = %self.name, %error, "the connector failed to stop cleanly");
        }
        if let Err(error) = self.start_instance(shared).await {
            self.set_state(State::Failed, Some(error_trace(&error)));
            return;
        }
        self.set_state(self.running_state(), None);
        match self.generate_task_configs() {
            Ok(configs) if configs != self.task_configs => {
                self.stop_tasks(shared).await;
                self.task_configs = configs;
                self.start_tasks(shared);
            }
            Ok(_) => {}
            Err(error) => self.set_state(State::Failed, Some(error_trace(&error))),
        }
    }

    /// Stops every task, each within the graceful timeout.
    pub(crate) async fn stop_tasks(&mut self, shared: &Shared) {
        let timeout = shared.worker.task_shutdown_graceful_timeout();
        let tasks = std::mem::take(&mut self.tasks);
        for task in &tasks {
            task.control.send_modify(|c| c.stop = true);
        }
        futures::future::join_all(
            tasks
                .into_iter()
                .map(|mut task| async move { task.stop(timeout).await }),
        )
        .await;
    }

    /// Stops the tasks and the instance.
    pub(crate) async fn stop(&mut self, shared: &Shared) {
        self.stop_tasks(shared).await;
        if let Some(mut instance) = self.instance.take()
            && let Err(error) = instance.stop().await
        {
            tracing::warn!(connector = %self.name, %error, "the connector failed to stop cleanly");
        }
    }

    /// Applies a new target state to the running tasks.
    pub(crate) fn set_target(&mut self, target: TargetState) {
        self.target = target;
        for task in &self.tasks {
            task.control.send_modify(|c| c.target = target);
        }
        let current = self.state().state;
        if current != State::Failed {
            self.set_state(
                if target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                },
                None,
            );
        }
    }

    /// The tasks' states as the REST API shows them.
    pub(crate) fn task_states(&self) -> Vec<(u32, TaskState)> {
        self.tasks
            .iter()
            .enumerate()
            .map(|(number, task)| {
                let mut state = read(&task.state);
                if state.state == State::Running && self.target == TargetState::Paused {
                    state.state = State::Paused;
                }
                (u32::try_from(number).unwrap_or(u32::MAX), state)
            })
            .collect()
    }
}

/// What a task is started from.
pub(crate) struct TaskSpec<'a> {
    pub(crate) id: TaskId,
    /// The connector's configuration as written.
    pub(crate) config: &'a ConnectorConfig,
    /// The same with its config provider references resolved, when there are any.
    pub(crate) resolved: Option<&'a ConnectorConfig>,
    /// The task's own config, as the connector generated it.
    pub(crate) task_config: ConfigMap,
    /// How many tasks the connector has (sink tasks split the partitions by it).
    pub(crate) task_count: usize,
    pub(crate) factory: ConnectorFactory,
    pub(crate) target: TargetState,
}

/// Starts a task under supervision, once `previous` (the copy it replaces, if any) has stopped.
pub(crate) fn spawn_task(
    shared: &Shared,
    spec: TaskSpec<'_>,
    previous: Option<TaskHandle>,
) -> TaskHandle {
    let (control, receiver) = watch::channel(Control {
        target: spec.target,
        stop: false,
    });
    let env = TaskEnv {
        metrics: shared.metrics.task(&spec.id),
        id: spec.id,
        task_config: crate::config::resolve_task_config(
            spec.config.originals(),
            spec.resolved,
            spec.task_config,
        ),
        connector_config: spec.resolved.unwrap_or(spec.config).clone(),
        worker: shared.worker.clone(),
        plugins: shared.plugins.clone(),
        log: shared.log.clone(),
        offsets: shared.offsets.clone(),
        control: receiver,
        topics: shared.topics.clone(),
    };
    TaskHandle::start(
        env,
        control,
        spec.factory,
        spec.task_count,
        spec.config.restart_policy(),
        previous,
    )
}

/// Kafka puts the task's class into task configs; ours is named after the connector's.
fn task_class(connector_class: &str) -> String {
    match connector_class.strip_suffix("Connector") {
        Some(stem) => format!("{stem}Task"),
        None => format!("{connector_class}Task"),
    }
}
