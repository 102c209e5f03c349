//! The worker's metrics in Prometheus' text format (OpenMetrics), served by `GET /metrics`.
//!
//! Every record and commit metric is labelled by `connector` and `task`:
//!
//! | metric | kind | what |
//! |---|---|---|
//! | `connect_source_records_polled_total` | counter | records returned by a source task's `poll` |
//! | `connect_sink_records_read_total` | counter | records a sink task consumed from the log |
//! | `connect_records_processed_total` | counter | records converted and transformed (not dropped or skipped) |
//! | `connect_records_written_total` | counter | source: acknowledged by the log; sink: handed to `put` successfully |
//! | `connect_records_failed_total` | counter | record failures, tolerated or not |
//! | `connect_deadletterqueue_records_total` | counter | records written to the dead letter queue |
//! | `connect_offset_commits_total` | counter | offset commits, labelled `result="success"` or `"failure"` |
//! | `connect_offset_commit_latency_seconds` | histogram | the time an offset commit took |
//! | `connect_task_state` | gauge | 1 for the task's current `state`, 0 for the others |
//! | `connect_connectors` | gauge | the number of connectors |
//!
//! Tasks take their counters once, when they start (`Metrics::task`), so that counting a
//! record is one atomic addition.

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::task::TaskId;
use crate::worker::State;

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The states a task's `connect_task_state` gauge has a series for.
const TASK_STATES: [State; 5] = [
    State::Unassigned,
    State::Running,
    State::Paused,
    State::Failed,
    State::Restarting,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskLabels {
    connector: String,
    task: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommitLabels {
    connector: String,
    task: u32,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    connector: String,
    task: u32,
    state: &'static str,
}

type Histograms = Family<TaskLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Unassigned => "UNASSIGNED",
        State::Running => "RUNNING",
        State::Paused => "PAUSED",
        State::Failed => "FAILED",
        State::Restarting => "RESTARTING",
        State::Stopped => "STOPPED",
    }
}

