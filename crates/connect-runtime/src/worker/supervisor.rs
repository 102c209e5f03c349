//! Running one task: catching its failures and panics so that they stay with the task, and
//! restarting it with backoff when the connector asks for it (`errors.restart.*`).

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::State;
use super::guard::panicked;
use crate::config::RestartPolicy;
use crate::errors::error_trace;
use crate::plugins::ConnectorFactory;
use crate::task::{Control, TaskEnv, run_sink_task, run_source_task};

/// A task's last known state, written by its supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskState {
    pub(crate) state: State,
    pub(crate) trace: Option<String>,
}

pub(crate) type SharedState = Arc<Mutex<TaskState>>;

pub(crate) fn read(state: &SharedState) -> TaskState {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn write(state: &SharedState, value: State, trace: Option<String>) {
    *state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = TaskState {
        state: value,
        trace,
    };
}

/// A task's state as of now.
pub(crate) fn read_task_state(task: &TaskHandle) -> TaskState {
    read(&task.state)
}

/// A running task as the worker holds it.
pub(crate) struct TaskHandle {
    pub(crate) control: watch::Sender<Control>,
    pub(crate) state: SharedState,
    pub(crate) supervisor: JoinHandle<()>,
}

impl TaskHandle {
    /// Starts the task under supervision, once `previous` (the copy it replaces, if any) has
    /// stopped: two copies of one task would race on a sink's output or a source's offsets.
    pub(crate) fn start(
        env: TaskEnv,
        control: watch::Sender<Control>,
        factory: ConnectorFactory,
        task_count: usize,
        policy: RestartPolicy,
        previous: Option<TaskHandle>,
    ) -> Self {
        let state = Arc::new(Mutex::new(TaskState {
            state: State::Running,
            trace: None,
        }));
        let stop_timeout = env.worker.task_shutdown_graceful_timeout();
        let supervised = state.clone();
        let supervisor = tokio::spawn(async move {
            if let Some(mut previous) = previous {
                previous.stop(stop_timeout).await;
            }
            if !env.stopping() {
                supervise(env, factory, task_count, policy, supervised).await;
            }
        });
        Self {
            control,
            state,
            supervisor,
        }
    }

    /// Tells the task to stop and waits up to `timeout` for it; past that, aborts it at its next
    /// `.await` (the task runs inside the supervisor, so the abort reaches it).
    pub(crate) async fn stop(&mut self, timeout: Duration) {
        self.control.send_modify(|c| c.stop = true);
        if tokio::time::timeout(timeout, &mut self.supervisor)
            .await
            .is_err()
        {
            tracing::error!(
                "Graceful stop of a task failed within task.shutdown.graceful.timeout.ms; abandoning it"
            );
            self.supervisor.abort();
        }
    }
}

async fn supervise(
    env: TaskEnv,
    factory: ConnectorFactory,
    task_count: usize,
    policy: RestartPolicy,
    state: SharedState,
) {
    let mut attempts = 0u32;
    loop {
        let started = Instant::now();
        write(&state, State::Running, None);
        let run_env = env.clone();
        // Run here rather than in a task of its own, so that aborting the supervisor stops it;
        // a panic is caught and reported as the task's failure.
        let outcome = AssertUnwindSafe(async {
            match factory.clone() {
                ConnectorFactory::Source(make) => {
                    run_source_task(run_env, make().create_task()).await
                }
                ConnectorFactory::Sink(make) => {
                    run_sink_task(run_env, task_count, make().create_task()).await
                }
            }
        })
        .catch_unwind()
        .await;
        let trace = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error_trace(&error),
            Err(payload) => error_trace(&panicked("the task", payload)),
        };
        write(&state, State::Failed, Some(trace.clone()));
        if env.stopping() || !policy.enabled {
            tracing::error!(task = %env.id, error = %trace, "Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted");
            return;
        }
        tracing::error!(task = %env.id, error = %trace, "Task threw an uncaught exception; it will be restarted (errors.restart.enable)");
        if started.elapsed() > policy.max_backoff {
            attempts = 0;
        }
        if policy.max_attempts.is_some_and(|max| attempts >= max) {
            tracing::error!(task = %env.id, attempts, "giving up restarting the task (errors.restart.max.attempts)");
            return;
        }
        attempts += 1;
        let delay = policy.backoff(attempts);
        tracing::warn!(task = %env.id, attempt = attempts, ?delay, "restarting the failed task (errors.restart.enable)");
        let mut control = env.control.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = control.wait_for(|c| c.stop) => return,
        }
        write(&state, State::Restarting, None);
    }
}
