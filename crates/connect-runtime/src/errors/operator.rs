//! Retrying and tolerating failures of one record's processing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use connect_api::error::ConnectError;
use connect_api::record::SourceRecord;
use connect_log::{LogRecord, Partition};
use tokio::sync::watch;
use tokio::time::Instant;

use super::Stage;
use super::reporter::{ErrorReport, Reporters};
use crate::config::{ErrorsConfig, ToleranceType};

/// The first retry waits this long; each further one twice as long (Kafka's
/// `RETRIES_DELAY_MIN_MS`).
const RETRY_DELAY_MIN: Duration = Duration::from_millis(300);

/// The record a failure concerns, for reports and the dead letter queue.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A record a sink task consumed, with its raw bytes.
    Consumed {
        /// Where it was read.
        partition: &'a Partition,
        /// Its offset.
        offset: i64,
        /// The record as stored.
        raw: &'a LogRecord,
    },
    /// A record a source task produced.
    Source(&'a SourceRecord),
    /// No record (a whole-batch operation).
    None,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Try the operation again (the backoff has been slept).
    Retry,
    /// Skip the record: the failure was tolerated and reported.
    Skip,
}

/// The retry state of one operation on one record.
#[derive(Debug)]
pub struct Attempt {
    stage: Stage,
    class: String,
    started: Instant,
    attempts: u32,
    /// A record the task itself reported as failed: any error is tolerable, none is retried.
    errant: bool,
}

impl Attempt {
    /// The stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }
}

/// Retries retriable failures within `errors.retry.timeout` with Kafka's backoff, then tolerates
/// or fails per `errors.tolerance`, reporting every failure to the log and the dead letter queue.
pub struct RetryWithTolerance {
    config: ErrorsConfig,
    connector: Arc<str>,
    task: u32,
    reporters: Reporters,
    failures: AtomicU64,
    stopping: watch::Receiver<bool>,
}

impl RetryWithTolerance {
    pub(crate) fn new(
        config: ErrorsConfig,
        connector: Arc<str>,
        task: u32,
        reporters: Reporters,
        stopping: watch::Receiver<bool>,
    ) -> Self {
        Self {
            config,
            connector,
            task,
            reporters,
            failures: AtomicU64::new(0),
            stopping,
        }
    }

    /// Starts an operation of `stage` by `class` (the converter's or transform's name).
    pub fn begin(&self, stage: Stage, class: impl Into<String>) -> Attempt {
        Attempt {
            stage,
            class: class.into(),
            started: Instant::now(),
            attempts: 0,
            errant: false,
        }
    }

    /// Starts handling a record a task reported through its errant record reporter (Kafka's
    /// `executeFailed`): whatever the error, `errors.tolerance=all` skips it (to the dead letter
    /// queue) and `none` fails the task; it is never retried.
    pub fn begin_errant(&self, stage: Stage, class: impl Into<String>) -> Attempt {
        Attempt {
            errant: true,
            ..self.begin(stage, class)
        }
    }

    /// The number of failures so far (tolerated or not).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Whether records are skipped on failure (`errors.tolerance=all`).
    pub fn tolerates(&self) -> bool {
        self.config.tolerance == ToleranceType::All
    }

    /// The settings.
    pub fn config(&self) -> &ErrorsConfig {
        &self.config
    }

    /// Decides what follows a failed attempt: a retry after the backoff, a tolerated skip, or the
    /// task's failure (`Err`, naming connector, task, stage, class and record).
    ///
    /// # Errors
    ///
    /// The error that fails the task.
    pub async fn failed(
        &self,
        attempt: &mut Attempt,
        error: ConnectError,
        origin: Origin<'_>,
    ) -> Result<Next, ConnectError> {
        attempt.attempts += 1;
        if !attempt.errant && error.is_retriable() && self.sleep_before_retry(attempt).await {
            return Ok(Next::Retry);
        }
        self.failures.fetch_add(1, Ordering::Relaxed);
        let tolerable =
            attempt.errant || attempt.stage.tolerates_any_error() || error.is_retriable();
        let report = ErrorReport {
            connector: &self.connector,
            task: self.task,
            stage: attempt.stage,
            class: &attempt.class,
            error: &error,
            origin,
        };
        self.reporters
            .report(&report, tolerable && self.tolerates())
            .await;
        if tolerable && self.tolerates() {
            return Ok(Next::Skip);
        }
        let reason = if tolerable {
            "Tolerance exceeded in error handler"
        } else {
            "Unhandled exception in error handler"
        };
        Err(ConnectError::other_from(
            format!(
                "{reason}: connector {}, task {}, stage {} with class '{}'{}: {error}",
                self.connector,
                self.task,
                attempt.stage.name(),
                attempt.class,
                describe_origin(origin),
            ),
            error,
        ))
    }

    /// Sleeps the backoff before the next attempt; `false` when the deadline has passed or the
    /// task is stopping.
    async fn sleep_before_retry(&self, attempt: &Attempt) -> bool {
        let deadline = match self.config.retry_timeout {
            Some(timeout) if timeout.is_zero() => return false,
            Some(timeout) => Some(attempt.started + timeout),
            None => None,
        };
        let mut delay = backoff(attempt.attempts, self.config.retry_delay_max);
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            delay = delay.min(left);
        }
        tracing::debug!(
            connector = %self.connector, task = self.task, stage = attempt.stage.name(),
            attempt = attempt.attempts, ?delay, "retrying after a retriable error"
        );
        let mut stopping = self.stopping.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => true,
            _ = stopping.wait_for(|stop| *stop) => false,
        }
    }
}

