//! Error handling for records (Kafka's `RetryWithToleranceOperator` and error reporters):
//! retries with backoff, tolerance, the error log, and the dead letter queue.

#[macro_use]
mod tolerate;
mod operator;
mod reporter;

pub use operator::{Attempt, Next, Origin, RetryWithTolerance};
pub(crate) use reporter::now_millis;
pub use reporter::{DeadLetterQueue, ErrorReport};

/// The reporters of one task.
pub(crate) fn operator_reporters(
    log_enable: bool,
    include_messages: bool,
    dlq: Option<DeadLetterQueue>,
) -> reporter::Reporters {
    reporter::Reporters::new(log_enable, include_messages, dlq)
}

/// Where in the pipeline an error happened; written to the `__connect.errors.stage` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `SourceTask::poll`.
    TaskPoll,
    /// `SinkTask::put`.
    TaskPut,
    /// A transformation.
    Transformation,
    /// The key converter.
    KeyConverter,
    /// The value converter.
    ValueConverter,
    /// The header converter.
    HeaderConverter,
    /// Writing to the log.
    KafkaProduce,
    /// Reading from the log.
    KafkaConsume,
}

impl Stage {
    /// Kafka's name for the stage (`VALUE_CONVERTER`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Stage::TaskPoll => "TASK_POLL",
            Stage::TaskPut => "TASK_PUT",
            Stage::Transformation => "TRANSFORMATION",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
            Stage::KafkaConsume => "KAFKA_CONSUME",
        }
    }

    /// Whether any error of this stage may be tolerated; elsewhere only retriable errors are.
    pub fn tolerates_any_error(self) -> bool {
        matches!(
            self,
            Stage::Transformation
                | Stage::KeyConverter
                | Stage::ValueConverter
                | Stage::HeaderConverter
        )
    }
}

/// The Java exception class Kafka Connect would have thrown for an error, for the
/// `__connect.errors.exception.class.name` header and logs.
pub fn exception_class(error: &connect_api::error::ConnectError) -> &'static str {
    use connect_api::error::ConnectError;
    match error {
        ConnectError::Data(_) => "org.apache.kafka.connect.errors.DataException",
        ConnectError::Retriable { .. } => "org.apache.kafka.connect.errors.RetriableException",
        ConnectError::Config(_) => "org.apache.kafka.common.config.ConfigException",
        ConnectError::NotFound(_) => "org.apache.kafka.connect.errors.NotFoundException",
        ConnectError::AlreadyExists(_) => "org.apache.kafka.connect.errors.AlreadyExistsException",
        ConnectError::IllegalWorkerState(_) => {
            "org.apache.kafka.connect.errors.IllegalWorkerStateException"
        }
        _ => "org.apache.kafka.connect.errors.ConnectException",
    }
}

/// The error with its chain of causes, one per line (the `trace` of statuses and the
/// `__connect.errors.exception.stacktrace` header).
pub fn error_trace(error: &(dyn std::error::Error + 'static)) -> String {
    let mut trace = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        trace.push_str("\nCaused by: ");
        trace.push_str(&cause.to_string());
        source = cause.source();
    }
    trace
}
