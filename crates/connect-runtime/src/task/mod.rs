//! The drivers of source and sink tasks, and what they share.

mod consumer;
mod sink;
mod source;

use std::sync::Arc;

use connect_api::config::ConfigMap;
use connect_log::Log;
use tokio::sync::watch;

use crate::config::{ConnectorConfig, WorkerConfig};
use crate::errors::operator_reporters;
use crate::errors::{DeadLetterQueue, RetryWithTolerance};
use crate::metrics::TaskMetrics;
use crate::offsets::OffsetStore;
use crate::plugins::Plugins;
use crate::worker::{ActiveTopics, TargetState};

pub(crate) use sink::run_sink_task;
pub(crate) use source::run_source_task;

/// A task's id: its connector and number (Kafka's `ConnectorTaskId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The connector's name.
    pub connector: Arc<str>,
    /// The task's number.
    pub task: u32,
}

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// What the runtime tells a running task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Control {
    pub(crate) target: TargetState,
    pub(crate) stop: bool,
}

/// Everything a task driver needs from the worker.
#[derive(Clone)]
pub(crate) struct TaskEnv {
    pub(crate) id: TaskId,
    pub(crate) task_config: ConfigMap,
    pub(crate) connector_config: ConnectorConfig,
    pub(crate) worker: Arc<WorkerConfig>,
    pub(crate) plugins: Arc<Plugins>,
    pub(crate) log: Arc<dyn Log>,
    pub(crate) offsets: Arc<dyn OffsetStore>,
    pub(crate) control: watch::Receiver<Control>,
    /// Where the topics the task uses are noted.
    pub(crate) topics: ActiveTopics,
    /// The task's counters.
    pub(crate) metrics: TaskMetrics,
}

impl TaskEnv {
    /// The error handler of this task, with its log and dead letter queue reporters.
    pub(crate) fn error_handler(&self) -> RetryWithTolerance {
        let errors = self.connector_config.errors();
        let dlq = errors.dlq_topic.as_ref().map(|topic| {
            DeadLetterQueue::new(
                self.log.clone(),
                topic.clone(),
                errors.dlq_replication_factor,
                errors.dlq_context_headers,
            )
        });
        let reporters = operator_reporters(errors.log_enable, errors.log_include_messages, dlq)
            .with_metrics(self.metrics.clone());
        let (stop_sender, stopping) = watch::channel(false);
        let mut control = self.control.clone();
        tokio::spawn(async move {
            let _ = control.wait_for(|c| c.stop).await;
            let _ = stop_sender.send(true);
        });
        RetryWithTolerance::new(
            errors,
            self.id.connector.clone(),
            self.id.task,
            reporters,
            stopping,
        )
    }

    /// A client setting: the connector's `<prefix>.override.<key>`, else the worker's
    /// `<prefix>.<key>`.
    pub(crate) fn client_setting(&self, prefix: &str, key: &str) -> Option<String> {
        self.connector_config
            .originals()
            .get(&format!("{prefix}.override.{key}"))
            .or_else(|| self.worker.originals().get(&format!("{prefix}.{key}")))
            .cloned()
    }

    /// Whether the task has been told to stop.
    pub(crate) fn stopping(&self) -> bool {
        self.control.borrow().stop
    }
}