/// Kafka's retry delay: 300 ms doubling per attempt; past `max`, a random delay below `max`.
pub(crate) fn backoff(attempt: u32, max: Duration) -> Duration {
    let doubled = RETRY_DELAY_MIN.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    if doubled > max {
        let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..max_ms.max(1)))
    } else {
        doubled
    }
}

/// ` on record topic=t partition=0 offset=5`, or nothing.
pub(crate) fn describe_origin(origin: Origin<'_>) -> String {
    match origin {
        Origin::Consumed {
            partition, offset, ..
        } => format!(
            " on record topic={} partition={} offset={offset}",
            partition.topic, partition.partition
        ),
        Origin::Source(record) => format!(
            " on source record for topic={} with source partition {} and offset {}",
            record.topic,
            serde_json::Value::Object((*record.source_partition).clone()),
            serde_json::Value::Object(record.source_offset.clone()),
        ),
        Origin::None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_300ms_then_jitters_below_the_cap() {
        let max = Duration::from_secs(60);
        let delays: Vec<u128> = (1..=5).map(|n| backoff(n, max).as_millis()).collect();
        assert_eq!(delays, [300, 600, 1200, 2400, 4800]);
        for _ in 0..100 {
            assert!(backoff(10, Duration::from_millis(1000)) < Duration::from_millis(1000));
        }
    }

    fn operator(config: ErrorsConfig) -> (RetryWithTolerance, watch::Sender<bool>) {
        let (stop, stopping) = watch::channel(false);
        let reporters = Reporters::new(false, false, None);
        (
            RetryWithTolerance::new(config, "c".into(), 0, reporters, stopping),
            stop,
        )
    }

    fn errors(retry_ms: Option<u64>, tolerance: ToleranceType) -> ErrorsConfig {
        ErrorsConfig {
            retry_timeout: retry_ms.map(Duration::from_millis),
            retry_delay_max: Duration::from_secs(60),
            tolerance,
            log_enable: false,
            log_include_messages: false,
            dlq_topic: None,
            dlq_replication_factor: 1,
            dlq_context_headers: false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retriable_errors_are_retried_until_the_deadline_then_tolerated() {
        let (op, _stop) = operator(errors(Some(1000), ToleranceType::All));
        let mut attempt = op.begin(Stage::KafkaProduce, "log");
        let started = tokio::time::Instant::now();
        let mut retries = 0;
        while op
            .failed(&mut attempt, ConnectError::retriable("down"), Origin::None)
            .await
            .unwrap()
            == Next::Retry
        {
            retries += 1;
        }
        // 300 + 600, then 100 ms left of the second: never sleeping past the deadline.
        assert_eq!(retries, 3);
        assert_eq!(started.elapsed(), Duration::from_millis(1000));
        assert_eq!(op.failures(), 1);
    }

    #[tokio::test]
    async fn converter_errors_fail_the_task_without_tolerance_naming_the_record() {
        let (op, _stop) = operator(errors(Some(0), ToleranceType::None));
        let mut attempt = op.begin(
            Stage::ValueConverter,
            "org.apache.kafka.connect.json.JsonConverter",
        );
        let partition = Partition::new("t", 2);
        let raw = LogRecord::default();
        let origin = Origin::Consumed {
            partition: &partition,
            offset: 7,
            raw: &raw,
        };
        let err = op
            .failed(&mut attempt, ConnectError::other("bad json"), origin)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Tolerance exceeded in error handler: connector c, task 0, stage VALUE_CONVERTER with \
             class 'org.apache.kafka.connect.json.JsonConverter' on record topic=t partition=2 \
             offset=7: bad json"
        );
    }

    #[tokio::test]
    async fn non_retriable_errors_outside_conversion_are_never_tolerated() {
        let (op, _stop) = operator(errors(Some(0), ToleranceType::All));
        let mut attempt = op.begin(Stage::KafkaProduce, "log");
        let err = op
            .failed(&mut attempt, ConnectError::other("too large"), Origin::None)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Unhandled exception in error handler"),
            "{err}"
        );
        let mut attempt = op.begin(Stage::Transformation, "Mask");
        let next = op
            .failed(&mut attempt, ConnectError::other("no field"), Origin::None)
            .await
            .unwrap();
        assert_eq!(next, Next::Skip);
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_interrupts_infinite_retries() {
        let (op, stop) = operator(errors(None, ToleranceType::None));
        let mut attempt = op.begin(Stage::KafkaProduce, "log");
        assert_eq!(
            op.failed(&mut attempt, ConnectError::retriable("down"), Origin::None)
                .await
                .unwrap(),
            Next::Retry
        );
        stop.send_replace(true);
        assert!(
            op.failed(&mut attempt, ConnectError::retriable("down"), Origin::None)
                .await
                .is_err()
        );
    }
}