/// The metrics of one worker: its registry and metric families.
pub struct Metrics {
    registry: Registry,
    polled: Family<TaskLabels, Counter>,
    read: Family<TaskLabels, Counter>,
    processed: Family<TaskLabels, Counter>,
    written: Family<TaskLabels, Counter>,
    failed: Family<TaskLabels, Counter>,
    dlq: Family<TaskLabels, Counter>,
    commits: Family<CommitLabels, Counter>,
    commit_latency: Histograms,
    task_state: Family<StateLabels, Gauge>,
    connectors: Gauge,
    /// Held while the state gauges are rebuilt and the text encoded.
    scrape: Mutex<()>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// An empty registry with every family registered.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let polled = Family::<TaskLabels, Counter>::default();
        let read = Family::<TaskLabels, Counter>::default();
        let processed = Family::<TaskLabels, Counter>::default();
        let written = Family::<TaskLabels, Counter>::default();
        let failed = Family::<TaskLabels, Counter>::default();
        let dlq = Family::<TaskLabels, Counter>::default();
        let commits = Family::<CommitLabels, Counter>::default();
        let commit_latency: Histograms = Family::new_with_constructor(latency_histogram);
        let task_state = Family::<StateLabels, Gauge>::default();
        let connectors = Gauge::default();
        registry.register(
            "connect_source_records_polled",
            "Records returned by the source task's poll",
            polled.clone(),
        );
        registry.register(
            "connect_sink_records_read",
            "Records the sink task read from the log",
            read.clone(),
        );
        registry.register(
            "connect_records_processed",
            "Records converted and transformed",
            processed.clone(),
        );
        registry.register(
            "connect_records_written",
            "Records written: acknowledged by the log (source) or put (sink)",
            written.clone(),
        );
        registry.register(
            "connect_records_failed",
            "Record failures, tolerated or not",
            failed.clone(),
        );
        registry.register(
            "connect_deadletterqueue_records",
            "Records written to the dead letter queue",
            dlq.clone(),
        );
        registry.register(
            "connect_offset_commits",
            "Offset commits by result (success or failure)",
            commits.clone(),
        );
        registry.register(
            "connect_offset_commit_latency_seconds",
            "The time offset commits took",
            commit_latency.clone(),
        );
        registry.register(
            "connect_task_state",
            "1 for the task's current state, 0 for the others",
            task_state.clone(),
        );
        registry.register(
            "connect_connectors",
            "The number of connectors",
            connectors.clone(),
        );
        Self {
            registry,
            polled,
            read,
            processed,
            written,
            failed,
            dlq,
            commits,
            commit_latency,
            task_state,
            connectors,
            scrape: Mutex::new(()),
        }
    }

    /// The counters of one task, resolved once so that counting is an atomic addition.
    pub(crate) fn task(&self, id: &TaskId) -> TaskMetrics {
        let labels = TaskLabels {
            connector: id.connector.to_string(),
            task: id.task,
        };
        let commit = |result| CommitLabels {
            connector: labels.connector.clone(),
            task: labels.task,
            result,
        };
        TaskMetrics {
            polled: self.polled.get_or_create_owned(&labels),
            read: self.read.get_or_create_owned(&labels),
            processed: self.processed.get_or_create_owned(&labels),
            written: self.written.get_or_create_owned(&labels),
            failed: self.failed.get_or_create_owned(&labels),
            dlq: self.dlq.get_or_create_owned(&labels),
            commit_success: self.commits.get_or_create_owned(&commit("success")),
            commit_failure: self.commits.get_or_create_owned(&commit("failure")),
            commit_latency: self.commit_latency.get_or_create_owned(&labels),
        }
    }

    /// The metrics as OpenMetrics text ([`CONTENT_TYPE`]), with the task state gauges set from
    /// `tasks` (connector, task, state) and the connector count from `connectors`.
    ///
    /// # Errors
    ///
    /// When a metric cannot be written (it does not happen with a `String`).
    pub fn encode(
        &self,
        tasks: &[(String, u32, State)],
        connectors: usize,
    ) -> Result<String, std::fmt::Error> {
        let _scrape = self
            .scrape
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.task_state.clear();
        for (connector, task, current) in tasks {
            for state in TASK_STATES {
                let labels = StateLabels {
                    connector: connector.clone(),
                    task: *task,
                    state: state_name(state),
                };
                self.task_state
                    .get_or_create(&labels)
                    .set(i64::from(state == *current));
            }
        }
        self.connectors
            .set(i64::try_from(connectors).unwrap_or(i64::MAX));
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The counters of one task. Cloning shares them.
#[derive(Clone, Debug)]
pub(crate) struct TaskMetrics {
    polled: Counter,
    read: Counter,
    processed: Counter,
    written: Counter,
    failed: Counter,
    dlq: Counter,
    commit_success: Counter,
    commit_failure: Counter,
    commit_latency: Histogram,
}

impl TaskMetrics {
    /// `n` records returned by `poll`.
    pub(crate) fn polled(&self, n: usize) {
        self.polled.inc_by(n as u64);
    }

    /// `n` records read from the log by a sink task.
    pub(crate) fn read(&self, n: usize) {
        self.read.inc_by(n as u64);
    }

    /// `n` records converted and transformed.
    pub(crate) fn processed(&self, n: usize) {
        self.processed.inc_by(n as u64);
    }

    /// `n` records written (acknowledged, or put).
    pub(crate) fn written(&self, n: usize) {
        self.written.inc_by(n as u64);
    }

    /// A record failure, tolerated or not.
    pub(crate) fn failed(&self) {
        self.failed.inc();
    }

    /// A record written to the dead letter queue.
    pub(crate) fn dead_lettered(&self) {
        self.dlq.inc();
    }

    /// An offset commit that took `elapsed`, successful or not.
    pub(crate) fn committed(&self, success: bool, elapsed: Duration) {
        if success {
            self.commit_success.inc();
        } else {
            self.commit_failure.inc();
        }
        self.commit_latency.observe(elapsed.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use super::*;

    #[test]
    fn encodes_counters_histogram_and_states() {
        let metrics = Metrics::new();
        let task = metrics.task(&TaskId {
            connector: Arc::from("files"),
            task: 0,
        });
        task.polled(3);
        task.processed(3);
        task.written(2);
        task.written(1);
        task.failed();
        task.dead_lettered();
        task.committed(true, Duration::from_millis(2));
        task.committed(false, Duration::from_millis(1));
        let text = metrics
            .encode(&[("files".into(), 0, State::Running)], 1)
            .unwrap();
        for line in [
            "# TYPE connect_source_records_polled counter",
            "connect_source_records_polled_total{connector=\"files\",task=\"0\"} 3",
            "connect_sink_records_read_total{connector=\"files\",task=\"0\"} 0",
            "connect_records_processed_total{connector=\"files\",task=\"0\"} 3",
            "connect_records_written_total{connector=\"files\",task=\"0\"} 3",
            "connect_records_failed_total{connector=\"files\",task=\"0\"} 1",
            "connect_deadletterqueue_records_total{connector=\"files\",task=\"0\"} 1",
            "connect_offset_commits_total{connector=\"files\",task=\"0\",result=\"success\"} 1",
            "connect_offset_commits_total{connector=\"files\",task=\"0\",result=\"failure\"} 1",
            "# TYPE connect_offset_commit_latency_seconds histogram",
            "connect_offset_commit_latency_seconds_count{connector=\"files\",task=\"0\"} 2",
            "connect_offset_commit_latency_seconds_bucket{le=\"+Inf\",connector=\"files\",task=\"0\"} 2",
            "# TYPE connect_task_state gauge",
            "connect_task_state{connector=\"files\",task=\"0\",state=\"RUNNING\"} 1",
            "connect_task_state{connector=\"files\",task=\"0\",state=\"FAILED\"} 0",
            "connect_connectors 1",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
        }
        // The state gauges follow the tasks of the moment: a task gone has no series.
        let text = metrics.encode(&[], 0).unwrap();
        assert!(!text.contains("connect_task_state{"), "{text}");
        assert!(text.lines().any(|l| l == "connect_connectors 0"));
        // A task restarted keeps counting on the same series.
        metrics
            .task(&TaskId {
                connector: Arc::from("files"),
                task: 0,
            })
            .polled(1);
        let text = metrics.encode(&[], 0).unwrap();
        assert!(
            text.lines()
                .any(|l| l
                    == "connect_source_records_polled_total{connector=\"files\",task=\"0\"} 4"),
            "{text}"
        );
    }
}
